"""A small OAuth 2.0 / OpenID Connect provider over real HTTP (http.server in a thread).

It checks what a real authorization server checks (client credentials, exact redirect URI, PKCE S256,
one-time codes, rotating refresh tokens), signs RS256 ID tokens with the nonce, revokes tokens
(RFC 7009), and serves API routes that tests install from providers' documented sample answers.
Tests change its behaviour (a token endpoint answering 500, a slow one, a wrong issuer...) through
attributes, and read `requests` to see what Reelfolio sent.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID = "reelfolio-test-client"
CLIENT_SECRET = "test-client-secret-9f8e7d"
_KEY = RSAKey.generate_key(2048, parameters={"kid": "fake-key-1", "use": "sig", "alg": "RS256"})


@dataclass
class Seen:
    method: str
    path: str
    query: dict
    form: dict
    headers: dict
    body: bytes = b""


@dataclass
class FakeUser:
    subject: str = "user-42"
    name: str = "Casey Creator"
    claims: dict = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that gave up on a slow answer (the timeout tests) is expected


class FakeProvider:
    def __init__(self):
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.fake = self
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.issuer = self.url
        self.redirect_uri = ""  # the one registered redirect URI, set by the tests
        self.user = FakeUser()
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.refresh_tokens: dict[str, dict] = {}
        self.requests: list[Seen] = []
        self.routes: dict[tuple[str, str], object] = {}
        self.lock = threading.Lock()
        self.release = threading.Event()  # a "slow" endpoint waits on it until the test ends
        # Behaviour switches.
        self.discovery_issuer: str | None = None  # None: the true issuer
        self.advertise_iss = True
        self.response_iss: str | None = None  # None: the true issuer; "" : leave `iss` out
        self.deny = False
        self.token_status = 200  # e.g. 500
        self.token_body: bytes | None = None  # garbage instead of JSON
        self.token_slow = False
        self.refresh_error = ""  # e.g. "invalid_grant"
        self.error_status = 400  # GitHub answers token errors with 200
        self.revoke_status = 200
        self.expires_in: int | None = 3600
        self.issue_refresh_token = True
        self.id_token_nonce: str | None = None  # None: echo the request's nonce
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    # --- what the tests read ---------------------------------------------------------------------

    def seen(self, path: str, **form) -> list[Seen]:
        return [r for r in self.requests if r.path == path and all(r.form.get(k) == v for k, v in form.items())]

    @property
    def discovery_url(self):
        return f"{self.url}/.well-known/openid-configuration"

    def metadata(self) -> dict:
        return {
            "issuer": self.discovery_issuer if self.discovery_issuer is not None else self.issuer,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "revocation_endpoint": f"{self.url}/revoke",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "authorization_response_iss_parameter_supported": self.advertise_iss,
        }

    # --- the authorization server ---------------------------------------------------------------

    def authorize(self, query: dict) -> tuple[int, dict, bytes]:
        redirect_uri = query.get("redirect_uri", "")
        client_id = query.get("client_id") or query.get("client_key")
        if client_id != CLIENT_ID or redirect_uri != self.redirect_uri:
            return 400, {}, b"unknown client or redirect URI"
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return 400, {}, b"PKCE S256 is required"
        answer = {"state": query.get("state", "")}
        if self.deny:
            answer.update(error="access_denied", error_description="The user denied access")
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = dict(query)
            answer["code"] = code
        iss = self.issuer if self.response_iss is None else self.response_iss
        if iss:
            answer["iss"] = iss
        return 302, {"Location": f"{redirect_uri}?{urlencode(answer)}"}, b""

    def _client_ok(self, form: dict, headers: dict) -> bool:
        basic = headers.get("authorization", "")
        if basic.startswith("Basic "):
            client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        else:
            client_id = form.get("client_id") or form.get("client_key")
            secret = form.get("client_secret")
        return client_id == CLIENT_ID and secret == CLIENT_SECRET

    def token(self, form: dict, headers: dict) -> tuple[int, dict, bytes]:
        if self.token_slow:
            self.release.wait(30)
        if self.token_status != 200:
            return self.token_status, {"Content-Type": "text/html"}, b"<h1>Internal Server Error</h1>"
        if self.token_body is not None:
            return 200, {"Content-Type": "application/json"}, self.token_body
        if not self._client_ok(form, headers):
            return _error(401, "invalid_client")
        grant = form.get("grant_type")
        with self.lock:
            if grant == "authorization_code":
                request = self.codes.pop(form.get("code", ""), None)
                if request is None or request.get("redirect_uri") != form.get("redirect_uri"):
                    return _error(400, "invalid_grant")
                verifier = form.get("code_verifier", "")
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if challenge != request.get("code_challenge"):
                    return _error(400, "invalid_grant", "PKCE verification failed")
                return _json(200, self._issue(scope=request.get("scope", ""), nonce=request.get("nonce")))
            if grant == "refresh_token":
                if self.refresh_error:
                    return _error(self.error_status, self.refresh_error)
                grant_data = self.refresh_tokens.pop(form.get("refresh_token", ""), None)  # rotation
                if grant_data is None:
                    return _error(400, "invalid_grant")
                return _json(200, self._issue(scope=grant_data["scope"], nonce=None))
        return _error(400, "unsupported_grant_type")

    def _issue(self, *, scope: str, nonce: str | None) -> dict:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        grant = {"scope": scope, "subject": self.user.subject}
        self.access_tokens[access] = grant
        answer = {"access_token": access, "token_type": "Bearer", "scope": scope}
        if self.expires_in is not None:
            answer["expires_in"] = self.expires_in
        if self.issue_refresh_token:
            self.refresh_tokens[refresh] = grant
            answer["refresh_token"] = refresh
        if "openid" in scope.replace(",", " ").split():
            now = int(time.time())
            claims = {"iss": self.issuer, "sub": self.user.subject, "aud": CLIENT_ID, "iat": now, "exp": now + 600,
                      "name": self.user.name, **{k: v for k, v in self.user.claims.items() if k != "sub"}}
            claims["nonce"] = self.id_token_nonce if self.id_token_nonce is not None else nonce
            answer["id_token"] = jwt.encode({"alg": "RS256", "kid": _KEY.kid}, claims, _KEY)
        return answer

    def revoke(self, form: dict, headers: dict) -> tuple[int, dict, bytes]:
        if self.revoke_status != 200:
            return self.revoke_status, {}, b"down"
        if not self._client_ok(form, headers):
            return _error(401, "invalid_client")
        token = form.get("token", "")
        with self.lock:
            self.access_tokens.pop(token, None)
            self.refresh_tokens.pop(token, None)
        return 200, {}, b""

    def bearer(self, headers: dict) -> dict | None:
        value = headers.get("authorization", "")
        return self.access_tokens.get(value[7:]) if value.startswith("Bearer ") else None


def _json(status: int, data) -> tuple[int, dict, bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(data).encode()


def _error(status: int, error: str, description: str = "") -> tuple[int, dict, bytes]:
    return _json(status, {"error": error, **({"error_description": description} if description else {})})


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _handle(self):
        fake: FakeProvider = self.server.fake
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        form = {}
        if "application/x-www-form-urlencoded" in headers.get("content-type", ""):
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        seen = Seen(self.command, parts.path, query, form, headers, body)
        fake.requests.append(seen)
        status, out_headers, out = self._route(fake, parts.path, query, form, headers, seen)
        self.send_response(status)
        for name, value in out_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def _route(self, fake, path, query, form, headers, seen):
        if path == "/.well-known/openid-configuration":
            return _json(200, fake.metadata())
        if path == "/jwks":
            return _json(200, KeySet([_KEY]).as_dict(private=False))
        if path == "/authorize":
            return fake.authorize(query)
        if path == "/token" and self.command == "POST":
            return fake.token(form, headers)
        if path == "/revoke" and self.command == "POST":
            return fake.revoke(form, headers)
        grant = fake.bearer(headers)
        if path == "/userinfo":
            if grant is None:
                return _error(401, "invalid_token")
            return _json(200, {"sub": fake.user.subject, "name": fake.user.name, **fake.user.claims})
        route = fake.routes.get((self.command, path))
        if route is None:
            return 404, {}, b"not found"
        if grant is None and not getattr(route, "public", False):
            return _error(401, "invalid_token")
        return route(seen)

    do_GET = do_POST = do_DELETE = _handle
