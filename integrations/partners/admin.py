"""Operators create partners and API keys here; keys and webhook secrets are shown once and never again.
Keys are revoked, not deleted; partners are disabled."""

import secrets
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html

from common.errors import ApplicationError
from common.forms import form_add_application_error
from integrations.partners import services
from integrations.partners.models import ApiKey, Partner
from integrations.partners.scopes import DEFAULT_SCOPES, SCOPES

_SCOPE_CHOICES = list(SCOPES.items())


class PartnerCreateForm(forms.Form):
    name = forms.CharField(max_length=100)
    slug = forms.SlugField(max_length=50, required=False, help_text="Leave empty to derive it from the name.")
    signature_scheme = forms.ChoiceField(
        choices=Partner.SignatureScheme.choices, initial=Partner.SignatureScheme.STANDARD_WEBHOOKS
    )
    provider_id = forms.CharField(
        max_length=50, required=False, label="Provider", help_text=Partner._meta.get_field("provider_id").help_text
    )
    scopes = forms.MultipleChoiceField(
        choices=_SCOPE_CHOICES,
        initial=list(DEFAULT_SCOPES),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Scopes of its first API key",
        help_text="Choose none to create the partner without an API key.",
    )


class ApiKeyCreateForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=Partner.objects.filter(is_active=True))
    name = forms.CharField(max_length=100, required=False, help_text="What the key is for, e.g. “production CDN”.")
    scopes = forms.MultipleChoiceField(
        choices=_SCOPE_CHOICES, initial=list(DEFAULT_SCOPES), widget=forms.CheckboxSelectMultiple
    )


SHOWN_ONCE_SESSION_PREFIX = "partners:shown-once:"

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin
else:
    _ModelAdmin = object  # a mixin: the ModelAdmin comes after it in the admins' bases


class _OneTimeSecretsMixin(_ModelAdmin):
    """Shared by the two admin pages that create secrets: a plain form, then a page that shows the
    secrets once (Post/Redirect/Get).

    The POST keeps the new secrets in the server-side session (database sessions: a system check refuses
    the signed-cookie engine, see apps.py) under a random one-time key and redirects to a page named by that
    key. That page takes the secrets out of the session as it shows them, so reloading it re-submits nothing
    and says they are gone. The secrets never travel in a URL, a redirect or a message cookie, and the
    page is never cached (admin_view() marks every admin page Cache-Control: no-store).
    """

    def get_urls(self):
        view = self.admin_site.admin_view(self.shown_once_view)
        name = f"{self.model._meta.app_label}_{self.model._meta.model_name}_shown_once"
        return [path("shown-once/<str:token>/", view, name=name), *super().get_urls()]

    def _render_form(self, request, form, title):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
        }
        return TemplateResponse(request, "admin/partners/create_form.html", context)

    def _redirect_to_shown_once(
        self, request, *, partner, api_key=None, key="", webhook_secret="", previous_valid_until=None
    ):
        token = secrets.token_urlsafe(16)
        request.session[SHOWN_ONCE_SESSION_PREFIX + token] = {
            "partner_id": partner.pk,
            "api_key_id": api_key.pk if api_key else None,
            "key": key,
            "webhook_secret": webhook_secret,
            "previous_valid_until": previous_valid_until.isoformat() if previous_valid_until else None,
        }
        opts = self.model._meta
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_shown_once", token=token)

    def shown_once_view(self, request, token):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        shown = request.session.pop(SHOWN_ONCE_SESSION_PREFIX + token, None)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        if shown is None:
            context["title"] = "These secrets were shown once and are gone"
            return TemplateResponse(request, "admin/partners/shown_once.html", context, status=410)
        context.update(
            title="Store these now: they are not shown again",
            partner=get_object_or_404(Partner, pk=shown["partner_id"]),
            api_key=ApiKey.objects.filter(pk=shown["api_key_id"]).first() if shown["api_key_id"] else None,
            key=shown["key"],
            webhook_secret=shown["webhook_secret"],
            previous_valid_until=parse_datetime(shown.get("previous_valid_until") or ""),
        )
        return TemplateResponse(request, "admin/partners/shown_once.html", context)


@admin.display(description="Scopes")
def _scope_list(api_key: ApiKey) -> str:
    return ", ".join(api_key.scopes)


class ApiKeyInline(admin.TabularInline):
    model = ApiKey
    extra = 0
    can_delete = False
    show_change_link = True
    # Django takes a callable among the fields; the stubs know only names.
    fields = ("name", "prefix", _scope_list, "created_at", "last_used_at", "revoked_at")  # type: ignore[assignment]
    readonly_fields = fields  # type: ignore[assignment]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(_OneTimeSecretsMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "signature_scheme", "is_active", "created_at")
    list_filter = ("is_active", "signature_scheme")
    search_fields = ("name", "slug")
    fields = ("name", "slug", "signature_scheme", "provider_id", "is_active", "created_at", "previous_secret")
    readonly_fields = ("slug", "created_at", "previous_secret")
    inlines = [ApiKeyInline]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = PartnerCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                created = services.partner_create(
                    name=data["name"],
                    slug=data["slug"],
                    signature_scheme=data["signature_scheme"],
                    key_scopes=data["scopes"] or None,
                    key_name="created with the partner",
                    provider_id=data["provider_id"],
                )
            except ApplicationError as error:
                form_add_application_error(form, error)
            else:
                self.log_addition(request, created.partner, [{"added": {}}])
                return self._redirect_to_shown_once(
                    request,
                    partner=created.partner,
                    api_key=created.api_key,
                    key=created.key,
                    webhook_secret=created.webhook_secret,
                )
        return self._render_form(request, form, "Add partner")

    def get_urls(self):
        rotate = self.admin_site.admin_view(self.rotate_secret_view)
        return [
            path("<int:pk>/rotate-webhook-secret/", rotate, name="partners_partner_rotate_secret"),
            *super().get_urls(),
        ]

    @admin.display(description="Previous webhook secret")
    def previous_secret(self, obj):
        expires_at = obj.previous_webhook_secret_expires_at
        if obj.pk is None or not obj.previous_webhook_secret_encrypted or not expires_at:
            return "—"
        if expires_at <= timezone.now():
            return f"Expired {date_format(timezone.localtime(expires_at), 'DATETIME_FORMAT')}"
        return f"Still verifies until {date_format(timezone.localtime(expires_at), 'DATETIME_FORMAT')}"

    def rotate_secret_view(self, request, pk):
        """A confirmation page, then the new secret shown once; the old one verifies for 24 more hours."""
        partner = get_object_or_404(Partner, pk=pk)
        if not self.has_change_permission(request, partner):
            return redirect("admin:index")
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            rotated = services.partner_webhook_secret_rotate(partner=partner)
            self.log_change(request, partner, "Rotated the webhook secret.")
            return self._redirect_to_shown_once(
                request, partner=partner, webhook_secret=rotated.webhook_secret,
                previous_valid_until=rotated.previous_valid_until,
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Rotate the webhook secret of {partner.name}?",
            "partner": partner,
            "overlap_hours": int(services.WEBHOOK_SECRET_OVERLAP.total_seconds() // 3600),
        }
        return TemplateResponse(request, "admin/partners/rotate_secret_confirm.html", context)

    def save_model(self, request, obj, form, change):
        services.partner_update(
            partner=obj, name=obj.name, signature_scheme=obj.signature_scheme, is_active=obj.is_active,
            provider_id=obj.provider_id,
        )

    def has_delete_permission(self, request, obj=None):
        # Partners are disabled, not deleted: their webhook events and keys stay on record.
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(_OneTimeSecretsMixin, admin.ModelAdmin):
    list_display = ("__str__", "partner", "name", _scope_list, "created_at", "last_used_at", "revoked_at")
    list_filter = ("partner", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("partner",)
    search_fields = ("prefix", "name", "partner__name")
    # Django takes a callable among the fields; the stubs know only names.
    fields = ("partner", "name", "prefix", _scope_list, "created_at", "last_used_at", "revoked_at", "revoke")  # type: ignore[assignment]
    readonly_fields = ("partner", "prefix", _scope_list, "created_at", "last_used_at", "revoked_at", "revoke")  # type: ignore[assignment]
    actions = ["revoke_selected"]

    def get_urls(self):
        revoke = self.admin_site.admin_view(self.revoke_view)
        return [path("<int:pk>/revoke/", revoke, name="partners_apikey_revoke"), *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = ApiKeyCreateForm(request.POST or None, initial={"partner": request.GET.get("partner")})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                api_key, key = services.api_key_create(
                    partner=data["partner"], name=data["name"], scopes=data["scopes"]
                )
            except ApplicationError as error:
                form_add_application_error(form, error)
            else:
                self.log_addition(request, api_key, [{"added": {}}])
                return self._redirect_to_shown_once(request, partner=api_key.partner, api_key=api_key, key=key)
        return self._render_form(request, form, "Add API key")

    @admin.display(description="Revoke")
    def revoke(self, obj):
        if obj.pk is None or obj.is_revoked:
            return "—"
        url = reverse("admin:partners_apikey_revoke", args=[obj.pk])
        return format_html('<a class="deletelink" href="{}">Revoke this key…</a>', url)

    def revoke_view(self, request, pk):
        api_key = get_object_or_404(ApiKey.objects.select_related("partner"), pk=pk)
        if not self.has_change_permission(request, api_key):
            return redirect("admin:index")
        return self._revoke(request, [api_key], post_url=request.path)

    @admin.action(description="Revoke selected API keys", permissions=["change"])
    def revoke_selected(self, request, queryset):
        return self._revoke(request, list(queryset.select_related("partner")), post_url="")

    def _revoke(self, request, api_keys, *, post_url):
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            for api_key in api_keys:
                services.api_key_revoke(api_key=api_key)
                self.log_change(request, api_key, "Revoked.")
            self.message_user(request, f"Revoked {len(api_keys)} API key(s).", messages.SUCCESS)
            return redirect("admin:partners_apikey_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Revoke API keys?",
            "api_keys": api_keys,
            "post_url": post_url,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/partners/apikey_revoke_confirm.html", context)

    def has_delete_permission(self, request, obj=None):
        # Keys are revoked, not deleted, so that the record of who held which key stays.
        return False
