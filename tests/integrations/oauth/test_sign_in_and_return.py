"""Linking that returns where it started, link policies, and "Continue with <provider>" for a person who
is not logged in: one round trip signs them in (or up) through the domain's sign-in handler."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from integrations.oauth import hooks
from integrations.oauth.models import LinkedAccount
from integrations.providers.errors import LinkError

from .helpers import authorize, finish, oidc_entry, page_text, use_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(settings, fake):
    use_provider(settings, fake, oidc_entry(fake))
    return fake


@pytest.fixture
def registered():
    """Registers hooks for one test and removes them afterwards."""
    added = []
    unregister_of = {
        hooks.register_link_policy: hooks.unregister_link_policy,
        hooks.register_sign_in: hooks.unregister_sign_in,
    }

    def register(register_function, handler):
        register_function(handler)
        added.append((unregister_of[register_function], handler))
        return handler

    yield register
    for unregister, handler in added:
        unregister(handler)


def sign_in(client, next_url="/somewhere/"):
    response = client.post(reverse("oauth:sign_in", args=["acme"]), {"next": next_url})
    assert response.status_code == 302, response.content[:300]
    return finish(client, authorize(response["Location"]))


def test_connect_returns_to_the_page_it_was_started_from(acme, client, creator):
    client.force_login(creator)
    response = client.post(reverse("oauth:connect", args=["acme"]), {"next": "/jobs/some-job/"})
    response = finish(client, authorize(response["Location"]))
    assert response.redirect_chain[-1][0] == "/jobs/some-job/"
    assert LinkedAccount.objects.filter(user=creator, provider_id="acme").exists()


def test_next_pointing_off_the_site_is_ignored(acme, client, creator):
    client.force_login(creator)
    response = client.post(reverse("oauth:connect", args=["acme"]), {"next": "https://evil.example/"})
    response = finish(client, authorize(response["Location"]))
    assert response.redirect_chain[-1][0] == reverse("oauth:linked_accounts")


def test_a_link_policy_refuses_before_the_provider_is_asked(acme, client, creator, registered):
    registered(hooks.register_link_policy, lambda *, user, provider, owner_id: "Not with this account.")
    client.force_login(creator)
    response = client.post(reverse("oauth:connect", args=["acme"]), follow=True)
    assert "Not with this account." in page_text(response)
    assert not acme.seen("/authorize")
    assert not LinkedAccount.objects.exists()


def test_sign_in_creates_the_account_through_the_handler_links_it_and_returns(acme, client, registered):
    acme.user.claims = {"email": "new@example.com", "email_verified": True}
    seen = []

    def handler(*, provider, account):
        seen.append((account.subject, account.email, account.email_verified))
        return get_user_model().objects.create_user(email=account.email, name="New Person")

    registered(hooks.register_sign_in, handler)
    response = sign_in(client)
    assert response.redirect_chain[-1][0] == "/somewhere/"
    assert seen == [("user-42", "new@example.com", True)]
    user = get_user_model().objects.get(email="new@example.com")
    assert LinkedAccount.objects.get(provider_id="acme").user == user
    assert int(client.session["_auth_user_id"]) == user.pk


def test_sign_in_with_an_already_linked_account_logs_in_its_owner_without_the_handler(acme, client, creator,
                                                                                        registered):
    client.force_login(creator)
    finish(client, authorize(client.post(reverse("oauth:connect", args=["acme"]))["Location"]))
    client.logout()
    registered(hooks.register_sign_in, lambda **_: pytest.fail("the handler must not be asked"))
    sign_in(client)
    assert int(client.session["_auth_user_id"]) == creator.pk
    assert LinkedAccount.objects.count() == 1


def test_a_refusing_handler_leaves_nobody_signed_in_and_nothing_linked(acme, client, registered):
    def refuse(*, provider, account):
        raise LinkError("An account with this email exists: log in first.")

    registered(hooks.register_sign_in, refuse)
    response = sign_in(client)
    assert "An account with this email exists: log in first." in page_text(response)
    assert "_auth_user_id" not in client.session
    assert not LinkedAccount.objects.exists()


def test_an_anonymous_callback_without_sign_in_asks_to_log_in(acme, client, creator):
    client.force_login(creator)
    callback = authorize(client.post(reverse("oauth:connect", args=["acme"]))["Location"])
    client.logout()
    response = client.get(callback.split("127.0.0.1:8000")[-1] if "127.0.0.1:8000" in callback else callback)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not LinkedAccount.objects.exists()
