from django.urls import path

from portfolio.accounts.views import api_keys, auth, members, organizations, video_account
from portfolio.accounts.views import webhooks as webhook_views

app_name = "accounts"

urlpatterns = [
    path("signup/", auth.signup, name="signup"),
    path("signup/check-email/", auth.signup_check_email, name="signup_check_email"),
    path("signup/confirm/<str:uidb64>/<str:token>/", auth.signup_confirm, name="signup_confirm"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/change/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password/reset/done/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("organizations/", organizations.organization_list, name="organization_list"),
    path("organizations/new/", organizations.organization_create, name="organization_create"),
    path("organizations/<slug:slug>/", organizations.organization_detail, name="organization_detail"),
    path(
        "organizations/<slug:slug>/members/<int:membership_id>/remove/",
        members.membership_remove,
        name="membership_remove",
    ),
    path(
        "organizations/<slug:slug>/members/<int:membership_id>/promote/",
        members.membership_promote,
        name="membership_promote",
    ),
    path(
        "organizations/<slug:slug>/invitations/<int:invitation_id>/withdraw/",
        members.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("organizations/<slug:slug>/leave/", members.organization_leave, name="organization_leave"),
    path("organizations/<slug:slug>/rename/", organizations.organization_rename, name="organization_rename"),
    # The invitation link's token is kept out of the logs (portfolio/core/logging.py).
    path("invitations/accept/", members.invitation_accept, name="invitation_accept"),
    path("invitations/<str:token>/", members.invitation_open, name="invitation_open"),
    path("organizations/<slug:slug>/api-keys/", api_keys.api_key_create, name="api_key_create"),
    path("organizations/<slug:slug>/api-keys/<int:api_key_id>/revoke/", api_keys.api_key_revoke, name="api_key_revoke"),
    path(
        "organizations/<slug:slug>/video-account/status/",
        video_account.organization_video_status,
        name="organization_video_status",
    ),
    path(
        "organizations/<slug:slug>/video-account/<slug:provider_id>/connect/",
        video_account.organization_video_connect,
        name="organization_video_connect",
    ),
    path(
        "organizations/<slug:slug>/video-account/<slug:provider_id>/sync/",
        video_account.organization_video_sync,
        name="organization_video_sync",
    ),
    path(
        "organizations/<slug:slug>/video-account/<slug:provider_id>/unlink/",
        video_account.organization_video_unlink,
        name="organization_video_unlink",
    ),
    # The organization's ATS webhook endpoints and their delivery logs.
    *webhook_views.urlpatterns,
]
