"""The sandbox partner's own rows: its users and their content, OAuth clients, codes, tokens and key.

They live in the `sandbox` database (see routers.py). Secrets are never stored in the clear: client
secrets, authorization codes, access and refresh tokens are kept as SHA-256 digests, so neither the
admin nor a database dump can show one.
"""

import hashlib
import hmac
import time

from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, scope_to_list
from authlib.oidc.core import AuthorizationCodeMixin
from django.contrib.auth.hashers import check_password, make_password
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

AUTHORIZATION_CODE_SECONDS = 600


def secret_digest(value: str) -> str:
    """The stored form of a secret, a code or a token: its SHA-256, hex."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class SandboxUser(models.Model):
    """A person with an account at the sandbox partner (not a Reelfolio account)."""

    username = models.SlugField(max_length=40, unique=True)
    password = models.CharField(max_length=128)
    name = models.CharField(max_length=120)
    email = models.EmailField()
    # Freelance-platform side.
    freelance_id = models.CharField(max_length=40, unique=True, help_text="Id in the freelance API, e.g. sbx-u-1.")
    headline = models.CharField(max_length=160, blank=True)
    bio = models.TextField(blank=True)
    skills = models.JSONField(default=list, blank=True)
    hourly_rate = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    location = models.CharField(max_length=120, blank=True)
    avatar = models.CharField(max_length=200, blank=True, help_text="Static file path of the avatar image.")
    # Video-platform side.
    video_open_id = models.CharField(max_length=40, unique=True, help_text="Id in the video API, e.g. sbx-v-1.")
    video_display_name = models.CharField(max_length=120, blank=True)
    # Not stored: when this person logged in at the sandbox, set per request by views.current_sandbox_user.
    auth_time: int | None = None
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["freelance_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hourly_rate__isnull=True) | models.Q(hourly_rate__gte=0),
                name="sandbox_user_hourly_rate_not_negative",
                violation_error_message="The hourly rate cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.username})"

    def set_password(self, raw_password: str) -> None:
        self.password = make_password(raw_password)

    def check_password(self, raw_password: str) -> bool:
        return check_password(raw_password, self.password)


class SandboxProject(models.Model):
    """One project in a sandbox freelancer's portfolio."""

    user = models.ForeignKey(SandboxUser, on_delete=models.CASCADE, related_name="projects")
    public_id = models.CharField(max_length=40, unique=True)
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    cover_image = models.CharField(max_length=200, blank=True, help_text="Static file path of the cover image.")

    class Meta:
        ordering = ["user", "position"]
        constraints = [
            models.UniqueConstraint(fields=["user", "position"], name="sandbox_project_unique_position"),
        ]

    def __str__(self):
        return self.title


class SandboxVideo(models.Model):
    """One video of a sandbox account on the video-platform side."""

    user = models.ForeignKey(SandboxUser, on_delete=models.CASCADE, related_name="videos")
    public_id = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    cover_image = models.CharField(max_length=200, blank=True, help_text="Static file path of the cover image.")
    duration = models.PositiveIntegerField(help_text="Seconds.")
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["user", "-published_at", "-id"]
        indexes = [models.Index(fields=["user", "-published_at", "-id"], name="sandbox_video_listing")]

    def __str__(self):
        return self.title


class SandboxClient(ClientMixin, models.Model):
    """An OAuth client registered at the sandbox partner."""

    client_id = models.CharField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    client_secret_digest = models.CharField(max_length=64)
    redirect_uris = models.JSONField(default=list)
    scope = models.TextField(help_text="Space-separated scopes this client may ask for.")
    grant_types = models.JSONField(default=list)
    response_types = models.JSONField(default=list)
    token_endpoint_auth_methods = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["client_id"]

    def __str__(self):
        return self.client_id

    # Authlib's ClientMixin.

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope):
        allowed = scope_to_list(self.scope)
        if not scope:
            return " ".join(allowed)
        return " ".join(s for s in scope_to_list(scope) if s in allowed)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return hmac.compare_digest(secret_digest(client_secret), self.client_secret_digest)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in self.token_endpoint_auth_methods

    def check_response_type(self, response_type):
        return response_type in self.response_types

    def check_grant_type(self, grant_type):
        return grant_type in self.grant_types


class SandboxAuthorizationCode(AuthorizationCodeMixin, models.Model):
    """A one-time authorization code, kept only as its digest.

    A redeemed code is kept (marked `redeemed_at`): a second use is then recognised, and revokes every
    token that came from the code (RFC 6749 section 4.1.2); its nonce stays known, so it cannot be replayed.
    """

    code_digest = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(SandboxClient, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(SandboxUser, on_delete=models.CASCADE, related_name="+")
    redirect_uri = models.TextField(blank=True)
    scope = models.TextField(blank=True)
    nonce = models.CharField(max_length=255, blank=True)
    code_challenge = models.CharField(max_length=128)
    code_challenge_method = models.CharField(max_length=10)
    auth_time = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(code_challenge=""),
                name="sandbox_code_requires_pkce",
                violation_error_message="An authorization code needs a PKCE code challenge.",
            ),
        ]

    def __str__(self):
        return f"code {self.code_digest[:8]}… for {self.client_id}"

    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce or None

    def get_auth_time(self):
        return self.auth_time


class SandboxToken(TokenMixin, models.Model):
    """An access token and its refresh token, both kept only as digests."""

    client = models.ForeignKey(SandboxClient, on_delete=models.CASCADE, related_name="tokens")
    user = models.ForeignKey(SandboxUser, on_delete=models.CASCADE, related_name="tokens")
    # The code this token (or the token it was refreshed from) was issued for: its family.
    authorization_code = models.ForeignKey(
        SandboxAuthorizationCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="tokens"
    )
    token_type = models.CharField(max_length=40, default="Bearer")
    access_token_digest = models.CharField(max_length=64, unique=True)
    refresh_token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    scope = models.TextField(blank=True)
    issued_at = models.PositiveBigIntegerField(help_text="Unix time.")
    expires_in = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    access_token_revoked_at = models.DateTimeField(null=True, blank=True)
    refresh_token_revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"token {self.access_token_digest[:8]}… for {self.client_id}"

    # Authlib's TokenMixin.

    def check_client(self, client):
        return self.client_id == client.pk

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return self.expires_in

    def is_expired(self):
        return self.issued_at + self.expires_in <= time.time()

    def is_revoked(self):
        return self.access_token_revoked_at is not None

    def get_user(self):
        return self.user

    def get_client(self):
        return self.client


class SandboxSigningKey(models.Model):
    """The RSA key that signs ID tokens: generated once, published (public part only) at the JWKS URL."""

    slot = models.CharField(max_length=20, unique=True, default="current")
    kid = models.CharField(max_length=100, unique=True)
    private_key_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"RS256 key {self.kid}"


class SandboxPartnerKey(models.Model):
    """The API key Reelfolio gave the sandbox (as a partner platform) to read the anchors of its videos.

    Reelfolio keeps only a hash of it; the sandbox needs it in clear to call the partner API, so it keeps it
    encrypted with TOKEN_ENCRYPTION_KEYS (common/crypto.py), like every other secret at rest.
    """

    name = models.SlugField(max_length=40, unique=True, help_text="Whose key it is, e.g. reelfolio.")
    api_key_encrypted = models.TextField(editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sandbox partner API key"
        constraints = [
            models.CheckConstraint(condition=~models.Q(api_key_encrypted=""), name="sandbox_partnerkey_has_key"),
        ]

    def __str__(self):
        return f"API key for {self.name}"
