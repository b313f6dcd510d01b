"""Review pages: a job's applicants for the members of its organization, with their snapshots, answers,
history and private notes; moving an application's status; the applications as CSV.

Members only: anyone else gets a 404, as if the job or the application did not exist.
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from common.errors import ApplicationError
from common.spreadsheets import csv_cell
from integrations.oauth import registry
from portfolio.jobs.models import Application
from portfolio.jobs.selectors import review as selectors
from portfolio.jobs.services import review as services

APPLICATIONS_PER_PAGE = 10


def _job_or_404(request, job_id: int):
    job = selectors.job_for_organizations(
        organization_ids=selectors.member_organization_ids(user=request.user), job_id=job_id
    )
    if job is None:
        raise Http404("No such job.")
    return job


def _application_or_404(request, application_id: int) -> Application:
    application = selectors.application_for_member(user=request.user, application_id=application_id)
    if application is None:
        raise Http404("No such application.")
    return application


def _status_filter(request) -> str:
    status = request.GET.get("status", "")
    if status and status not in Application.Status.values:
        raise Http404("No such status.")
    return status


def _back_to_dashboard(request, application: Application):
    """Back where the form was (the same filter and page), at the applicant's card."""
    dashboard = reverse("jobs:review_dashboard", args=[application.job_id])
    back = request.POST.get("next", "")
    if not (back.startswith(dashboard) and url_has_allowed_host_and_scheme(back, allowed_hosts=None)):
        back = dashboard
    return redirect(f"{back.split('#')[0]}#application-{application.pk}")


@login_required
@require_GET
def review_dashboard(request, job_id: int):
    job = _job_or_404(request, job_id)
    status = _status_filter(request)
    counts = selectors.status_counts(job=job)
    page = Paginator(selectors.applications_for_job(job=job, status=status or None), APPLICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    statuses = [(value, label, counts[value]) for value, label in Application.Status.choices]
    providers = registry.providers()
    for application in page.object_list:
        provider = providers.get(application.provider_id)
        application.provider_name = (  # type: ignore[attr-defined]  # read by the template
            provider.name if provider else application.provider_id
        )
    return render(
        request,
        "jobs/review_dashboard.html",
        {
            "job": job,
            "organization": job.organization,
            "page": page,
            "applications": page.object_list,
            "status": status,
            "statuses": statuses,
            "total": sum(counts.values()),
            "move_choices": [(s.value, s.label) for s in services.MEMBER_STATUSES],
            "here": request.get_full_path(),
        },
    )


@login_required
@require_POST
def review_status_change(request, application_id: int):
    application = _application_or_404(request, application_id)
    try:
        services.application_status_change(
            application=application,
            actor=request.user,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        application.refresh_from_db(fields=["status"])
        name = application.snapshot.get("name") or "The applicant"
        messages.success(
            request, f"{name} is now at “{application.get_status_display()}”; they get an email about it."
        )
    return _back_to_dashboard(request, application)


@login_required
@require_POST
def review_note_add(request, application_id: int):
    application = _application_or_404(request, application_id)
    try:
        services.application_note_add(application=application, author=request.user, body=request.POST.get("body", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Note added. Only members of your organization see it.")
    return _back_to_dashboard(request, application)


def _answer_columns(job) -> list[tuple[int, str]]:
    return [(question.pk, question.prompt) for question in job.questions.all()]


@login_required
@require_GET
def review_csv(request, job_id: int):
    """The job's applications (of one status with ?status=) as CSV; text that a spreadsheet would run as a
    formula is escaped."""
    job = _job_or_404(request, job_id)
    status = _status_filter(request)
    questions = _answer_columns(job)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"reelfolio-applications-{job.slug}-{timezone.now():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(
        [
            "application_id", "applied_at", "status", "name", "email", "headline", "location", "rate", "skills",
            "profile_url", "portfolio", "snapshot", "snapshot_taken_at", *[csv_cell(p) for _id, p in questions],
        ]
    )
    applications = Application.objects.filter(job=job).order_by("created_at", "id")
    if status:
        applications = applications.filter(status=status)
    for application in applications.iterator():
        snapshot = application.snapshot or {}
        answers = {answer.get("question_id"): answer.get("answer", "") for answer in application.answers or []}
        portfolio = "; ".join(
            f"{item.get('title', '')} <{item.get('url', '')}>" for item in snapshot.get("portfolio_items", [])
        )
        row = [
            application.pk,
            application.created_at.isoformat(),
            application.status,
            snapshot.get("name", "") if application.anonymized_at is None else "(erased)",
            snapshot.get("email", ""),
            snapshot.get("headline", ""),
            snapshot.get("location", ""),
            snapshot.get("rate", ""),
            "; ".join(snapshot.get("skills", [])),
            snapshot.get("profile_url", ""),
            portfolio,
            application.snapshot_source,
            application.snapshot_taken_at.isoformat(),
            *[answers.get(question_id, "") for question_id, _prompt in questions],
        ]
        writer.writerow([value if isinstance(value, int) else csv_cell(value) for value in row])
    return response


urlpatterns = [
    path("jobs/manage/<int:job_id>/applications/", review_dashboard, name="review_dashboard"),
    path("jobs/manage/<int:job_id>/applications.csv", review_csv, name="review_csv"),
    path(
        "jobs/manage/applications/<int:application_id>/status/",
        review_status_change,
        name="review_status_change",
    ),
    path("jobs/manage/applications/<int:application_id>/notes/", review_note_add, name="review_note_add"),
]
