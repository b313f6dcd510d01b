"""Readiness checks: each returns None when the part answers, or the reason it does not."""

import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import connection

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
            cache = caches[alias]
            cache.set("readyz:probe", probe, timeout=10)
            if cache.get("readyz:probe") != probe:
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


def worker_last_seen():
    heartbeat = WorkerHeartbeat.objects.filter(name="worker").first()
    return heartbeat.seen_at if heartbeat else None
