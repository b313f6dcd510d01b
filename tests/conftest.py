"""Fixtures shared by the whole suite: per-run test databases, a real Celery worker process, a real
Chromium, and the `postgres` marker's skip (or failure in CI)."""

import os
import shutil
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connections

from tests.processes import celery_worker_running

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_configure(config):
    # Hashing is deliberately slow in production; the tests do not need that.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


POSTGRES_REASON = "needs PostgreSQL (set DATABASE_URL to a PostgreSQL database)"


def pytest_report_header(config):
    if not _on_postgresql():
        return f"tests marked postgres: skipped, the test database is SQLite; they {POSTGRES_REASON}"
    return None


def pytest_collection_modifyitems(config, items):
    """Skips the `postgres` tests off PostgreSQL, and runs the browser tests last.

    Tests marked `postgres` prove behaviour under real concurrency (row locks, atomic counters) that
    SQLite cannot show. Elsewhere they are skipped with the reason printed (-ra and the header); in CI,
    whose second pass sets DATABASE_URL to PostgreSQL, a test database that is not PostgreSQL is an error
    rather than a silent skip.

    Browser tests run after all the others: once Playwright has started, its event loop counts as running
    in this thread, and only the browser tests may make ORM calls under it (see the `browser` fixture).
    """
    if not _on_postgresql():
        if IN_CI and os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            raise pytest.UsageError(f"CI's PostgreSQL pass, but the test database is not: {POSTGRES_REASON}.")
        for item in items:
            if item.get_closest_marker("postgres"):
                item.add_marker(pytest.mark.skip(reason=POSTGRES_REASON))
    items[:] = sorted(items, key=lambda item: item.get_closest_marker("browser") is not None)  # stable


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Each test run gets SQLite test files of its own (named with its process id), so that runs side by
    side never share a database; their folder is created here, not when the settings are imported."""
    for db in settings.DATABASES.values():
        if db["ENGINE"] != "django.db.backends.sqlite3":
            continue
        name = Path(db["TEST"]["NAME"])
        db["TEST"]["NAME"] = str(name.with_stem(f"{name.stem}-{os.getpid()}"))
        name.parent.mkdir(parents=True, exist_ok=True)


def wait_until(predicate, *, timeout: float = 20.0, interval: float = 0.05, message: str = "condition"):
    """Polls `predicate` until it returns something truthy; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def database_url_for_subprocesses(alias: str = "default") -> str:
    """A URL for the test database, for processes started by the tests (the worker, servers)."""
    db = connections[alias].settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory, live_server):
    """A real `celery worker` process on the configured broker, reading and writing the test database.

    Tests that use it must commit their data: mark them `django_db(transaction=True)`. Its SITE_URL is the
    live server's, so that what it asks of the sandbox partner (a sync) reaches the sandbox the tests serve.
    """
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    with django_db_blocker.unblock():
        env = dict(
            os.environ, DATABASE_URL=database_url_for_subprocesses(), PYTHONUNBUFFERED="1", SITE_URL=live_server.url
        )
        if "sandbox" in settings.DATABASES:
            env["SANDBOX_DATABASE_URL"] = database_url_for_subprocesses("sandbox")
    options = ["--pool", "solo", "--without-gossip", "--without-mingle"]
    with celery_worker_running(*options, env=env, log_path=log_path) as process:
        process.log_path = log_path  # type: ignore[attr-defined]  # what it printed: logs, console emails
        yield process


def _chromium_path() -> str | None:
    candidates = [os.environ.get("CHROMIUM_PATH"), shutil.which("chromium"), "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        reason = "no Chromium found (install Debian's chromium, or set CHROMIUM_PATH)"
        if IN_CI:
            pytest.fail(f"Browser tests must run in CI, but {reason}.")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls that tests make between
    # browser steps are still plain synchronous calls. Allowed while the browser is open, that is for the
    # browser tests alone: they run after all the others (pytest_collection_modifyitems).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=path,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            yield chromium
            chromium.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def private_redis(tmp_path, settings):
    """A Redis of the test's own, started, with both cache aliases on it; the test may stop or stall it
    (tests/redis_server.py)."""
    from tests.redis_server import private_redis_running  # it imports this module

    yield from private_redis_running(tmp_path, settings)


@pytest.fixture
def picture_server(settings):
    """A local server of avatars and covers (tests/social.py), reachable by the SSRF guard: loopback is let
    through, as in the demo."""
    from tests.social import PictureServer

    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    running = PictureServer()
    yield running
    running.close()
