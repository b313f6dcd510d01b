"""The sandbox partner's public pages and its models in the admin."""

import pytest

from integrations.sandbox.models import SandboxClient, SandboxSigningKey, SandboxToken

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def test_freelancer_page_at_the_profile_url_is_marked_as_the_sandbox(client, seeded, django_assert_num_queries):
    with django_assert_num_queries(2, using="sandbox"):
        response = client.get("/sandbox/freelancers/casey")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Sandbox partner" in page
    assert "not to Reelfolio" in page
    assert "<h1>Casey Creator</h1>" in page
    assert "85.00 USD per hour" in page
    assert 'id="p-1"' in page and 'id="p-23"' in page
    assert "Brand launch reel" in page


def test_freelancer_without_projects_shows_an_empty_state(client, seeded):
    response = client.get("/sandbox/freelancers/sam")

    assert "Sam Starter has no portfolio projects yet." in response.content.decode()


def test_unknown_freelancer_and_video_are_404(client, seeded):
    assert client.get("/sandbox/freelancers/nobody").status_code == 404
    assert client.get("/sandbox/videos/v-0").status_code == 404


def test_video_share_and_embed_pages(client, seeded):
    share = client.get("/sandbox/videos/v-1001")
    embed = client.get("/sandbox/videos/v-1001/embed")

    assert share.status_code == 200
    assert "Behind the keyframes" in share.content.decode()
    assert "Sandbox partner" in share.content.decode()
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed, "the embed link must be embeddable"
    assert share["X-Frame-Options"] == "DENY"


def test_cover_images_are_our_own_static_files(client, seeded):
    response = client.get("/static/sandbox/covers/cover-1.svg")

    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)


def test_the_sandboxs_avatars_and_covers_are_pictures_a_link_preview_card_shows(live_server, settings):
    """Regression: the demo's avatars and covers were SVGs only, which cards never show: every card of the
    demo had a monogram."""
    from integrations import pictures
    from integrations.sandbox import seed_data

    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # as in the demo
    avatars = [user["avatar"] for user in seed_data.USERS if user["avatar"]]
    for path in [*avatars, *seed_data.COVERS]:
        assert path.endswith(".png"), path
        assert pictures.picture_png(f"{live_server.url}/static/{path}") is not None, path


@pytest.fixture
def sandbox_admin(admin_client, flow):
    flow.tokens()
    client = admin_client
    return client


def test_admin_lists_sandbox_rows_without_showing_a_secret_or_a_token(sandbox_admin, flow, settings):
    client_row = SandboxClient.objects.get(client_id="reelfolio-sandbox-freelance")
    token_row = SandboxToken.objects.get()
    key_row = SandboxSigningKey.objects.get()

    pages = {
        "client": sandbox_admin.get(f"/admin/sandbox/sandboxclient/{client_row.pk}/change/"),
        "tokens": sandbox_admin.get("/admin/sandbox/sandboxtoken/"),
        "token": sandbox_admin.get(f"/admin/sandbox/sandboxtoken/{token_row.pk}/change/"),
        "key": sandbox_admin.get(f"/admin/sandbox/sandboxsigningkey/{key_row.pk}/change/"),
        "user": sandbox_admin.get(f"/admin/sandbox/sandboxuser/{token_row.user_id}/change/"),
    }

    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        assert settings.SANDBOX_CLIENT_SECRET not in html, name
        assert client_row.client_secret_digest not in html, name
        assert token_row.access_token_digest not in html, name
        assert "PRIVATE KEY" not in html, name
    assert f"sha256:{client_row.client_secret_digest[:8]}" in pages["client"].content.decode()
    assert f"sha256:{token_row.access_token_digest[:8]}" in pages["tokens"].content.decode()
    assert "pbkdf2" not in pages["user"].content.decode() and "md5$" not in pages["user"].content.decode()


def test_admin_cannot_add_or_edit_clients_or_tokens(sandbox_admin):
    assert sandbox_admin.get("/admin/sandbox/sandboxclient/add/").status_code == 403
    assert sandbox_admin.get("/admin/sandbox/sandboxtoken/add/").status_code == 403
    row = SandboxClient.objects.first()
    response = sandbox_admin.post(f"/admin/sandbox/sandboxclient/{row.pk}/change/", {"name": "Renamed"})
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.name != "Renamed"
