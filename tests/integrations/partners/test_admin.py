"""Operators create partners and keys in the admin (secrets shown once) and revoke keys there."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.urls import reverse

from integrations.partners import selectors, services
from integrations.partners.models import ApiKey, Partner
from portfolio.accounts.models import User

pytestmark = pytest.mark.django_db

ANCHORS = "/api/v1/anchors/?platform=p&video_id=v"


@pytest.fixture
def operator(client):
    user = User.objects.create_superuser(email="ops@reelfolio.example", password="orchid-lantern-42", name="Ops")
    client.force_login(user)
    return user


def shown(html, element_id):
    return re.search(rf'<code id="{element_id}">([^<]+)</code>', html)[1]


def test_adding_a_partner_shows_its_key_and_webhook_secret_once(client, operator):
    response = client.post(
        reverse("admin:partners_partner_add"),
        {"name": "Acme Video", "slug": "", "signature_scheme": "standard_webhooks", "scopes": ["anchors:read"]},
        follow=True,
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Store these now: they are not shown again" in html
    key, secret = shown(html, "api-key"), shown(html, "webhook-secret")

    partner = Partner.objects.get()
    assert partner.slug == "acme-video"
    assert selectors.partner_webhook_secret(partner=partner) == secret
    assert client.get(ANCHORS, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200

    # The partner's page lists the key by prefix only, and shows neither secret.
    page = client.get(reverse("admin:partners_partner_change", args=[partner.pk])).content.decode()
    assert ApiKey.objects.get().prefix in page
    assert key not in page and secret not in page
    assert "New API key" in page


NEW_PARTNER = {"name": "Acme Video", "slug": "", "signature_scheme": "standard_webhooks", "scopes": ["anchors:read"]}


def test_reloading_the_page_of_a_new_partners_secrets_creates_nothing_and_says_they_are_gone(client, operator):
    """Regression: the secrets page answered the POST itself, so reloading it re-submitted the form and
    failed with "Partner with this Slug already exists" (or, for a key, made another key)."""
    posted = client.post(reverse("admin:partners_partner_add"), NEW_PARTNER)
    assert posted.status_code == 302
    page = client.get(posted["Location"])
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    key, secret = shown(page.content.decode(), "api-key"), shown(page.content.decode(), "webhook-secret")

    # Neither secret travels in the redirect, its URL or a cookie (the session lives in the database).
    for value in (key, secret):
        assert value not in posted["Location"]
        assert not [name for name, cookie in posted.cookies.items() if value in cookie.value]
        assert not [name for name, cookie in page.cookies.items() if value in cookie.value]

    reloaded = client.get(posted["Location"])
    assert reloaded.status_code == 410
    assert "no-store" in reloaded["Cache-Control"]
    html = reloaded.content.decode()
    assert "These secrets were shown once and are gone" in html
    assert "Nothing was created again." in html
    assert key not in html and secret not in html
    assert (Partner.objects.count(), ApiKey.objects.count()) == (1, 1)
    assert client.get(ANCHORS, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_reloading_the_page_of_a_new_key_makes_no_second_key(client, operator):
    partner = services.partner_create(name="Acme Video", key_scopes=None).partner
    posted = client.post(
        reverse("admin:partners_apikey_add"), {"partner": partner.pk, "name": "CDN", "scopes": ["anchors:read"]}
    )
    assert posted.status_code == 302
    key = shown(client.get(posted["Location"]).content.decode(), "api-key")
    assert key not in posted["Location"]

    reloaded = client.get(posted["Location"])
    assert reloaded.status_code == 410
    assert "These secrets were shown once and are gone" in reloaded.content.decode()
    assert key not in reloaded.content.decode()
    assert ApiKey.objects.count() == 1


def test_another_operators_session_cannot_see_the_secrets(client, operator, django_user_model):
    posted = client.post(reverse("admin:partners_partner_add"), NEW_PARTNER)
    other = django_user_model.objects.create_superuser(
        email="ops2@reelfolio.example", password="orchid-lantern-42", name="Other Ops"
    )
    other_client = Client()
    other_client.force_login(other)
    response = other_client.get(posted["Location"])
    assert response.status_code == 410
    assert 'id="api-key"' not in response.content.decode()
    assert shown(client.get(posted["Location"]).content.decode(), "api-key").startswith("rfk_")


def test_manage_py_check_refuses_the_signed_cookie_session_engine(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    with pytest.raises(SystemCheckError, match="SESSION_ENGINE is the signed-cookie engine"):
        call_command("check")


def test_a_taken_name_is_shown_on_the_form(client, operator):
    services.partner_create(name="Acme Video")
    response = client.post(
        reverse("admin:partners_partner_add"),
        {"name": "Acme Video", "signature_scheme": "standard_webhooks", "scopes": ["anchors:read"]},
    )
    assert "Partner with this Name already exists." in response.content.decode()
    assert Partner.objects.count() == 1


def test_a_new_key_is_made_from_the_admin_and_shown_once(client, operator):
    partner = services.partner_create(name="Acme Video", key_scopes=None).partner
    form = client.get(reverse("admin:partners_apikey_add") + f"?partner={partner.pk}")
    assert f'<option value="{partner.pk}" selected>Acme Video</option>' in form.content.decode()

    response = client.post(
        reverse("admin:partners_apikey_add"),
        {"partner": partner.pk, "name": "CDN", "scopes": ["anchors:read"]},
        follow=True,
    )
    key = shown(response.content.decode(), "api-key")
    assert ApiKey.objects.get().name == "CDN"
    assert client.get(ANCHORS, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_revoking_a_key_asks_first_then_the_api_refuses_it(client, operator, django_capture_on_commit_callbacks):
    created = services.partner_create(name="Acme Video")
    assert client.get(ANCHORS, HTTP_AUTHORIZATION=f"Bearer {created.key}").status_code == 200
    url = reverse("admin:partners_apikey_revoke", args=[created.api_key.pk])

    confirm = client.get(url)
    assert "Revoke API keys?" in confirm.content.decode()
    assert "A revoked key cannot be restored" in confirm.content.decode()
    assert ApiKey.objects.get().revoked_at is None

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "yes"}, follow=True)
    assert "Revoked 1 API key(s)." in response.content.decode()
    assert ApiKey.objects.get().revoked_at is not None
    refused = client.get(ANCHORS, HTTP_AUTHORIZATION=f"Bearer {created.key}")
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "This API key has been revoked."


def test_the_revoke_action_on_the_key_list(client, operator, django_capture_on_commit_callbacks):
    created = services.partner_create(name="Acme Video")
    other, _ = services.api_key_create(partner=created.partner, name="kept")
    changelist = reverse("admin:partners_apikey_changelist")
    selection = {"action": "revoke_selected", "_selected_action": [created.api_key.pk]}

    confirm = client.post(changelist, selection)
    assert "Revoke API keys?" in confirm.content.decode()
    assert not ApiKey.objects.filter(revoked_at__isnull=False).exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(changelist, {**selection, "confirm": "yes"})
    assert list(ApiKey.objects.filter(revoked_at__isnull=False)) == [created.api_key]
    assert not ApiKey.objects.get(pk=other.pk).is_revoked


def test_partners_and_keys_cannot_be_deleted_only_disabled_and_revoked(client, operator):
    created = services.partner_create(name="Acme Video")
    assert client.get(reverse("admin:partners_partner_delete", args=[created.partner.pk])).status_code == 403
    assert client.get(reverse("admin:partners_apikey_delete", args=[created.api_key.pk])).status_code == 403


def test_disabling_a_partner_in_the_admin_stops_its_keys(client, operator, django_capture_on_commit_callbacks):
    created = services.partner_create(name="Acme Video")
    assert client.get(ANCHORS, HTTP_AUTHORIZATION=f"Bearer {created.key}").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:partners_partner_change", args=[created.partner.pk]),
            {
                "name": "Acme Video",
                "signature_scheme": "standard_webhooks",
                # is_active unticked
                "api_keys-TOTAL_FORMS": "1",
                "api_keys-INITIAL_FORMS": "1",
                "api_keys-MIN_NUM_FORMS": "0",
                "api_keys-MAX_NUM_FORMS": "1000",
                "api_keys-0-id": created.api_key.pk,
                "api_keys-0-partner": created.partner.pk,
            },
        )
    assert response.status_code == 302
    assert Partner.objects.get().is_active is False
    refused = client.get(ANCHORS, HTTP_AUTHORIZATION=f"Bearer {created.key}")
    assert refused.json()["error"]["message"] == "This partner is disabled."


def test_the_admin_lists_open(client, operator):
    services.partner_create(name="Acme Video")
    assert client.get(reverse("admin:partners_partner_changelist")).status_code == 200
    assert client.get(reverse("admin:partners_apikey_changelist")).status_code == 200
    api_key = ApiKey.objects.get()
    page = client.get(reverse("admin:partners_apikey_change", args=[api_key.pk])).content.decode()
    assert "Revoke this key…" in page


@pytest.mark.parametrize(
    ("changelist", "queries"), [("admin:partners_partner_changelist", 5), ("admin:partners_apikey_changelist", 6)]
)
def test_the_admin_lists_cost_the_same_queries_for_one_partner_or_many(
    client, operator, django_assert_num_queries, changelist, queries
):
    """Each row reads nothing more from the database (a key's partner comes with the key): twenty partners
    and their keys cost an operator no more queries than one."""
    services.partner_create(name="Partner 0")
    with django_assert_num_queries(queries):
        assert "Partner 0" in client.get(reverse(changelist)).content.decode()
    for n in range(1, 20):
        services.partner_create(name=f"Partner {n}")
    with django_assert_num_queries(queries):
        assert "Partner 19" in client.get(reverse(changelist)).content.decode()
