"""The sandbox's login and consent pages in a real browser."""

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.integrations.sandbox.conftest import pkce_pair, query_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)]


def test_sandbox_user_logs_in_and_allows_access(page, sandbox_partner):
    client = sandbox_partner.video
    _, challenge = pkce_pair()
    # The callback belongs to Reelfolio's OAuth client; here we only look at where the sandbox sends us.
    page.route(f"{client.redirect_uri}**", lambda route: route.abort())
    page.goto("/sandbox/oauth/authorize?" + urlencode({
        "response_type": "code", "client_id": client.client_id, "redirect_uri": client.redirect_uri,
        "scope": "videos.read", "state": "st", "code_challenge": challenge, "code_challenge_method": "S256",
    }))

    expect(page.get_by_text("Sandbox partner", exact=True)).to_be_visible()
    page.get_by_label("Sandbox username").fill(sandbox_partner.user.username)
    page.get_by_label("Sandbox password").fill("wrong-password")
    page.get_by_role("button", name="Log in to the sandbox").click()
    expect(page.get_by_text("Wrong sandbox username or password.")).to_be_visible()
    page.get_by_label("Sandbox password").fill(sandbox_partner.user.password)
    page.get_by_role("button", name="Log in to the sandbox").click()

    expect(page.get_by_role("heading", name="Allow Reelfolio (videos) to access your sandbox account?")).to_be_visible()
    expect(page.get_by_text("Read your account and list your public videos")).to_be_visible()
    with page.expect_request(lambda request: request.url.startswith(client.redirect_uri)) as callback:
        page.get_by_role("button", name="Allow").click()

    query = query_of(callback.value.url)
    assert query["state"] == "st"
    assert query["iss"] == sandbox_partner.issuer
    assert query["code"]
