"""GitHub, replaying the REST reference samples: public repositories are the portfolio; user tokens
expire after eight hours and every refresh rotates them."""

import base64
import json

import pytest

from integrations.oauth import services
from integrations.oauth.models import LinkedAccount, OAuthToken
from integrations.providers.errors import ReconnectRequired
from integrations.providers.types import Profile
from tests.integrations.oauth.contract import ProviderContract
from tests.integrations.oauth.fake_provider import CLIENT_ID, CLIENT_SECRET
from tests.integrations.oauth.helpers import connect, use_provider

from .samples import FIXTURES, paged, replay

pytestmark = pytest.mark.django_db


def entry(fake):
    return {
        "id": "github", "kind": "github", "authorize_url": f"{fake.url}/authorize",
        "token_url": f"{fake.url}/token", "api_base_url": f"{fake.url}/",
        "revocation_url": f"{fake.url}/applications/{{client_id}}/grant",
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
    }


def install(fake):
    fake.expires_in = 28800
    replay(fake, "GET", "/user", "github/user.json")
    paged(fake, "/users/octocat/repos", ["github/repos_page1.json", "github/repos_page2.json"])

    def delete_grant(seen):
        """DELETE /applications/{client_id}/grant: basic auth with the app's credentials."""
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if seen.headers.get("authorization") != expected:
            return 401, {}, b""
        access = json.loads(seen.body)["access_token"]
        grant = fake.access_tokens.pop(access, None)
        if grant is None:
            return 404, {}, b""
        for refresh in [r for r, g in fake.refresh_tokens.items() if g is grant]:
            fake.refresh_tokens.pop(refresh)
        return 204, {}, b""

    delete_grant.public = True
    fake.routes[("DELETE", f"/applications/{CLIENT_ID}/grant")] = delete_grant


class TestGitHubProvider(ProviderContract):
    provider_id = "github"
    expected_subject = "1"
    expected_display_name = "monalisa octocat"

    entry = staticmethod(entry)
    install = staticmethod(install)


@pytest.fixture
def github(settings, fake, client, creator):
    use_provider(settings, fake, entry(fake))
    install(fake)
    client.force_login(creator)
    connect(client, "github")
    return fake


def test_public_repositories_but_not_forks_become_the_portfolio(github):
    profile = Profile.from_json(LinkedAccount.objects.get().profile)
    assert [(i.id, i.title) for i in profile.portfolio_items] == [
        ("1296269", "octocat/Hello-World"), ("18221276", "octocat/git-consortium"),
    ]
    assert profile.skills == ["Python"]
    assert profile.headline == "GitHub"
    assert profile.location == "San Francisco"
    api_call = github.seen("/user")[0]
    assert api_call.headers["x-github-api-version"] == "2022-11-28"
    assert api_call.headers["accept"] == "application/vnd.github+json"


def test_a_bad_refresh_token_answered_with_200_marks_the_link_needs_reconnect(github):
    github.refresh_error = "bad_refresh_token"
    github.error_status = 200  # GitHub's token endpoint reports errors with HTTP 200
    linked = LinkedAccount.objects.get()
    OAuthToken.objects.update(expires_at="2000-01-01T00:00:00Z")
    with pytest.raises(ReconnectRequired, match="GitHub no longer accepts Reelfolio's access. Please reconnect."):
        services.token_access(linked_account_id=linked.pk)
    linked.refresh_from_db()
    assert linked.status == "needs_reconnect"


def test_a_next_page_on_another_origin_is_not_sent_the_access_token(settings, fake, client, creator):
    """The access token goes only where the API is: a `Link: rel="next"` to another host (or plain http
    elsewhere) is refused with a message, and that host never sees a request."""
    from tests.integrations.oauth.fake_provider import FakeProvider
    from tests.integrations.oauth.helpers import page_text

    elsewhere = FakeProvider().start()
    try:
        use_provider(settings, fake, entry(fake))
        install(fake)
        first = (FIXTURES / "github/repos_page1.json").read_bytes()
        link = f'<{elsewhere.url}/users/octocat/repos?page=2>; rel="next"'
        fake.routes[("GET", "/users/octocat/repos")] = lambda seen: (
            200, {"Content-Type": "application/json", "Link": link}, first
        )
        client.force_login(creator)

        response = connect(client, "github")

        assert "GitHub sent a next page on another address, so nothing was read from it." in page_text(response)
        assert elsewhere.requests == []
        assert not LinkedAccount.objects.exists()
        assert not OAuthToken.objects.exists()
    finally:
        elsewhere.stop()


def test_a_page_redirected_elsewhere_does_not_lead_the_access_token_there(settings, fake, client, creator):
    """Requests drops the token on a redirect to another host; a next page named by that host's answer must
    not get it back either."""
    from tests.integrations.oauth.fake_provider import FakeProvider
    from tests.integrations.oauth.helpers import page_text

    elsewhere = FakeProvider().start()
    try:
        use_provider(settings, fake, entry(fake))
        install(fake)
        first = (FIXTURES / "github/repos_page1.json").read_bytes()
        fake.routes[("GET", "/users/octocat/repos")] = lambda seen: (
            302, {"Location": f"{elsewhere.url}/repos?page=1"}, b""
        )

        def moved(seen):
            link = f'<{elsewhere.url}/repos?page=2>; rel="next"'
            return 200, {"Content-Type": "application/json", "Link": link}, first

        moved.public = True
        elsewhere.routes[("GET", "/repos")] = moved
        client.force_login(creator)

        response = connect(client, "github")

        assert "GitHub sent a next page on another address, so nothing was read from it." in page_text(response)
        assert [r.query.get("page") for r in elsewhere.requests] == ["1"]
        assert all("authorization" not in r.headers for r in elsewhere.requests)
        assert not LinkedAccount.objects.exists()
    finally:
        elsewhere.stop()
