"""Helpers for driving the sandbox authorization server through Django's test client."""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from integrations.sandbox.services import sandbox_seed

FREELANCE = "sandbox-freelance"
VIDEO = "sandbox-video"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def basic_auth(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


@dataclass
class Flow:
    """One authorization-code + PKCE run against the sandbox, step by step."""

    client: object  # Django's test client
    seeded: object

    def authorize_params(self, provider: str = FREELANCE, **overrides) -> dict:
        info = self.seeded.clients[provider]
        self.verifier, challenge = pkce_pair()
        params = {
            "response_type": "code",
            "client_id": info.client_id,
            "redirect_uri": info.redirect_uri,
            "scope": "openid profile email offline_access portfolio.read"
            if provider == FREELANCE
            else "videos.read offline_access",
            "state": secrets.token_urlsafe(16),
            "nonce": secrets.token_urlsafe(16),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        params.update(overrides)
        return {key: value for key, value in params.items() if value is not None}

    def authorize_url(self, params: dict) -> str:
        return "/sandbox/oauth/authorize?" + urlencode(params)

    def login(self, username: str = "casey", password: str = "sandbox-demo-2026", next_url: str = ""):
        return self.client.post("/sandbox/login", {"username": username, "password": password, "next": next_url})

    def consent(self, url: str, decision: str = "allow"):
        return self.client.post(url, {"decision": decision})

    def code_for(self, provider: str = FREELANCE, username: str = "casey", **overrides) -> tuple[str, dict]:
        """Logs in, consents, and returns the code and the authorization request's parameters."""
        params = self.authorize_params(provider, **overrides)
        url = self.authorize_url(params)
        self.login(username=username, next_url=url)
        response = self.consent(url)
        assert response.status_code == 302, response.content
        query = query_of(response["Location"])
        assert "code" in query, query
        return query["code"], params

    def token(self, data: dict, provider: str = FREELANCE, secret: str | None = None):
        info = self.seeded.clients[provider]
        return self.client.post(
            "/sandbox/oauth/token",
            data,
            HTTP_AUTHORIZATION=basic_auth(info.client_id, secret or info.client_secret),
        )

    def exchange(self, code: str, params: dict, provider: str = FREELANCE, **overrides):
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": params["redirect_uri"],
            "code_verifier": self.verifier,
        }
        data.update(overrides)
        return self.token({k: v for k, v in data.items() if v is not None}, provider=provider)

    def tokens(self, provider: str = FREELANCE, username: str = "casey") -> dict:
        code, params = self.code_for(provider, username=username)
        response = self.exchange(code, params, provider=provider)
        assert response.status_code == 200, response.content
        return response.json()

    def api(self, path: str, access_token: str, method: str = "get", **kwargs):
        return getattr(self.client, method)(path, HTTP_AUTHORIZATION=f"Bearer {access_token}", **kwargs)


@pytest.fixture
def seeded(db, settings):
    return sandbox_seed()


@pytest.fixture
def flow(client, seeded) -> Flow:
    return Flow(client=client, seeded=seeded)
