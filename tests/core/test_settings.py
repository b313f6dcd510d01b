"""Start-up under a production environment, run as a real process the way an operator would."""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path, **overrides):
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "reelfolio.example",
        "TOKEN_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "SANDBOX_ENABLED": "false",
        "REELFOLIO_VAR_DIR": str(tmp_path),
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_under_the_documented_production_environment(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("debug", ["false", "true"])
def test_missing_secret_key_stops_start_up_with_a_clear_message(tmp_path, debug):
    """DEBUG chooses no secret: a production that turns DEBUG on does not fall back to a key in the source."""
    result = manage(production_env(tmp_path, SECRET_KEY=None, DEBUG=debug), "check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set. Reelfolio refuses to start without it" in result.stderr


@pytest.mark.parametrize("debug", ["false", "true"])
def test_missing_token_keys_stop_start_up_with_a_clear_message(tmp_path, debug):
    result = manage(production_env(tmp_path, TOKEN_ENCRYPTION_KEYS=None, DEBUG=debug), "check")
    assert result.returncode != 0
    assert "TOKEN_ENCRYPTION_KEYS is not set. Reelfolio needs at least one Fernet key" in result.stderr


def test_debug_does_not_turn_on_the_sandbox_partner(tmp_path):
    """The sandbox is an OAuth server with known demo users: turning DEBUG on in production must not
    start it. Only SANDBOX_ENABLED does (`./dev` and the tests set it)."""
    env = production_env(tmp_path, DEBUG="true", SANDBOX_ENABLED=None)
    code = "print(settings.SANDBOX_ENABLED, 'integrations.sandbox' in settings.INSTALLED_APPS)"
    result = manage(env, "shell", "-v", "0", "-c", SETTINGS + code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


SETTINGS = "from django.conf import settings; "


def test_importing_the_settings_creates_nothing_on_disk(tmp_path):
    """The var dir, the broker's folders and the beat schedule's folder are made by `./dev`, the Celery
    app and the test fixtures where they are used, not by every process that reads the settings."""
    var_dir = tmp_path / "var"
    env = production_env(tmp_path, REELFOLIO_VAR_DIR=str(var_dir))
    result = manage(env, "check")
    assert result.returncode == 0, result.stderr
    assert not var_dir.exists()


def test_the_celery_app_creates_the_filesystem_brokers_folders_when_configured(tmp_path):
    var_dir = tmp_path / "var"
    env = production_env(tmp_path, REELFOLIO_VAR_DIR=str(var_dir))
    result = manage(env, "shell", "-c", "from portfolio.celery import app\nprint(app.conf.broker_url)")
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in (var_dir / "broker").iterdir()) == ["control", "processed", "queue"]


def test_email_url_sets_the_named_email_settings(tmp_path):
    env = production_env(tmp_path, EMAIL_URL="smtp+tls://mailer:s3cret@smtp.example:587")
    names = ["BACKEND", "HOST", "PORT", "HOST_USER", "HOST_PASSWORD", "USE_TLS", "USE_SSL"]
    code = f"print({', '.join(f'settings.EMAIL_{name}' for name in names)})"
    result = manage(env, "shell", "-v", "0", "-c", SETTINGS + code)
    assert result.returncode == 0, result.stderr
    backend, *rest = result.stdout.split()
    assert backend == "django.core.mail.backends.smtp.EmailBackend"
    assert rest == ["smtp.example", "587", "mailer", "s3cret", "True", "False"]


def test_redis_caches_and_broker_get_short_connect_and_read_timeouts(tmp_path):
    """A stalled Redis holds no request for long: every cache alias and the broker connect and read with
    short timeouts (0.5 s and 1 s for the cache, 1 s and 2 s for the broker), which the environment tunes."""
    env = production_env(
        tmp_path, CACHE_URL="redis://redis.internal:6379/1", CELERY_BROKER_URL="redis://redis.internal:6379/0",
        CLICKS_CACHE_URL="redis://redis.internal:6379/2", CACHE_READ_TIMEOUT="0.8",
    )
    code = (
        "import json; print(json.dumps([{a: (c['LOCATION'], c['OPTIONS']) for a, c in settings.CACHES.items()},"
        " settings.CELERY_BROKER_TRANSPORT_OPTIONS, settings.CELERY_BROKER_CONNECTION_TIMEOUT]))"
    )
    result = manage(env, "shell", "-v", "0", "-c", SETTINGS + code)
    assert result.returncode == 0, result.stderr
    caches, transport, connect = json.loads(result.stdout)
    timeouts = {"socket_connect_timeout": 0.5, "socket_timeout": 0.8}
    assert caches == {
        "default": ["redis://redis.internal:6379/1", timeouts],
        "clicks": ["redis://redis.internal:6379/2", timeouts],
    }
    assert (transport["socket_connect_timeout"], transport["socket_timeout"], connect) == (1.0, 2.0, 1.0)


@pytest.mark.parametrize("name", ["PASSWORD_RESET_RATE", "PARTNER_API_RATE", "PARTNER_API_FAILED_AUTH_RATE"])
def test_a_rate_that_cannot_be_read_stops_start_up_with_a_clear_message(tmp_path, name):
    """Every rate is read by one parser (common/rate_limits.py), at start-up too: a rate it would refuse at
    the first request stops the start instead."""
    result = manage(production_env(tmp_path, **{name: "5 per minute"}), "check")
    assert result.returncode != 0
    assert f"{name}: A rate looks like 5/minute (per second, minute, hour or day), not '5 per minute'." in (
        result.stderr
    )
    spelled_out = manage(production_env(tmp_path, **{name: "5/minute"}), "check", "--deploy", "--fail-level", "WARNING")
    assert spelled_out.returncode == 0, spelled_out.stderr
