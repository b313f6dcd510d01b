"""Reelfolio settings: one module, read from the environment.

Every value has a default that is safe in production or points at the embedded run's files (SQLite,
a filesystem broker in REELFOLIO_VAR_DIR). Secrets have no default at all, and nothing here depends on
DEBUG but debugging and plain-HTTP local serving: `./dev` and the test settings (pyproject.toml) set
DEBUG, the local secrets and SANDBOX_ENABLED themselves. Importing this module creates nothing on disk:
`./dev`, the Celery app (portfolio/celery.py) and the test fixtures create the folders they use.
The README lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.smart_cast = False

# Where the embedded run keeps its files (database, broker queue, beat schedule); created by `./dev`.
VAR_DIR = Path(env.str("REELFOLIO_VAR_DIR", default=str(BASE_DIR / "var")))

# --- Core -----------------------------------------------------------------------------------------

# Debugging only (error pages with tracebacks) and serving plain HTTP locally (the https-only defaults
# under Security below); it turns on no partner and chooses no secret.
DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Reelfolio refuses to start without it: set SECRET_KEY to a long random "
        "string (`./dev` sets a local one for development)."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The built-in sandbox partner (integrations/sandbox), an OAuth server with known demo users: off unless
# asked for (`./dev` and the tests turn it on).
SANDBOX_ENABLED = env.bool("SANDBOX_ENABLED", default=False)

# The public address of this service, used in links that leave the site (emails, OAuth redirect URIs).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "common",
    "portfolio.core",
    "portfolio.accounts",
    "portfolio.creators",
    "portfolio.jobs",
    "portfolio.demo",
    "integrations.oauth",
    "integrations.partners",
    "integrations.webhooks",
]
if SANDBOX_ENABLED:
    INSTALLED_APPS.append("integrations.sandbox")

MIDDLEWARE = [
    "portfolio.core.middleware.RequestIdMiddleware",
    # Counts and times every request by route group, the hot paths answered just below included.
    "common.metrics.MetricsMiddleware",
    # Answers the hot paths (warm anchor lookups, warm short links) with the headers the middleware below
    # would add; everything else goes on down the stack. Every middleware below must be one it knows
    # (common/early_answers.py's BELOW; the system check common.E001 refuses any other).
    "common.early_answers.EarlyAnswerMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "common.middleware.PermissionsPolicyMiddleware",
    "common.middleware.RefuseUploadsMiddleware",
    # A query parameter or form field with a NUL character or a lone surrogate: a 400 naming it.
    "common.bad_input.RefuseUnstorableTextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Answers a login that django-axes locked out with the "too many attempts" page.
    "axes.middleware.AxesMiddleware",
    # Under DEBUG, 404s are the product's page (JSON under /api/), not Django's list of URL patterns.
    "common.middleware.NotFoundPagesMiddleware",
]

ROOT_URLCONF = "portfolio.urls"
WSGI_APPLICATION = "portfolio.wsgi.application"
ASGI_APPLICATION = "portfolio.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portfolio.core.context_processors.site",
                "integrations.oauth.context_processors.reconnect_banner",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'reelfolio.sqlite3'}"),
}
if SANDBOX_ENABLED:
    # The built-in sandbox partner keeps its own database, as an outside partner would
    # (see integrations/sandbox/routers.py).
    DATABASES["sandbox"] = env.db_url(
        "SANDBOX_DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'sandbox.sqlite3'}"
    )
    DATABASE_ROUTERS = ["integrations.sandbox.routers.SandboxRouter"]

for _alias, _db in DATABASES.items():
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server and the Celery worker read while one of them writes; IMMEDIATE
        # transactions take the write lock up front instead of failing half-way with "database is locked".
        _db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        # Test databases are files so that processes started by the tests (a real Celery worker) see them;
        # tests/conftest.py adds the test run's process id, so that runs side by side never share one.
        _db["TEST"] = {"NAME": str(VAR_DIR / f"test-{_alias}.sqlite3")}
    else:
        _db.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
        _db["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------

# The default is the database cache so that the web server and the worker see the same values.
CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://reelfolio_cache")}
if CACHES["default"]["BACKEND"].endswith((".DatabaseCache", ".LocMemCache")):
    # Click counters wait in the cache until folded: these backends must not cull at Django's 300 entries.
    _max_entries = env.int("CACHE_MAX_ENTRIES", default=1_000_000)
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", _max_entries)
# Click counters (portfolio/creators/clicks.py) get an alias of their own on the same backend: on the
# local-memory and database caches a separate location / table, so that entries anyone can make by
# requesting made-up URLs (unknown short-link codes are remembered in "default") can never make the
# backend cull a counter that is not folded yet. Redis and memcached share one keyspace anyway.
CACHES["clicks"] = {**CACHES["default"], "OPTIONS": dict(CACHES["default"].get("OPTIONS", {}))}
if CACHES["default"]["BACKEND"].endswith(".DatabaseCache"):
    CACHES["clicks"]["LOCATION"] = f"{CACHES['default']['LOCATION']}_clicks"
elif CACHES["default"]["BACKEND"].endswith(".LocMemCache"):
    CACHES["clicks"]["LOCATION"] = f"{CACHES['default'].get('LOCATION') or 'reelfolio'}-clicks"
# In production the click counters want a Redis database of their own, persistent and never evicted
# (the README says why): CLICKS_CACHE_URL, e.g. redis://redis.internal:6379/2.
if env.str("CLICKS_CACHE_URL", default=""):
    CACHES["clicks"] = env.cache_url("CLICKS_CACHE_URL")

# A Redis that stalls must not hold a request: short connect and read timeouts on every cache call,
# no retries (a retried click script could count twice). After a failure the server is skipped for
# CACHE_OUTAGE_SECONDS, and what it held is read from (or counted in) the database (common/cache.py).
CACHE_CONNECT_TIMEOUT = env.float("CACHE_CONNECT_TIMEOUT", default=0.5)
CACHE_READ_TIMEOUT = env.float("CACHE_READ_TIMEOUT", default=1.0)
CACHE_OUTAGE_SECONDS = env.float("CACHE_OUTAGE_SECONDS", default=5.0)
for _cache in CACHES.values():
    if _cache["BACKEND"].endswith(".RedisCache"):
        _cache.setdefault("OPTIONS", {}).setdefault("socket_connect_timeout", CACHE_CONNECT_TIMEOUT)
        _cache["OPTIONS"].setdefault("socket_timeout", CACHE_READ_TIMEOUT)

# --- Accounts -------------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Email ----------------------------------------------------------------------------------------

_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
    EMAIL_BACKEND = "common.mail.ConsoleEmailBackend"  # as text, not MIME, in the web server and the worker
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = _email.get("OPTIONS", {}).get("TIMEOUT")
EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"] or None  # filemail:// only
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Reelfolio <no-reply@reelfolio.localhost>")

# --- Internationalization -------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------

STATIC_URL = "static/"
# Where collectstatic puts the files that WhiteNoise serves outside DEBUG.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve straight from the app folders when collectstatic has not run (the embedded run, tests).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)

# --- Security -------------------------------------------------------------------------------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every page, the admin and the API docs: scripts only from our own
# static files (no inline script, no eval); images from anywhere over https (partners' covers and avatars).
# Inline style attributes stay allowed (chart swatches, Swagger UI).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "https:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# No view takes a file: uploads are answered 415 (RefuseUploadsMiddleware) except under these path prefixes.
MULTIPART_ALLOWED_PATHS: list[str] = []
SESSION_COOKIE_HTTPONLY = True

# --- Celery ---------------------------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object]
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The Celery app creates these folders when it is configured (portfolio/celery.py).
    _queue_dir = VAR_DIR / "broker" / "queue"
    _processed_dir = VAR_DIR / "broker" / "processed"
    _control_dir = VAR_DIR / "broker" / "control"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "store_processed": False,
        "control_folder": str(_control_dir),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# A broker that stalls must not hold a request that enqueues a task, nor /readyz: short timeouts to
# connect and (on Redis) to read. What could not be enqueued is swept again by the beat.
BROKER_CONNECT_TIMEOUT = env.float("BROKER_CONNECT_TIMEOUT", default=1.0)
BROKER_READ_TIMEOUT = env.float("BROKER_READ_TIMEOUT", default=2.0)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_CONNECT_TIMEOUT
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "socket_connect_timeout": BROKER_CONNECT_TIMEOUT,
        "socket_timeout": BROKER_READ_TIMEOUT,
    }
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = BROKER_READ_TIMEOUT
# /readyz waits at most this for each of its checks (run side by side), then names the part that is stalled.
READYZ_CHECK_SECONDS = env.float("READYZ_CHECK_SECONDS", default=1.5)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A publish that fails is retried once, at once, not Celery's default of four tries; after a failure the
# process publishes nothing for a few seconds (portfolio/celery.py). What was not enqueued is in an outbox
# that the beat sweeps (ATS deliveries, received events, status emails).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# The worker touches this file every few seconds while it is connected to its broker and consuming; its
# supervisor restarts a worker whose file has gone stale (common/supervision.py). Empty: no file.
WORKER_LIVENESS_FILE = env.str("WORKER_LIVENESS_FILE", default="")
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULER = "portfolio.celery:FileScheduler"  # creates the schedule's folder when beat starts
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.heartbeat", "schedule": 30.0},
    # Click counts of /l/<code> links move from the cache into daily rows.
    "creators-clicks-fold": {"task": "creators.clicks_fold", "schedule": 60.0, "options": {"expires": 55}},
    "oauth-refresh-expiring-tokens": {"task": "oauth.refresh_expiring_tokens", "schedule": 300.0},
    "oauth-sync-due": {"task": "oauth.sync_due", "schedule": 300.0},
    # Published jobs past their closing date are closed and their "Apply" anchors dropped.
    "jobs-expire": {"task": "jobs.expire", "schedule": 300.0, "options": {"expires": 290}},
    # Applicants' status emails whose task was lost; organizations' batched "new applications" emails.
    "jobs-status-emails-sweep": {
        "task": "jobs.application_status_emails_sweep", "schedule": 60.0, "options": {"expires": 55}
    },
    "jobs-notify-employers": {
        "task": "jobs.applications_notify_employers", "schedule": 300.0, "options": {"expires": 290}
    },
    # Received webhook events whose drain a lost broker dropped (one COUNT when there is none).
    "webhooks-inbound-sweep": {"task": "webhooks.inbound_events_sweep", "schedule": 60.0, "options": {"expires": 55}},
    # Outbound webhooks: deliveries due (retries) or lost (a broker that dropped them, a killed worker).
    "webhooks-deliveries-sweep": {"task": "webhooks.deliveries_sweep", "schedule": 30.0, "options": {"expires": 25}},
}

# --- REST framework -------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    # The API takes JSON bodies only (and documents only them); no operation takes a file. The parser refuses
    # JSON nested more than 64 deep before parsing it, and NUL characters and lone surrogates anywhere in it.
    "DEFAULT_PARSER_CLASSES": ["common.bad_input.JSONParser"],
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "portfolio.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Reelfolio API",
    "DESCRIPTION": "Reelfolio's partner API: which links (anchors) to show on which videos.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies have components of their own, which say what a request may send (e.g. minLength 1 for a
    # required text) without saying it of the answers.
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from our own static files: nothing is loaded from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No online validator badge either (Swagger UI would fetch it from validator.swagger.io).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # One name per set of statuses in the employer API.
    # Every operation documents the 400 and 415 of a request that cannot be read, and its inputs exactly: what
    # free text may hold, and which bodies are required (portfolio/core/api.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portfolio.core.api.document_unreadable_requests",
        "portfolio.core.api.document_inputs_exactly",
    ],
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "portfolio.jobs.models.Job.Status",
        "ApplicationStatusEnum": "portfolio.jobs.models.Application.Status",
    },
}

# --- Integrations ---------------------------------------------------------------------------------

# Fernet keys, comma-separated: the first encrypts, all decrypt. No default (`./dev` sets a local one).
TOKEN_ENCRYPTION_KEYS = env.list("TOKEN_ENCRYPTION_KEYS", default=[])
if not TOKEN_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "TOKEN_ENCRYPTION_KEYS is not set. Reelfolio needs at least one Fernet key: "
        'generate one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
    )
OAUTH_PROVIDERS = env.json("OAUTH_PROVIDERS", default=[])
# A token expiring within this many seconds is refreshed before use; the beat refreshes those expiring
# within OAUTH_REFRESH_AHEAD_SECONDS; linked accounts are synced every OAUTH_SYNC_INTERVAL_MINUTES.
OAUTH_REFRESH_MARGIN_SECONDS = env.int("OAUTH_REFRESH_MARGIN_SECONDS", default=60)
OAUTH_REFRESH_AHEAD_SECONDS = env.int("OAUTH_REFRESH_AHEAD_SECONDS", default=600)
OAUTH_SYNC_INTERVAL_MINUTES = env.int("OAUTH_SYNC_INTERVAL_MINUTES", default=360)
# Seconds for every outgoing HTTP call (connect, read).
HTTP_TIMEOUT = (env.float("HTTP_CONNECT_TIMEOUT", default=5.0), env.float("HTTP_READ_TIMEOUT", default=15.0))
# The built-in sandbox partner: the client secret of its two registered OAuth clients, and how long
# the access tokens it issues live.
SANDBOX_CLIENT_SECRET = env.str("SANDBOX_CLIENT_SECRET", default="")
if SANDBOX_ENABLED and not SANDBOX_CLIENT_SECRET:
    raise ImproperlyConfigured(
        "SANDBOX_CLIENT_SECRET is not set. The sandbox partner (SANDBOX_ENABLED=true) needs a client "
        "secret of its own: set SANDBOX_CLIENT_SECRET to a long random string (`./dev` sets a local one)."
    )
SANDBOX_ACCESS_TOKEN_SECONDS = env.int("SANDBOX_ACCESS_TOKEN_SECONDS", default=3600)
# The secret the sandbox signs its webhook events with; seed_demo gives it to the sandbox's two partners
# (sandbox-video and sandbox-video-tiktok). Empty: the sandbox sends no events.
SANDBOX_WEBHOOK_SECRET = env.str("SANDBOX_WEBHOOK_SECRET", default="")

# --- Webhooks from partners (inbound) -------------------------------------------------------------

# A received event still pending this many seconds after its processing was due (its drain was lost with
# the broker, or its worker died) makes the beat's sweep drain the pending events.
WEBHOOK_INBOUND_SWEEP_AFTER_SECONDS = env.int("WEBHOOK_INBOUND_SWEEP_AFTER_SECONDS", default=300)

# --- Webhooks to employers' ATS (outbound) ---------------------------------------------------------

# Endpoint addresses must be https:// outside DEBUG.
WEBHOOK_REQUIRE_HTTPS = env.bool("WEBHOOK_REQUIRE_HTTPS", default=not DEBUG)
# CIDRs the SSRF guard lets through although they are not public (e.g. 127.0.0.0/8 for the demo and the
# tests). Empty: only public internet addresses are called.
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])
# Seconds between a failed attempt and the next one (jittered by up to 10%); one attempt more than
# listed, then the delivery is given up. About 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h.
try:
    WEBHOOK_RETRY_SECONDS = [
        float(seconds) for seconds in env.str("WEBHOOK_RETRY_SECONDS", default="5,300,1800,7200,18000,36000,36000")
        .split(",")
    ]
except ValueError:
    raise ImproperlyConfigured("WEBHOOK_RETRY_SECONDS must be seconds, comma-separated, e.g. 5,300,1800.") from None
# A delivery in flight longer than this (its worker was killed) is sent again by the sweep.
WEBHOOK_IN_FLIGHT_SECONDS = env.int("WEBHOOK_IN_FLIGHT_SECONDS", default=120)
# The Celery queue of deliveries: give them workers of their own (`celery worker -Q webhooks`) so that
# slow endpoints never hold up other tasks.
WEBHOOK_CELERY_QUEUE = env.str("WEBHOOK_CELERY_QUEUE", default="celery")

# --- Creators: tracked links ---------------------------------------------------------------------

# How many proxies (load balancers) in front of the web servers append to X-Forwarded-For. The client's
# address (unique visitors, every rate limit, logins: common/rate_limits.client_address) is then that many
# hops from the right; 0 = REMOTE_ADDR.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# A local MaxMind DB file (GeoLite2-Country or GeoIP2-Country/City, .mmdb) that names the country of a
# click; the address itself is never stored. Empty: every click's country is "unknown". Never downloaded.
GEOIP_PATH = env.str("GEOIP_PATH", default="")

# --- Rate limits ----------------------------------------------------------------------------------


def _rate_checked(name: str, value: str) -> None:
    """Start-up stops on a rate that common/rate_limits.py (the one reader of rates) cannot read."""
    from common.rate_limits import parse_rate

    try:
        parse_rate(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}: {error}") from None


# --- Accounts: sign-in limits ---------------------------------------------------------------------

# Failed logins before logging in is paused for LOGIN_COOLOFF_MINUTES: per account, and per client address
# (common/rate_limits.py, NUM_PROXIES). django-axes keeps the count in the database.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_COOLOFF_MINUTES = env.int("LOGIN_COOLOFF_MINUTES", default=15)
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "portfolio.accounts.views.auth.login_username"
AXES_CLIENT_IP_CALLABLE = "common.rate_limits.client_ident_address"
AXES_LOCKOUT_CALLABLE = "portfolio.accounts.views.auth.login_locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # failures are kept, not a row per successful login
# Password-reset requests per client address, and per email, and window ("<n>/<second|minute|hour|day>").
PASSWORD_RESET_RATE = env.str("PASSWORD_RESET_RATE", default="5/hour")
_rate_checked("PASSWORD_RESET_RATE", PASSWORD_RESET_RATE)

# --- Partner API ----------------------------------------------------------------------------------

# Requests per API key and window on the partner API ("<n>/<second|minute|hour|day>"); over it: 429.
PARTNER_API_RATE = env.str("PARTNER_API_RATE", default="6000/min")
_rate_checked("PARTNER_API_RATE", PARTNER_API_RATE)
# Failed API-key checks per client address and window; over it, keys not already cached get 429 without
# a database query (made-up keys are not cached, see integrations/partners/failed_auth.py).
PARTNER_API_FAILED_AUTH_RATE = env.str("PARTNER_API_FAILED_AUTH_RATE", default="60/min")
_rate_checked("PARTNER_API_FAILED_AUTH_RATE", PARTNER_API_FAILED_AUTH_RATE)
# Cache-Control max-age of anchor lookups: how long a CDN or a partner may reuse an answer.
PARTNER_API_MAX_AGE = env.int("PARTNER_API_MAX_AGE", default=60)
# How long an API key looked up once is trusted from the cache (revoking clears it at once); also
# how precise an API key's "last used" is.
PARTNER_API_KEY_CACHE_SECONDS = env.int("PARTNER_API_KEY_CACHE_SECONDS", default=60)
# How long a video's anchors stay in the cache. Every change clears them; this bounds how long a stale
# entry can last when a lookup that read the database just before a change writes just after it.
ANCHORS_CACHE_SECONDS = env.int("ANCHORS_CACHE_SECONDS", default=300)
# How long past max-age a CDN may serve an answer while it revalidates it (stale-while-revalidate), and
# while Reelfolio errs or is unreachable (stale-if-error).
PARTNER_API_STALE_WHILE_REVALIDATE = env.int("PARTNER_API_STALE_WHILE_REVALIDATE", default=30)
PARTNER_API_STALE_IF_ERROR = env.int("PARTNER_API_STALE_IF_ERROR", default=86400)
# What a change of a video's anchors tells the CDN in front of the partner API (portfolio/creators/cdn.py):
# portfolio.creators.cdn.LogPurge (no CDN: a log line) or portfolio.creators.cdn.HttpPurge (POSTs the
# video's Surrogate-Key names to CDN_PURGE_URL, e.g. https://api.fastly.com/service/<id>/purge).
CDN_PURGE = env.str("CDN_PURGE", default="portfolio.creators.cdn.LogPurge")
CDN_PURGE_URL = env.str("CDN_PURGE_URL", default="")
CDN_PURGE_TOKEN = env.str("CDN_PURGE_TOKEN", default="")
CDN_PURGE_TOKEN_HEADER = env.str("CDN_PURGE_TOKEN_HEADER", default="Fastly-Key")
if CDN_PURGE.endswith(".HttpPurge") and not CDN_PURGE_URL:
    raise ImproperlyConfigured("CDN_PURGE_URL must be set when CDN_PURGE is portfolio.creators.cdn.HttpPurge.")

# --- Operations -----------------------------------------------------------------------------------

# GET /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; empty: the path is a 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Errors go to Sentry when set, scrubbed of secrets, tokens, emails and applicants' data first.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
if SENTRY_DSN:
    from portfolio.core.error_reports import error_reports_start

    error_reports_start(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT)

# --- Logging --------------------------------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "portfolio.core.logging.RequestIdFilter"},
        # Password-reset tokens and OAuth codes and states never reach a log line.
        "secrets": {"()": "portfolio.core.logging.SecretsFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id", "secrets"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own plain-text console copy (DEBUG) is dropped: its lines go through the console above.
        "django": {"level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        # RequestIdMiddleware logs every request as JSON; the development server's own lines are dropped.
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.utils.autoreload": {"level": "WARNING"},
        "celery": {"level": LOG_LEVEL},
        # Authlib logs whole token responses at DEBUG: never let tokens reach the logs.
        "authlib": {"level": "INFO"},
    },
}
