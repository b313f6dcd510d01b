"""Expected failures of linking and syncing, each with a message fit to show to the creator."""


class LinkError(Exception):
    """Linking, syncing or unlinking could not be done; `message` says why in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ProviderError(LinkError):
    """The provider failed: it was down, too slow, refused a request or answered something unusable."""


class TokenRejected(ProviderError):
    """A provider API answered 401 to our access token (expired early or revoked)."""


class ReconnectRequired(ProviderError):
    """The provider no longer honours our grant (`invalid_grant`): the creator must connect again."""
