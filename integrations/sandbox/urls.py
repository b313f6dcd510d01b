"""Included at the site root when SANDBOX_ENABLED: every path starts with `sandbox/` (or is the RFC 8414
well-known path for the `sandbox` issuer)."""

from django.urls import path

from integrations.sandbox import api, views

app_name = "sandbox"

urlpatterns = [
    # Authorization server.
    path("sandbox/.well-known/openid-configuration", api.metadata, name="openid_configuration"),
    path(".well-known/oauth-authorization-server/sandbox", api.metadata, name="oauth_metadata"),
    path("sandbox/oauth/authorize", views.authorize, name="authorize"),
    path("sandbox/oauth/token", api.token, name="token"),
    path("sandbox/oauth/revoke", api.revoke, name="revoke"),
    path("sandbox/oauth/userinfo", api.userinfo, name="userinfo"),
    path("sandbox/oauth/jwks", api.jwks, name="jwks"),
    path("sandbox/login", views.login, name="login"),
    path("sandbox/logout", views.logout, name="logout"),
    # Resource APIs.
    path("sandbox/api/freelance/me", api.freelance_me, name="freelance_me"),
    path("sandbox/api/freelance/me/projects", api.freelance_projects, name="freelance_projects"),
    path("sandbox/api/videos/me", api.videos_me, name="videos_me"),
    path("sandbox/api/videos/list", api.videos_list, name="videos_list"),
    # Public pages.
    path("sandbox/freelancers/<slug:username>", views.freelancer, name="freelancer"),
    path("sandbox/videos/<slug:public_id>", views.video, name="video"),
    path("sandbox/videos/<slug:public_id>/embed", views.video_embed, name="video_embed"),
]
