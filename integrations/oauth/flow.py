"""The authorization code flow, once for every provider, on top of Authlib's Django client.

Authlib does PKCE (S256), the one-time state kept in the session, the nonce and the ID token checks.
Here we add what it does not check: the discovered metadata's issuer (RFC 8414, in
Provider.metadata), the authorization response's `iss` (RFC 9207), the state's expiry, and that a
response carrying an error, a wrong `iss` or no code still spends its state. No database transaction is open here.
"""

import logging
import time
from dataclasses import dataclass

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme
from joserfc.errors import JoseError

from common import http
from integrations.providers import Provider
from integrations.providers.errors import LinkError, ProviderError

logger = logging.getLogger(__name__)

STALE_STATE = (
    "This sign-in answer is not the one Reelfolio was waiting for (it expired or was already used). "
    "Please connect again."
)


@dataclass(frozen=True)
class Pending:
    """What the person asked for when linking started, kept in their session until the callback.

    - `link_for_user_id`: the account the link is for, when it is not the person's own (an organization's
      holder account, say); the link policies are asked again at the callback.
    - `next_url`: where to go afterwards (a path on this site).
    - `sign_in`: a person who is not logged in signs in (or up) with the provider account.
    """

    link_for_user_id: int | None = None
    next_url: str = ""
    sign_in: bool = False


def _pending_key(provider: Provider) -> str:
    return f"oauth_pending:{provider.id}"


def safe_next_url(*, request: HttpRequest, url: str | None) -> str:
    """`url` when it is a path on this site, else ""."""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url if url.startswith("/") else ""
    return ""


def authorization_redirect(
    *,
    request: HttpRequest,
    provider: Provider,
    link_for_user_id: int | None = None,
    next_url: str = "",
    sign_in: bool = False,
) -> HttpResponse:
    """The redirect to the provider's authorization endpoint; the state and what the person asked for
    (`Pending`) are kept in the session."""
    provider.metadata()
    request.session[_pending_key(provider)] = {
        "link_for_user_id": link_for_user_id,
        "next_url": safe_next_url(request=request, url=next_url),
        "sign_in": bool(sign_in),
    }
    try:
        return provider.client.authorize_redirect(request, provider.redirect_uri)
    except (http.RequestException, RuntimeError, ValueError):
        raise ProviderError(f"{provider.name} could not be reached. Please try again later.") from None


def pending_pop(*, request: HttpRequest, provider: Provider) -> Pending:
    """What linking was started for (and forgets it): a plain link for the person when nothing was kept."""
    data = request.session.pop(_pending_key(provider), None)
    if not isinstance(data, dict):
        return Pending()
    owner = data.get("link_for_user_id")
    return Pending(
        link_for_user_id=owner if isinstance(owner, int) else None,
        next_url=safe_next_url(request=request, url=data.get("next_url")),
        sign_in=data.get("sign_in") is True,
    )


# The answers of finished flows a session remembers, so that the same answer coming again (Back to the
# provider's pages, a reloaded or replayed callback) returns the person to where that flow started.
FINISHED_KEY = "oauth_finished"
FINISHED_KEEP = 5


@dataclass(frozen=True)
class Finished:
    """A flow whose answer came back already: where it started, and whether it was a sign-in."""

    next_url: str = ""
    sign_in: bool = False


def finished_remember(*, request: HttpRequest, provider: Provider, pending: Pending) -> None:
    """Notes that this answer's flow has come back (whatever its outcome), with where it started."""
    state = request.GET.get("state", "")
    if not state:
        return
    kept = [
        entry for entry in request.session.get(FINISHED_KEY) or []
        if isinstance(entry, dict) and entry.get("state") != state
    ]
    kept.append({"provider": provider.id, "state": state, "next_url": pending.next_url, "sign_in": pending.sign_in})
    request.session[FINISHED_KEY] = kept[-FINISHED_KEEP:]


def finished_flow(*, request: HttpRequest, provider: Provider) -> Finished | None:
    """The finished flow this answer belongs to, when it came back before; None for an answer never seen."""
    state = request.GET.get("state", "")
    for entry in request.session.get(FINISHED_KEY) or []:
        if isinstance(entry, dict) and state and entry.get("state") == state and entry.get("provider") == provider.id:
            return Finished(
                next_url=safe_next_url(request=request, url=entry.get("next_url")), sign_in=entry.get("sign_in") is True
            )
    return None


def response_is_awaited(*, request: HttpRequest, provider: Provider) -> bool:
    """Whether this authorization response's state is one the session is still waiting for (False for an
    answer already used, e.g. the callback page revisited with Back after linking)."""
    state = request.GET.get("state", "")
    return bool(state) and provider.client.framework.get_state_data(request.session, state) is not None


def authorization_complete(*, request: HttpRequest, provider: Provider) -> dict:
    """Checks the authorization response and exchanges its code; returns Authlib's token (with `userinfo`
    holding the validated ID token claims for OpenID Connect providers)."""
    params = request.GET
    framework = provider.client.framework
    state = params.get("state", "")
    if not state or framework.get_state_data(request.session, state) is None:
        raise LinkError(STALE_STATE)

    def spend_state():
        framework.clear_state_data(request.session, state)

    if _state_expired(request=request, provider=provider, state=state):
        spend_state()
        raise LinkError(STALE_STATE)

    error = params.get("error")
    if error:
        spend_state()
        if error == "access_denied":
            raise LinkError(f"You declined access at {provider.name}, so nothing was linked.")
        raise ProviderError(f"{provider.name} could not complete the sign-in ({error[:60]}).")
    try:
        check_response_issuer(provider=provider, iss=params.get("iss"))
    except LinkError:
        spend_state()
        raise
    if not params.get("code"):
        spend_state()
        raise LinkError(f"{provider.name} sent no authorization code, so nothing was linked. Please connect again.")

    try:
        token = provider.client.authorize_access_token(request)
    except MismatchingStateError:
        raise LinkError(STALE_STATE) from None
    except (AuthlibBaseError, JoseError, http.RequestException, ValueError, TypeError, RuntimeError) as exc:
        logger.warning("oauth.token_exchange_failed", extra={"provider": provider.id, "error": type(exc).__name__})
        raise provider.token_error(exc, "complete the sign-in") from None
    if not token.get("access_token"):
        raise ProviderError(f"{provider.name} completed the sign-in without an access token.")
    if provider.uses_openid and "userinfo" not in token:
        raise ProviderError(f"{provider.name} did not send an ID token, so nothing was linked.")
    return provider.checked_token(dict(token), "complete the sign-in")


def _state_expired(*, request: HttpRequest, provider: Provider, state: str) -> bool:
    """Authlib keeps each state in the session with an expiry (`exp`, an hour on) but does not check it."""
    entry = request.session.get(f"_state_{provider.client.framework.name}_{state}")
    expires = entry.get("exp") if isinstance(entry, dict) else None
    return not isinstance(expires, int | float) or expires < time.time()


def check_response_issuer(*, provider: Provider, iss: str | None) -> None:
    """RFC 9207: when the provider sends `iss` (always, if its metadata says so), it must be its issuer."""
    expected = provider.expected_issuer()
    if iss is None:
        if provider.requires_iss():
            raise LinkError(f"{provider.name}'s answer did not say who sent it, so nothing was linked.")
        return
    if expected and iss != expected:
        logger.warning("oauth.iss_mismatch", extra={"provider": provider.id})
        raise LinkError(f"{provider.name}'s answer came from an unexpected issuer, so nothing was linked.")
