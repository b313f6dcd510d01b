"""Which addresses Reelfolio talks to or trusts: https, or plain http to a loopback address only."""

import ipaddress
from urllib.parse import urlsplit


def is_loopback_host(host: str | None) -> bool:
    """localhost, 127.0.0.0/8 or ::1."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_secure_url(url: str) -> bool:
    """https, or plain http to a loopback address (a local sandbox or test server), and nothing else."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        host = parts.hostname
    except ValueError:
        return False
    return bool(host) and (scheme == "https" or (scheme == "http" and is_loopback_host(host)))
