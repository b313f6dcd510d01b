"""sandbox_seed(), seed_demo's use of it, and the SANDBOX_CLIENT_SECRET setting."""

import io

import pytest
from django.core.management import call_command

from integrations.sandbox.models import SandboxClient, SandboxProject, SandboxToken, SandboxUser, SandboxVideo
from integrations.sandbox.selectors import PROJECTS_PER_PAGE, VIDEOS_DEFAULT_COUNT
from integrations.sandbox.services import sandbox_seed
from tests.core.test_settings import manage, production_env

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (SandboxClient, SandboxUser, SandboxProject, SandboxVideo)
    }


def test_seed_registers_both_clients_and_users_with_more_than_a_page_for_the_first(settings):
    seeded = sandbox_seed()

    assert [login.username for login in seeded.logins] == ["casey", "jordan", "sam", "northwind"]
    assert all(login.password == "sandbox-demo-2026" for login in seeded.logins)
    assert seeded.issuer == "http://127.0.0.1:8000/sandbox"
    freelance = seeded.clients["sandbox-freelance"]
    assert freelance.client_id == "reelfolio-sandbox-freelance"
    assert freelance.client_secret == settings.SANDBOX_CLIENT_SECRET
    assert freelance.redirect_uri == "http://127.0.0.1:8000/integrations/oauth/sandbox-freelance/callback/"
    assert seeded.clients["sandbox-video"].redirect_uri == (
        "http://127.0.0.1:8000/integrations/oauth/sandbox-video/callback/"
    )
    casey = SandboxUser.objects.get(username="casey")
    assert casey.projects.count() > PROJECTS_PER_PAGE
    assert casey.videos.count() > VIDEOS_DEFAULT_COUNT
    assert SandboxUser.objects.get(username="jordan").projects.exists()
    assert SandboxUser.objects.get(username="jordan").videos.exists()
    # The secret is stored as a digest only.
    stored = SandboxClient.objects.get(client_id=freelance.client_id)
    assert settings.SANDBOX_CLIENT_SECRET not in stored.client_secret_digest


def test_seed_is_idempotent_and_follows_a_new_site_url(flow, settings):
    before = counts()
    tokens = flow.tokens()

    again = sandbox_seed(site_url="http://127.0.0.1:9123/")

    assert counts() == before
    assert again.clients["sandbox-freelance"].redirect_uri == (
        "http://127.0.0.1:9123/integrations/oauth/sandbox-freelance/callback/"
    )
    assert SandboxClient.objects.get(client_id="reelfolio-sandbox-freelance").redirect_uris == [
        "http://127.0.0.1:9123/integrations/oauth/sandbox-freelance/callback/"
    ]
    # Tokens issued before a re-seed keep working.
    assert SandboxToken.objects.count() == 1
    assert flow.api("/sandbox/api/freelance/me", tokens["access_token"]).status_code == 200


def test_seed_puts_back_edited_demo_content(settings):
    sandbox_seed()
    casey = SandboxUser.objects.get(username="casey")
    casey.set_password("changed-in-the-admin")
    casey.headline = "Changed"
    casey.save()
    casey.projects.filter(public_id="p-1").delete()

    sandbox_seed()

    casey.refresh_from_db()
    assert casey.check_password("sandbox-demo-2026")
    assert casey.headline == "Motion designer"
    assert casey.projects.filter(public_id="p-1", position=1).exists()
    assert casey.projects.count() == 23


def test_seed_demo_prints_the_sandbox_logins(settings):
    settings.DEBUG = True
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    output = out.getvalue()
    assert "Sandbox partner logins (on http://127.0.0.1:8000/sandbox/login):" in output
    assert "casey" in output and "jordan" in output
    assert "sandbox-demo-2026" in output
    assert settings.SANDBOX_CLIENT_SECRET not in output
    assert SandboxClient.objects.count() == 2


def test_the_sandbox_needs_its_own_client_secret_even_in_debug(tmp_path):
    """The sandbox's client secret has no default: a sandbox turned on anywhere but `./dev` and the tests
    does not answer to a secret everyone can read in the source."""
    env = production_env(tmp_path, SANDBOX_ENABLED="true", DEBUG="true")

    refused = manage(env, "check")
    accepted = manage({**env, "SANDBOX_CLIENT_SECRET": "a-long-random-sandbox-secret"}, "check")

    assert refused.returncode != 0
    assert "SANDBOX_CLIENT_SECRET is not set. The sandbox partner (SANDBOX_ENABLED=true) needs" in refused.stderr
    assert accepted.returncode == 0, accepted.stderr
