"""Provider addresses must be https; plain http is allowed only to a loopback address (the sandbox on
http://127.0.0.1, local test servers). Configured addresses are refused at start-up, discovered ones at use."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from integrations.oauth import registry
from integrations.oauth.models import LinkedAccount, OAuthToken
from tests.integrations.oauth.fake_provider import CLIENT_ID
from tests.integrations.oauth.helpers import connect, oidc_entry, page_text, use_provider

WELL_KNOWN = "/.well-known/openid-configuration"
OIDC = {"id": "acme", "kind": "oidc", "name": "Acme", "role": "portfolio", "client_id": CLIENT_ID,
        "discovery_url": f"https://id.acme.example{WELL_KNOWN}"}
OAUTH2 = {"id": "folio", "kind": "oauth2", "role": "portfolio", "client_id": "x",
          "authorize_url": "https://folio.example/authorize", "token_url": "https://folio.example/token",
          "profile_url": "https://api.folio.example/me", "profile_mapping": {"subject": "id"}}


def configure(settings, *entries):
    settings.SANDBOX_ENABLED = False
    settings.OAUTH_PROVIDERS = list(entries)


@pytest.mark.parametrize(
    ("entry", "option", "url"),
    [
        ({**OIDC, "discovery_url": f"http://id.acme.example{WELL_KNOWN}"}, "discovery_url",
         f"http://id.acme.example{WELL_KNOWN}"),
        ({**OIDC, "discovery_url": f"http://10.0.0.8{WELL_KNOWN}"}, "discovery_url", f"http://10.0.0.8{WELL_KNOWN}"),
        ({**OIDC, "discovery_url": f"http://localhost.evil.example{WELL_KNOWN}"}, "discovery_url",
         f"http://localhost.evil.example{WELL_KNOWN}"),
        ({**OIDC, "discovery_url": f"ftp://id.acme.example{WELL_KNOWN}"}, "discovery_url",
         f"ftp://id.acme.example{WELL_KNOWN}"),
        ({**OAUTH2, "token_url": "http://folio.example/token"}, "token_url", "http://folio.example/token"),
        ({**OAUTH2, "revocation_url": "http://folio.example/revoke"}, "revocation_url", "http://folio.example/revoke"),
        ({**OAUTH2, "profile_url": "http://api.folio.example/me"}, "profile_url", "http://api.folio.example/me"),
        ({**OAUTH2, "issuer": "http://folio.example"}, "issuer", "http://folio.example"),
        ({"id": "tiktok", "kind": "tiktok", "client_id": "c", "api_base_url": "http://open.tiktokapis.example/v2/"},
         "api_base_url", "http://open.tiktokapis.example/v2/"),
    ],
)
def test_a_plain_http_address_off_the_loopback_is_refused_at_start_up(settings, entry, option, url):
    configure(settings, entry)
    message = (
        f"Provider {entry['id']!r}: `{option}` {url} must be https; plain http is allowed only to a loopback "
        "address (127.0.0.0/8, ::1, localhost)."
    )
    with pytest.raises(ImproperlyConfigured) as raised:
        registry.providers()
    assert str(raised.value) == message
    with pytest.raises(SystemCheckError, match="must be https; plain http is allowed only to a loopback"):
        call_command("check")


@pytest.mark.parametrize(
    "base", ["http://127.0.0.1:8000", "http://127.8.9.10", "http://[::1]:9000", "http://localhost:8123",
             "http://LOCALHOST", "https://id.acme.example"],
)
def test_https_and_plain_http_to_a_loopback_address_are_accepted(settings, base):
    configure(settings, {**OIDC, "discovery_url": f"{base}{WELL_KNOWN}"},
              {**OAUTH2, "token_url": f"{base}/token", "profile_url": f"{base}/me"})
    assert list(registry.providers()) == ["acme", "folio"]
    call_command("check")


def test_the_sandbox_on_a_loopback_site_url_still_passes_the_check(settings):
    settings.SANDBOX_ENABLED = True
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.OAUTH_PROVIDERS = []
    assert list(registry.providers()) == ["sandbox-freelance", "sandbox-video"]
    call_command("check")


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"])
def test_a_discovery_document_with_a_plain_http_endpoint_off_the_loopback_is_refused(
    settings, client, creator, fake, field
):
    """The discovery URL was https or loopback, but the document it answers sends codes or tokens over plain
    http elsewhere: nothing is linked, and nothing is sent there."""
    true_metadata = fake.metadata
    fake.metadata = lambda: {**true_metadata(), field: "http://id.acme.example/stolen"}
    use_provider(settings, fake, oidc_entry(fake))
    client.force_login(creator)

    response = client.post(reverse("oauth:connect", args=["acme"]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("oauth:linked_accounts")
    assert (
        f"Acme Freelance's discovery document gives a plain-http address for {field}; Reelfolio talks to "
        "providers over https only, so nothing was linked."
    ) in page_text(response)
    assert not fake.seen("/authorize")
    assert not LinkedAccount.objects.exists() and not OAuthToken.objects.exists()


@pytest.mark.django_db
def test_a_local_provider_on_plain_http_still_links(settings, client, creator, fake):
    use_provider(settings, fake, oidc_entry(fake))
    client.force_login(creator)
    assert "Your Acme Freelance account is linked." in page_text(connect(client, "acme"))
