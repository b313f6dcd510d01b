"""Reads for reviewing applications: a job's applicants for its organization's members and API keys.

Every read is limited to organizations the caller belongs to (`organization_ids`): to anyone else, a job
or an application of another organization does not exist (None, and the view answers 404).
"""

from collections.abc import Iterable

from django.db.models import Count, Prefetch, QuerySet

from portfolio.accounts.models import Membership
from portfolio.jobs.models import Application, ApplicationNote, ApplicationStatusChange, Job


def member_organization_ids(*, user) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Membership.objects.filter(user=user).values_list("organization_id", flat=True))


def jobs_for_organizations(*, organization_ids: Iterable[int]) -> QuerySet[Job]:
    return Job.objects.filter(organization_id__in=list(organization_ids)).select_related("organization", "video")


def job_for_organizations(*, organization_ids: Iterable[int], job_id: int) -> Job | None:
    return jobs_for_organizations(organization_ids=organization_ids).filter(pk=job_id).first()


def _with_history(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """Each application with its history (who moved it, or with which key) and its notes with their authors,
    in a constant number of queries whatever the number of applications."""
    return queryset.prefetch_related(
        Prefetch(
            "status_changes",
            queryset=ApplicationStatusChange.objects.select_related("changed_by", "api_key").order_by(
                "created_at", "id"
            ),
        ),
        Prefetch("notes", queryset=ApplicationNote.objects.select_related("author").order_by("created_at", "id")),
    )


def applications_for_job(*, job: Job, status: str | None = None) -> QuerySet[Application]:
    """The job's applications, newest first, optionally of one status, with their history and notes."""
    queryset = Application.objects.filter(job=job).select_related("job", "job__organization")
    if status:
        queryset = queryset.filter(status=status)
    return _with_history(queryset.order_by("-created_at", "-id"))


def status_counts(*, job: Job) -> dict[str, int]:
    """How many of the job's applications are at each status (every status, zero included), in one query."""
    counts = dict.fromkeys(Application.Status.values, 0)
    for row in Application.objects.filter(job=job).values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def application_for_organizations(*, organization_ids: Iterable[int], application_id: int) -> Application | None:
    queryset = Application.objects.filter(pk=application_id, job__organization_id__in=list(organization_ids))
    return _with_history(queryset.select_related("job", "job__organization")).first()


def application_for_member(*, user, application_id: int) -> Application | None:
    """The application when `user` is a member of its job's organization; None for anyone else."""
    organization_ids = member_organization_ids(user=user)
    if not organization_ids:
        return None
    return application_for_organizations(organization_ids=organization_ids, application_id=application_id)
