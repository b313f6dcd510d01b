from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy

from common.errors import ApplicationError
from common.forms import form_add_application_error
from portfolio.accounts import selectors, services
from portfolio.accounts.forms import EmailAuthenticationForm, MemberAddForm, OrganizationForm, SignUpForm
from portfolio.accounts.models import Membership


def _membership_or_404(request, slug: str) -> Membership:
    """The user's membership in this organization; a 404 for anyone who is not a member."""
    membership = selectors.membership_for_user(user=request.user, slug=slug)
    if membership is None:
        raise Http404("No such organization.")
    return membership


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_sign_up(
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
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to Reelfolio, {user.get_short_name()}.")
            return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


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
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


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
    membership = _membership_or_404(request, slug)
    organization = membership.organization
    form = MemberAddForm(request.POST or None)
    if request.method == "POST":
        if membership.role != Membership.Role.OWNER:
            raise PermissionDenied("Only owners can add members.")
        if form.is_valid():
            try:
                added = services.membership_add(
                    organization=organization, actor=request.user, email=form.cleaned_data["email"]
                )
            except ApplicationError as error:
                form_add_application_error(form, error)
            else:
                messages.success(request, f"{added.user.name} joined {organization.name}.")
                return redirect("accounts:organization_detail", slug=slug)
    members = organization.memberships.select_related("user").order_by("created_at")
    return render(
        request,
        "accounts/organization_detail.html",
        {"organization": organization, "membership": membership, "members": members, "form": form},
    )


@login_required
def membership_remove(request, slug, membership_id):
    membership = _membership_or_404(request, slug)
    target = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organization=membership.organization
    )
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
