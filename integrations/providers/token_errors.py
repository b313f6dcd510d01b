"""What a failed call to a token endpoint means for the creator, and which token answers can be stored."""

from datetime import UTC, datetime

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import OAuthError
from joserfc.errors import JoseError

from common import http
from integrations.providers.errors import ProviderError, ReconnectRequired
from integrations.providers.provider_attributes import ProviderAttributes


class TokenErrorsMixin(ProviderAttributes):
    """Turns token endpoint failures into ProviderError (ReconnectRequired for a grant that is gone)."""

    def token_error(self, error: Exception, action: str, *, refreshing: bool = False) -> ProviderError:
        """Turns a failure of a token endpoint call into the error the creator sees."""
        if refreshing and isinstance(error, OAuthError) and error.error in self.invalid_grant_errors:
            return ReconnectRequired(f"{self.name} no longer accepts Reelfolio's access. Please reconnect.")
        if isinstance(error, OAuthError):
            return ProviderError(f"{self.name} refused to {action} ({error.error}).")
        if isinstance(error, http.Timeout):
            return ProviderError(f"{self.name} did not answer in time while trying to {action}. Please try again.")
        if isinstance(error, http.HTTPError):
            return ProviderError(
                f"{self.name} failed while trying to {action} (HTTP {error.response.status_code}). Please try again."
            )
        if isinstance(error, http.RequestException) and not isinstance(error, http.JSONDecodeError):
            return ProviderError(f"{self.name} could not be reached to {action}. Please try again later.")
        if isinstance(error, (AuthlibBaseError, JoseError)):
            return ProviderError(f"{self.name}'s answer failed a security check while trying to {action}.")
        return ProviderError(f"{self.name} sent an answer Reelfolio cannot read while trying to {action}.")

    def checked_token(self, token: dict, action: str) -> dict:
        """The token endpoint's answer, refused unless Reelfolio can store it: text tokens and an expiry
        a date can hold. Checked before anything is written, so a garbage answer changes nothing."""
        try:
            for name in ("access_token", "refresh_token"):
                if not isinstance(token.get(name) or "", str):
                    raise TypeError(name)
            if token.get("expires_at"):
                datetime.fromtimestamp(int(token["expires_at"]), tz=UTC)
        except (TypeError, ValueError, OverflowError, OSError) as error:
            raise self.token_error(error, action) from None
        return token
