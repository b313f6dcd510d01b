"""Expected failures of linking and syncing, each with a message fit to show to the creator.

They are `ApplicationError`s, the one error type of expected failures (common/errors.py).
"""

from common.errors import ApplicationError


class LinkError(ApplicationError):
    """Linking, syncing or unlinking could not be done; `message` says why in plain words."""

    code = "link_failed"


class ProviderError(LinkError):
    """The provider failed: it was down, too slow, refused a request or answered something unusable."""

    status = 502
    code = "provider_error"


class TokenRejected(ProviderError):
    """A provider API answered 401 to our access token (expired early or revoked)."""


class ReconnectRequired(ProviderError):
    """The provider no longer honours our grant (`invalid_grant`): the creator must connect again."""

    code = "reconnect_required"
