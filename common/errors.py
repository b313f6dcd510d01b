"""The one error type for expected failures.

A service raises `ApplicationError` (or one of its subclasses) when it refuses to do something for a
reason the person who asked can act on: bad input, a conflict, a state that does not allow it. The
message is written for that person. Views show it as a form error or a message; the API's one exception
handler (portfolio.core.api) turns it into `{"error": {"code", "message", "details"}}` with `status`.
Anything else that escapes a service is a bug and a 500.

Django's `ValidationError` (from `full_clean()`, a validator, the password checks) stays inside the
service: `full_clean()` here and `ApplicationError.from_validation_error` turn it into this type.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class ApplicationError(Exception):
    """An expected failure of a service, with a message fit to show to the person who caused it.

    `extra` carries per-field messages or other details (the API's `details`); `status` and `code` are
    the API's answer for it.
    """

    status = 400
    code = "invalid"

    def __init__(self, message: str, extra: dict | None = None, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code

    @classmethod
    def on_field(cls, field: str, message: str) -> "ApplicationError":
        """A failure of one input, e.g. `Conflict.on_field("handle", "This handle is taken.")`."""
        return cls(message, extra={"fields": {field: [message]}})

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> "ApplicationError":
        """The same messages as Django's `ValidationError`: all of them in `message`, and by field under
        `extra["fields"]` (the model's field names; `__all__` for the rest)."""
        if not hasattr(error, "error_dict"):
            return cls(" ".join(error.messages))
        fields = {name: list(messages) for name, messages in error.message_dict.items()}
        message = " ".join(m for messages in fields.values() for m in messages)
        if set(fields) == {NON_FIELD_ERRORS}:
            return cls(message)
        return cls(message, extra={"fields": fields})

    @property
    def field_errors(self) -> dict[str, list[str]]:
        """Per-field messages, for forms: `extra["fields"]` when given."""
        return dict(self.extra.get("fields", {}))


class NotFound(ApplicationError):
    status = 404
    code = "not_found"


class PermissionDenied(ApplicationError):
    status = 403
    code = "permission_denied"


class Conflict(ApplicationError):
    """The request clashes with the current state, e.g. a second application to the same job."""

    status = 409
    code = "conflict"


class Gone(ApplicationError):
    """What was asked for existed but is over, e.g. a closed job."""

    status = 410
    code = "gone"


def full_clean(instance, **kwargs) -> None:
    """`instance.full_clean(**kwargs)` for services: a failed check raises `ApplicationError` with the
    model's messages instead of Django's `ValidationError`."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        raise ApplicationError.from_validation_error(error) from None
