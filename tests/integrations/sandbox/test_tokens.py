"""Refresh-token rotation, revocation (RFC 7009) and token expiry."""

import logging
import time

import pytest

from integrations.sandbox.models import SandboxToken
from tests.integrations.sandbox.conftest import FREELANCE, VIDEO, basic_auth

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

ME = "/sandbox/api/freelance/me"


def refresh(flow, refresh_token: str, provider: str = FREELANCE, **extra):
    return flow.token({"grant_type": "refresh_token", "refresh_token": refresh_token, **extra}, provider=provider)


def revoke(flow, token: str, provider: str = FREELANCE, **extra):
    info = flow.seeded.clients[provider]
    return flow.client.post(
        "/sandbox/oauth/revoke",
        {"token": token, **extra},
        HTTP_AUTHORIZATION=basic_auth(info.client_id, info.client_secret),
    )


def test_refresh_rotates_and_the_old_refresh_token_stops_working(flow):
    first = flow.tokens()

    response = refresh(flow, first["refresh_token"])

    assert response.status_code == 200, response.content
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["expires_in"] == 3600
    assert second["scope"] == first["scope"]
    assert flow.api(ME, second["access_token"]).status_code == 200

    reused = refresh(flow, first["refresh_token"])
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    # The access token that came with the retired refresh token is retired too.
    assert flow.api(ME, first["access_token"]).status_code == 401

    third = refresh(flow, second["refresh_token"])
    assert third.status_code == 200


def test_refresh_may_narrow_the_scope_but_not_widen_it(flow):
    tokens = flow.tokens()

    narrower = refresh(flow, tokens["refresh_token"], scope="portfolio.read")
    wider = refresh(flow, narrower.json()["refresh_token"], scope="portfolio.read videos.read")

    assert narrower.status_code == 200
    assert narrower.json()["scope"] == "portfolio.read"
    assert wider.status_code == 400
    assert wider.json()["error"] == "invalid_scope"


def test_a_refresh_token_works_only_for_its_own_client(flow):
    tokens = flow.tokens(FREELANCE)

    response = refresh(flow, tokens["refresh_token"], provider=VIDEO)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert refresh(flow, tokens["refresh_token"], provider=FREELANCE).status_code == 200


def test_unknown_refresh_token_is_invalid_grant(flow, seeded):
    response = refresh(flow, "not-a-refresh-token")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_revoking_the_access_token_ends_it_but_not_the_refresh_token(flow):
    tokens = flow.tokens()

    response = revoke(flow, tokens["access_token"], token_type_hint="access_token")

    assert response.status_code == 200
    denied = flow.api(ME, tokens["access_token"])
    assert denied.status_code == 401
    assert denied.json()["error"] == "invalid_token"
    assert refresh(flow, tokens["refresh_token"]).status_code == 200


def test_revoking_the_refresh_token_ends_both(flow):
    tokens = flow.tokens()

    # A wrong hint is only a hint (RFC 7009 section 2.1).
    response = revoke(flow, tokens["refresh_token"], token_type_hint="access_token")

    assert response.status_code == 200
    refused = refresh(flow, tokens["refresh_token"])
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    assert flow.api(ME, tokens["access_token"]).status_code == 401


def test_revoking_an_unknown_or_already_revoked_token_answers_200(flow):
    tokens = flow.tokens()
    assert revoke(flow, tokens["refresh_token"]).status_code == 200

    assert revoke(flow, tokens["refresh_token"]).status_code == 200
    assert revoke(flow, "never-issued").status_code == 200


def test_another_client_cannot_revoke_a_token(flow):
    tokens = flow.tokens(FREELANCE)

    response = revoke(flow, tokens["access_token"], provider=VIDEO)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert flow.api(ME, tokens["access_token"]).status_code == 200


def test_revocation_needs_client_authentication_and_a_token(flow, client):
    tokens = flow.tokens()

    anonymous = client.post("/sandbox/oauth/revoke", {"token": tokens["access_token"]})
    missing = revoke(flow, "")
    missing_param = client.post(
        "/sandbox/oauth/revoke", {}, HTTP_AUTHORIZATION=basic_auth(
            flow.seeded.clients[FREELANCE].client_id, flow.seeded.clients[FREELANCE].client_secret
        )
    )

    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "invalid_client"
    assert missing.status_code == 200  # an empty token is simply unknown
    assert missing_param.status_code == 400
    assert missing_param.json() == {"error": "invalid_request", "error_description": "Missing 'token'."}
    assert flow.api(ME, tokens["access_token"]).status_code == 200


def test_an_unknown_token_type_hint_is_ignored(flow):
    tokens = flow.tokens()

    response = revoke(flow, tokens["access_token"], token_type_hint="id_token")

    assert response.status_code == 200
    assert flow.api(ME, tokens["access_token"]).status_code == 401


def test_an_expired_access_token_is_refused_and_refresh_still_works(flow, settings):
    settings.SANDBOX_ACCESS_TOKEN_SECONDS = 120
    tokens = flow.tokens()
    assert tokens["expires_in"] == 120
    SandboxToken.objects.update(issued_at=int(time.time()) - 121)

    expired = flow.api(ME, tokens["access_token"])

    assert expired.status_code == 401
    assert expired.json() == {
        "error": "invalid_token",
        "error_description": "The access token is missing, expired or revoked.",
    }
    assert refresh(flow, tokens["refresh_token"]).status_code == 200


def test_tokens_never_reach_the_logs_even_at_debug_level(flow, caplog):
    caplog.set_level(logging.DEBUG)

    tokens = flow.tokens()
    refreshed = refresh(flow, tokens["refresh_token"]).json()

    assert caplog.records, "the requests were logged"
    for secret in (tokens["access_token"], tokens["refresh_token"], refreshed["access_token"],
                   refreshed["refresh_token"], flow.seeded.clients[FREELANCE].client_secret):
        assert secret not in caplog.text
