"""Writes of the sandbox partner: seeding, its signing key, codes and tokens."""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from joserfc.jwk import RSAKey

from common.errors import full_clean
from integrations.sandbox import seed_data
from integrations.sandbox.models import (
    AUTHORIZATION_CODE_SECONDS,
    SandboxAuthorizationCode,
    SandboxClient,
    SandboxProject,
    SandboxSigningKey,
    SandboxToken,
    SandboxUser,
    SandboxVideo,
    secret_digest,
)
from integrations.sandbox.routers import SANDBOX_DB

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SandboxLogin:
    username: str
    password: str
    name: str
    description: str


@dataclass(frozen=True)
class SandboxClientInfo:
    provider_id: str
    client_id: str
    client_secret: str
    redirect_uri: str


@dataclass(frozen=True)
class SandboxSeedResult:
    site_url: str
    issuer: str
    logins: tuple[SandboxLogin, ...]
    clients: dict[str, SandboxClientInfo]  # by provider id


@transaction.atomic(using=SANDBOX_DB)
def sandbox_seed(*, site_url: str | None = None) -> SandboxSeedResult:
    """Registers the two OAuth clients and writes the sandbox users with their content.

    Idempotent: running it again updates what changed (for example the redirect URIs for another
    SITE_URL) and leaves the rest, so tokens already issued keep working.
    """
    site_url = (site_url or settings.SITE_URL).rstrip("/")
    clients = {}
    for spec in seed_data.CLIENTS:
        redirect_uri = f"{site_url}/integrations/oauth/{spec['provider_id']}/callback/"
        client, _ = SandboxClient.objects.update_or_create(
            client_id=spec["client_id"],
            defaults={
                "name": spec["name"],
                "client_secret_digest": secret_digest(settings.SANDBOX_CLIENT_SECRET),
                "redirect_uris": [redirect_uri],
                "scope": spec["scope"],
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "token_endpoint_auth_methods": ["client_secret_basic", "client_secret_post"],
            },
        )
        full_clean(client)
        clients[spec["provider_id"]] = SandboxClientInfo(
            provider_id=spec["provider_id"],
            client_id=client.client_id,
            client_secret=settings.SANDBOX_CLIENT_SECRET,
            redirect_uri=redirect_uri,
        )

    logins = []
    for user_spec in seed_data.USERS:
        user = _seed_user(user_spec)
        _seed_projects(user, user_spec["projects"])
        _seed_videos(user, user_spec["videos"])
        logins.append(
            SandboxLogin(
                username=user.username,
                password=seed_data.SANDBOX_PASSWORD,
                name=user.name,
                description=user_spec["description"],
            )
        )
    return SandboxSeedResult(
        site_url=site_url,
        issuer=f"{site_url}/sandbox",
        logins=tuple(logins),
        clients=clients,
    )


def _seed_user(spec: dict) -> SandboxUser:
    fields = {key: spec[key] for key in (
        "name", "email", "freelance_id", "video_open_id", "video_display_name", "headline", "bio",
        "skills", "hourly_rate", "currency", "location", "avatar",
    )}
    user = SandboxUser.objects.filter(username=spec["username"]).first()
    if user is None:
        user = SandboxUser(username=spec["username"], **fields)
    else:
        for key, value in fields.items():
            setattr(user, key, value)
    if not user.password or not user.check_password(seed_data.SANDBOX_PASSWORD):
        user.set_password(seed_data.SANDBOX_PASSWORD)
    full_clean(user)
    user.save()
    return user


def _seed_projects(user: SandboxUser, specs: list[dict]) -> None:
    keep = [spec["public_id"] for spec in specs]
    # Positions are unique per user: clear the ones that go away first, then park the rest out of the way.
    SandboxProject.objects.filter(user=user).exclude(public_id__in=keep).delete()
    SandboxProject.objects.filter(user=user).update(position=F("position") + 100_000)
    for spec in specs:
        SandboxProject.objects.update_or_create(
            public_id=spec["public_id"],
            defaults={"user": user, **{k: v for k, v in spec.items() if k != "public_id"}},
        )


def _seed_videos(user: SandboxUser, specs: list[dict]) -> None:
    keep = [spec["public_id"] for spec in specs]
    SandboxVideo.objects.filter(user=user).exclude(public_id__in=keep).delete()
    for spec in specs:
        SandboxVideo.objects.update_or_create(
            public_id=spec["public_id"],
            defaults={"user": user, **{k: v for k, v in spec.items() if k != "public_id"}},
        )


# Parsed keys by kid: parsing (and so validating) an RSA private key takes tens of milliseconds.
# The kid is the key's thumbprint, so a new key in the database is never mistaken for a cached one.
_parsed_keys: dict[str, RSAKey] = {}


def sandbox_signing_key_get_or_create() -> RSAKey:
    """The ID-token signing key: generated on first use, then read from the sandbox database."""
    row = SandboxSigningKey.objects.filter(slot="current").first()
    if row is None:
        key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True)
        assert key.kid is not None  # auto_kid: the key's thumbprint
        try:
            with transaction.atomic(using=SANDBOX_DB):
                row = SandboxSigningKey.objects.create(
                    slot="current", kid=key.kid, private_key_pem=key.as_pem(private=True).decode("ascii")
                )
        except IntegrityError:
            # Another request generated it at the same moment: use theirs.
            row = SandboxSigningKey.objects.get(slot="current")
    if row.kid not in _parsed_keys:
        _parsed_keys[row.kid] = RSAKey.import_key(
            row.private_key_pem, parameters={"kid": row.kid, "use": "sig", "alg": "RS256"}
        )
    return _parsed_keys[row.kid]


def sandbox_authorization_code_create(
    *, code: str, client: SandboxClient, user: SandboxUser, redirect_uri: str, scope: str, nonce: str,
    code_challenge: str, code_challenge_method: str, auth_time: int,
) -> SandboxAuthorizationCode:
    item = SandboxAuthorizationCode(
        code_digest=secret_digest(code),
        client=client,
        user=user,
        redirect_uri=redirect_uri,
        scope=scope,
        nonce=nonce,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
        auth_time=auth_time,
        expires_at=timezone.now() + timedelta(seconds=AUTHORIZATION_CODE_SECONDS),
    )
    full_clean(item)
    item.save()
    return item


def sandbox_authorization_code_redeem(*, authorization_code: SandboxAuthorizationCode) -> bool:
    """Marks the code redeemed; False when it was redeemed before (a code works once).

    A second use means the code leaked or was replayed: every token of its family is revoked.
    """
    now = timezone.now()
    redeemed = SandboxAuthorizationCode.objects.filter(pk=authorization_code.pk, redeemed_at__isnull=True).update(
        redeemed_at=now
    )
    if redeemed:
        return True
    family = SandboxToken.objects.filter(authorization_code=authorization_code)
    family.filter(access_token_revoked_at__isnull=True).update(access_token_revoked_at=now)
    family.filter(refresh_token_revoked_at__isnull=True).update(refresh_token_revoked_at=now)
    return False


def sandbox_token_create(
    *, token: dict, client: SandboxClient, user: SandboxUser, authorization_code_id: int | None
) -> SandboxToken:
    """Stores a freshly issued token (Authlib's token dict) as digests."""
    refresh_token = token.get("refresh_token")
    item = SandboxToken(
        client=client,
        user=user,
        authorization_code_id=authorization_code_id,
        token_type=token.get("token_type", "Bearer"),
        access_token_digest=secret_digest(token["access_token"]),
        refresh_token_digest=secret_digest(refresh_token) if refresh_token else None,
        scope=token.get("scope", ""),
        issued_at=int(time.time()),
        expires_in=int(token["expires_in"]),
    )
    full_clean(item)
    item.save()
    return item


def sandbox_refresh_token_rotate(*, token: SandboxToken) -> bool:
    """Retires a refresh token (and its access token) as it is used.

    False when it was already retired, for example by a concurrent refresh with the same token: only
    one of two simultaneous refreshes wins.
    """
    now = timezone.now()
    updated = SandboxToken.objects.filter(pk=token.pk, refresh_token_revoked_at__isnull=True).update(
        refresh_token_revoked_at=now, access_token_revoked_at=now
    )
    return updated == 1


def sandbox_token_revoke(*, token: SandboxToken, revoke_refresh_token: bool) -> None:
    """RFC 7009: revoking an access token ends only it; revoking a refresh token ends both."""
    now = timezone.now()
    tokens = SandboxToken.objects.filter(pk=token.pk)
    tokens.filter(access_token_revoked_at__isnull=True).update(access_token_revoked_at=now)
    if revoke_refresh_token:
        tokens.filter(refresh_token_revoked_at__isnull=True).update(refresh_token_revoked_at=now)


def sandbox_video_delete(*, video: SandboxVideo) -> None:
    """A creator removes a video from the sandbox platform: it is deleted, and once that commits the sandbox
    tells Reelfolio with a signed video.removed event (as a real platform's webhook would)."""
    from integrations.sandbox import webhooks

    user, public_id = video.user, video.public_id
    with transaction.atomic(using=SANDBOX_DB):
        video.delete()

        def tell():
            try:
                webhooks.sandbox_event_send(event_type="video.removed", user=user, video_id=public_id)
            except webhooks.SandboxSendError as error:
                logger.warning("sandbox.video_removed_not_sent", extra={"video": public_id, "error": error.message})

        transaction.on_commit(tell, using=SANDBOX_DB)
