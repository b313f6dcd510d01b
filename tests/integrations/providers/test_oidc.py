"""The generic OpenID Connect kind: configured from a discovery URL only."""

import pytest

from integrations.oauth.models import LinkedAccount
from integrations.providers.types import Profile
from tests.integrations.oauth.contract import ProviderContract
from tests.integrations.oauth.helpers import connect, oidc_entry

pytestmark = pytest.mark.django_db


class TestOIDCProvider(ProviderContract):
    provider_id = "acme"
    expected_subject = "user-42"
    expected_display_name = "Casey Creator"

    def entry(self, fake):
        return oidc_entry(fake)

    def install(self, fake):
        fake.user.claims = {
            "picture": "https://cdn.acme.example/casey.png",
            "profile": "https://acme.example/casey",
            "address": {"locality": "Lisbon", "country": "PT"},
        }


def test_standard_claims_fill_the_profile(client, creator, fake, settings):
    settings.OAUTH_PROVIDERS = [oidc_entry(fake)]
    fake.redirect_uri = f"{settings.SITE_URL}/integrations/oauth/acme/callback/"
    fake.user.claims = {"picture": "https://cdn.acme.example/c.png", "profile": "https://acme.example/c",
                        "address": {"locality": "Lisbon", "country": "PT"}}
    client.force_login(creator)
    connect(client, "acme")
    profile = Profile.from_json(LinkedAccount.objects.get().profile)
    assert profile.avatar_url == "https://cdn.acme.example/c.png"
    assert profile.profile_url == "https://acme.example/c"
    assert profile.location == "Lisbon, PT"
