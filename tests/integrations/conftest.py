"""Fixtures for the integration tests: the built-in sandbox partner served by the live server."""

from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class SandboxPartner:
    """What a test needs to link against the sandbox partner over real HTTP.

    `users`: the sandbox logins (each has `.username`, `.password`, `.name`), first user first; the
    first user has more than one page of portfolio projects and of videos.
    `clients`: by provider id (`"sandbox-freelance"`, `"sandbox-video"`), each with `.client_id`,
    `.client_secret`, `.redirect_uri`.
    """

    site_url: str
    issuer: str
    discovery_url: str
    users: list
    clients: dict

    @property
    def user(self):
        return self.users[0]

    @property
    def freelance(self):
        return self.clients["sandbox-freelance"]

    @property
    def video(self):
        return self.clients["sandbox-video"]


@pytest.fixture
def sandbox_partner(request, live_server, settings) -> SandboxPartner:
    """Seeds the sandbox partner for the live server and points SITE_URL at it.

    The test must allow both databases and commit its rows, because the live server runs in another
    thread: `@pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)`.
    """
    marker = request.node.get_closest_marker("django_db")
    databases = (marker.kwargs.get("databases") if marker else None) or []
    if not marker or "sandbox" not in databases or not marker.kwargs.get("transaction"):
        pytest.fail(
            "sandbox_partner needs "
            '@pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)'
        )
    from integrations.sandbox.services import sandbox_seed

    settings.SITE_URL = live_server.url
    seeded = sandbox_seed(site_url=live_server.url)
    return SandboxPartner(
        site_url=live_server.url,
        issuer=seeded.issuer,
        discovery_url=f"{live_server.url}/sandbox/.well-known/openid-configuration",
        users=list(seeded.logins),
        clients=dict(seeded.clients),
    )
