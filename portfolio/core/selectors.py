"""Readiness checks: each returns None when the part answers, or the reason it does not."""

import threading
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from common import cache
from portfolio.core.models import WorkerHeartbeat


def database_problem() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()[:300]
    return None


def cache_problem() -> str | None:
    """Writes and reads back a value in every configured cache (the default one and the click counters')."""
    probe = uuid.uuid4().hex
    problems = []
    for alias in settings.CACHES:
        try:
            if not cache.probe(alias, probe):
                problems.append(f"{alias}: the cache did not return the value just written")
        except Exception as exc:
            problems.append(f"{alias}: {type(exc).__name__}: {exc}".strip()[:300])
    return "; ".join(problems) or None


def broker_problem() -> str | None:
    from portfolio.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()[:300]
    return None


def worker_last_seen(name: str = "worker"):
    heartbeat = WorkerHeartbeat.objects.filter(name=name).first()
    return heartbeat.seen_at if heartbeat else None


class NoAnswer:
    """A check that had not answered by its deadline (the part is stalled)."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __str__(self):
        return f"no answer within {self.seconds:g} s"


def checks_run(checks: dict[str, Callable[[], object]], *, seconds: float) -> dict[str, object]:
    """Runs the checks side by side, each in a thread of its own, and waits at most `seconds` for them all:
    a check still waiting then is a NoAnswer, so a stalled part can never hold /readyz (the thread ends
    when the part's own socket timeout ends the call)."""
    results: dict[str, object] = {}

    def run(name: str, check: Callable[[], object]) -> None:
        try:
            results[name] = check()
        except Exception as exc:
            results[name] = f"{type(exc).__name__}: {exc}".strip()[:300]
        finally:
            connections.close_all()  # this thread's own database connections

    threads = [
        threading.Thread(target=run, args=(name, check), name=f"readyz-{name}", daemon=True)
        for name, check in checks.items()
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return {name: results[name] if name in results else NoAnswer(seconds) for name in checks}


def worker_heartbeat_age_seconds(name: str = "worker") -> float | None:
    """Seconds since a worker last ran the periodic task that records `name` (the heartbeat, the clicks'
    fold); None before the first."""
    seen_at = worker_last_seen(name)
    return max(0.0, (timezone.now() - seen_at).total_seconds()) if seen_at is not None else None
