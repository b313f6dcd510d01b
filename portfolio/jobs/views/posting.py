"""Posting pages: an organization's jobs, the job form, publish and close; and the public job page.

Members only (anyone else gets a 404, as if the organization or job did not exist); the public job page
shows published and closed jobs to everyone.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import ApplicationError
from common.social_cards import card_response, card_url
from portfolio.jobs.anchors import job_page_url
from portfolio.jobs.posting_forms import JobForm, question_formset
from portfolio.jobs.selectors import jobs as selectors
from portfolio.jobs.services import jobs as services
from portfolio.jobs.structured_data import job_posting, json_ld_script

JOBS_PER_PAGE = 20


def _organization_or_404(request, org_slug):
    organization = selectors.organization_for_member(user=request.user, slug=org_slug)
    if organization is None:
        raise Http404("No such organization.")
    return organization


def _job_or_404(request, job_id):
    job = selectors.job_for_member(user=request.user, job_id=job_id)
    if job is None:
        raise Http404("No such job.")
    return job


def _show_errors(error: ApplicationError, form, questions) -> None:
    """Puts the service's per-field messages on the form's fields; the rest above the form."""
    fields = error.field_errors
    if not fields:
        form.add_error(None, error.message)
        return
    for name, field_messages in fields.items():
        if name == "questions":
            questions._non_form_errors.extend(field_messages)
        elif name in form.fields:
            for message in field_messages:
                form.add_error(name, message)
        else:
            for message in field_messages:
                form.add_error(None, message)


def _parsed_questions(questions) -> list[dict]:
    return [q for q in (form.question() for form in questions.forms) if q is not None]


@login_required
def job_list(request, org_slug):
    organization = _organization_or_404(request, org_slug)
    page = Paginator(selectors.jobs_for_organization(organization=organization), JOBS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    has_videos = selectors.videos_for_organization(organization=organization).exists()
    return render(
        request,
        "jobs/posting_list.html",
        {"organization": organization, "page": page, "jobs": page.object_list, "has_videos": has_videos},
    )


@login_required
@require_http_methods(["GET", "POST"])
def job_create(request, org_slug):
    organization = _organization_or_404(request, org_slug)
    videos = selectors.videos_for_organization(organization=organization)
    initial = {}
    if request.GET.get("video", "").isdigit():
        initial["video"] = int(request.GET["video"])
    form = JobForm(request.POST or None, videos=videos, initial=initial)
    questions = question_formset(data=request.POST or None)
    if request.method == "POST" and form.is_valid() & questions.is_valid():
        try:
            job = services.job_create(
                organization=organization,
                actor=request.user,
                video=form.cleaned_data["video"],
                fields=form.service_fields(),
                questions=_parsed_questions(questions),
            )
        except ApplicationError as error:
            _show_errors(error, form, questions)
        else:
            messages.success(request, "The job is saved as a draft. Publish it to put “Apply” on its video.")
            return redirect("jobs:job_manage", job_id=job.pk)
    return render(
        request,
        "jobs/posting_form.html",
        {
            "organization": organization,
            "form": form,
            "questions": questions,
            "job": None,
            "has_videos": videos.exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def job_edit(request, job_id):
    job = _job_or_404(request, job_id)
    existing = list(job.questions.all())
    form = JobForm(request.POST or None, initial=JobForm.initial_from(job))
    questions = question_formset(data=request.POST or None, questions=existing, extra=1)
    if request.method == "POST" and form.is_valid() & questions.is_valid():
        try:
            services.job_update(
                job=job, actor=request.user, fields=form.service_fields(), questions=_parsed_questions(questions)
            )
        except ApplicationError as error:
            _show_errors(error, form, questions)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect("jobs:job_manage", job_id=job.pk)
    return render(
        request,
        "jobs/posting_form.html",
        {"organization": job.organization, "form": form, "questions": questions, "job": job, "has_videos": True},
    )


@login_required
def job_manage(request, job_id):
    job = _job_or_404(request, job_id)
    return render(
        request,
        "jobs/posting_manage.html",
        {
            "job": job,
            "organization": job.organization,
            "questions": job.questions.all(),
            "job_url": job_page_url(job.slug),
        },
    )


@login_required
@require_POST
def job_publish(request, job_id):
    job = _job_or_404(request, job_id)
    try:
        services.job_publish(job=job, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The job is published: its video now shows “Apply”.")
    return redirect("jobs:job_manage", job_id=job.pk)


@login_required
@require_http_methods(["GET", "POST"])
def job_close(request, job_id):
    job = _job_or_404(request, job_id)
    if request.method == "GET":
        return render(request, "jobs/posting_confirm_close.html", {"job": job, "organization": job.organization})
    try:
        services.job_close(job=job, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, "The job is closed: it takes no more applications and “Apply” is gone from its video."
        )
    return redirect("jobs:job_manage", job_id=job.pk)


@login_required
@require_http_methods(["GET", "HEAD"])
def jobs_home(request):
    """**Jobs** in the menu: the jobs of the employer's organization, or the list to choose from when they
    belong to several (or none yet)."""
    organizations = selectors.organizations_of_member(user=request.user)
    if len(organizations) == 1:
        return redirect("jobs:job_list", org_slug=organizations[0].slug)
    return redirect("accounts:organization_list")


def job_page(request, slug):
    """The public page of a published or closed job, with its JSON-LD JobPosting and Open Graph tags."""
    job = selectors.job_by_slug(slug=slug)
    if job is None:
        raise Http404("No such job.")
    card = selectors.job_social_card(job=job)
    return render(
        request,
        "jobs/job_page.html",
        {
            "job": job,
            "organization": job.organization,
            "video": job.video,
            "page_url": job_page_url(job.slug),
            "card_url": card_url(job_page_url(job.slug) + "card.png", card),
            "card_alt": f"{job.title} at {job.organization.name}",
            "json_ld": json_ld_script(job_posting(job)),
        },
    )


@require_http_methods(["GET", "HEAD"])
def job_card(request, slug):
    """The job page's 1200×630 link-preview card (PNG)."""
    job = selectors.job_by_slug(slug=slug)
    if job is None:
        raise Http404("No such job.")
    return card_response(
        selectors.job_social_card(job=job), draw_later=lambda: services.job_card_draw_later(slug=job.slug)
    )


urlpatterns = [
    path("accounts/organizations/<slug:org_slug>/jobs/", job_list, name="job_list"),
    path("accounts/organizations/<slug:org_slug>/jobs/new/", job_create, name="job_create"),
    path("jobs/manage/", jobs_home, name="jobs_home"),
    path("jobs/manage/<int:job_id>/", job_manage, name="job_manage"),
    path("jobs/manage/<int:job_id>/edit/", job_edit, name="job_edit"),
    path("jobs/manage/<int:job_id>/publish/", job_publish, name="job_publish"),
    path("jobs/manage/<int:job_id>/close/", job_close, name="job_close"),
    path("jobs/<slug:slug>/", job_page, name="job_page"),
    path("jobs/<slug:slug>/card.png", job_card, name="job_card"),
]
