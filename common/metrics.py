"""Metrics: every number Reelfolio tells its operators, and `GET /metrics`, which hands them to Prometheus.

- **Requests.** `MetricsMiddleware`, above the early answers in MIDDLEWARE (so it also counts the hot paths
  they answer), counts each request by route group, method and status class, and times it.
- **Queues.** What waits in the database is measured when Prometheus asks, by each app's own cheap query
  (`register_queue`, from AppConfig.ready()): how many items wait and how old the oldest is.
- **Gauges read at scrape time.** Anything else read when asked (`register_gauge`): the ages of the worker's
  heartbeat and of the last fold of the clicks.
- **Counters of the processes.** The cache breaker (common/cache.py), the worker's tasks by outcome
  (portfolio/celery.py), the clicks folded.

Under gunicorn's and Celery's several processes, each process writes its numbers to files in
PROMETHEUS_MULTIPROC_DIR (prometheus-client's multiprocess mode) and `/metrics` adds them up; without it,
the numbers are this process's own.

`/metrics` answers only `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time); without a
METRICS_TOKEN the path is a 404, as if it did not exist.
"""

import hmac
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Min, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.registry import Collector

# --- Requests ---------------------------------------------------------------------------------------

# The route groups, by path prefix, first match wins: a fixed handful of values, never the path itself.
ROUTE_GROUPS: tuple[tuple[str, str], ...] = (
    ("/api/v1/anchors", "anchor_api"),
    ("/l/", "short_links"),
    ("/@", "landing_pages"),
    ("/jobs/manage/", "pages"),  # the employer's own pages
    ("/jobs/", "landing_pages"),  # a job's page, its card and its apply steps
    ("/integrations/webhooks/", "webhook_receive"),
    ("/api/", "employer_api"),
    ("/static/", "static"),
    ("/healthz", "health"),
    ("/readyz", "health"),
    ("/metrics", "metrics"),
)

REQUESTS = Counter(
    "reelfolio_http_requests_total", "Requests answered, by route group, method and status class.",
    ["group", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "reelfolio_http_request_duration_seconds", "Time to answer a request, by route group.", ["group"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_group(path: str) -> str:
    for prefix, group in ROUTE_GROUPS:
        if path.startswith(prefix):
            return group
    return "pages"


class MetricsMiddleware:
    """Counts and times every request by route group. It sits above the early answers (MIDDLEWARE), so it
    sees the hot paths they answer too; a view's exception is counted as a 500 before it goes on up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        group = route_group(request.path_info)
        method = request.method if request.method in _METHODS else "other"
        status = "5xx"
        try:
            response = self.get_response(request)
            status = f"{response.status_code // 100}xx"
            return response
        finally:
            REQUESTS.labels(group=group, method=method, status=status).inc()
            REQUEST_SECONDS.labels(group=group).observe(time.perf_counter() - started)


# --- Counters and gauges of the processes -------------------------------------------------------------

CACHE_BREAKER_OPEN = Gauge(
    "reelfolio_cache_breaker_open", "1 while a process skips the cache as away (the outage breaker).", ["cache"],
    multiprocess_mode="livemax",
)
CACHE_BREAKER_OPENED = Counter(
    "reelfolio_cache_breaker_opened_total", "Times a process found a cache away and opened the breaker.", ["cache"]
)
WORKER_TASKS = Counter(
    "reelfolio_worker_tasks_total", "Celery tasks the workers finished, by task and outcome.", ["task", "outcome"]
)
CLICKS_FOLDED = Counter("reelfolio_clicks_folded_total", "Clicks moved from the cache into the daily rows.")


# --- Read when Prometheus asks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Backlog:
    """What waits in one queue (or in one state of it): how many, and the oldest one's age in seconds."""

    depth: int
    oldest_age_seconds: float = 0.0
    state: str = ""


_queues: dict[str, Callable[[], Iterable[Backlog]]] = {}
_gauges: dict[str, tuple[str, Callable[[], float | None]]] = {}


def backlog(queryset: QuerySet, *, since: str, state: str = "") -> Backlog:
    """How many rows of `queryset` wait and how long ago the oldest one's `since` was, in one query."""
    found = queryset.aggregate(depth=Count("pk"), oldest=Min(since))
    oldest = found["oldest"]
    age = max(0.0, (timezone.now() - oldest).total_seconds()) if oldest is not None else 0.0
    return Backlog(depth=found["depth"], oldest_age_seconds=age, state=state)


def register_queue(name: str, measure: Callable[[], Iterable[Backlog]]) -> None:
    """`measure()` answers what waits in the queue `name`, by one cheap indexed query, at every scrape."""
    _queues[name] = measure


def register_gauge(name: str, documentation: str, read: Callable[[], float | None]) -> None:
    """A gauge `name` read at every scrape (None: left out)."""
    _gauges[name] = (documentation, read)


class _ReadAtScrape(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily(
            "reelfolio_queue_depth", "Items waiting in a queue, by queue and state.", labels=["queue", "state"]
        )
        age = GaugeMetricFamily(
            "reelfolio_queue_oldest_age_seconds", "Age of the oldest item waiting in a queue, in seconds.",
            labels=["queue", "state"],
        )
        for name, measure in sorted(_queues.items()):
            for backlog in measure():
                depth.add_metric([name, backlog.state], backlog.depth)
                age.add_metric([name, backlog.state], backlog.oldest_age_seconds)
        yield depth
        yield age
        for name, (documentation, read) in sorted(_gauges.items()):
            value = read()
            if value is not None:
                yield GaugeMetricFamily(name, documentation, value=value)


_read_at_scrape = CollectorRegistry(auto_describe=False)
_read_at_scrape.register(_ReadAtScrape())


def exposition() -> bytes:
    """Every metric in Prometheus' text format: the processes' (added up under PROMETHEUS_MULTIPROC_DIR)
    and those read now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    return generate_latest(processes) + generate_latest(_read_at_scrape)


def _authorized(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics for Prometheus, with the bearer METRICS_TOKEN; a 404 when none is configured."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    if not _authorized(request, token):
        response = HttpResponse("A valid metrics token is required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE_PLAIN_0_0_4)
    response["Cache-Control"] = "no-store"
    return response
