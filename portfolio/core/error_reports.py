"""Errors reported to Sentry (SENTRY_DSN), with nothing in them that must not leave Reelfolio.

The SDK sends no personal data of its own (`send_default_pii=False`: no cookies, no user, no client
address, no request body), and `scrub` goes over every event before it leaves: values under a name that
says secret, token, password, key, authorization, cookie, email or an applicant's data are replaced, and
every other text goes through the log lines' redaction (reset, confirmation and invitation tokens, OAuth
codes and states) and loses any email address and bearer or API key it carries.
"""

import re
from typing import Any

from portfolio.core.logging import REDACTED, redact, request_id_var

# Names whose values are never sent, whatever they hold (matched anywhere in the name, any case).
_SECRET_NAME = re.compile(
    r"secret|token|passw|api_?key|authorization|cookie|session|csrf|dsn|signature|email|snapshot|answers|"
    r"profile|applicant|address|phone|body|note",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Bearer tokens, our API keys (rfk_, rfo_), webhook secrets (whsec_) and Fernet-like long tokens.
_CREDENTIAL = re.compile(r"(?i)\bbearer\s+\S+|\b(?:rfk|rfo|whsec)_[\w-]+|\b[A-Za-z0-9_\-]{32,}={0,2}")


# Ids that only tie a report to its trace and log lines, kept as they are (they look like long tokens).
_IDS = frozenset({"event_id", "trace_id", "span_id", "parent_span_id", "request_id"})


def scrub_text(text: str) -> str:
    return _CREDENTIAL.sub(REDACTED, _EMAIL.sub(REDACTED, redact(text)))


def _scrub(value: Any, depth: int = 0) -> Any:
    if depth > 20:
        return REDACTED
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            key: item if key in _IDS else
            REDACTED if isinstance(key, str) and _SECRET_NAME.search(key) else _scrub(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item, depth + 1) for item in value]
    return value


def scrub(event: Any, hint: Any = None) -> Any:
    """Sentry's before_send (and before_send_transaction): the event with its secrets and personal data
    replaced by [redacted]."""
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        for part in ("cookies", "data"):
            request.pop(part, None)
        if isinstance(request.get("query_string"), str):  # redact() finds parameters after a "?" or "&"
            request["query_string"] = scrub_text(f"?{request['query_string']}")[1:]
    if request_id_var.get() != "-":  # the same id as the request's log lines and X-Request-ID
        event.setdefault("tags", {})["request_id"] = request_id_var.get()
    return _scrub(event)


def error_reports_start(*, dsn: str, environment: str, transport: Any = None) -> None:
    """Sends this process's unhandled errors (Django's, Celery's, logged errors) to `dsn`, scrubbed.
    `transport` (tests) takes the events instead of Sentry's HTTP transport."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub,
        before_send_transaction=scrub,
        traces_sample_rate=0.0,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        transport=transport,
    )
