"""Checks on addresses that end up in links and pages: only absolute http(s) URLs of bounded length."""

from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from common.errors import ApplicationError

TARGET_URL_MAX_LENGTH = 2000
# The check of the models' URLFields: an address must pass it here, or saving it fails later.
_url_field_check = URLValidator(schemes=["http", "https"])


def target_url_validate(url: str) -> str:
    """A link target must be an absolute http(s) URL of bounded length: no javascript:, no data: URLs."""
    url = (url or "").strip()
    if not url:
        raise ApplicationError.on_field("target", "This target has no address to link to.")
    if len(url) > TARGET_URL_MAX_LENGTH:
        raise ApplicationError.on_field(
            "target", f"This target's address is longer than {TARGET_URL_MAX_LENGTH} characters."
        )
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ApplicationError.on_field("target", "This target's address contains spaces or control characters.")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ApplicationError.on_field("target", "Links can only point to http:// or https:// addresses.")
    try:
        _url_field_check(url)
    except ValidationError:
        raise ApplicationError.on_field("target", "This target's address is not a valid web address.") from None
    if is_own_short_link(url):
        raise ApplicationError.on_field(
            "target", "Links cannot lead to another Reelfolio short link (/l/...): choose where it finally leads."
        )
    return url


def custom_target_url_validate(url: str, *, handles: list[str]) -> str:
    """An address the creator typed as a link target (a personal site, a Behance page): checked like the
    others, and also https only, without a user name or password in it, and never the creator's own page
    (under any of `handles`, the current one and those that redirect to it): the link is shown there."""
    url = (url or "").strip()
    if not url:
        raise ApplicationError.on_field("custom_url", "Enter the address the link leads to, starting with https://.")
    if urlsplit(url).scheme.lower() != "https":
        raise ApplicationError.on_field(
            "custom_url", "Only https:// addresses can be link targets: they keep your visitors' visit private."
        )
    try:
        url = target_url_validate(url)
    except ApplicationError as error:
        raise ApplicationError.on_field("custom_url", error.message) from None
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise ApplicationError.on_field(
            "custom_url", "This address has a user name or password in it (before an @): leave it out."
        )
    if any(is_public_page_of(url, handle=handle) for handle in handles if handle):
        raise ApplicationError.on_field(
            "custom_url", "This is your own Reelfolio page, where the link is shown: it would lead back to itself."
        )
    return url


def is_own_host(url: str) -> bool:
    """Whether the address is on Reelfolio's own host (SITE_URL's), whatever its scheme or port."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return bool(host) and host == urlsplit(settings.SITE_URL).hostname


def is_own_short_link(url: str) -> bool:
    """A short link of ours: a click there would be counted again, and a chain of them inflates counts."""
    return is_own_host(url) and unquote(urlsplit(url).path).startswith("/l/")


def is_public_page_of(url: str, *, handle: str) -> bool:
    """Whether the address is the public page /@<handle> itself: a link there from that page goes round."""
    if not is_own_host(url):
        return False
    return unquote(urlsplit(url).path).rstrip("/").lower() == f"/@{handle.lower()}"


def http_or_blank(url: str, *, max_length: int = 1000) -> str:
    """Addresses from a provider are shown on our pages: keep http(s) ones that fit, drop anything else."""
    try:
        url = target_url_validate(url)
    except ApplicationError:
        return ""
    return url if len(url) <= max_length else ""
