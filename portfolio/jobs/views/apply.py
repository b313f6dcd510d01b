"""Apply from the job page in as few presses as the job allows: one press once the person agreed to share
their profile (a job's few questions are asked in the job page's panel); the first time, the consent screen
with the job's questions on it (when they fit), so one more press applies; the questions on a page of their
own otherwise.

The job page (posting) includes templates/jobs/apply_panel.html, which reads its state from
selectors.applications.apply_panel through the `apply_panel` template tag.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.timesince import timesince
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import ApplicationError, Conflict, PermissionDenied
from integrations.oauth import registry
from integrations.oauth.models import LinkedAccount
from integrations.providers import Provider
from integrations.providers.types import Profile
from portfolio.creators import permissions
from portfolio.jobs import question_fields
from portfolio.jobs.models import Application, Job
from portfolio.jobs.selectors import applications as application_selectors
from portfolio.jobs.selectors import jobs as job_selectors
from portfolio.jobs.services import applications as application_services
from portfolio.jobs.services import consent as consent_services


def _job_or_404(slug: str) -> Job:
    job = job_selectors.job_by_slug(slug=slug)
    if job is None:
        raise Http404("No such job.")
    return job


def _job_url(job: Job) -> str:
    return reverse("jobs:job_page", args=[job.slug])


def _with_provider(url: str, provider_id: str) -> str:
    return f"{url}?{urlencode({'provider': provider_id})}" if provider_id else url


def _provider_id(request) -> str:
    value = request.POST.get("provider") or request.GET.get("provider") or ""
    return value if registry.provider_or_none(value) is not None else ""


def _entry(request, job: Job):
    """Who may reach the apply steps: a logged-in creator. Others go back to where they belong."""
    if not request.user.is_authenticated:
        return redirect_to_login(_job_url(job))
    if not permissions.is_applicant(request.user):
        messages.error(request, permissions.NOT_AN_APPLICANT)
        return redirect(_job_url(job))
    return None


def _applied(request, job: Job, application: Application):
    provider = registry.provider_or_none(application.provider_id)
    name = provider.name if provider else application.provider_id
    messages.success(
        request,
        f"Your application to “{job.title}” is on its way to {job.organization.name}, with your {name} profile.",
    )
    if application.snapshot_source == Application.SnapshotSource.CACHED:
        messages.warning(
            request,
            f"{name} did not answer in time, so your application carries your profile as last synced, "
            f"{timesince(application.snapshot_taken_at)} ago.",
        )
    return redirect(_job_url(job))


def _refused(request, job: Job, error: ApplicationError, provider_id: str, *, from_questions: bool = False):
    """Where a refused press leads: the consent screen, the questions, or the job page with the reason."""
    if isinstance(error, PermissionDenied) and error.code == "consent_required":
        return redirect(_with_provider(reverse("jobs:apply_consent", args=[job.slug]), provider_id))
    if error.field_errors and not from_questions:
        return redirect(_with_provider(reverse("jobs:apply_questions", args=[job.slug]), provider_id))
    if isinstance(error, Conflict):
        messages.info(request, error.message)
    else:
        messages.error(request, error.message)
    return redirect(_job_url(job))


@require_POST
def apply(request, slug: str):
    """"Apply with <provider> profile": one press applies once consent is given and nothing is asked."""
    job = _job_or_404(slug)
    refused = _entry(request, job)
    if refused:
        return refused
    provider_id = _provider_id(request)
    try:
        application = application_services.application_create(
            job=job, applicant=request.user, provider_id=provider_id or None
        )
    except ApplicationError as error:
        return _refused(request, job, error, provider_id)
    return _applied(request, job, application)


def _applying_with(request) -> tuple[LinkedAccount, Provider] | None:
    """The visitor's linked freelance account they apply with (the one the form names, or their only
    one) and its provider; None when they have none."""
    provider_id = _provider_id(request) or None
    linked = application_selectors.linked_portfolio_account(user=request.user, provider_id=provider_id)
    provider = registry.provider_or_none(linked.provider_id) if linked is not None else None
    if linked is None or provider is None:
        return None
    return linked, provider


def _answers_posted(request) -> dict[str, str]:
    return {key: value for key, value in request.POST.items() if key.startswith("question_")}


@require_http_methods(["GET", "POST"])
def apply_consent(request, slug: str):
    """The first application with a provider: exactly what is shared, and with whom, with the job's questions
    when they fit on the page; agreeing applies, in one press."""
    job = _job_or_404(slug)
    refused = _entry(request, job)
    if refused:
        return refused
    applying = _applying_with(request)
    if applying is None:
        messages.error(request, application_services.NOT_LINKED)
        return redirect(_job_url(job))
    linked, provider = applying
    questions = list(job.questions.all())
    questions_here = 0 < len(questions) <= application_selectors.QUESTIONS_ON_ONE_PAGE
    profile = Profile.from_json(linked.profile)
    errors: dict[str, list[str]] = {}
    error_message = ""
    if request.method == "POST":
        values = _answers_posted(request)
        try:
            consent_services.consent_grant(user=request.user, provider_id=provider.id)
            if len(questions) > application_selectors.QUESTIONS_ON_ONE_PAGE:  # too many for this page: next page
                return redirect(_with_provider(reverse("jobs:apply_questions", args=[job.slug]), provider.id))
            application = application_services.application_create(
                job=job, applicant=request.user, provider_id=provider.id, answers=values
            )
        except ApplicationError as error:
            if not (questions_here and error.field_errors):
                return _refused(request, job, error, provider.id)
            errors, error_message = error.field_errors, error.message  # the same page again, with the reasons
        else:
            return _applied(request, job, application)
    else:
        if application_selectors.application_of(job=job, user=request.user) is not None:
            return redirect(_job_url(job))
        values = application_selectors.answers_prefill(job=job, profile=profile) if questions_here else {}
    return render(
        request,
        "jobs/apply_consent.html",
        {
            "job": job,
            "provider": provider,
            "profile": profile,
            "shared": [(label, _preview(name, request.user, profile))
                       for name, label in consent_services.SHARED_FIELD_LABELS.items()],
            "rows": question_fields.question_rows(job, values, errors) if questions_here else [],
            "questions_next": 0 if questions_here else len(questions),
            "errors": errors,
            "error_message": error_message,
        },
        status=400 if errors else 200,
    )


def _preview(name: str, user, profile: Profile) -> str:
    """What the consent screen shows of one shared field, from the profile as last synced."""
    if name == "name":
        return user.name or profile.display_name
    if name == "email":
        return user.email
    if name == "skills":
        return ", ".join(profile.skills)
    if name == "portfolio_items":
        count = len(profile.portfolio_items)
        return f"{count} project{'s' if count != 1 else ''}"
    if name == "avatar_url":
        return "Yes" if profile.avatar_url else ""
    if name == "bio":
        return profile.bio[:140] + ("…" if len(profile.bio) > 140 else "")
    return str(getattr(profile, name, "") or "")


@require_http_methods(["GET", "POST"])
def apply_questions(request, slug: str):
    """The job's screening questions, prefilled from the profile where a question says from which field."""
    job = _job_or_404(slug)
    refused = _entry(request, job)
    if refused:
        return refused
    applying = _applying_with(request)
    if applying is None:
        messages.error(request, application_services.NOT_LINKED)
        return redirect(_job_url(job))
    linked, provider = applying
    errors: dict[str, list[str]] = {}
    error_message = ""
    if request.method == "POST":
        values = _answers_posted(request)
        try:
            application = application_services.application_create(
                job=job, applicant=request.user, answers=values, provider_id=provider.id
            )
        except ApplicationError as error:
            if not error.field_errors:
                return _refused(request, job, error, provider.id, from_questions=True)
            errors, error_message = error.field_errors, error.message
        else:
            return _applied(request, job, application)
    else:
        if application_selectors.application_of(job=job, user=request.user) is not None:
            return redirect(_job_url(job))
        values = application_selectors.answers_prefill(job=job, profile=Profile.from_json(linked.profile))
    rows = question_fields.question_rows(job, values, errors)
    return render(
        request,
        "jobs/apply_questions.html",
        {"job": job, "provider": provider, "rows": rows, "error_message": error_message, "errors": errors},
        status=400 if errors else 200,
    )


urlpatterns = [
    path("jobs/<slug:slug>/apply/", apply, name="apply"),
    path("jobs/<slug:slug>/apply/consent/", apply_consent, name="apply_consent"),
    path("jobs/<slug:slug>/apply/questions/", apply_questions, name="apply_questions"),
]
