"""The authorization-code + PKCE flow of the sandbox authorization server, through Django's test client."""

import time

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from integrations.sandbox.models import SandboxAuthorizationCode, SandboxToken
from tests.integrations.sandbox.conftest import FREELANCE, VIDEO, basic_auth, query_of

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

ISSUER = "http://127.0.0.1:8000/sandbox"


def test_whole_flow_login_consent_code_token_userinfo_and_signed_id_token(flow, client, settings):
    params = flow.authorize_params(FREELANCE)
    url = flow.authorize_url(params)

    # Not logged in to the sandbox: its own login page first.
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/sandbox/login?next=")
    login_page = client.get(response["Location"])
    assert "Sandbox partner" in login_page.content.decode()
    assert "Log in to the sandbox partner" in login_page.content.decode()

    wrong = flow.login(password="not-the-password", next_url=url)
    assert wrong.status_code == 400
    assert "Wrong sandbox username or password." in wrong.content.decode()

    logged_in = flow.login(next_url=url)
    assert logged_in.status_code == 302
    assert logged_in["Location"] == url

    consent = client.get(url)
    assert consent.status_code == 200
    page = consent.content.decode()
    assert "Allow Reelfolio (freelance profile) to access your sandbox account?" in page
    assert "Read your freelance profile and portfolio projects" in page
    assert "Casey Creator" in page
    assert "Sandbox partner" in page

    allowed = flow.consent(url, "allow")
    assert allowed.status_code == 302
    location = allowed["Location"]
    assert location.startswith(params["redirect_uri"] + "?")
    query = query_of(location)
    assert query["state"] == params["state"]
    assert query["iss"] == ISSUER
    assert len(query["code"]) >= 40

    response = flow.exchange(query["code"], params)
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["scope"] == "openid profile email offline_access portfolio.read"
    assert tokens["access_token"] and tokens["refresh_token"]

    # The ID token: signed with the published key, for this client, carrying the nonce.
    jwks = KeySet.import_key_set(client.get("/sandbox/oauth/jwks").json())
    decoded = jwt.decode(tokens["id_token"], jwks, algorithms=["RS256"])
    assert decoded.header["kid"] == jwks.keys[0].kid
    claims = decoded.claims
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": "reelfolio-sandbox-freelance"},
        nonce={"essential": True, "value": params["nonce"]},
        sub={"essential": True, "value": "sbx-u-1"},
    ).validate(claims)
    assert claims["exp"] > time.time()
    assert claims["name"] == "Casey Creator"
    assert claims["email"] == "casey@sandbox.reelfolio.test"

    userinfo = flow.api("/sandbox/oauth/userinfo", tokens["access_token"])
    assert userinfo.status_code == 200
    assert userinfo.json() == {
        "sub": "sbx-u-1",
        "name": "Casey Creator",
        "preferred_username": "casey",
        "profile": "http://127.0.0.1:8000/sandbox/freelancers/casey",
        "picture": "http://127.0.0.1:8000/static/sandbox/avatars/casey.png",
        "email": "casey@sandbox.reelfolio.test",
        "email_verified": True,
    }

    # Nothing secret is stored in the clear.
    stored = SandboxToken.objects.get()
    assert tokens["access_token"] not in (stored.access_token_digest, stored.refresh_token_digest)


def test_a_code_works_once_and_its_replay_revokes_the_tokens_it_gave(flow):
    code, params = flow.code_for()
    first = flow.exchange(code, params).json()
    refreshed = flow.token({"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}).json()

    again = flow.exchange(code, params)

    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant", "error_description": "Invalid 'code' in request."}
    assert SandboxToken.objects.count() == 2
    # RFC 6749 section 4.1.2: the code leaked, so the whole family of tokens it gave is revoked.
    assert flow.api("/sandbox/api/freelance/me", refreshed["access_token"]).status_code == 401
    replayed_refresh = flow.token({"grant_type": "refresh_token", "refresh_token": refreshed["refresh_token"]})
    assert replayed_refresh.json()["error"] == "invalid_grant"


def test_video_client_without_openid_gets_tokens_but_no_id_token(flow):
    tokens = flow.tokens(VIDEO)

    assert "id_token" not in tokens
    assert tokens["scope"] == "videos.read offline_access"
    assert tokens["refresh_token"]


def test_scopes_a_client_is_not_registered_for_are_dropped(flow):
    code, params = flow.code_for(VIDEO, scope="videos.read portfolio.read")

    tokens = flow.exchange(code, params, provider=VIDEO).json()

    assert tokens["scope"] == "videos.read"


def test_deny_redirects_with_access_denied_state_and_iss(flow):
    params = flow.authorize_params()
    url = flow.authorize_url(params)
    flow.login(next_url=url)

    response = flow.consent(url, "deny")

    assert response.status_code == 302
    query = query_of(response["Location"])
    assert response["Location"].startswith(params["redirect_uri"])
    assert query["error"] == "access_denied"
    assert query["state"] == params["state"]
    assert query["iss"] == ISSUER
    assert "code" not in query
    assert not SandboxAuthorizationCode.objects.exists()


def test_consent_without_a_decision_asks_again(flow):
    url = flow.authorize_url(flow.authorize_params())
    flow.login(next_url=url)

    response = flow.consent(url, "maybe")

    assert response.status_code == 400
    assert "Choose Allow or Deny." in response.content.decode()
    assert not SandboxAuthorizationCode.objects.exists()


def test_wrong_redirect_uri_is_refused_on_the_page_without_redirecting(flow, client):
    params = flow.authorize_params(redirect_uri="https://attacker.example/callback/")

    response = client.get(flow.authorize_url(params))

    assert response.status_code == 400
    page = response.content.decode()
    assert "The &#x27;redirect_uri&#x27; is not registered for this client." in page
    assert "attacker.example" not in page


def test_unknown_client_is_refused_on_the_page(flow, client):
    response = client.get(flow.authorize_url(flow.authorize_params(client_id="someone-else")))

    assert response.status_code == 400
    assert "The client does not exist on this server." in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code_challenge": None, "code_challenge_method": None}, "this server requires PKCE (S256)"),
        ({"code_challenge_method": "plain"}, "this server requires 'S256'"),
        ({"code_challenge_method": None}, "this server requires 'S256'"),
    ],
)
def test_authorization_without_s256_pkce_is_refused_back_to_the_client(flow, client, overrides, message):
    params = flow.authorize_params(**overrides)
    flow.login(next_url="")

    response = client.get(flow.authorize_url(params))

    assert response.status_code == 302
    query = query_of(response["Location"])
    assert query["error"] == "invalid_request"
    assert message in query["error_description"]
    assert query["state"] == params["state"]
    assert query["iss"] == ISSUER


def test_token_request_without_code_verifier_is_refused(flow):
    code, params = flow.code_for()

    response = flow.exchange(code, params, code_verifier=None)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": "Missing 'code_verifier'."}


def test_token_request_with_wrong_code_verifier_is_invalid_grant(flow):
    code, params = flow.code_for()

    response = flow.exchange(code, params, code_verifier="x" * 50)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "Code challenge failed."}


def test_token_request_with_another_redirect_uri_is_invalid_grant(flow):
    code, params = flow.code_for()

    response = flow.exchange(code, params, redirect_uri="http://127.0.0.1:8000/elsewhere/")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert "redirect_uri" in response.json()["error_description"]


def test_code_of_one_client_does_not_work_for_the_other(flow):
    code, params = flow.code_for(FREELANCE)

    response = flow.exchange(code, params, provider=VIDEO)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_wrong_client_secret_is_invalid_client_401(flow):
    code, params = flow.code_for()

    response = flow.token(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": params["redirect_uri"],
         "code_verifier": flow.verifier},
        secret="wrong-secret",
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response["WWW-Authenticate"].startswith("Basic ")


def test_client_secret_post_is_accepted(flow, client):
    code, params = flow.code_for()
    info = flow.seeded.clients[FREELANCE]

    response = client.post("/sandbox/oauth/token", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": params["redirect_uri"],
        "code_verifier": flow.verifier, "client_id": info.client_id, "client_secret": info.client_secret,
    })

    assert response.status_code == 200
    assert response.json()["access_token"]


def test_unsupported_grant_type_and_get_on_the_token_endpoint(client, seeded):
    info = seeded.clients[FREELANCE]
    auth = basic_auth(info.client_id, info.client_secret)

    password_grant = client.post("/sandbox/oauth/token", {"grant_type": "password"}, HTTP_AUTHORIZATION=auth)
    get = client.get("/sandbox/oauth/token")

    assert password_grant.status_code == 400
    assert password_grant.json()["error"] == "unsupported_grant_type"
    assert get.status_code == 405
    assert get.json() == {"error": "invalid_request", "error_description": "Use POST."}


def test_expired_code_is_invalid_grant(flow):
    code, params = flow.code_for()
    SandboxAuthorizationCode.objects.update(expires_at=SandboxAuthorizationCode.objects.get().created_at)

    response = flow.exchange(code, params)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "Invalid 'code' in request."}


def test_a_nonce_cannot_be_replayed_even_after_its_code_was_redeemed(flow, client):
    code, params = flow.code_for(nonce="same-nonce-twice")
    assert flow.exchange(code, params).status_code == 200

    again = client.get(flow.authorize_url(flow.authorize_params(nonce="same-nonce-twice")))

    assert again.status_code == 302
    assert query_of(again["Location"])["error"] == "invalid_request"


def test_prompt_none_without_a_sandbox_login_answers_login_required(flow, client):
    params = flow.authorize_params(prompt="none")

    response = client.get(flow.authorize_url(params))

    assert response.status_code == 302
    query = query_of(response["Location"])
    assert query["error"] == "login_required"
    assert query["iss"] == ISSUER


def test_prompt_none_with_a_sandbox_login_answers_consent_required(flow, client):
    params = flow.authorize_params(prompt="none")
    flow.login()

    response = client.get(flow.authorize_url(params))

    assert response.status_code == 302
    query = query_of(response["Location"])
    assert query["error"] == "consent_required"
    assert query["state"] == params["state"]


def test_prompt_login_asks_for_the_password_again_once(flow, client):
    params = flow.authorize_params(prompt="login consent")
    flow.login()

    response = client.get(flow.authorize_url(params))

    assert response.status_code == 302
    assert response["Location"].startswith("/sandbox/login?next=")
    next_url = query_of(response["Location"])["next"]
    assert query_of(next_url)["prompt"] == "consent"
    assert flow.login(next_url=next_url)["Location"] == next_url
    consent = client.get(next_url)
    assert consent.status_code == 200
    assert "to access your sandbox account?" in consent.content.decode()


def test_sandbox_login_is_not_a_reelfolio_login(flow, client):
    flow.login()

    home = client.get("/")

    assert "_auth_user_id" not in client.session
    assert home.wsgi_request.user.is_anonymous


def test_switching_sandbox_account_from_the_consent_page(flow, client):
    url = flow.authorize_url(flow.authorize_params())
    flow.login(next_url=url)

    response = client.post("/sandbox/logout", {"next": url})

    assert response.status_code == 302
    assert response["Location"].startswith("/sandbox/login?next=")
    assert client.get(url)["Location"].startswith("/sandbox/login")


def test_login_ignores_a_next_url_outside_the_sandbox(flow):
    response = flow.login(next_url="https://attacker.example/")

    assert response.status_code == 302
    assert response["Location"] == "/sandbox/freelancers/casey"


@pytest.mark.parametrize(
    "params",
    [
        {"response_type": 'co"de\\', "client_id": "reelfolio-sandbox-freelance"},
        {"response_type": "code", "client_id": "reelfolio-sandbox-freelance", "redirect_uri": 'x"\\ü'},
        {"response_type": "token", "client_id": "reelfolio-sandbox-freelance"},
        {"response_type": "code"},
        {},
    ],
)
def test_bad_authorization_requests_get_a_clear_400_never_a_500(client, seeded, params):
    response = client.get("/sandbox/oauth/authorize", params)

    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert "This connection request cannot be used" in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"grant_type": 'x"\\ü'},
        {"grant_type": "authorization_code"},
        {"grant_type": "authorization_code", "code": 'ü"\\', "code_verifier": "ü" * 50},
        {"grant_type": "refresh_token"},
        {"grant_type": "refresh_token", "refresh_token": "ü", "scope": 'ü"'},
        {},
    ],
)
def test_bad_token_requests_get_an_oauth_error_never_a_500(client, seeded, data):
    info = seeded.clients[FREELANCE]
    auth = basic_auth(info.client_id, info.client_secret)

    response = client.post("/sandbox/oauth/token", data, HTTP_AUTHORIZATION=auth)
    garbled = client.post("/sandbox/oauth/token", data, HTTP_AUTHORIZATION="Basic %%%not-base64")

    assert response.status_code == 400
    assert response.json()["error"] in {"invalid_request", "invalid_grant", "unsupported_grant_type", "invalid_scope"}
    assert garbled.status_code in (400, 401)
    assert "error" in garbled.json()


def test_nul_characters_anywhere_get_a_clear_error_never_a_500(flow, client, seeded):
    """PostgreSQL refuses NUL in a query; every entry point must answer with a 4xx instead."""
    info = seeded.clients[FREELANCE]
    auth = basic_auth(info.client_id, info.client_secret)

    responses = [
        client.get("/sandbox/oauth/authorize", {"response_type": "code", "client_id": "a\x00b"}),
        client.get(flow.authorize_url(flow.authorize_params(nonce="n\x00"))),
        client.post("/sandbox/oauth/token", {"grant_type": "refresh_token", "refresh_token": "r\x00"},
                    HTTP_AUTHORIZATION=auth),
        client.post("/sandbox/oauth/token", {"grant_type": "authorization_code", "code": "c\x00",
                                             "redirect_uri": info.redirect_uri, "code_verifier": "v" * 50},
                    HTTP_AUTHORIZATION=auth),
        client.post("/sandbox/oauth/token", {"grant_type": "authorization_code", "client_id": "a\x00",
                                             "client_secret": "s"}),
        client.post("/sandbox/oauth/revoke", {"token": "t\x00"}, HTTP_AUTHORIZATION=auth),
        client.post("/sandbox/oauth/token", {"grant_type": "refresh_token", "refresh_token": "r"},
                    HTTP_AUTHORIZATION=basic_auth("a\x00", "b")),
        client.post("/sandbox/login", {"username": "casey\x00", "password": "x"}),
        client.get("/sandbox/videos/v-1001%00"),
    ]

    for response in responses:
        assert 300 <= response.status_code < 500, (response.status_code, response.content[:200])
