"""The applicant's own pages: their applications (withdraw), what they share, export and erase."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import ApplicationError
from integrations.oauth import registry
from portfolio.creators.permissions import applicant_required
from portfolio.jobs.selectors import applications as application_selectors
from portfolio.jobs.services import applications as application_services
from portfolio.jobs.services import consent as consent_services
from portfolio.jobs.services import data_rights

APPLICATIONS_PER_PAGE = 20


@applicant_required
@require_GET
def applicant_applications(request):
    """My applications: job, company, status and date, newest first; then sharing and the data rights."""
    applications = application_selectors.applications_for_applicant(user=request.user)
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    labels = consent_services.SHARED_FIELD_LABELS
    consents = [
        {
            "consent": consent,
            "provider_id": consent.provider_id,
            "name": provider.name if provider else consent.provider_id,
            "fields": [labels.get(name, name) for name in consent.fields],
        }
        for consent, provider in application_selectors.consents_for_user(user=request.user)
    ]
    providers = registry.providers()
    return render(
        request,
        "jobs/applicant_applications.html",
        {"page": page, "consents": consents, "provider_names": {key: p.name for key, p in providers.items()}},
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def applicant_withdraw(request, application_id: int):
    """Withdraw one application, after a confirmation page."""
    application = application_selectors.application_for_applicant(user=request.user, application_id=application_id)
    if application is None:
        raise Http404("No such application.")
    if request.method == "GET":
        return render(request, "jobs/applicant_withdraw.html", {"application": application})
    try:
        application_services.application_withdraw(application=application, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"You withdrew your application to “{application.job.title}”; {application.job.organization.name} "
            "sees it as withdrawn.",
        )
    return redirect("jobs:applicant_applications")


@applicant_required
@require_POST
def applicant_consent_revoke(request, provider_id: str):
    """Stop sharing a provider's profile: the next application with it asks again."""
    provider = registry.provider_or_none(provider_id)
    name = provider.name if provider else provider_id
    consent_services.consent_revoke(user=request.user, provider_id=provider_id)
    messages.success(
        request,
        f"Reelfolio no longer shares your {name} profile when you apply; your next application with it asks "
        "you first. Applications already sent keep what they carried.",
    )
    return redirect("jobs:applicant_applications")


@never_cache
@applicant_required
@require_GET
def applicant_export(request):
    """A JSON file of everything Reelfolio holds on the person (no tokens, no employers' notes)."""
    data = data_rights.applicant_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="reelfolio-data-{timezone.now():%Y-%m-%d}.json"'
    return response


ERASE_CONFIRM_ERROR = "Type your email address or your password exactly, to show that it is you."


def _confirmed(user, typed: str) -> bool:
    typed = typed.strip()
    if not typed:
        return False
    if constant_time_compare(typed.lower(), user.email.lower()):
        return True
    return user.has_usable_password() and user.check_password(typed)


@applicant_required
@require_http_methods(["GET", "POST"])
def applicant_erase(request):
    """Close the account after a confirmation page where the person types their email or password."""
    error = ""
    if request.method == "POST":
        if _confirmed(request.user, request.POST.get("confirm", "")):
            try:
                data_rights.applicant_erase(user=request.user)
            except ApplicationError as failure:
                error = failure.message
            else:
                logout(request)
                messages.success(
                    request,
                    "Your account is closed. Your linked accounts are unlinked and their tokens revoked, and the "
                    "companies you applied to keep only an anonymous application.",
                )
                return redirect("home")
        else:
            error = ERASE_CONFIRM_ERROR
    applications = application_selectors.applications_for_applicant(user=request.user).count()
    return render(
        request,
        "jobs/applicant_erase.html",
        {"error": error, "application_count": applications},
        status=400 if error else 200,
    )


urlpatterns = [
    path("applications/", applicant_applications, name="applicant_applications"),
    path("applications/<int:application_id>/withdraw/", applicant_withdraw, name="applicant_withdraw"),
    path("applications/sharing/<slug:provider_id>/revoke/", applicant_consent_revoke, name="applicant_consent_revoke"),
    path("my-data/export/", applicant_export, name="applicant_export"),
    path("my-data/erase/", applicant_erase, name="applicant_erase"),
]
