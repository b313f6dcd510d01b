import pytest
from joserfc.jwk import KeySet

from integrations.sandbox.models import SandboxSigningKey

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def test_discovery_document_is_built_from_site_url_at_request_time(client, settings):
    settings.SITE_URL = "https://reelfolio.example"

    response = client.get("/sandbox/.well-known/openid-configuration")

    assert response.status_code == 200
    document = response.json()
    assert document["issuer"] == "https://reelfolio.example/sandbox"
    assert document["authorization_endpoint"] == "https://reelfolio.example/sandbox/oauth/authorize"
    assert document["token_endpoint"] == "https://reelfolio.example/sandbox/oauth/token"
    assert document["revocation_endpoint"] == "https://reelfolio.example/sandbox/oauth/revoke"
    assert document["userinfo_endpoint"] == "https://reelfolio.example/sandbox/oauth/userinfo"
    assert document["jwks_uri"] == "https://reelfolio.example/sandbox/oauth/jwks"
    assert document["authorization_response_iss_parameter_supported"] is True
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert set(document["token_endpoint_auth_methods_supported"]) == {"client_secret_basic", "client_secret_post"}
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"openid", "offline_access", "portfolio.read", "videos.read"} <= set(document["scopes_supported"])


def test_rfc8414_path_serves_the_same_document(client):
    openid = client.get("/sandbox/.well-known/openid-configuration").json()
    oauth = client.get("/.well-known/oauth-authorization-server/sandbox").json()

    assert oauth == openid


def test_metadata_refuses_post_with_an_oauth_error(client):
    response = client.post("/sandbox/.well-known/openid-configuration")

    assert response.status_code == 405
    assert response.json() == {"error": "invalid_request", "error_description": "Use GET."}


def test_jwks_publishes_one_public_rs256_key_generated_once(client):
    first = client.get("/sandbox/oauth/jwks").json()
    second = client.get("/sandbox/oauth/jwks").json()

    assert first == second
    assert SandboxSigningKey.objects.count() == 1
    [key] = first["keys"]
    assert key["kty"] == "RSA"
    assert key["alg"] == "RS256"
    assert key["use"] == "sig"
    assert key["kid"] == SandboxSigningKey.objects.get().kid
    assert "d" not in key and "p" not in key, "the private part must never be published"
    KeySet.import_key_set(first)  # a valid JWK set
