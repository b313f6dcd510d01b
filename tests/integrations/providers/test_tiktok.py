"""The TikTok-style video platform, replaying the Login Kit / Display API reference samples."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from integrations.oauth import hooks, services
from integrations.oauth.models import LinkedAccount
from integrations.providers.errors import ProviderError
from tests.integrations.oauth.contract import ProviderContract
from tests.integrations.oauth.fake_provider import CLIENT_ID, CLIENT_SECRET
from tests.integrations.oauth.helpers import connect, start_connect, use_provider

from .samples import FIXTURES, replay

pytestmark = pytest.mark.django_db


def entry(fake):
    return {
        "id": "tiktok", "kind": "tiktok", "authorize_url": f"{fake.url}/authorize", "token_url": f"{fake.url}/token",
        "revocation_url": f"{fake.url}/revoke", "api_base_url": f"{fake.url}/v2/",
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
    }


def install(fake):
    replay(fake, "GET", "/v2/user/info/", "tiktok/user_info.json")

    def video_list(seen):
        body = json.loads(seen.body)
        page = "tiktok/video_list_page1.json" if body["cursor"] == 0 else "tiktok/video_list_page2.json"
        return 200, {"Content-Type": "application/json"}, (FIXTURES / page).read_bytes()

    fake.routes[("POST", "/v2/video/list/")] = video_list


class TestTikTokProvider(ProviderContract):
    provider_id = "tiktok"
    expected_subject = "723f24d7-e717-40f8-a2b6-cb8464cd23b4"
    expected_display_name = "Tik Toker"

    entry = staticmethod(entry)
    install = staticmethod(install)


@pytest.fixture
def tiktok(settings, fake, client, creator):
    use_provider(settings, fake, entry(fake))
    install(fake)
    client.force_login(creator)
    return fake


def test_login_kit_names_the_client_client_key_and_separates_scopes_with_commas(tiktok, client):
    query = parse_qs(urlsplit(start_connect(client, "tiktok")).query)
    assert query["client_key"] == [CLIENT_ID]
    assert query["scope"] == ["user.info.basic,user.info.profile,video.list"]
    assert query["code_challenge_method"] == ["S256"]
    connect(client, "tiktok")
    [exchange] = tiktok.seen("/token", grant_type="authorization_code")
    assert exchange.form["client_key"] == CLIENT_ID
    assert exchange.form["client_secret"] == CLIENT_SECRET


def test_sync_lists_every_video_through_the_cursor_and_hands_them_to_the_hooks(tiktok, client):
    received = []

    def handler(*, linked_account, videos):
        received.append((linked_account.provider_id, videos))

    hooks.register_videos_synced(handler)
    try:
        connect(client, "tiktok")
        linked = LinkedAccount.objects.get()
        services.linked_account_sync(linked_account_id=linked.pk)
    finally:
        hooks.unregister_videos_synced(handler)

    [(provider_id, videos)] = received
    assert provider_id == "tiktok"
    assert [v.platform_video_id for v in videos] == ["7080213458555737986", "7080217258529732386",
                                                     "7079952831542127915"]
    first = videos[0]
    assert first.title == "Behind the keyframes #motiondesign"
    assert first.duration_seconds == 37
    assert first.embed_url == "https://www.tiktok.com/player/v1/7080213458555737986"
    assert first.published_at.isoformat() == "2022-01-28T01:20:03+00:00"
    cursors = [json.loads(r.body)["cursor"] for r in tiktok.seen("/v2/video/list/")]
    assert cursors == [0, 1643246403000]
    assert all(r.query["fields"] == "id,title,cover_image_url,share_url,embed_link,duration,create_time"
               for r in tiktok.seen("/v2/video/list/"))


def test_an_error_envelope_fails_the_sync_and_keeps_the_last_good_data(tiktok, client):
    connect(client, "tiktok")
    linked = LinkedAccount.objects.get()
    replay(tiktok, "GET", "/v2/user/info/", "tiktok/error_scope.json")
    with pytest.raises(ProviderError, match="TikTok refused the request: The user did not authorize the scope"):
        services.linked_account_sync(linked_account_id=linked.pk)
    linked.refresh_from_db()
    assert linked.profile["display_name"] == "Tik Toker"
    assert linked.last_sync_error.startswith("TikTok refused the request")
    assert linked.last_sync_error_at is not None
