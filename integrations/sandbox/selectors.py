"""Reads of the sandbox partner. URLs are built from settings.SITE_URL at call time, never stored."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.templatetags.static import static
from django.urls import reverse

from integrations.sandbox import seed_data
from integrations.sandbox.models import (
    SandboxAuthorizationCode,
    SandboxClient,
    SandboxProject,
    SandboxToken,
    SandboxUser,
    SandboxVideo,
    secret_digest,
)

PROJECTS_PER_PAGE = 10
VIDEOS_DEFAULT_COUNT = 10
VIDEOS_MAX_COUNT = 20
SCOPE_DESCRIPTIONS = seed_data.SCOPES


def sandbox_issuer() -> str:
    return f"{settings.SITE_URL}/sandbox"


def sandbox_absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def sandbox_static_url(path: str) -> str:
    return sandbox_absolute_url(static(path)) if path else ""


def sandbox_metadata() -> dict:
    """The authorization server metadata (RFC 8414 / OpenID Connect Discovery)."""

    def url(name: str) -> str:
        return sandbox_absolute_url(reverse(f"sandbox:{name}"))

    scopes = list(seed_data.SCOPES)
    return {
        "issuer": sandbox_issuer(),
        "authorization_endpoint": url("authorize"),
        "token_endpoint": url("token"),
        "revocation_endpoint": url("revoke"),
        "userinfo_endpoint": url("userinfo"),
        "jwks_uri": url("jwks"),
        "scopes_supported": scopes,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "preferred_username",
            "profile", "picture", "email", "email_verified",
        ],
        "prompt_values_supported": ["none", "login", "consent"],
        "authorization_response_iss_parameter_supported": True,
    }


def sandbox_user_authenticate(*, username: str, password: str) -> SandboxUser | None:
    user = SandboxUser.objects.filter(username=username.strip().lower()).first()
    if user is None:
        # Hash anyway, so a wrong username takes as long as a wrong password.
        make_password(password)
        return None
    return user if user.check_password(password) else None


def sandbox_user_get(*, user_id) -> SandboxUser | None:
    try:
        return SandboxUser.objects.filter(pk=int(user_id)).first()
    except (TypeError, ValueError):
        return None


def sandbox_user_by_username(*, username: str) -> SandboxUser | None:
    return SandboxUser.objects.filter(username=username).first()


def sandbox_client_get(*, client_id: str) -> SandboxClient | None:
    return SandboxClient.objects.filter(client_id=client_id).first()


def sandbox_authorization_code_get(*, code: str, client: SandboxClient) -> SandboxAuthorizationCode | None:
    item = (
        SandboxAuthorizationCode.objects.select_related("user")
        .filter(code_digest=secret_digest(code), client=client)
        .first()
    )
    if item is None or item.is_expired():
        return None
    return item


def sandbox_nonce_used(*, client_id: str, nonce: str) -> bool:
    return SandboxAuthorizationCode.objects.filter(client__client_id=client_id, nonce=nonce).exists()


def sandbox_token_by_access_token(*, access_token: str) -> SandboxToken | None:
    return (
        SandboxToken.objects.select_related("user", "client")
        .filter(access_token_digest=secret_digest(access_token))
        .first()
    )


def sandbox_token_by_refresh_token(*, refresh_token: str) -> SandboxToken | None:
    return (
        SandboxToken.objects.select_related("user", "client")
        .filter(refresh_token_digest=secret_digest(refresh_token), refresh_token_revoked_at__isnull=True)
        .first()
    )


def sandbox_profile_url(user: SandboxUser) -> str:
    return sandbox_absolute_url(reverse("sandbox:freelancer", args=[user.username]))


def sandbox_freelance_profile(user: SandboxUser) -> dict:
    return {
        "id": user.freelance_id,
        "name": user.name,
        "headline": user.headline,
        "bio": user.bio,
        "skills": list(user.skills),
        "hourly_rate": (
            {"amount": f"{user.hourly_rate:.2f}", "currency": user.currency}
            if user.hourly_rate is not None
            else None
        ),
        "location": user.location,
        "avatar_url": sandbox_static_url(user.avatar),
        "profile_url": sandbox_profile_url(user),
    }


@dataclass(frozen=True)
class ProjectPage:
    projects: list[dict]
    page: int
    next_page: int | None


def sandbox_projects_page(*, user: SandboxUser, page: int) -> ProjectPage:
    """One page of the user's projects in portfolio order; one query (it reads one row more than a page)."""
    start = (page - 1) * PROJECTS_PER_PAGE
    rows = list(SandboxProject.objects.filter(user=user).order_by("position")[start : start + PROJECTS_PER_PAGE + 1])
    profile_url = sandbox_profile_url(user)
    projects = [
        {
            "id": project.public_id,
            "title": project.title,
            "url": f"{profile_url}#{project.public_id}",
            "cover_image_url": sandbox_static_url(project.cover_image),
        }
        for project in rows[:PROJECTS_PER_PAGE]
    ]
    return ProjectPage(projects=projects, page=page, next_page=page + 1 if len(rows) > PROJECTS_PER_PAGE else None)


def sandbox_video_account(user: SandboxUser) -> dict:
    return {
        "open_id": user.video_open_id,
        "display_name": user.video_display_name or user.name,
        "avatar_url": sandbox_static_url(user.avatar),
    }


def sandbox_video_json(video: SandboxVideo) -> dict:
    return {
        "id": video.public_id,
        "title": video.title,
        "cover_image_url": sandbox_static_url(video.cover_image),
        "share_url": sandbox_absolute_url(reverse("sandbox:video", args=[video.public_id])),
        "embed_link": sandbox_absolute_url(reverse("sandbox:video_embed", args=[video.public_id])),
        "duration": video.duration,
        "create_time": int(video.published_at.timestamp()),
    }


@dataclass(frozen=True)
class VideoPage:
    videos: list[dict]
    cursor: int
    has_more: bool


def sandbox_videos_page(*, user: SandboxUser, cursor: int, max_count: int) -> VideoPage:
    """Newest first; `cursor` is how many videos the client has already seen. One query."""
    videos_in_order = SandboxVideo.objects.filter(user=user).order_by("-published_at", "-id")
    rows = list(videos_in_order[cursor : cursor + max_count + 1])
    videos = [sandbox_video_json(video) for video in rows[:max_count]]
    return VideoPage(videos=videos, cursor=cursor + len(videos), has_more=len(rows) > max_count)


def sandbox_video_get(*, public_id: str) -> SandboxVideo | None:
    return SandboxVideo.objects.select_related("user").filter(public_id=public_id).first()


def sandbox_freelancer_projects(*, user: SandboxUser) -> list[SandboxProject]:
    return list(SandboxProject.objects.filter(user=user).order_by("position"))
