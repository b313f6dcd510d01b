from django.urls import path

from portfolio.accounts import views, webhook_views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/check-email/", views.signup_check_email, name="signup_check_email"),
    path("signup/confirm/<str:uidb64>/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<slug:slug>/", views.organization_detail, name="organization_detail"),
    path(
        "organizations/<slug:slug>/members/<int:membership_id>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path(
        "organizations/<slug:slug>/members/<int:membership_id>/promote/",
        views.membership_promote,
        name="membership_promote",
    ),
    path(
        "organizations/<slug:slug>/invitations/<int:invitation_id>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("organizations/<slug:slug>/leave/", views.organization_leave, name="organization_leave"),
    path("organizations/<slug:slug>/rename/", views.organization_rename, name="organization_rename"),
    # The invitation link's token is kept out of the logs (portfolio/core/logging.py).
    path("invitations/accept/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<str:token>/", views.invitation_open, name="invitation_open"),
    path("organizations/<slug:slug>/api-keys/", views.api_key_create, name="api_key_create"),
    path("organizations/<slug:slug>/api-keys/<int:api_key_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path(
        "organizations/<slug:slug>/video-account/status/",
        views.organization_video_status,
        name="organization_video_status",
    ),
    path(
        "organizations/<slug:slug>/video-account/<slug:provider_id>/connect/",
        views.organization_video_connect,
        name="organization_video_connect",
    ),
    path(
        "organizations/<slug:slug>/video-account/<slug:provider_id>/sync/",
        views.organization_video_sync,
        name="organization_video_sync",
    ),
    path(
        "organizations/<slug:slug>/video-account/<slug:provider_id>/unlink/",
        views.organization_video_unlink,
        name="organization_video_unlink",
    ),
    # The organization's ATS webhook endpoints and their delivery logs.
    *webhook_views.urlpatterns,
]
