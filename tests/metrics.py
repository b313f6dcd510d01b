"""Reads GET /metrics the way Prometheus does: with the bearer token, parsed by prometheus-client's own parser."""

from prometheus_client.parser import text_string_to_metric_families

TOKEN = "metrics-token-for-the-tests"


def scrape(client) -> dict[tuple[str, frozenset], float]:
    """Every sample of /metrics by (name, labels)."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    """The sample's value, 0 when it has not appeared yet (a counter no process has moved)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def requests(samples: dict, group: str, method: str = "GET", status: str = "2xx") -> float:
    return value(samples, "reelfolio_http_requests_total", group=group, method=method, status=status)
