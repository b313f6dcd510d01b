"""The OpenAPI schema and the Swagger UI docs of the partner API."""

import pytest
from django.urls import path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from portfolio.creators.api import AnchorsApi


def test_the_anchor_endpoint_is_described_without_warnings_and_validates():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/v1/anchors/", AnchorsApi.as_view())])
    schema = generator.get_schema(request=None, public=True)
    assert not GENERATOR_STATS, f"drf-spectacular warned: {dict(GENERATOR_STATS._warn_cache)}"
    validate_schema(schema)

    operation = schema["paths"]["/api/v1/anchors/"]["get"]
    assert operation["security"] == [{"partnerApiKey": []}]
    assert schema["components"]["securitySchemes"]["partnerApiKey"]["scheme"] == "bearer"
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert parameters["video_id"]["schema"]["maxItems"] == 100
    assert parameters["platform"]["required"] is True
    assert set(operation["responses"]) == {"200", "304", "400", "401", "403", "414", "415", "429", "503"}


@pytest.mark.django_db
def test_the_schema_and_the_docs_answer_200(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/anchors/" in schema.json()["paths"]

    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    # Swagger UI's start-up script is a file of its own (the CSP allows no inline script).
    assert '<script src="/api/docs/?script="></script>' in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in script.content.decode()
    assert '"validatorUrl": null' in script.content.decode()  # no badge fetched from validator.swagger.io


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_docs_page_renders_from_our_own_files_only(page, live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/docs/")
    page.get_by_text("Anchors to render on videos", exact=True).wait_for()
    assert page.get_by_role("heading", name="Reelfolio API").is_visible()

    outside = [url for url in requested if not url.startswith(live_server.url)]
    assert outside == []
    bundle = "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    assert any(url.endswith(bundle) for url in requested)
