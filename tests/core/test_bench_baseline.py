"""The benchmark's second baseline, /bench/baseline, exists only under the benchmark's own settings."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_production_does_not_route_the_benchmark_baseline(client):
    assert client.get("/bench/baseline").status_code == 404


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_benchmark_settings_add_a_small_json_answer_beside_every_reelfolio_url():
    client = Client()
    response = client.get("/bench/baseline")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "service": "reelfolio"}
    assert client.get("/healthz").json() == {"status": "ok"}
