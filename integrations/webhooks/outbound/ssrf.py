"""The guard on addresses that users give us (employers' ATS endpoints): only the public internet.

Checking a URL's text is not enough: `0x7f000001`, `2130706433`, `127.1` and names under public
wildcard DNS all reach loopback. So the name is resolved, every address it resolves to is checked
(IPv4 addresses embedded in IPv6 are unwrapped first), and the connection is then pinned to a checked
address: the HTTP request goes to that IP while the Host header, TLS SNI and certificate check keep
the URL's name. A DNS answer that changes between the check and the connection cannot lead elsewhere.

`WEBHOOK_ALLOWED_NETWORKS` (CIDRs) is the only way through, for local tests and the demo. The cloud
metadata addresses are refused even then.
"""

import ipaddress
import socket
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from common import http

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")

PUBLIC_ONLY = "Webhooks are only sent to addresses on the public internet."


class UnsafeAddress(Exception):
    """The endpoint cannot be called: the message says why, for the person who registered it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Target:
    """A URL checked for sending: its parts, and the addresses it resolved to (all of them allowed)."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for cidr in cidrs:
        try:
            networks.append(ipaddress.ip_network(cidr.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"WEBHOOK_ALLOWED_NETWORKS: {cidr!r} is not a network (write CIDRs such as 127.0.0.0/8)."
            ) from None
    return tuple(networks)


def allowed_networks():
    return _networks(tuple(c for c in settings.WEBHOOK_ALLOWED_NETWORKS if c.strip()))


def unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv4-mapped (::ffff:), IPv4-compatible (::/96), NAT64 (64:ff9b::/96)
    or 6to4 (2002::/16) IPv6 address; any other address as it is."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        # ::/96 minus :: and ::1, which are IPv6's own unspecified and loopback addresses.
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def address_refusal(address: str | IPAddress) -> str | None:
    """What kind of address this is when it may not be called ("a loopback address"), or None."""
    original = ipaddress.ip_address(address) if isinstance(address, str) else address
    ip = unwrap(original)
    if ip in METADATA_ADDRESSES or original in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if any(ip in network or original in network for network in allowed_networks()):
        return None
    for kind, matches in (
        ("an unspecified address", ip.is_unspecified),
        ("a loopback address", ip.is_loopback),
        ("a link-local address", ip.is_link_local),
        ("a multicast address", ip.is_multicast),
        ("a shared (carrier-grade NAT) address", isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED),
        ("a private address", ip.is_private),
        ("a reserved address", ip.is_reserved),
    ):
        if matches:
            return kind
    if not ip.is_global:
        return "not a public internet address"
    return None


def refusal_message(host: str, address: str, kind: str) -> str:
    """E.g. "localhost resolves to 127.0.0.1, a loopback address. Webhooks are only sent to ..." """
    original = ipaddress.ip_address(address)
    ip = unwrap(original)
    shown = str(original) if ip == original else f"{original} (that is {ip})"
    try:
        literal = ipaddress.ip_address(host.strip("[]")) == original
    except ValueError:
        literal = False
    if literal:
        said = f"{shown} is {kind}"
    elif kind.startswith("not "):
        said = f"{host} resolves to {shown}, which is {kind}"
    else:
        said = f"{host} resolves to {shown}, {kind}"
    return f"{said}. {PUBLIC_ONLY}"


def resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to, in the resolver's order, without repeats."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeAddress(f"The name {host} does not resolve to any address.") from None
    addresses: list[str] = []
    for _family, _type, _proto, _canonname, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]  # an IPv6 scope id is not part of the address
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeAddress(f"The name {host} does not resolve to any address.")
    return addresses


def check_url_text(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL fit to register; refuses what no resolver answer can make right."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise UnsafeAddress("This is not a valid address: write it as https://ats.example.com/webhooks.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeAddress("Give a full address that starts with https://, e.g. https://ats.example.com/webhooks.")
    if scheme != "https" and settings.WEBHOOK_REQUIRE_HTTPS:
        raise UnsafeAddress("The address must start with https://: webhooks carry applicants' data.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeAddress(
            "Leave the user name and password out of the address: we sign every request so that you can "
            "check it came from us."
        )
    if parts.fragment:
        raise UnsafeAddress("Leave the #fragment out of the address: it is never sent to the server.")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


def check_url(url: str) -> Target:
    """Checks the URL and every address its name resolves to; raises UnsafeAddress with the reason."""
    scheme, host, port = check_url_text(url)
    addresses = resolve(host, port)
    for address in addresses:
        kind = address_refusal(address)
        if kind:
            raise UnsafeAddress(refusal_message(host, address, kind))
    return Target(url=url.strip(), scheme=scheme, host=host, port=port, addresses=tuple(addresses))


# --- pinned connections --------------------------------------------------------------------------------


class _PinnedConnectionMixin(HTTPConnection):
    """Connects the socket to the checked address; `host` (Host header, SNI, certificate) stays the name.
    Put before HTTPConnection or HTTPSConnection in a class's bases."""

    def __init__(self, *args, pinned_address: str, **kwargs):
        self.pinned_address = pinned_address
        super().__init__(*args, **kwargs)

    def _new_conn(self):
        try:
            return urllib3_connection.create_connection(
                (self.pinned_address, self.port),
                self.timeout,
                source_address=self.source_address,
                socket_options=self.socket_options,
            )
        except TimeoutError as error:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from error
        except OSError as error:
            raise NewConnectionError(self, f"Failed to establish a new connection: {error}") from error


class _PinnedHTTPConnection(_PinnedConnectionMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnectionMixin, HTTPSConnection):
    pass


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class PinnedAdapter(http.TimeoutAdapter):
    """The outgoing-HTTP door's adapter (its timeouts), every connection of which goes to one checked address.
    Nothing is retried: deliveries are POSTs, and the outbox tries again on its own schedule."""

    def __init__(self, *, address: str):
        self.address = address
        self._pools: list[HTTPConnectionPool] = []
        super().__init__(retries=False)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        pool: HTTPConnectionPool
        if host_params["scheme"] == "https":
            pool = _PinnedHTTPSPool(
                host_params["host"], host_params["port"], maxsize=1, pinned_address=self.address, **pool_kwargs
            )
        else:
            pool = _PinnedHTTPPool(host_params["host"], host_params["port"], maxsize=1, pinned_address=self.address)
        self._pools.append(pool)
        return pool

    def close(self):
        for pool in self._pools:
            pool.close()
        self._pools.clear()
        super().close()


def pinned_session(target: Target) -> http.Session:
    """A session of the outgoing-HTTP door that sends to `target`'s first checked address only and ignores
    proxy variables from the environment (a proxy would resolve the name again). Callers pass
    allow_redirects=False."""
    return http.session(adapter=PinnedAdapter(address=target.addresses[0]), trust_env=False)
