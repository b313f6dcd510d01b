"""The sandbox partner over real HTTP on the live server, the way Reelfolio's OAuth client meets it."""

import re
from urllib.parse import urlencode

import pytest
import requests
from django.conf import settings
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.integrations.sandbox.conftest import pkce_pair, query_of

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)

TIMEOUT = settings.HTTP_TIMEOUT


def csrf_post(session: requests.Session, url: str, data: dict) -> requests.Response:
    page = session.get(url, timeout=TIMEOUT)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        url, data={"csrfmiddlewaretoken": token, **data}, headers={"Referer": url}, allow_redirects=False,
        timeout=TIMEOUT,
    )


def test_authorization_code_flow_over_http_with_the_sandbox_partner_fixture(sandbox_partner):
    metadata = requests.get(sandbox_partner.discovery_url, timeout=TIMEOUT).json()
    assert metadata["issuer"] == sandbox_partner.issuer == f"{sandbox_partner.site_url}/sandbox"
    assert metadata["token_endpoint"].startswith(sandbox_partner.site_url)
    client = sandbox_partner.freelance
    verifier, challenge = pkce_pair()
    authorize_url = metadata["authorization_endpoint"] + "?" + urlencode({
        "response_type": "code", "client_id": client.client_id, "redirect_uri": client.redirect_uri,
        "scope": "openid profile portfolio.read", "state": "s-1", "nonce": "n-1",
        "code_challenge": challenge, "code_challenge_method": "S256",
    })
    browser = requests.Session()

    to_login = browser.get(authorize_url, allow_redirects=False, timeout=TIMEOUT)
    assert to_login.status_code == 302
    user = sandbox_partner.user
    logged_in = csrf_post(browser, sandbox_partner.site_url + to_login.headers["Location"],
                          {"username": user.username, "password": user.password})
    assert logged_in.status_code == 302
    allowed = csrf_post(browser, authorize_url, {"decision": "allow"})
    assert allowed.status_code == 302
    query = query_of(allowed.headers["Location"])
    assert allowed.headers["Location"].startswith(client.redirect_uri)
    assert query["iss"] == metadata["issuer"]

    tokens = requests.post(metadata["token_endpoint"], data={
        "grant_type": "authorization_code", "code": query["code"], "redirect_uri": client.redirect_uri,
        "code_verifier": verifier,
    }, auth=(client.client_id, client.client_secret), timeout=TIMEOUT).json()

    jwks = KeySet.import_key_set(requests.get(metadata["jwks_uri"], timeout=TIMEOUT).json())
    claims = jwt.decode(tokens["id_token"], jwks, algorithms=["RS256"]).claims
    assert claims["iss"] == metadata["issuer"]
    assert claims["nonce"] == "n-1"
    projects = requests.get(
        f"{sandbox_partner.site_url}/sandbox/api/freelance/me/projects",
        headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=TIMEOUT,
    ).json()
    assert projects["next_page"] == 2
    assert projects["projects"][0]["url"].startswith(f"{sandbox_partner.site_url}/sandbox/freelancers/")
