"""Steps of the OAuth flow as a creator's browser takes them, over the Django test client and real HTTP."""

import html
import re
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests
from django.urls import reverse

from .fake_provider import CLIENT_ID, CLIENT_SECRET


def oidc_entry(fake, **extra) -> dict:
    return {
        "id": "acme", "kind": "oidc", "name": "Acme Freelance", "role": "portfolio",
        "discovery_url": fake.discovery_url, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "scopes": "openid profile email offline_access", **extra,
    }


def use_provider(settings, fake, entry: dict) -> None:
    settings.OAUTH_PROVIDERS = [entry]
    fake.redirect_uri = f"{settings.SITE_URL}/integrations/oauth/{entry['id']}/callback/"


def start_connect(client, provider_id: str) -> str:
    """POSTs Connect; returns the provider's authorization URL Reelfolio redirected to."""
    response = client.post(reverse("oauth:connect", args=[provider_id]))
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def authorize(authorization_url: str) -> str:
    """The creator approves at the provider; returns the callback URL the provider redirects to."""
    response = requests.get(authorization_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def finish(client, callback_url: str):
    """The browser follows the redirect back to Reelfolio's callback; returns the final page."""
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}", follow=True)


def connect(client, provider_id: str):
    return finish(client, authorize(start_connect(client, provider_id)))


def with_params(url: str, **changes) -> str:
    """`url` with query parameters replaced (None removes one)."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def page_text(response) -> str:
    """The visible text of an HTML page, whitespace collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    text = re.sub(r"\s+", " ", html.unescape(text))
    return re.sub(r" ([.,:;!?])", r"\1", text)
