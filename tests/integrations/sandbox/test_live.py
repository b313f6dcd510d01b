"""The sandbox partner over real HTTP on the live server, the way Reelfolio's OAuth client meets it."""

import re
import threading
from urllib.parse import urlencode

import pytest
import requests
from django.conf import settings
from joserfc import jwt
from joserfc.jwk import KeySet

from integrations.sandbox.models import SandboxToken
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


def authorize_over_http(partner, metadata: dict) -> tuple[str, str]:
    """A browser's part: log in to the sandbox, allow; returns (code, code_verifier)."""
    client = partner.freelance
    verifier, challenge = pkce_pair()
    authorize_url = metadata["authorization_endpoint"] + "?" + urlencode({
        "response_type": "code", "client_id": client.client_id, "redirect_uri": client.redirect_uri,
        "scope": "openid profile portfolio.read", "state": "s-1", "nonce": "n-1",
        "code_challenge": challenge, "code_challenge_method": "S256",
    })
    browser = requests.Session()
    to_login = browser.get(authorize_url, allow_redirects=False, timeout=TIMEOUT)
    assert to_login.status_code == 302
    logged_in = csrf_post(browser, partner.site_url + to_login.headers["Location"],
                          {"username": partner.user.username, "password": partner.user.password})
    assert logged_in.status_code == 302
    allowed = csrf_post(browser, authorize_url, {"decision": "allow"})
    assert allowed.status_code == 302
    assert allowed.headers["Location"].startswith(client.redirect_uri)
    query = query_of(allowed.headers["Location"])
    assert query["iss"] == metadata["issuer"]
    return query["code"], verifier


def token_request(partner, metadata: dict, data: dict) -> requests.Response:
    client = partner.freelance
    return requests.post(
        metadata["token_endpoint"], data=data, auth=(client.client_id, client.client_secret), timeout=TIMEOUT
    )


def exchange_data(partner, code: str, verifier: str) -> dict:
    return {"grant_type": "authorization_code", "code": code, "redirect_uri": partner.freelance.redirect_uri,
            "code_verifier": verifier}


def at_once(count: int, call) -> list:
    """Runs `call` in `count` threads released together; returns the results."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_authorization_code_flow_over_http_with_the_sandbox_partner_fixture(sandbox_partner):
    metadata = requests.get(sandbox_partner.discovery_url, timeout=TIMEOUT).json()
    assert metadata["issuer"] == sandbox_partner.issuer == f"{sandbox_partner.site_url}/sandbox"
    assert metadata["token_endpoint"].startswith(sandbox_partner.site_url)

    code, verifier = authorize_over_http(sandbox_partner, metadata)
    tokens = token_request(sandbox_partner, metadata, exchange_data(sandbox_partner, code, verifier)).json()

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


# The two tests below run on whatever database the sandbox uses: SQLite by default (and in CI), where
# writes are serialized, and PostgreSQL with SANDBOX_DATABASE_URL, where the conditional UPDATE and
# DELETE on one row are what keeps the second request out.


def test_concurrent_refreshes_with_one_refresh_token_only_one_wins(sandbox_partner):
    metadata = requests.get(sandbox_partner.discovery_url, timeout=TIMEOUT).json()
    code, verifier = authorize_over_http(sandbox_partner, metadata)
    tokens = token_request(sandbox_partner, metadata, exchange_data(sandbox_partner, code, verifier)).json()

    responses = at_once(4, lambda: token_request(
        sandbox_partner, metadata, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    ))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 400, 400, 400], [response.text for response in responses]
    assert {response.json()["error"] for response in responses if response.status_code == 400} == {"invalid_grant"}
    # The first token plus exactly one rotated token.
    assert SandboxToken.objects.count() == 2


def test_concurrent_redemptions_of_one_code_only_one_gets_tokens(sandbox_partner):
    metadata = requests.get(sandbox_partner.discovery_url, timeout=TIMEOUT).json()
    code, verifier = authorize_over_http(sandbox_partner, metadata)

    responses = at_once(4, lambda: token_request(
        sandbox_partner, metadata, exchange_data(sandbox_partner, code, verifier)
    ))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 400, 400, 400], [response.text for response in responses]
    assert SandboxToken.objects.count() == 1
