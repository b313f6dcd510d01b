"""The sandbox's OAuth 2.0 / OpenID Connect authorization server, built on Authlib's server side.

- authorization_code grant with PKCE: a `code_challenge` with method S256 is required from every
  client (confidential ones too), `plain` is refused;
- refresh_token grant with rotation: each refresh retires the refresh token it used;
- OpenID Connect: ID tokens signed RS256 with the key from the sandbox database, `nonce` carried over;
- RFC 7009 revocation, RFC 9207 `iss` on every authorization response (errors included).
"""

import time

from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.integrations.django_oauth2 import AuthorizationServer, BearerTokenValidator, ResourceProtector
from authlib.integrations.django_oauth2.requests import DjangoOAuth2Payload
from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidRequestError, OAuth2Request, grants
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from django.conf import settings

from integrations.sandbox import selectors, services
from integrations.sandbox.models import SandboxClient, SandboxToken, SandboxUser

TOKEN_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


def user_info(user: SandboxUser, scope: str) -> UserInfo:
    """The OpenID Connect claims about a sandbox user that `scope` allows."""
    return UserInfo(
        sub=user.freelance_id,
        name=user.name,
        preferred_username=user.username,
        profile=selectors.sandbox_profile_url(user),
        picture=selectors.sandbox_static_url(user.avatar),
        email=user.email,
        email_verified=True,
    ).filter(scope)


class S256CodeChallenge(CodeChallenge):
    """PKCE for every client, S256 only."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge': this server requires PKCE (S256).")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Unsupported 'code_challenge_method': this server requires 'S256'.")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant, result):
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("Missing 'code_verifier'.")
        super().validate_code_verifier(grant, result)


class SandboxOpenIDCode(OpenIDCode):
    def exists_nonce(self, nonce, request):
        return selectors.sandbox_nonce_used(client_id=request.payload.client_id, nonce=nonce)

    def validate_openid_authorization_request(self, grant, redirect_uri):
        """A request whose nonce was already answered is the authorization page opened again (Back after the
        round trip): it goes back to the client, with the error and the request's state, as any refusal
        with a trustworthy redirect URI does, rather than stopping on a sandbox page that says "Replay attack"."""
        payload = grant.request.payload
        nonce = payload.data.get("nonce")
        if nonce and self.exists_nonce(nonce, grant.request):
            raise InvalidRequestError(
                "This sign-in request was already answered. Start again from the application.",
                redirect_uri=redirect_uri, state=payload.state,
            )
        super().validate_openid_authorization_request(grant, redirect_uri)

    def resolve_client_private_key(self, client):
        return services.sandbox_signing_key_get_or_create()

    def get_client_algorithm(self, client):
        return "RS256"

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": services.sandbox_signing_key_get_or_create().kid, "typ": "JWT"}

    def get_client_claims(self, client):
        return {"iss": selectors.sandbox_issuer(), "aud": [client.client_id]}

    def generate_user_info(self, user, scope):
        return user_info(user, scope)


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = TOKEN_AUTH_METHODS

    @staticmethod
    def validate_authorization_redirect_uri(request, client):
        # Authlib's message quotes the redirect URI, and refuses characters an error may not carry.
        redirect_uri = request.payload.redirect_uri
        if not redirect_uri:
            raise InvalidRequestError("Missing 'redirect_uri' in request.")
        if not client.check_redirect_uri(redirect_uri):
            raise InvalidRequestError("The 'redirect_uri' is not registered for this client.")
        return redirect_uri

    def save_authorization_code(self, code, request):
        payload = request.payload.data
        return services.sandbox_authorization_code_create(
            code=code,
            client=request.client,
            user=request.user,
            redirect_uri=request.payload.redirect_uri or "",
            scope=request.scope,
            nonce=payload.get("nonce") or "",
            code_challenge=payload["code_challenge"],
            code_challenge_method=payload["code_challenge_method"],
            auth_time=getattr(request.user, "auth_time", None) or int(time.time()),
        )

    def query_authorization_code(self, code, client):
        return selectors.sandbox_authorization_code_get(code=code, client=client)

    def create_token_response(self):
        # Redeem first: of two requests with the same code, only one gets tokens.
        if not services.sandbox_authorization_code_redeem(authorization_code=self.request.authorization_code):
            raise InvalidGrantError("Invalid 'code' in request.")
        return super().create_token_response()

    def delete_authorization_code(self, authorization_code):
        """Kept, marked redeemed in create_token_response (see SandboxAuthorizationCode)."""

    def authenticate_user(self, authorization_code):
        return authorization_code.user


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = TOKEN_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        return selectors.sandbox_token_by_refresh_token(refresh_token=refresh_token)

    def authenticate_user(self, refresh_token):
        return refresh_token.user

    def create_token_response(self):
        # Retire the old refresh token before issuing a new one: of two concurrent refreshes with the
        # same token, only one succeeds (the other gets invalid_grant, as a reused token would).
        if not services.sandbox_refresh_token_rotate(token=self.request.refresh_token):
            raise InvalidGrantError("The refresh token was already used.")
        return super().create_token_response()

    def revoke_old_credential(self, refresh_token):
        """Already retired in create_token_response."""


class SandboxRevocationEndpoint(RevocationEndpoint):
    CLIENT_AUTH_METHODS = TOKEN_AUTH_METHODS

    def check_params(self, request, client):
        # A hint is only a hint (RFC 7009 section 2.1): an unknown one is ignored, not an error.
        if "token" not in request.form:
            raise InvalidRequestError("Missing 'token'.")

    def query_token(self, token_string, token_type_hint):
        lookups = [
            ("access_token", lambda: selectors.sandbox_token_by_access_token(access_token=token_string)),
            ("refresh_token", lambda: selectors.sandbox_token_by_refresh_token(refresh_token=token_string)),
        ]
        if token_type_hint == "refresh_token":
            lookups.reverse()
        for kind, lookup in lookups:
            token = lookup()
            if token is not None:
                token.matched_as = kind
                return token
        return None

    def revoke_token(self, token, request):
        services.sandbox_token_revoke(token=token, revoke_refresh_token=token.matched_as == "refresh_token")


class IssuerParameter:
    """RFC 9207: `iss` on every authorization response that redirects to the client."""

    def __call__(self, server):
        server.register_hook("after_create_authorization_response", self.add_issuer)

    def add_issuer(self, server, response):
        location = response.get("Location") if response is not None else None
        if location:
            response["Location"] = add_params_to_uri(location, [("iss", selectors.sandbox_issuer())])


class SandboxOAuth2Request(OAuth2Request):
    """Authlib's Django request, but addressed by SITE_URL (the public address) rather than the Host header.

    Authlib refuses plain http unless the address is a loopback one: SITE_URL must be https or loopback.
    """

    def __init__(self, request):
        uri = settings.SITE_URL + request.get_full_path()
        super().__init__(method=request.method, uri=uri, headers=request.headers)
        self.payload = DjangoOAuth2Payload(request)
        self._request = request

    @property
    def args(self):
        return self._request.GET

    @property
    def form(self):
        return self._request.POST


class SandboxAuthorizationServer(AuthorizationServer):
    def __init__(self):
        super().__init__(SandboxClient, SandboxToken)
        self.scopes_supported = None  # checked against the client's registered scopes instead

    def query_client(self, client_id):
        return selectors.sandbox_client_get(client_id=client_id)

    def create_oauth2_request(self, request):
        return SandboxOAuth2Request(request)

    def save_token(self, token, request):
        if request.authorization_code is not None:
            family = request.authorization_code.pk
        else:  # a refresh: the new token joins the family of the one it replaces
            family = request.refresh_token.authorization_code_id if request.refresh_token else None
        return services.sandbox_token_create(
            token=token, client=request.client, user=request.user, authorization_code_id=family
        )

    def create_bearer_token_generator(self):
        return BearerTokenGenerator(
            access_token_generator=lambda **kwargs: generate_token(42),
            refresh_token_generator=lambda **kwargs: generate_token(48),
            expires_generator=lambda client, grant_type: settings.SANDBOX_ACCESS_TOKEN_SECONDS,
        )

    def send_signal(self, name, *args, **kwargs):
        """The sandbox listens to no signals."""


class SandboxBearerTokenValidator(BearerTokenValidator):
    def __init__(self):
        super().__init__(SandboxToken, realm="sandbox")

    def authenticate_token(self, token_string):
        return selectors.sandbox_token_by_access_token(access_token=token_string)


def authorization_error_response(error):
    """An error found before consent, redirected to the client (with `iss`, as every response is)."""
    response = server.handle_error_response(None, error)
    IssuerParameter().add_issuer(server, response)
    return response


server = SandboxAuthorizationServer()
server.register_grant(AuthorizationCodeGrant, [S256CodeChallenge(required=True), SandboxOpenIDCode()])
server.register_grant(RefreshTokenGrant)
server.register_endpoint(SandboxRevocationEndpoint)
server.register_extension(IssuerParameter())

require_oauth = ResourceProtector()
require_oauth.register_token_validator(SandboxBearerTokenValidator())
