"""The organization's ATS webhooks on its pages: register endpoints, the secret shown once, rotate it, send a
test event, and each endpoint's delivery log with redelivery. Any member of the organization may use them,
as with the employer API's session access; confirmation pages come before rotating and deleting.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import ApplicationError
from integrations.webhooks.outbound import selectors as outbound_selectors
from integrations.webhooks.outbound import services as outbound
from portfolio.accounts.permissions import member_required

OWNER_TYPE = "organization"
NEW_SECRET_SESSION_PREFIX = "accounts:new-webhook-secret:"
DELIVERIES_PER_PAGE = 20


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="Endpoint URL", max_length=2000,
        help_text="An https:// address of your ATS that accepts POST requests, e.g. https://ats.example.com/hooks.",
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(label="Description", max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label="Events to send", choices=list(outbound.EVENT_TYPES.items()), widget=forms.CheckboxSelectMultiple,
        initial=list(outbound.EVENT_TYPES), error_messages={"required": "Choose at least one event type."},
    )


class RedeliverFailedForm(forms.Form):
    since = forms.DateTimeField(
        label="Failed since (UTC)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Every event that failed and was created since then is sent again.",
    )


def section_context(*, organization) -> dict:
    """The webhooks section of the organization page."""
    endpoints = outbound_selectors.endpoints_for_owner(owner_type=OWNER_TYPE, owner_id=organization.pk)
    return {"webhook_endpoints": endpoints}


def _endpoint_or_404(membership, endpoint_id):
    organization = membership.organization
    endpoint = outbound_selectors.endpoint_for_owners(
        owner_type=OWNER_TYPE, owner_ids=[organization.pk], endpoint_id=endpoint_id
    )
    if endpoint is None:
        raise Http404("No such endpoint.")
    return organization, endpoint


def _endpoint_page(slug, endpoint_id) -> str:
    return reverse("accounts:webhook_endpoint", args=[slug, endpoint_id])


def _remember_secret(request, endpoint, secret: str) -> None:
    """The secret goes into the server-side session and is shown once, after the redirect."""
    request.session[NEW_SECRET_SESSION_PREFIX + str(endpoint.pk)] = secret


@member_required
@require_http_methods(["GET", "POST"])
def webhook_endpoint_create(request, slug, *, membership):
    organization = membership.organization
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = outbound.endpoint_create(
                owner_type=OWNER_TYPE, owner_id=organization.pk, url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"], description=form.cleaned_data["description"],
            )
        except ApplicationError as error:
            for field, field_messages in error.field_errors.items():
                form.add_error(field if field in form.fields else None, field_messages)
            if not error.field_errors:
                form.add_error(None, error.message)
        else:
            _remember_secret(request, endpoint, secret)
            return redirect(_endpoint_page(slug, endpoint.pk))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/webhook_endpoint_form.html", {"organization": organization, "form": form},
                  status=status)


@member_required
def webhook_endpoint(request, slug, endpoint_id, *, membership):
    """One endpoint: its settings, the secret once after creating or rotating, and its delivery log."""
    organization, endpoint = _endpoint_or_404(membership, endpoint_id)
    new_secret = request.session.pop(NEW_SECRET_SESSION_PREFIX + str(endpoint.pk), None)
    deliveries = Paginator(outbound_selectors.deliveries_for_endpoint(endpoint=endpoint), DELIVERIES_PER_PAGE)
    page = deliveries.get_page(request.GET.get("page"))
    response = render(
        request,
        "accounts/webhook_endpoint.html",
        {
            "organization": organization,
            "endpoint": endpoint,
            "event_types": [(t, outbound.EVENT_TYPES.get(t, t)) for t in endpoint.event_types],
            "new_secret": new_secret,
            "page": page,
            "redeliver_form": RedeliverFailedForm(initial={"since": (timezone.now() - timedelta(days=1)).replace(
                second=0, microsecond=0, tzinfo=None)}),
        },
    )
    add_never_cache_headers(response)  # the secret may be on it, shown this once
    return response


def _act(request, slug, membership, endpoint_id, action, success: str, anchor: str = ""):
    organization, endpoint = _endpoint_or_404(membership, endpoint_id)
    try:
        result = action(endpoint)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success.format(result=result))
    return redirect(_endpoint_page(slug, endpoint.pk) + anchor)


@member_required
@require_POST
def webhook_endpoint_test(request, slug, endpoint_id, *, membership):
    return _act(request, slug, membership, endpoint_id, lambda e: outbound.endpoint_test(endpoint=e),
                "A test event is on its way; it appears in the delivery log below.", "#deliveries")


@member_required
@require_POST
def webhook_endpoint_enable(request, slug, endpoint_id, *, membership):
    enable = request.POST.get("enabled") == "true"
    return _act(request, slug, membership, endpoint_id,
                lambda e: outbound.endpoint_update(endpoint=e, is_enabled=enable),
                "The endpoint is enabled: new events are sent to it." if enable
                else "The endpoint is disabled: nothing is sent to it until you enable it.")


@member_required
@require_POST
def webhook_delivery_redeliver(request, slug, endpoint_id, delivery_id, *, membership):
    organization, endpoint = _endpoint_or_404(membership, endpoint_id)
    delivery = endpoint.deliveries.filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404("No such delivery.")
    return _act(request, slug, membership, endpoint_id, lambda e: outbound.delivery_redeliver(delivery=delivery),
                "The event is on its way again.", "#deliveries")


@member_required
@require_POST
def webhook_endpoint_redeliver_failed(request, slug, endpoint_id, *, membership):
    form = RedeliverFailedForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the date and time from which to send failed events again.")
        return redirect(_endpoint_page(slug, endpoint_id) + "#deliveries")
    since = form.cleaned_data["since"]  # aware, in UTC (TIME_ZONE)
    return _act(request, slug, membership, endpoint_id,
                lambda e: outbound.deliveries_redeliver_failed(endpoint=e, since=since),
                "{result} failed event(s) are on their way again.", "#deliveries")


@member_required
@require_http_methods(["GET", "POST"])
def webhook_endpoint_rotate(request, slug, endpoint_id, *, membership):
    organization, endpoint = _endpoint_or_404(membership, endpoint_id)
    if request.method == "POST":
        _remember_secret(request, endpoint, outbound.endpoint_secret_rotate(endpoint=endpoint))
        return redirect(_endpoint_page(slug, endpoint.pk))
    return render(request, "accounts/webhook_endpoint_confirm.html",
                  {"organization": organization, "endpoint": endpoint, "action": "rotate"})


@member_required
@require_http_methods(["GET", "POST"])
def webhook_endpoint_delete(request, slug, endpoint_id, *, membership):
    organization, endpoint = _endpoint_or_404(membership, endpoint_id)
    if request.method == "POST":
        outbound.endpoint_delete(endpoint=endpoint)
        messages.success(request, f"The endpoint {endpoint.url} is deleted.")
        return redirect(reverse("accounts:organization_detail", args=[slug]) + "#webhooks")
    return render(request, "accounts/webhook_endpoint_confirm.html",
                  {"organization": organization, "endpoint": endpoint, "action": "delete"})


urlpatterns = [
    path("organizations/<slug:slug>/webhooks/new/", webhook_endpoint_create, name="webhook_endpoint_create"),
    path("organizations/<slug:slug>/webhooks/<int:endpoint_id>/", webhook_endpoint, name="webhook_endpoint"),
    path("organizations/<slug:slug>/webhooks/<int:endpoint_id>/test/", webhook_endpoint_test,
         name="webhook_endpoint_test"),
    path("organizations/<slug:slug>/webhooks/<int:endpoint_id>/enable/", webhook_endpoint_enable,
         name="webhook_endpoint_enable"),
    path("organizations/<slug:slug>/webhooks/<int:endpoint_id>/rotate/", webhook_endpoint_rotate,
         name="webhook_endpoint_rotate"),
    path("organizations/<slug:slug>/webhooks/<int:endpoint_id>/delete/", webhook_endpoint_delete,
         name="webhook_endpoint_delete"),
    path("organizations/<slug:slug>/webhooks/<int:endpoint_id>/redeliver-failed/", webhook_endpoint_redeliver_failed,
         name="webhook_endpoint_redeliver_failed"),
    path("organizations/<slug:slug>/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver/",
         webhook_delivery_redeliver, name="webhook_delivery_redeliver"),
]
