"""What a click's breakdowns say about it, read from the request at the redirect and kept as nothing more:
the referring site's domain, the class of device and the country. The visitor's address is only looked
up in a local GeoIP database (settings.GEOIP_PATH); it is not stored, and nothing is downloaded.

Device classes come from a small set of User-Agent rules (below) rather than a full parser: the
maintained parser (ua-parser) names browsers, systems and device models but not the class of device,
and the redirect has to stay fast. The rules follow the usual conventions ("Mobi" means a phone,
Android without "Mobile" a tablet); iPads that ask for desktop sites (iPadOS 13 and later, by default)
say "Macintosh" and are counted as desktops, as every User-Agent based classifier counts them.
"""

import ipaddress
import logging
import re
import threading
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from common import formats

logger = logging.getLogger(__name__)

DIRECT = "direct"  # no Referer: typed, from an app, or a site that sends none
UNKNOWN = "unknown"
DEVICE_CLASSES = ("mobile", "tablet", "desktop", "other")
DOMAIN_MAX_LENGTH = 100
# The same few User-Agents and Referers come again and again: each process keeps what they gave, for this
# many of each (least recently used first out).
MEMO_SIZE = 1024

_DOMAIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")
# Televisions, consoles and watches first: their User-Agents often carry a desktop or Android system too.
_OTHER_RE = re.compile(r"smart-?tv|hbbtv|appletv|googletv|\bcrkey\b|roku|playstation|xbox|nintendo|watch", re.I)
_TABLET_RE = re.compile(r"ipad|tablet|kindle|silk/|playbook|\bsm-t\d|nexus (?:7|9|10)\b", re.I)
_MOBILE_RE = re.compile(r"mobi|iphone|ipod|android|windows phone|blackberry|\bbb10\b|opera mini|iemobile", re.I)
_DESKTOP_RE = re.compile(r"windows nt|macintosh|mac os x|x11|linux|cros", re.I)


@lru_cache(maxsize=MEMO_SIZE)
def referrer_domain(referer: str) -> str:
    """The referring site's domain, lower-cased, without "www.", port, path or query; "direct" when there
    is no Referer, "unknown" when it names no readable host. An Android app that sends its own referrer
    (`android-app://com.example.app/...`) is named by its package, as that app."""
    referer = referer.strip()
    if not referer:
        return DIRECT
    try:
        parts = urlsplit(referer)
        host = parts.hostname or ""
    except ValueError:
        return UNKNOWN
    if parts.scheme not in ("http", "https", "android-app") or not host:
        return UNKNOWN
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return UNKNOWN
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if len(host) > DOMAIN_MAX_LENGTH or not _DOMAIN_RE.match(host):
        return UNKNOWN
    return host


@lru_cache(maxsize=MEMO_SIZE)
def device_class(user_agent: str) -> str:
    """mobile, tablet, desktop or other, from the User-Agent (rules in the module's docstring)."""
    if _OTHER_RE.search(user_agent):
        return "other"
    if _TABLET_RE.search(user_agent):
        return "tablet"
    if re.search(r"android", user_agent, re.I) and not re.search(r"mobi", user_agent, re.I):
        return "tablet"  # Android tablets leave "Mobile" out
    if _MOBILE_RE.search(user_agent):
        return "mobile"
    if _DESKTOP_RE.search(user_agent):
        return "desktop"
    return "other"


_reader_lock = threading.Lock()
_readers: dict[str, Any] = {}  # path: an open maxminddb Reader, or None when unreadable


def _geoip_reader(path: str):
    """The open database for `path` (opened once per process), or None when it cannot be read."""
    reader = _readers.get(path)
    if reader is None and path not in _readers:
        with _reader_lock:
            if path not in _readers:
                import maxminddb

                try:
                    _readers[path] = maxminddb.open_database(path)
                except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
                    logger.warning("GeoIP database unreadable: countries are unknown", extra={"error": str(exc)[:200]})
                    _readers[path] = None
            reader = _readers[path]
    return reader


def country_code(address: str) -> str:
    """The ISO 3166 code of the address's country from the local GeoIP database; "unknown" without one,
    for addresses it does not know, and for private or unreadable addresses."""
    path = settings.GEOIP_PATH
    if not path or not address:
        return UNKNOWN
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return UNKNOWN
    if not ip.is_global:
        return UNKNOWN
    reader = _geoip_reader(path)
    if reader is None:
        return UNKNOWN
    try:
        record = reader.get(str(ip))
    except (ValueError, OSError):
        return UNKNOWN
    if not isinstance(record, dict):
        return UNKNOWN
    country = record.get("country") or record.get("registered_country") or {}
    code = country.get("iso_code") if isinstance(country, dict) else None
    return code.upper() if isinstance(code, str) and re.fullmatch(r"[A-Za-z]{2}", code) else UNKNOWN


def country_name(code: str) -> str:
    """The name of the country with this ISO 3166 code in the active language, as every page writes it
    (common/formats.py): "South Korea", not "Korea, Republic of"; "Unknown" for unknown; the code itself
    for a code that names nothing."""
    if code == UNKNOWN:
        return "Unknown"
    return formats.country(code) if re.fullmatch(r"[A-Za-z]{2}", code) else code
