"""The contract every provider kind must keep: the same suite runs against each.

A provider's test class mixes this in and supplies `entry(fake)` (its OAUTH_PROVIDERS entry pointing
at the fake provider), `install(fake)` (its documented sample answers) and what it expects to read.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from common import crypto
from integrations.oauth import registry, services
from integrations.oauth.models import LinkedAccount, OAuthToken
from integrations.providers.types import Profile

from .helpers import connect, page_text, use_provider


class ProviderContract:
    provider_id = ""
    expected_subject = ""
    expected_display_name = ""
    # False for providers whose tokens do not expire (no refresh token) or that cannot revoke.
    refreshable = True
    revocable = True

    def entry(self, fake) -> dict:
        raise NotImplementedError

    def install(self, fake) -> None:
        """Installs the provider's sample API answers on the fake."""

    @pytest.fixture
    def provider(self, fake, settings):
        use_provider(settings, fake, self.entry(fake))
        self.install(fake)
        return registry.provider_or_none(self.provider_id)

    @pytest.fixture
    def linked(self, client, creator, fake, provider):
        client.force_login(creator)
        response = connect(client, provider.id)
        assert f"Your {provider.name} account is linked." in page_text(response)
        return LinkedAccount.objects.get(user=creator, provider_id=provider.id)

    def test_connect_links_the_account_and_stores_its_tokens_encrypted(self, client, linked, fake, provider):
        assert linked.status == "active"
        assert linked.subject == self.expected_subject
        assert linked.role == provider.role
        assert Profile.from_json(linked.profile).display_name == self.expected_display_name
        page = client.get(reverse("oauth:linked_accounts"))
        assert self.expected_display_name in page_text(page)

        token = OAuthToken.objects.get(linked_account=linked)
        [issued] = fake.access_tokens
        assert issued not in token.access_token_encrypted
        assert crypto.decrypt(token.access_token_encrypted) == issued
        if fake.issue_refresh_token:
            [refresh] = fake.refresh_tokens
            assert refresh not in token.refresh_token_encrypted
            assert crypto.decrypt(token.refresh_token_encrypted) == refresh

    def test_an_error_at_the_token_endpoint_is_a_message_and_links_nothing(self, client, creator, fake, provider):
        fake.token_status = 500
        client.force_login(creator)
        response = connect(client, provider.id)
        assert response.status_code == 200
        assert f"{provider.name} failed while trying to complete the sign-in (HTTP 500)." in page_text(response)
        assert not LinkedAccount.objects.exists()
        assert not OAuthToken.objects.exists()

    def test_refresh_replaces_the_tokens_when_they_expire(self, linked, fake, provider):
        token = OAuthToken.objects.get(linked_account=linked)
        old_access = crypto.decrypt(token.access_token_encrypted)
        if not self.refreshable:
            assert token.expires_at is None
            assert services.token_access(linked_account_id=linked.pk) == old_access
            assert not fake.seen("/token", grant_type="refresh_token")
            return
        old_refresh = crypto.decrypt(token.refresh_token_encrypted)
        OAuthToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(seconds=5))

        new_access = services.token_access(linked_account_id=linked.pk)

        assert new_access != old_access
        assert len(fake.seen("/token", grant_type="refresh_token")) == 1
        token.refresh_from_db()
        assert crypto.decrypt(token.access_token_encrypted) == new_access
        assert crypto.decrypt(token.refresh_token_encrypted) not in ("", old_refresh)  # rotated, and kept
        assert token.expires_at > timezone.now() + timedelta(minutes=30)

    def test_unlink_asks_first_then_revokes_and_deletes_the_tokens(self, client, linked, fake, provider):
        access = crypto.decrypt(OAuthToken.objects.get(linked_account=linked).access_token_encrypted)
        refresh = crypto.decrypt(OAuthToken.objects.get(linked_account=linked).refresh_token_encrypted)
        url = reverse("oauth:unlink", args=[provider.id])
        confirm = client.get(url)
        assert f"Unlink your {provider.name} account?" in page_text(confirm)
        assert OAuthToken.objects.filter(linked_account=linked).exists()

        response = client.post(url, follow=True)

        assert f"Your {provider.name} account is unlinked and Reelfolio deleted its tokens." in page_text(response)
        assert not OAuthToken.objects.exists()
        linked.refresh_from_db()
        assert linked.status == "revoked"
        assert linked.profile == {}
        if self.revocable:
            assert access not in fake.access_tokens  # the provider no longer honours it
            assert refresh not in fake.refresh_tokens  # nor the refresh token, which would outlive it
        else:
            assert not [r for r in fake.requests if "revoke" in r.path]
