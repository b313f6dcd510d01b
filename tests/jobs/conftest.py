"""Organizations with a linked video account, job videos and applicants, for the jobs tests.

Rows other apps own (linked accounts, videos) are written directly, as test data; everything of the
jobs app itself is made through its services in the tests that exercise them.
"""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.cache import cache, caches
from django.utils import timezone

from integrations.oauth.models import LinkedAccount
from integrations.providers.types import PortfolioItem, Profile
from portfolio.accounts.models import Membership
from portfolio.accounts.services import (
    organization_invitation_accept,
    organization_member_invite,
    organization_video_holder,
    user_sign_up,
)
from portfolio.creators.models import Video
from portfolio.jobs.models import Job
from tests.integrations.oauth.fake_provider import FakeProvider
from tests.integrations.outbound_webhooks.receiver import Receiver

PASSWORD = "orchid-lantern-42"

APPLICANT_PROFILE = Profile(
    display_name="Jordan Applicant",
    headline="Video editor",
    bio="I cut short-form ads.",
    skills=["Premiere Pro", "Color grading"],
    rate="$60/hr",
    location="Berlin, DE",
    avatar_url="https://cdn.freelance.example/jordan.png",
    profile_url="https://freelance.example/jordan",
    portfolio_items=[
        PortfolioItem(
            id="p-7",
            title="Sneaker ad",
            url="https://freelance.example/jordan/p-7",
            cover_image_url="https://cdn.freelance.example/p-7.jpg",
        ),
    ],
)


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    caches["clicks"].clear()
    yield
    cache.clear()
    caches["clicks"].clear()


def make_employer(email: str, name: str, organization_name: str):
    return user_sign_up(email=email, name=name, password=PASSWORD, role="employer", organization_name=organization_name)


def make_applicant(email: str, name: str, *, subject: str, profile: Profile = APPLICANT_PROFILE):
    """A creator account with a linked sandbox freelance account (its profile as last synced)."""
    user = user_sign_up(email=email, name=name, password=PASSWORD, role="creator")
    LinkedAccount.objects.create(
        user=user,
        provider_id="sandbox-freelance",
        role=LinkedAccount.Role.PORTFOLIO,
        subject=subject,
        profile=profile.as_json(),
        last_synced_at=timezone.now() - timedelta(hours=2),
    )
    return user


def org_videos(organization, count: int = 2, *, prefix: str = "job-v"):
    """Videos of the organization's linked sandbox video account."""
    holder = organization_video_holder(organization=organization)
    account, _ = LinkedAccount.objects.get_or_create(
        user=holder,
        provider_id="sandbox-video",
        defaults={"role": LinkedAccount.Role.VIDEOS, "subject": f"sbx-org-{organization.pk}"},
    )
    return [
        Video.objects.create(
            owner=holder,
            linked_account=account,
            platform="sandbox-video",
            platform_video_id=f"{prefix}-{organization.pk}-{n}",
            title=f"We are hiring {n}",
            cover_image_url=f"https://cdn.video.example/{prefix}-{n}.jpg",
            share_url=f"https://video.example/watch/{prefix}-{n}",
            embed_url=f"https://video.example/embed/{prefix}-{n}",
            published_at=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=n),
        )
        for n in range(1, count + 1)
    ]


@pytest.fixture
def employer(db):
    return make_employer("owner@northwind.example", "Olivia Owner", "Northwind Studio")


@pytest.fixture
def organization(employer):
    return employer.organizations.get()


@pytest.fixture
def member(organization, employer):
    user = user_sign_up(
        email="mo@northwind.example",
        name="Mo Member",
        password=PASSWORD,
        role="employer",
        organization_name="Mo's own shop",
    )
    invitation = organization_member_invite(organization=organization, actor=employer, email=user.email)
    organization_invitation_accept(invitation=invitation, user=user)
    assert Membership.objects.filter(organization=organization, user=user).exists()
    mail.outbox.clear()  # the invitation's email (sent at once where tests commit) is setup, not under test
    return user


@pytest.fixture
def videos(organization):
    return org_videos(organization)


@pytest.fixture
def applicant(db):
    return make_applicant("jordan@example.com", "Jordan Applicant", subject="sbx-f-jordan")


def job_fields(**overrides) -> dict:
    """Valid fields of a remote contract job closing in 30 days."""
    fields = {
        "title": "Motion designer for launch videos",
        "description": "Animate our product launch in six short videos.",
        "employment_type": Job.EmploymentType.CONTRACTOR,
        "pay_min": 50,
        "pay_max": 80,
        "pay_currency": "EUR",
        "pay_unit": Job.PayUnit.HOUR,
        "workplace": Job.Workplace.REMOTE,
        "remote_countries": ["DE", "PT"],
        "skills": ["After Effects", "Illustration"],
        "closes_on": date.today() + timedelta(days=30),
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def fake(settings):
    """A local OpenID Connect provider, "Acme Freelance", that applicants link (tests/jobs/apply_support.py)."""
    from tests.jobs.apply_support import use_acme  # apply_support imports this module

    provider = FakeProvider().start()
    use_acme(settings, provider)
    yield provider
    provider.stop()


@pytest.fixture
def job(organization, employer, videos):
    """A published job on the organization's first video (modules that need another define their own)."""
    from tests.jobs.apply_support import published_job  # apply_support imports this module

    return published_job(organization=organization, actor=employer, video=videos[0])


@pytest.fixture
def receiver():
    """An ATS of the test's own on loopback (tests/integrations/outbound_webhooks/receiver.py)."""
    with Receiver() as running:
        yield running


@pytest.fixture
def queue(settings):
    """A delivery queue of this test's own, so that no other worker of the run takes its deliveries."""
    name = f"webhooks-test-{uuid.uuid4().hex[:8]}"
    settings.WEBHOOK_CELERY_QUEUE = name
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_REQUIRE_HTTPS = False
    return name
