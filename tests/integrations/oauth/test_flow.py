"""The authorization code flow's checks: every bad answer ends on the Linked accounts page with a clear
message, and no LinkedAccount or token row is written."""

import pytest
from django.urls import reverse

from integrations.oauth.models import LinkedAccount, OAuthToken

from .helpers import authorize, connect, finish, oidc_entry, page_text, start_connect, use_provider, with_params

pytestmark = pytest.mark.django_db

STALE = "This sign-in answer is not the one Reelfolio was waiting for (it expired or was already used)."
ALREADY_DONE = "You came back to a page of Acme Freelance that had already been answered"


@pytest.fixture
def acme(settings, fake, client, creator):
    use_provider(settings, fake, oidc_entry(fake))
    client.force_login(creator)
    return fake


def assert_nothing_linked(response, message: str):
    assert response.redirect_chain[-1][0] == reverse("oauth:linked_accounts")
    assert response.status_code == 200
    assert message in page_text(response)
    assert not LinkedAccount.objects.exists()
    assert not OAuthToken.objects.exists()


def test_connect_is_a_csrf_protected_post(acme, creator):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(creator)
    assert strict.post(reverse("oauth:connect", args=["acme"])).status_code == 403
    assert strict.get(reverse("oauth:connect", args=["acme"])).status_code == 405


def test_the_authorization_request_uses_pkce_s256_state_nonce_and_the_exact_redirect_uri(acme, client, settings):
    url = start_connect(client, "acme")
    assert url.startswith(f"{acme.url}/authorize?")
    for expected in ("code_challenge_method=S256", "code_challenge=", "state=", "nonce=", "response_type=code",
                     "redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fintegrations%2Foauth%2Facme%2Fcallback%2F"):
        assert expected in url


def test_a_replayed_callback_after_linking_shows_the_account_and_changes_nothing(acme, client):
    """Back after a successful connect used to show "This sign-in answer is not the one Reelfolio was waiting
    for": the callback revisited now lands on the Linked accounts page with the account, and uses nothing."""
    callback = authorize(start_connect(client, "acme"))
    assert "is linked" in page_text(finish(client, callback))
    token_before = OAuthToken.objects.get().access_token_encrypted

    response = finish(client, callback)

    assert response.redirect_chain[-1][0] == reverse("oauth:linked_accounts")
    page = page_text(response)
    assert STALE not in page and "Connected" in page
    assert OAuthToken.objects.get().access_token_encrypted == token_before
    assert len(acme.seen("/token")) == 1


def test_a_replayed_callback_is_refused_when_the_account_is_not_linked(acme, client):
    callback = authorize(start_connect(client, "acme"))
    assert "is linked" in page_text(finish(client, callback))
    LinkedAccount.objects.update(status=LinkedAccount.Status.NEEDS_RECONNECT)

    response = finish(client, callback)

    assert ALREADY_DONE + ", so nothing changed. Start again to connect Acme Freelance." in page_text(response)
    assert LinkedAccount.objects.get().status == LinkedAccount.Status.NEEDS_RECONNECT
    assert len(acme.seen("/token")) == 1


def test_a_wrong_state_is_refused(acme, client):
    callback = authorize(start_connect(client, "acme"))
    assert_nothing_linked(finish(client, with_params(callback, state="forged-state")), STALE)
    assert not acme.seen("/token")


def test_a_state_from_another_session_is_refused(acme, client, other_creator):
    from django.test import Client

    callback = authorize(start_connect(client, "acme"))
    intruder = Client()
    intruder.force_login(other_creator)
    assert_nothing_linked(finish(intruder, callback), STALE)


def test_a_missing_code_is_refused_and_spends_the_state(acme, client):
    callback = authorize(start_connect(client, "acme"))
    assert_nothing_linked(finish(client, with_params(callback, code=None)), "Acme Freelance sent no authorization code")
    assert_nothing_linked(finish(client, callback), ALREADY_DONE)


def test_a_tampered_code_is_refused_by_the_provider(acme, client):
    callback = authorize(start_connect(client, "acme"))
    assert_nothing_linked(
        finish(client, with_params(callback, code="guessed")),
        "Acme Freelance refused to complete the sign-in (invalid_grant).",
    )


def test_pressing_deny_at_the_provider_is_a_message(acme, client):
    acme.deny = True
    response = connect(client, "acme")
    assert_nothing_linked(response, "You declined access at Acme Freelance, so nothing was linked.")


def test_an_iss_of_another_issuer_is_refused_before_the_code_is_used(acme, client):
    acme.response_iss = "https://evil.example"
    assert_nothing_linked(connect(client, "acme"), "Acme Freelance's answer came from an unexpected issuer")
    assert not acme.seen("/token")


def test_a_missing_iss_is_refused_when_the_provider_advertises_it(acme, client):
    acme.response_iss = ""
    assert_nothing_linked(connect(client, "acme"), "Acme Freelance's answer did not say who sent it")


def test_no_iss_is_fine_when_the_provider_does_not_advertise_it(acme, client):
    acme.response_iss = ""
    acme.advertise_iss = False
    assert "Your Acme Freelance account is linked." in page_text(connect(client, "acme"))


def test_a_discovery_document_naming_another_issuer_is_refused_at_connect(acme, client):
    acme.discovery_issuer = "https://evil.example"
    response = client.post(reverse("oauth:connect", args=["acme"]), follow=True)
    assert_nothing_linked(response, "Acme Freelance's discovery document names a different issuer than its address")
    assert not acme.seen("/authorize")


def test_an_id_token_with_another_nonce_is_refused(acme, client):
    acme.id_token_nonce = "replayed-nonce"
    assert_nothing_linked(connect(client, "acme"), "Acme Freelance's answer failed a security check")


def test_a_token_endpoint_answering_garbage_is_a_message(acme, client):
    acme.token_body = b"{not json"
    assert_nothing_linked(connect(client, "acme"), "Acme Freelance sent an answer Reelfolio cannot read")


def test_a_token_endpoint_that_times_out_is_a_message(acme, client, settings):
    settings.HTTP_TIMEOUT = (2.0, 0.5)
    acme.token_slow = True
    assert_nothing_linked(connect(client, "acme"), "Acme Freelance did not answer in time while trying to complete")


def test_a_provider_that_is_down_at_connect_is_a_message(settings, client, creator, fake):
    use_provider(settings, fake, oidc_entry(fake, discovery_url="http://127.0.0.1:9/.well-known/openid-configuration"))
    client.force_login(creator)
    response = client.post(reverse("oauth:connect", args=["acme"]), follow=True)
    assert_nothing_linked(response, "Acme Freelance could not be reached. Please try again later.")


def test_an_account_linked_to_another_user_is_refused_and_nothing_changes(acme, client, other_creator):
    from django.test import Client

    other = Client()
    other.force_login(other_creator)
    connect(other, "acme")
    first = LinkedAccount.objects.get()
    token_before = first.token.access_token_encrypted

    response = connect(client, "acme")

    assert "This Acme Freelance account is already linked to another Reelfolio account." in page_text(response)
    assert list(LinkedAccount.objects.values_list("user_id", flat=True)) == [other_creator.pk]
    assert OAuthToken.objects.get().access_token_encrypted == token_before


def test_reconnecting_the_same_account_updates_its_tokens(acme, client, creator):
    connect(client, "acme")
    first = OAuthToken.objects.get().access_token_encrypted
    LinkedAccount.objects.update(status="needs_reconnect")
    response = connect(client, "acme")
    assert "Your Acme Freelance account is linked." in page_text(response)
    assert LinkedAccount.objects.get().status == "active"
    assert OAuthToken.objects.get().access_token_encrypted != first


def test_a_different_account_at_the_same_provider_is_refused_until_unlinked(acme, client, creator):
    connect(client, "acme")
    acme.user.subject = "user-77"
    response = connect(client, "acme")
    expected = "You already linked a different Acme Freelance account (Casey Creator). Unlink it first"
    assert expected in page_text(response)
    assert LinkedAccount.objects.get().subject == "user-42"


def test_an_unknown_provider_is_404(client, creator):
    client.force_login(creator)
    assert client.post(reverse("oauth:connect", args=["nope"])).status_code == 404
    assert client.get(reverse("oauth:callback", args=["nope"])).status_code == 404


def test_connect_needs_a_login(acme, settings):
    from django.test import Client

    response = Client().post(reverse("oauth:connect", args=["acme"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_profile_endpoint_answering_garbage_at_connect_links_nothing(acme, client):
    original = acme.metadata
    acme.metadata = lambda: {**original(), "userinfo_endpoint": f"{acme.url}/garbage"}
    acme.routes[("GET", "/garbage")] = lambda seen: (200, {"Content-Type": "application/json"}, b'["not", "a profile"]')
    assert_nothing_linked(connect(client, "acme"), "Acme Freelance answered in a shape Reelfolio does not understand.")


def test_a_discovery_document_that_is_not_json_is_a_message(settings, client, creator, fake):
    fake.routes[("GET", "/broken/.well-known/openid-configuration")] = lambda seen: (200, {}, b"<html>down</html>")
    fake.routes[("GET", "/broken/.well-known/openid-configuration")].public = True
    use_provider(settings, fake, oidc_entry(fake, discovery_url=f"{fake.url}/broken/.well-known/openid-configuration"))
    client.force_login(creator)
    response = client.post(reverse("oauth:connect", args=["acme"]), follow=True)
    assert_nothing_linked(response, "Acme Freelance sent a discovery document that is not valid JSON.")


def test_links_a_provider_sends_are_kept_only_when_they_are_web_addresses(acme, client):
    acme.user.claims = {"profile": "javascript:alert(document.cookie)", "picture": "https://cdn.acme.example/c.png"}
    response = connect(client, "acme")
    assert "javascript:" not in response.content.decode()
    profile = LinkedAccount.objects.get().profile
    assert profile["profile_url"] == ""
    assert profile["avatar_url"] == "https://cdn.acme.example/c.png"


def test_a_provider_without_a_jwks_uri_cannot_have_its_id_token_checked(acme, client):
    original = acme.metadata
    acme.metadata = lambda: {k: v for k, v in original().items() if k != "jwks_uri"}
    assert_nothing_linked(connect(client, "acme"), "Acme Freelance sent an answer Reelfolio cannot read")


def test_an_id_token_without_a_subject_links_nothing(acme, client):
    acme.user.subject = ""
    message = "Acme Freelance did not send a valid ID token, so nothing was linked."
    assert_nothing_linked(connect(client, "acme"), message)



def test_a_token_answer_with_an_expiry_no_date_can_hold_is_a_message_and_links_nothing(acme, client):
    """Bad input: a token endpoint answering an absurd expires_in ends on the page, not in a server error."""
    acme.expires_in = 10**12
    message = "Acme Freelance sent an answer Reelfolio cannot read while trying to complete the sign-in."
    assert_nothing_linked(connect(client, "acme"), message)


def test_a_token_answer_whose_refresh_token_is_not_text_is_a_message_and_links_nothing(settings, fake, client,
                                                                                      creator):
    """Bad input: a refresh token that is a JSON list is refused before anything is stored."""
    from tests.integrations.providers.test_oauth2 import entry, install

    use_provider(settings, fake, entry(fake))
    install(fake)
    fake.access_tokens["tok-1"] = {"scope": "profile", "subject": "9001"}  # the profile API accepts it
    fake.token_body = b'{"access_token": "tok-1", "token_type": "Bearer", "refresh_token": ["r-1"]}'
    client.force_login(creator)
    message = "Folio sent an answer Reelfolio cannot read while trying to complete the sign-in."
    assert_nothing_linked(connect(client, "folio"), message)


def test_an_issuer_with_a_terminating_slash_matches_its_discovery_url(acme, client):
    """OpenID Connect Discovery §4 and RFC 8414 §3 drop the issuer's terminating "/" before appending the
    well-known path, so https://id.example/ is a valid issuer for https://id.example/.well-known/...;
    the answer's `iss` and the ID token must then name it exactly."""
    acme.issuer = f"{acme.url}/"
    assert "Your Acme Freelance account is linked." in page_text(connect(client, "acme"))


def test_an_issuer_differing_by_more_than_a_terminating_slash_is_refused(acme, client):
    acme.discovery_issuer = f"{acme.url}//"
    response = client.post(reverse("oauth:connect", args=["acme"]), follow=True)
    assert_nothing_linked(response, "Acme Freelance's discovery document names a different issuer than its address")


def test_a_state_past_its_hour_is_refused_before_the_code_is_used(acme, client):
    """The state is one-time and short-lived: Authlib records an expiry with it (an hour) but does not check it."""
    import time

    callback = authorize(start_connect(client, "acme"))
    session = client.session
    [key] = [k for k in dict(session.items()) if k.startswith("_state_acme_")]
    entry = session[key]
    entry["exp"] = time.time() - 1
    session[key] = entry
    session.save()

    assert_nothing_linked(finish(client, callback), STALE)
    assert not acme.seen("/token")
    assert not [k for k in dict(client.session.items()) if k.startswith("_state_acme_")], "the stale state is spent"


def test_a_userinfo_answer_about_another_user_than_the_id_token_links_nothing(acme, client):
    """OpenID Connect Core §5.3.2: the userinfo `sub` must be the ID token's, or the answer is not trusted."""
    acme.user.claims = {"sub": "user-99"}
    message = "Acme Freelance described a different user than the one who signed in."
    assert_nothing_linked(connect(client, "acme"), message)


def test_sync_and_unlink_are_csrf_protected_posts(acme, client, creator):
    from django.test import Client

    connect(client, "acme")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(creator)
    assert strict.post(reverse("oauth:unlink", args=["acme"])).status_code == 403
    assert strict.post(reverse("oauth:sync", args=["acme"])).status_code == 403
    assert strict.get(reverse("oauth:sync", args=["acme"])).status_code == 405
    linked = LinkedAccount.objects.get()
    assert linked.status == "active"
    assert OAuthToken.objects.filter(linked_account=linked).exists()


def test_a_jwks_answering_garbage_links_nothing(acme, client):
    """The ID token cannot be checked against keys that are not JSON: nothing is linked, and the message
    says the provider answered garbage rather than that it could not be reached."""
    original = acme.metadata
    acme.metadata = lambda: {**original(), "jwks_uri": f"{acme.url}/broken-jwks"}
    acme.routes[("GET", "/broken-jwks")] = lambda seen: (200, {"Content-Type": "application/json"}, b"<html>")
    acme.routes[("GET", "/broken-jwks")].public = True
    message = "Acme Freelance sent an answer Reelfolio cannot read while trying to complete the sign-in."
    assert_nothing_linked(connect(client, "acme"), message)  # not "could not be reached": it answered
