"""Reads for the employer's home page: their organizations' open jobs with what came in since the last visit,
the latest applications, how their ATS endpoints are faring, and what to do next. A fixed number of queries,
whatever the number of jobs, applications or endpoints."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from integrations.oauth.models import LinkedAccount
from integrations.webhooks.models import Endpoint
from integrations.webhooks.outbound import selectors as outbound
from portfolio.accounts.models import Organization
from portfolio.jobs.events import OWNER_TYPE
from portfolio.jobs.models import Application, Job

RECENT_APPLICATIONS = 6
DELIVERY_HEALTH_DAYS = 7


@dataclass(frozen=True)
class NextStep:
    text: str
    url: str
    link: str


@dataclass(frozen=True)
class OpenJob:
    job: Job
    organization: Organization
    applicants: int  # not withdrawn
    new_since: int  # applied since the last visit (all, on the first)
    unreviewed: int  # still "new"


@dataclass(frozen=True)
class EndpointHealth:
    endpoint: Endpoint
    organization: Organization
    delivered: int  # over DELIVERY_HEALTH_DAYS
    given_up: int
    waiting: int  # pending or being sent now

    @property
    def is_failing(self) -> bool:
        return not self.endpoint.is_enabled or bool(self.endpoint.failing_since) or bool(self.given_up)


@dataclass
class EmployerDashboard:
    organizations: list[Organization]
    since: datetime | None  # the previous visit (None: the first)
    open_jobs: list[OpenJob] = field(default_factory=list)
    drafts: int = 0
    recent_applications: list[Application] = field(default_factory=list)
    endpoints: list[EndpointHealth] = field(default_factory=list)
    next_steps: list[NextStep] = field(default_factory=list)
    without_video_account: list[Organization] = field(default_factory=list)

    @property
    def new_since(self) -> int:
        return sum(row.new_since for row in self.open_jobs)

    @property
    def failing_endpoints(self) -> list[EndpointHealth]:
        return [row for row in self.endpoints if row.is_failing]


def employer_dashboard(*, user, since: datetime | None) -> EmployerDashboard:
    organizations = list(
        Organization.objects.filter(memberships__user=user)
        .annotate(
            has_video_account=Exists(
                LinkedAccount.objects.filter(user_id=OuterRef("video_holder_id"), role="videos").exclude(
                    status=LinkedAccount.Status.REVOKED
                )
            )
        )
        .order_by("name")
    )
    dashboard = EmployerDashboard(
        organizations=list(organizations),
        since=since,
        without_video_account=[org for org in organizations if not org.has_video_account],
    )
    if not organizations:
        dashboard.next_steps = [
            NextStep("Create your organization: jobs, applicants and the team live there.",
                     reverse("accounts:organization_create"), "Create an organization")
        ]
        return dashboard
    ids = [org.pk for org in organizations]
    by_id = {org.pk: org for org in organizations}
    today = timezone.now().date()
    new_since = Q(applications__created_at__gt=since) if since else Q(applications__isnull=False)
    jobs = (
        Job.objects.filter(organization_id__in=ids)
        .exclude(status=Job.Status.CLOSED)
        .annotate(
            applicants=Count("applications", filter=~Q(applications__status=Application.Status.WITHDRAWN)),
            new_since=Count("applications", filter=new_since & ~Q(applications__status=Application.Status.WITHDRAWN)),
            unreviewed=Count("applications", filter=Q(applications__status=Application.Status.NEW)),
        )
        .order_by("closes_on", "pk")
    )
    for job in jobs:
        if job.status == Job.Status.DRAFT:
            dashboard.drafts += 1
        elif job.closes_on >= today:
            dashboard.open_jobs.append(OpenJob(
                job=job, organization=by_id[job.organization_id], applicants=job.applicants,
                new_since=job.new_since, unreviewed=job.unreviewed,
            ))
    dashboard.recent_applications = list(
        Application.objects.filter(job__organization_id__in=ids)
        .select_related("job")
        .order_by("-created_at", "-id")[:RECENT_APPLICATIONS]
    )
    endpoints = outbound.endpoints_health_for_owners(
        owner_type=OWNER_TYPE, owner_ids=ids, since=timezone.now() - timedelta(days=DELIVERY_HEALTH_DAYS)
    )
    dashboard.endpoints = [
        EndpointHealth(
            endpoint=row.endpoint, organization=by_id[row.endpoint.owner_id], delivered=row.delivered,
            given_up=row.given_up, waiting=row.waiting,
        )
        for row in endpoints
    ]
    dashboard.next_steps = _next_steps(dashboard)
    return dashboard


def _next_steps(dashboard: EmployerDashboard) -> list[NextStep]:
    """What to do next, most pressing first."""
    steps = []
    for row in dashboard.failing_endpoints:
        endpoint = row.endpoint
        steps.append(NextStep(
            f"Your ATS endpoint {endpoint.url} is {'disabled' if not endpoint.is_enabled else 'failing'}: "
            "check it and redeliver what it missed.",
            reverse("accounts:webhook_endpoint", args=[row.organization.slug, endpoint.pk]), "See its deliveries",
        ))
    for open_job in dashboard.open_jobs:
        if open_job.unreviewed:
            steps.append(NextStep(
                f"{open_job.unreviewed} applicant{'s' if open_job.unreviewed != 1 else ''} to “{open_job.job.title}” "
                f"{'wait' if open_job.unreviewed != 1 else 'waits'} for a first look.",
                reverse("jobs:review_dashboard", args=[open_job.job.pk]), "Review applicants",
            ))
    for org in dashboard.organizations:
        if org in dashboard.without_video_account:
            steps.append(NextStep(
                f"Link {org.name}'s video account: jobs are posted on its videos.",
                reverse("accounts:organization_detail", args=[org.slug]) + "#video-account", "Link the video account",
            ))
        elif not dashboard.open_jobs and not dashboard.drafts:
            steps.append(NextStep(
                f"Post a job on one of {org.name}'s videos: viewers apply in one click.",
                reverse("jobs:job_list", args=[org.slug]), "Post a job",
            ))
    if dashboard.drafts:
        steps.append(NextStep(
            f"{dashboard.drafts} draft{'s' if dashboard.drafts != 1 else ''} "
            f"{'wait' if dashboard.drafts != 1 else 'waits'} to be published.",
            reverse("jobs:jobs_home"), "See your jobs",
        ))
    if not dashboard.endpoints and dashboard.open_jobs:
        org = dashboard.organizations[0]
        steps.append(NextStep(
            "Send new applications straight to your ATS with a signed webhook.",
            reverse("accounts:webhook_endpoint_create", args=[org.slug]), "Add an ATS endpoint",
        ))
    return steps
