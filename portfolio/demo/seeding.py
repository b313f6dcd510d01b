"""The demo data that `seed_demo` writes: a creator with 30 days of clicks on their link, an employer
organization with two members, its videos and a published job video with a handful of applicants."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from portfolio.accounts.models import Membership, Organization, User
from portfolio.creators.models import CreatorProfile, Video
from portfolio.creators.selectors import handle_is_taken
from portfolio.creators.services import creator_profile_create
from portfolio.demo.applicants import seed_applicants
from portfolio.demo.clicks import seed_click_history
from portfolio.demo.creators import seed_creator_demo
from portfolio.demo.jobs import seed_jobs_demo

DEMO_PASSWORD = "reelfolio-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    role: str
    description: str


DEMO_LOGINS = [
    DemoLogin("creator@demo.reelfolio.test", "Casey Creator", User.Role.CREATOR, "a creator"),
    DemoLogin("owner@demo.reelfolio.test", "Olivia Owner", User.Role.EMPLOYER, "owner of Northwind Studio"),
    DemoLogin("member@demo.reelfolio.test", "Max Member", User.Role.EMPLOYER, "member of Northwind Studio"),
]
DEMO_ORGANIZATION = {"slug": "northwind-studio", "name": "Northwind Studio", "website": "https://northwind.example"}


@transaction.atomic
def demo_seed() -> list[DemoLogin]:
    """Creates what is missing and leaves what exists: running it twice changes nothing."""
    users = {}
    for login in DEMO_LOGINS:
        user, created = User.objects.get_or_create(email=login.email, defaults={"name": login.name, "role": login.role})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users[login.email] = user
    demo_creator = users["creator@demo.reelfolio.test"]
    if not CreatorProfile.objects.filter(user=demo_creator).exists():
        creator_profile_create(user=demo_creator, handle="casey" if not handle_is_taken(handle="casey") else "")
    organization, _ = Organization.objects.get_or_create(
        slug=DEMO_ORGANIZATION["slug"],
        defaults={"name": DEMO_ORGANIZATION["name"], "website": DEMO_ORGANIZATION["website"]},
    )
    Membership.objects.get_or_create(
        organization=organization, user=users["owner@demo.reelfolio.test"], defaults={"role": Membership.Role.OWNER}
    )
    Membership.objects.get_or_create(
        organization=organization, user=users["member@demo.reelfolio.test"], defaults={"role": Membership.Role.MEMBER}
    )
    # Its video account's videos and a published job video, with applicants at every step of the review.
    job = seed_jobs_demo()
    seed_applicants(job=job, site_url=settings.SITE_URL)
    # Casey's sandbox videos, one of them with "View My Portfolio", and 30 days of clicks on it.
    seed_creator_demo()
    seed_click_history(creator_email=demo_creator.email)
    return DEMO_LOGINS


def demo_sandbox_video_ids() -> dict[str, str]:
    """The sandbox ids of a demo video showing "View My Portfolio" and of one showing "Apply" (what the
    tour's first step opens on the sandbox video platform), by kind; a kind the demo lacks is left out."""
    videos = Video.objects.filter(status=Video.Status.ACTIVE, platform="sandbox-video").order_by("-published_at", "-id")
    found = {
        "portfolio": videos.filter(
            owner__email="creator@demo.reelfolio.test", portfolio_anchor__is_active=True
        ).values_list("platform_video_id", flat=True).first(),
        "job": videos.filter(jobs__organization__slug=DEMO_ORGANIZATION["slug"], jobs__status="published")
        .values_list("platform_video_id", flat=True).first(),
    }
    return {kind: video_id for kind, video_id in found.items() if video_id}
