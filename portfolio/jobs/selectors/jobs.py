"""Reads for posting jobs: an organization's jobs and videos, one job for its members, the public job."""

from django.db.models import Prefetch, QuerySet

from common import formats
from common.social_cards import Card
from portfolio.accounts.models import Membership, Organization
from portfolio.creators.models import Video
from portfolio.jobs.models import Job


def membership_of(*, user, organization: Organization) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(user=user, organization=organization).first()


def organization_for_member(*, user, slug: str) -> Organization | None:
    """The organization with this slug when `user` is one of its members; None for anyone else."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Organization.objects.filter(slug=slug, memberships__user=user).first()


def organizations_of_member(*, user) -> list[Organization]:
    """The organizations `user` belongs to, by name."""
    return list(Organization.objects.filter(memberships__user=user).order_by("name"))


def jobs_for_organization(*, organization: Organization) -> QuerySet[Job]:
    """Every job of the organization, newest first, with its video (for the list of jobs)."""
    return (
        Job.objects.filter(organization=organization)
        .select_related("video")
        .order_by("-created_at", "-id")
    )


def videos_for_organizations(*, organization_ids) -> QuerySet[Video]:
    """The active videos of these organizations' linked video accounts, each with its organization and its
    jobs (newest first), for the employer API's list of what a job can be posted on."""
    return (
        Video.objects.filter(owner__held_organization__in=list(organization_ids), status=Video.Status.ACTIVE)
        .select_related("owner__held_organization")
        .prefetch_related(Prefetch("jobs", queryset=Job.objects.order_by("-created_at", "-id")))
    )


def job_for_member(*, user, job_id: int) -> Job | None:
    """The job, in any status, when `user` is a member of its organization; None otherwise."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Job.objects.select_related("organization", "video")
        .filter(pk=job_id, organization__memberships__user=user)
        .first()
    )


def job_by_slug(*, slug: str) -> Job | None:
    """The public job behind /jobs/<slug>/: published or closed, never a draft."""
    return (
        Job.objects.select_related("organization", "video")
        .filter(slug=slug, status__in=[Job.Status.PUBLISHED, Job.Status.CLOSED])
        .first()
    )


def videos_for_organization(*, organization: Organization) -> QuerySet[Video]:
    """The organization's active videos: those its video holder owns (imported from its linked account)."""
    return Video.objects.filter(owner__held_organization=organization, status=Video.Status.ACTIVE).order_by(
        "-published_at", "-id"
    )


def job_social_card(*, job: Job) -> Card:
    """What the job's link-preview card shows: the job, the company, the pay and where, and its video's cover."""
    facts = [formats.pay(job.pay_min, job.pay_max, job.pay_currency, job.pay_unit)]
    facts.append(
        formats.workplace(
            kind=job.workplace, locality=job.locality, region=job.region, country_code=job.country,
            remote_countries=job.remote_countries or (),
        )
    )
    return Card(
        title=job.title,
        subtitle=f"{job.organization.name} · {job.get_employment_type_display()}",
        facts=[fact for fact in facts if fact],
        monogram=job.organization.name[:1],
        footer="Apply with one click" if job.is_open else "Closed",
        picture_url=job.video.cover_image_url if job.video else "",
        cover=True,
    )
