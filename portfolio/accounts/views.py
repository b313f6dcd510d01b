from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import ApplicationError
from common.forms import form_add_application_error
from integrations.oauth import flow as oauth_flow
from integrations.oauth import hooks as oauth_hooks
from integrations.oauth import registry
from integrations.oauth import services as oauth_services
from integrations.oauth import views as oauth_views
from integrations.providers.errors import LinkError
from portfolio.accounts import guessing, selectors, services, webhook_views
from portfolio.accounts.access import membership_or_404
from portfolio.accounts.forms import (
    ApiKeyForm,
    EmailAuthenticationForm,
    InvitationSignUpForm,
    MemberAddForm,
    OrganizationForm,
    OrganizationRenameForm,
    SignUpForm,
)
from portfolio.accounts.models import Membership


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_sign_up_request(
                email=data["email"],
                name=data["name"],
                password=data["password1"],
                role=data["role"],
                organization_name=data["organization_name"],
                organization_website=data["organization_website"],
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            # New or taken, the address got an email (a confirmation link, or a note that an account exists):
            # the page says the same either way.
            return redirect("accounts:signup_check_email")
    return render(request, "accounts/signup.html", {"form": form})


@require_http_methods(["GET"])
def signup_confirm(request, uidb64: str, token: str):
    """The confirmation link of a sign-up: the account may log in from now on, and is logged in."""
    user = selectors.user_for_signup_confirmation(uidb64=uidb64, token=token)
    if user is None:
        messages.error(
            request,
            "This confirmation link is not valid: it was already used, or it expired. If you confirmed your "
            "address, log in; otherwise sign up again to get a new link.",
        )
        return redirect("accounts:login")
    services.user_sign_up_confirm(user=user)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, f"Welcome to Reelfolio, {user.get_short_name()}. Your email address is confirmed.")
    return redirect("home")


def signup_check_email(request):
    """Where a sign-up with an email that already has an account ends: the same words for anyone."""
    return render(request, "accounts/signup_check_email.html")


class LoginView(auth_views.LoginView):
    """Logs in by email. django-axes counts its failures (per account and per client address) and, over
    the limit, answers with login_locked_out instead."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a login over the limit: 429, with when to try again and the way out."""
    minutes = settings.LOGIN_COOLOFF_MINUTES
    response = render(request, "accounts/login_locked.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    add_never_cache_headers(response)
    return response


class LogoutView(auth_views.LogoutView):
    """Says so on the page it lands on, which otherwise looks the same as before for a visitor."""

    def post(self, request, *args, **kwargs):
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            messages.success(request, "You are logged out.")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Sends the reset link, a few times an hour at most per client address and per email
    (PASSWORD_RESET_RATE), whether or not an account uses the email."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        wait = guessing.password_reset_attempt(self.request, email=form.cleaned_data["email"])
        if wait is not None:
            minutes = max(1, round(wait / 60))
            form.add_error(
                None,
                "Too many password reset requests for this email or from your network. "
                f"Try again in {minutes} minute{'s' if minutes != 1 else ''}; a link already sent still works.",
            )
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(wait)
            return response
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def organization_list(request):
    organizations = selectors.organizations_for_user(user=request.user)
    return render(request, "accounts/organization_list.html", {"organizations": organizations})


@login_required
def organization_create(request):
    if not request.user.is_employer:
        raise PermissionDenied("Only employer accounts can create organizations.")
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(
                owner=request.user, name=form.cleaned_data["name"], website=form.cleaned_data["website"]
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, f"{organization.name} is ready. You are its owner.")
            return redirect("accounts:organization_detail", slug=organization.slug)
    return render(request, "accounts/organization_form.html", {"form": form})


@login_required
def organization_detail(request, slug):
    membership = membership_or_404(request, slug)
    organization = membership.organization
    form = MemberAddForm(request.POST or None)
    if request.method == "POST":
        if membership.role != Membership.Role.OWNER:
            raise PermissionDenied("Only owners can add members.")
        if form.is_valid():
            try:
                invitation = services.organization_member_invite(
                    organization=organization, actor=request.user, email=form.cleaned_data["email"]
                )
            except ApplicationError as error:
                form_add_application_error(form, error)
            else:
                messages.success(request, selectors.invitation_sent_message(invitation=invitation))
                return redirect("accounts:organization_detail", slug=slug)
    members = list(organization.memberships.select_related("user").order_by("created_at"))
    owner_count = sum(1 for m in members if m.role == Membership.Role.OWNER)
    response = render(
        request,
        "accounts/organization_detail.html",
        {
            "organization": organization,
            "membership": membership,
            "members": members,
            # Told on the page itself, before any confirmation page: why the only owner cannot leave.
            "leave_refusal": selectors.leave_refusal(membership=membership, owner_count=owner_count),
            "invitation_days": selectors.INVITATION_DAYS,
            "invitations": (
                selectors.pending_invitations(organization=organization)
                if membership.role == Membership.Role.OWNER
                else None
            ),
            "form": form,
            **_api_keys_context(request, organization=organization, membership=membership),
            **_video_account_context(request, organization=organization),
            **webhook_views.section_context(organization=organization),
        },
    )
    add_never_cache_headers(response)  # a new API key may be on it, shown this once
    return response


@login_required
def membership_remove(request, slug, membership_id):
    membership = membership_or_404(request, slug)
    target = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organization=membership.organization
    )
    if target.pk == membership.pk:  # removing oneself is leaving: that page says whether one can
        return redirect("accounts:organization_leave", slug=slug)
    if request.method == "POST":
        try:
            services.membership_remove(membership=target, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{target.user.name} no longer belongs to {membership.organization.name}.")
        return redirect("accounts:organization_detail", slug=slug)
    if membership.role != Membership.Role.OWNER:
        raise PermissionDenied("Only owners can remove members.")
    return render(
        request, "accounts/membership_confirm_remove.html", {"target": target, "organization": membership.organization}
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_promote(request, slug, membership_id):
    """An owner makes a member an owner too, after a confirmation page."""
    membership = membership_or_404(request, slug)
    if membership.role != Membership.Role.OWNER:
        raise PermissionDenied("Only owners can make members owners.")
    target = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organization=membership.organization
    )
    if target.role == Membership.Role.OWNER:
        messages.info(request, f"{target.user.name} is an owner already.")
        return redirect("accounts:organization_detail", slug=slug)
    if request.method == "POST":
        try:
            services.membership_promote(membership=target, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{target.user.name} is now an owner of {membership.organization.name}.")
        return redirect("accounts:organization_detail", slug=slug)
    return render(
        request,
        "accounts/organization_member_promote.html",
        {"target": target, "organization": membership.organization},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_leave(request, slug):
    """A member leaves the organization, after a confirmation page; the only owner is told why they cannot
    instead of being asked to confirm."""
    membership = membership_or_404(request, slug)
    organization = membership.organization
    refusal = selectors.leave_refusal(membership=membership)
    if request.method == "POST" and not refusal:
        try:
            services.membership_leave(membership=membership)
        except ApplicationError as error:  # the other owner left at this very moment
            refusal = error.message
        else:
            messages.success(request, f"You left {organization.name}.")
            return redirect("accounts:organization_list")
    return render(
        request,
        "accounts/organization_leave.html",
        {"organization": organization, "membership": membership, "refusal": refusal},
        status=409 if refusal else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_rename(request, slug):
    membership = membership_or_404(request, slug)
    organization = membership.organization
    if membership.role != Membership.Role.OWNER:
        raise PermissionDenied("Only owners can rename the organization.")
    form = OrganizationRenameForm(request.POST or None, initial={"name": organization.name})
    old_name = organization.name
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_rename(organization=organization, actor=request.user, name=form.cleaned_data["name"])
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            if organization.name != old_name:
                messages.success(request, f"{old_name} is now called {organization.name}.")
            return redirect("accounts:organization_detail", slug=slug)
    return render(
        request,
        "accounts/organization_rename.html",
        {"form": form, "organization": organization, "old_name": old_name},
        status=400 if form.errors else 200,
    )


# --- Invitations by email ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def invitation_withdraw(request, slug, invitation_id):
    """An owner withdraws a pending invitation, after a confirmation page."""
    membership = membership_or_404(request, slug)
    organization = membership.organization
    if membership.role != Membership.Role.OWNER:
        raise PermissionDenied("Only owners can withdraw invitations.")
    invitation = selectors.pending_invitation_or_404(organization=organization, invitation_id=invitation_id)
    if request.method == "POST":
        try:
            services.organization_invitation_withdraw(invitation=invitation, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"The invitation to {invitation.email} is withdrawn: its link no longer lets anyone join."
            )
        return redirect(reverse("accounts:organization_detail", args=[slug]) + "#invitations-heading")
    return render(
        request, "accounts/invitation_confirm_withdraw.html", {"invitation": invitation, "organization": organization}
    )


INVITATION_SESSION_KEY = "accounts:invitation-token"


@never_cache
@require_http_methods(["GET"])
def invitation_open(request, token: str):
    """The link of an invitation email. Its token moves into the session and the browser goes on to a page
    whose address carries none (as Django's password reset does): the token stays out of the history, of
    Referer headers and of the links on the page."""
    request.session[INVITATION_SESSION_KEY] = token
    response = redirect("accounts:invitation_accept")
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request):
    """Accepting an invitation: a new employer makes their account here; an employer with the invited address
    logs in (if not yet) and joins with one press."""
    token = request.session.get(INVITATION_SESSION_KEY, "")
    invitation, reason = selectors.invitation_for_token(token) if token else (None, "")
    if invitation is None:
        return render(
            request,
            "accounts/organization_invitation.html",
            {"reason": reason or "Open the invitation link from your email to accept it."},
            status=400,
        )
    organization = invitation.organization
    context: dict = {"invitation": invitation, "organization": organization}
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.organization_invitation_accept(invitation=invitation, user=request.user)
            except ApplicationError as error:
                context["refusal"] = error.message
            else:
                request.session.pop(INVITATION_SESSION_KEY, None)
                messages.success(request, f"Welcome to {organization.name}.")
                return redirect("accounts:organization_detail", slug=organization.slug)
        elif request.user.email.lower() != invitation.email.lower():
            context["refusal"] = (
                f"This invitation is for {invitation.email}, and you are logged in as {request.user.email}. "
                "Log out, then follow the link from the email again."
            )
        elif not request.user.is_employer:
            context["refusal"] = (
                "This address has a creator account, and only employer accounts belong to organizations."
            )
        return render(
            request, "accounts/organization_invitation.html", context, status=403 if "refusal" in context else 200
        )
    if selectors.email_has_account(invitation.email):
        # Whoever holds the link reads this address's inbox: telling them it has an account tells them nothing new.
        context["login_url"] = f"{reverse('accounts:login')}?next={reverse('accounts:invitation_accept')}"
        return render(request, "accounts/organization_invitation.html", context)
    form = InvitationSignUpForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.organization_invitation_accept_new_account(
                invitation=invitation, name=form.cleaned_data["name"], password=form.cleaned_data["password1"]
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            request.session.pop(INVITATION_SESSION_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to Reelfolio and to {organization.name}, {user.get_short_name()}.")
            return redirect("accounts:organization_detail", slug=organization.slug)
    context["form"] = form
    return render(request, "accounts/organization_invitation.html", context, status=400 if form.errors else 200)


# --- Organization API keys -------------------------------------------------------------------------

NEW_API_KEY_SESSION_PREFIX = "accounts:new-api-key:"


def _api_keys_context(request, *, organization, membership, key_form=None) -> dict:
    """The API keys section of the organization page. A key made just before is taken out of the session
    as it is shown: it appears once, and reloading the page shows it no more."""
    new_key = request.session.pop(NEW_API_KEY_SESSION_PREFIX + str(organization.pk), None)
    is_owner = membership.role == Membership.Role.OWNER
    return {
        "api_keys": selectors.api_keys_for_organization(organization=organization),
        "new_api_key": new_key,
        "key_form": key_form or (ApiKeyForm() if is_owner else None),
    }


@login_required
@require_http_methods(["POST"])
def api_key_create(request, slug):
    """An owner creates a key: the key goes into the server-side session, and the organization page shows
    it once after the redirect (Post/Redirect/Get). It never travels in a URL or a message cookie."""
    membership = membership_or_404(request, slug)
    organization = membership.organization
    if membership.role != Membership.Role.OWNER:
        raise PermissionDenied("Only owners can create API keys.")
    key_form = ApiKeyForm(request.POST)
    if key_form.is_valid():
        try:
            api_key, key = services.organization_api_key_create(
                organization=organization,
                actor=request.user,
                scopes=key_form.cleaned_data["scopes"],
                name=key_form.cleaned_data["name"],
            )
        except ApplicationError as error:
            for field, field_messages in error.field_errors.items():
                key_form.add_error(field if field in key_form.fields else None, field_messages)
            if not error.field_errors:
                key_form.add_error(None, error.message)
        else:
            request.session[NEW_API_KEY_SESSION_PREFIX + str(organization.pk)] = {
                "key": key, "name": api_key.name, "scopes": api_key.scopes,
            }
            return redirect(reverse("accounts:organization_detail", args=[slug]) + "#api-keys")
    members = list(organization.memberships.select_related("user").order_by("created_at"))
    owner_count = sum(1 for m in members if m.role == Membership.Role.OWNER)
    response = render(
        request,
        "accounts/organization_detail.html",
        {
            "organization": organization,
            "membership": membership,
            "members": members,
            # Told on the page itself, before any confirmation page: why the only owner cannot leave.
            "leave_refusal": selectors.leave_refusal(membership=membership, owner_count=owner_count),
            "invitation_days": selectors.INVITATION_DAYS,
            "form": MemberAddForm(),
            **_api_keys_context(request, organization=organization, membership=membership, key_form=key_form),
        },
        status=400,
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def api_key_revoke(request, slug, api_key_id):
    membership = membership_or_404(request, slug)
    organization = membership.organization
    api_key = get_object_or_404(selectors.api_keys_for_organization(organization=organization), pk=api_key_id)
    if membership.role != Membership.Role.OWNER:
        raise PermissionDenied("Only owners can revoke API keys.")
    if request.method == "POST":
        try:
            services.organization_api_key_revoke(api_key=api_key, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"The key {api_key.name or api_key.prefix} is revoked: it no longer works.")
        return redirect(reverse("accounts:organization_detail", args=[slug]) + "#api-keys")
    return render(request, "accounts/api_key_confirm_revoke.html", {"organization": organization, "api_key": api_key})


# --- The organization's video account ----------------------------------------------------------------

ORGANIZATION_VIDEOS_PER_PAGE = 12


def _video_providers() -> list:
    return [provider for provider in registry.providers().values() if provider.role == "videos"]


def _video_account_context(request, *, organization) -> dict:
    """The video account section of the organization page: each video provider with the organization's
    link to it (if any), and the organization's videos, a page at a time."""
    accounts = selectors.organization_video_accounts(organization=organization)
    linked = {account.provider_id: account for account in accounts}
    videos = Paginator(selectors.organization_videos(organization=organization), ORGANIZATION_VIDEOS_PER_PAGE)
    return {
        "video_cards": [{"provider": provider, "linked": linked.get(provider.id)} for provider in _video_providers()],
        "videos_page": videos.get_page(request.GET.get("videos")),
        "has_video_account": bool(linked),
    }


@never_cache
@require_http_methods(["GET"])
def organization_video_status(request, slug):
    """GET: the state of the organization's video accounts as JSON, which its page polls while a sync is on
    its way (static/linked_accounts.js, as on the Linked accounts page), so that it updates itself when the
    sync is done. Any member may read it; others get 404, as for the page."""
    if not request.user.is_authenticated:
        return oauth_views.not_authenticated_response()
    membership = membership_or_404(request, slug)
    return oauth_views.sync_status_response(
        selectors.organization_video_sync_statuses(organization=membership.organization)
    )


def _organization_page(slug) -> str:
    return reverse("accounts:organization_detail", kwargs={"slug": slug}) + "#video-account"


@login_required
@require_POST
def organization_video_connect(request, slug, provider_id):
    """A member starts linking the organization's account at a video platform: the link is made for the
    organization's video holder, and the provider sends them back to the organization page."""
    membership = membership_or_404(request, slug)
    provider = registry.provider_or_404(provider_id)
    if provider.role != "videos":
        raise Http404("No such video provider.")
    holder = services.organization_video_holder(organization=membership.organization)
    refusal = oauth_hooks.link_refusal(user=request.user, provider=provider, owner_id=holder.pk)
    if refusal:
        messages.error(request, refusal)
        return redirect(_organization_page(slug))
    try:
        return oauth_flow.authorization_redirect(
            request=request, provider=provider, link_for_user_id=holder.pk, next_url=_organization_page(slug)
        )
    except LinkError as error:
        messages.error(request, error.message)
        return redirect(_organization_page(slug))


def _organization_link_or_404(request, slug, provider_id):
    membership = membership_or_404(request, slug)
    provider = registry.provider_or_404(provider_id)
    linked = selectors.organization_video_account(organization=membership.organization, provider_id=provider_id)
    if linked is None:
        raise Http404("The organization has no such linked account.")
    return membership.organization, provider, linked


@login_required
@require_POST
def organization_video_sync(request, slug, provider_id):
    organization, provider, linked = _organization_link_or_404(request, slug, provider_id)
    try:
        oauth_services.linked_account_sync_request(linked_account=linked)
    except LinkError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, f"Syncing {organization.name}'s {provider.name} account; its videos update in a moment.")
    return redirect(_organization_page(slug))


@login_required
@require_http_methods(["GET", "POST"])
def organization_video_unlink(request, slug, provider_id):
    organization, provider, linked = _organization_link_or_404(request, slug, provider_id)
    if request.method == "GET":
        return render(
            request,
            "accounts/organization_video_unlink.html",
            {"organization": organization, "provider": provider, "linked": linked},
        )
    revocation = oauth_services.linked_account_unlink(linked_account=linked)
    if revocation == "failed":
        messages.warning(
            request,
            f"{organization.name}'s {provider.name} account is unlinked and Reelfolio deleted its tokens, but "
            f"{provider.name} could not be reached to revoke them; you can also remove Reelfolio in the "
            f"account's {provider.name} settings.",
        )
    else:
        messages.success(
            request, f"{organization.name}'s {provider.name} account is unlinked and Reelfolio deleted its tokens."
        )
    return redirect(_organization_page(slug))
