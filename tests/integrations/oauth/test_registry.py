"""The provider registry: an explicit list of kinds, configured from OAUTH_PROVIDERS; mistakes are named."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from integrations.oauth import registry

from .fake_provider import CLIENT_ID


def configure(settings, *entries):
    settings.SANDBOX_ENABLED = False
    settings.OAUTH_PROVIDERS = list(entries)


OIDC = {"id": "acme", "kind": "oidc", "name": "Acme", "role": "portfolio", "client_id": CLIENT_ID,
        "discovery_url": "https://id.acme.example/.well-known/openid-configuration"}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({**OIDC, "kind": "myspace"}, "unknown kind 'myspace'"),
        ({k: v for k, v in OIDC.items() if k != "discovery_url"}, "`discovery_url` is required for kind 'oidc'"),
        ({**OIDC, "id": "Acme Corp"}, "`id` must be lowercase letters, digits and dashes"),
        ({**OIDC, "role": "both"}, "`role` must be one of portfolio, videos"),
        ({**OIDC, "client_id": ""}, "`client_id` is required"),
        ({**OIDC, "authorize_url": "https://x"}, "unknown option(s) authorize_url for kind 'oidc'"),
        ({**OIDC, "discovery_url": "https://id.acme.example/config.json"}, "ends neither in /.well-known/openid"),
        ({"id": "folio", "kind": "oauth2", "role": "portfolio", "client_id": "x", "authorize_url": "https://a",
          "token_url": "https://t", "profile_url": "https://p", "profile_mapping": {"name": "n"}},
         "profile_mapping needs a `subject` path"),
    ],
)
def test_a_configuration_mistake_is_named(settings, entry, message):
    configure(settings, entry)
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        registry.providers()


def test_an_id_used_twice_is_refused(settings):
    configure(settings, OIDC, {**OIDC, "name": "Acme again"})
    with pytest.raises(ImproperlyConfigured, match="the id 'acme' is used twice"):
        registry.providers()


def test_manage_py_check_reports_a_broken_configuration(settings):
    configure(settings, {**OIDC, "kind": "myspace"})
    with pytest.raises(SystemCheckError, match="unknown kind 'myspace'"):
        call_command("check")


def test_the_sandbox_providers_come_first_and_point_at_site_url(settings):
    settings.SANDBOX_ENABLED = True
    settings.SITE_URL = "http://127.0.0.1:8123"
    settings.OAUTH_PROVIDERS = json.loads(json.dumps([OIDC]))
    providers = registry.providers()
    assert list(providers) == ["sandbox-freelance", "sandbox-video", "acme"]
    freelance, video = providers["sandbox-freelance"], providers["sandbox-video"]
    assert (freelance.role, video.role) == ("portfolio", "videos")
    assert freelance.client_id == "reelfolio-sandbox-freelance"
    assert video.client_id == "reelfolio-sandbox-video"
    assert freelance.discovery_url == "http://127.0.0.1:8123/sandbox/.well-known/openid-configuration"
    assert freelance.redirect_uri == "http://127.0.0.1:8123/integrations/oauth/sandbox-freelance/callback/"
    assert freelance.client_secret == settings.SANDBOX_CLIENT_SECRET


def test_concrete_kinds_need_only_credentials(settings):
    configure(settings, *({"id": kind, "kind": kind, "client_id": "c", "client_secret": "s"}
                          for kind in ("tiktok", "dribbble", "github")))
    providers = registry.providers()
    assert {p.id: (p.name, p.role) for p in providers.values()} == {
        "tiktok": ("TikTok", "videos"), "dribbble": ("Dribbble", "portfolio"), "github": ("GitHub", "portfolio"),
    }
