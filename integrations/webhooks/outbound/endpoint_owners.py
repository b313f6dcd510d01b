"""Who owns an outbound endpoint, told by the domain: `integrations` knows owners by a plain id only.

The domain registers, per owner type, a function that names the owner and the addresses to email about
its endpoints (e.g. an organization's members) from its AppConfig.ready().
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Owner:
    name: str
    emails: list[str]
    manage_url: str = ""  # where its endpoints are managed, for emails


_resolvers: dict[str, Callable[[int], Owner | None]] = {}


def register_owner_type(owner_type: str, resolver: Callable[[int], Owner | None]) -> None:
    """resolver(owner_id) -> Owner, or None when no such owner exists any more."""
    _resolvers[owner_type] = resolver


def owner(*, owner_type: str, owner_id: int) -> Owner | None:
    resolver = _resolvers.get(owner_type)
    return resolver(owner_id) if resolver else None
