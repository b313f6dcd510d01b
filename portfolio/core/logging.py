"""Log lines: request ids (set per request by the middleware, read by the log filter) and the secrets
that must never reach them.

Two kinds of secret travel in URLs: the tokens in the path of the links sent by email (a password reset,
/accounts/password/reset/<uidb64>/<token>/, a sign-up's confirmation, /accounts/signup/confirm/..., and an
organization's invitation, /accounts/invitations/<token>/),
and the OAuth `code` and `state` in the query string of a
provider's callback. Whoever reads them in a log line could take over the account or finish the link,
so every line the console handler writes goes through SecretsFilter first, Django's own `django.request`
lines on 404 and 405 included (those carry the request itself, whose text has the query string).
"""

import contextvars
import logging
import re

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

REDACTED = "[redacted]"
# The token of a password-reset or sign-up confirmation link; "set-password" is the placeholder Django
# swaps in, not a secret.
_RESET_TOKEN = re.compile(r"(/(?:password/reset|signup/confirm)/[^/\s?#'\"]+/)(?!set-password/)[^/\s?#'\"]+")
# The signed token of an organization's invitation link ("accept" is the page it leads to, not a secret).
_INVITATION_TOKEN = re.compile(r"(/invitations/)(?!accept/)[^/\s?#'\"]+")
# OAuth parameters that finish a link or prove its origin, wherever a query string carries them.
_SECRET_PARAMETER = re.compile(r"(?<=[?&;])(code|state|token|access_token|refresh_token)=[^&;\s#'\"]*")


def redact(text: str) -> str:
    """`text` with any password-reset, confirmation or invitation token and OAuth code or state replaced by
    [redacted]."""
    if "/password/reset/" in text or "/signup/confirm/" in text:
        text = _RESET_TOKEN.sub(rf"\1{REDACTED}", text)
    if "/invitations/" in text:
        text = _INVITATION_TOKEN.sub(rf"\1{REDACTED}", text)
    if "=" in text:
        text = _SECRET_PARAMETER.sub(rf"\1={REDACTED}", text)
    return text


class RequestIdFilter(logging.Filter):
    """Adds the request id. Django's `django.request` lines are written once the middleware is done, so
    their id is read from the request they carry."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or request_id_var.get()
        return True


class SecretsFilter(logging.Filter):
    """Redacts reset tokens and OAuth codes and states from the message and from the text of the request
    a record carries (Django's `django.request` records have it, and a JSON line prints it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            if not hasattr(record, "request_id") and getattr(request, "request_id", None):
                record.request_id = request.request_id
            record.request = redact(repr(request))
        for name in ("path", "url"):
            value = getattr(record, name, None)
            if isinstance(value, str):
                setattr(record, name, redact(value))
        return True
