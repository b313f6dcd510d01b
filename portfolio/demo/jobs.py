"""The jobs part of the demo: Northwind Studio's video account, its videos and a published job video.

The organization's video account is the sandbox partner's studio user (`northwind`): its videos are
written as a sync would write them, from the sandbox's seed data. The link holds no tokens, so when a
periodic sync comes round the organization page asks to reconnect it (log in at the sandbox as
`northwind`); the videos and the job stay. Running it again changes nothing.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from integrations.oauth.models import LinkedAccount
from integrations.providers.types import Profile
from integrations.sandbox import seed_data
from portfolio.accounts.models import Membership, Organization
from portfolio.accounts.services import organization_video_holder
from portfolio.creators.services import videos_sync
from portfolio.demo.creators import sandbox_remote_videos
from portfolio.jobs.models import Job
from portfolio.jobs.services import jobs as job_services

DEMO_ORGANIZATION_SLUG = "northwind-studio"
DEMO_VIDEO_PROVIDER = "sandbox-video"
DEMO_JOB_TITLE = "Motion designer for our launch films"


def _studio() -> dict:
    return next(user for user in seed_data.USERS if user["username"] == "northwind")


@transaction.atomic
def seed_jobs_demo() -> Job | None:
    """Gives Northwind Studio its video account's videos and a published job with two screening questions."""
    organization = Organization.objects.filter(slug=DEMO_ORGANIZATION_SLUG).first()
    owner = Membership.objects.filter(organization=organization, role=Membership.Role.OWNER).first()
    if organization is None or owner is None:
        return None
    holder = organization_video_holder(organization=organization)
    studio = _studio()
    linked = LinkedAccount.objects.filter(provider_id=DEMO_VIDEO_PROVIDER, subject=studio["video_open_id"]).first()
    if linked is None:
        linked = LinkedAccount.objects.create(
            user=holder,
            provider_id=DEMO_VIDEO_PROVIDER,
            role=LinkedAccount.Role.VIDEOS,
            subject=studio["video_open_id"],
            profile=Profile(display_name=studio["video_display_name"]).as_json(),
            last_synced_at=timezone.now(),
        )
    if linked.user_id != holder.pk:
        return None  # someone linked the studio's account for themselves: leave it as it is
    if not Job.objects.filter(organization=organization).exists():
        videos_sync(linked_account=linked, videos=sandbox_remote_videos(studio))
    job = Job.objects.filter(organization=organization, title=DEMO_JOB_TITLE).first()
    if job is not None:
        return job
    video = holder.videos.filter(platform_video_id=studio["videos"][0]["public_id"]).first()
    if video is None:
        return None
    job = job_services.job_create(
        organization=organization,
        actor=owner.user,
        video=video,
        fields={
            "title": DEMO_JOB_TITLE,
            "description": (
                "Northwind Studio makes short launch films for product teams. We look for a motion designer "
                "to animate six of them with us next quarter.\n\nYou work with our director and one "
                "illustrator; the brand guidelines are ready."
            ),
            "employment_type": Job.EmploymentType.CONTRACTOR,
            "pay_min": 55,
            "pay_max": 80,
            "pay_currency": "EUR",
            "pay_unit": Job.PayUnit.HOUR,
            "workplace": Job.Workplace.REMOTE,
            "remote_countries": ["DE", "PT", "ES", "NL"],
            "skills": ["After Effects", "Illustration", "Cinema 4D"],
            "closes_on": timezone.now().date() + timedelta(days=60),
        },
        questions=[
            {"kind": "yes_no", "prompt": "Can you start in January?", "required": True},
            {
                "kind": "short_text",
                "prompt": "Where do you live?",
                "required": False,
                "prefill_from": "location",
            },
        ],
    )
    return job_services.job_publish(job=job, actor=owner.user)
