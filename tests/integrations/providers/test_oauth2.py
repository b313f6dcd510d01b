"""The generic OAuth 2.0 kind: explicit endpoints and a profile mapping, no code."""

import json

import pytest

from integrations.oauth.models import LinkedAccount
from integrations.providers.types import Profile
from tests.integrations.oauth.contract import ProviderContract
from tests.integrations.oauth.fake_provider import CLIENT_ID, CLIENT_SECRET
from tests.integrations.oauth.helpers import connect, use_provider

pytestmark = pytest.mark.django_db

ME = {"id": 9001, "name": "Casey Creator", "title": "Motion designer", "skills": ["After Effects", "Blender"],
      "photo": {"url": "https://cdn.folio.example/9001.jpg"}, "links": {"html": "https://folio.example/casey"}}
PROJECTS = [
    {"data": [{"id": f"p{n}", "name": f"Project {n}", "link": f"https://folio.example/p{n}"} for n in (1, 2)],
     "next": 2},
    {"data": [{"id": "p3", "name": "Project 3", "link": "https://folio.example/p3", "cover": "https://c/3.jpg"}]},
]


def entry(fake):
    return {
        "id": "folio", "kind": "oauth2", "name": "Folio", "role": "portfolio",
        "authorize_url": f"{fake.url}/authorize", "token_url": f"{fake.url}/token",
        "revocation_url": f"{fake.url}/revoke", "issuer": fake.issuer,
        "profile_url": f"{fake.url}/api/me",
        "profile_mapping": {"subject": "id", "display_name": "name", "headline": "title", "skills": "skills",
                            "avatar_url": "photo.url", "profile_url": "links.html"},
        "portfolio_url": f"{fake.url}/api/projects", "portfolio_path": "data",
        "portfolio_mapping": {"title": "name", "url": "link", "cover_image_url": "cover"},
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "scopes": "profile projects",
    }


def install(fake):
    fake.routes[("GET", "/api/me")] = lambda seen: (200, {"Content-Type": "application/json"}, json.dumps(ME).encode())

    def projects(seen):
        page = int(seen.query.get("page", 1))
        headers = {"Content-Type": "application/json"}
        if page == 1:
            headers["Link"] = f'<{fake.url}/api/projects?page=2>; rel="next"'
        return 200, headers, json.dumps(PROJECTS[page - 1]).encode()

    fake.routes[("GET", "/api/projects")] = projects


class TestOAuth2Provider(ProviderContract):
    provider_id = "folio"
    expected_subject = "9001"
    expected_display_name = "Casey Creator"

    entry = staticmethod(entry)
    install = staticmethod(install)


def test_the_mapping_fills_the_profile_and_follows_the_portfolio_pages(client, creator, fake, settings):
    use_provider(settings, fake, entry(fake))
    install(fake)
    client.force_login(creator)
    connect(client, "folio")
    profile = Profile.from_json(LinkedAccount.objects.get().profile)
    assert profile.headline == "Motion designer"
    assert profile.skills == ["After Effects", "Blender"]
    assert profile.avatar_url == "https://cdn.folio.example/9001.jpg"
    assert [(i.id, i.title) for i in profile.portfolio_items] == [("p1", "Project 1"), ("p2", "Project 2"),
                                                                    ("p3", "Project 3")]
    assert profile.portfolio_items[2].cover_image_url == "https://c/3.jpg"
