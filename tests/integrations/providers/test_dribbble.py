"""Dribbble, replaying the v2 API reference samples: shots are the portfolio, tokens do not expire."""

import pytest

from integrations.oauth.models import LinkedAccount
from integrations.providers.types import Profile
from tests.integrations.oauth.contract import ProviderContract
from tests.integrations.oauth.fake_provider import CLIENT_ID, CLIENT_SECRET
from tests.integrations.oauth.helpers import connect, use_provider

from .samples import paged, replay

pytestmark = pytest.mark.django_db


def entry(fake):
    return {
        "id": "dribbble", "kind": "dribbble", "authorize_url": f"{fake.url}/authorize",
        "token_url": f"{fake.url}/token", "api_base_url": f"{fake.url}/v2/",
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
    }


def install(fake):
    fake.expires_in = None
    fake.issue_refresh_token = False
    replay(fake, "GET", "/v2/user", "dribbble/user.json")
    paged(fake, "/v2/user/shots", ["dribbble/shots_page1.json", "dribbble/shots_page2.json"])


class TestDribbbleProvider(ProviderContract):
    provider_id = "dribbble"
    expected_subject = "1"
    expected_display_name = "Dan Cederholm"
    refreshable = False
    revocable = False

    entry = staticmethod(entry)
    install = staticmethod(install)


def test_shots_on_every_page_become_the_portfolio_and_the_bio_loses_its_html(settings, fake, client, creator):
    use_provider(settings, fake, entry(fake))
    install(fake)
    client.force_login(creator)
    connect(client, "dribbble")
    profile = Profile.from_json(LinkedAccount.objects.get().profile)
    assert [(i.id, i.title, i.url) for i in profile.portfolio_items] == [
        ("471756", "Sasquatch", "https://dribbble.com/shots/471756-Sasquatch"),
        ("471402", "Playbook", "https://dribbble.com/shots/471402-Playbook"),
    ]
    assert profile.portfolio_items[0].cover_image_url == "https://cdn.dribbble.com/shots/471756/sasquatch.png"
    assert profile.bio == ("Co-founder & designer of @Dribbble. Principal of SimpleBits. "
                           "Aspiring clawhammer banjoist.")
    assert profile.location == "Salem, MA"
    assert profile.profile_url == "https://dribbble.com/simplebits"
    assert fake.seen("/v2/user/shots")[0].query["per_page"] == "100"
