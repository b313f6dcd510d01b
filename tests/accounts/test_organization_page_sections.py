"""The organization page opens with a list of its sections (members, invitations, video account, API keys,
webhooks) whose links land on them, without a script."""

import re

import pytest

from portfolio.accounts.models import Membership
from portfolio.accounts.services import user_sign_up

pytestmark = pytest.mark.django_db


def sections_of(html: str) -> tuple[list[tuple[str, str]], set[str]]:
    nav = re.search(r'<nav aria-label="Sections of this page".*?</nav>', html, re.S)
    assert nav, "the page lists its sections"
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', nav.group(0))
    return links, set(re.findall(r'\sid="([^"]+)"', html))


def test_every_section_is_listed_and_every_link_lands_on_its_section(client):
    """Regression: the organization page was one long scroll of seven sections with no way to jump to one."""
    owner = user_sign_up(email="owner@northwind.example", name="Olivia", password="pw-123456-long",
                         role="employer", organization_name="Northwind Studio")
    client.force_login(owner)
    links, ids = sections_of(client.get("/accounts/organizations/northwind-studio/").content.decode())
    assert [name for _target, name in links] == [
        "Jobs", "Members", "Invitations", "Video account", "API keys", "Webhooks",
    ]
    assert {target for target, _name in links} <= ids


def test_a_member_sees_no_invitations_to_jump_to(client):
    owner = user_sign_up(email="owner@northwind.example", name="Olivia", password="pw-123456-long",
                         role="employer", organization_name="Northwind Studio")
    member = user_sign_up(email="mo@northwind.example", name="Mo", password="pw-123456-long", role="employer",
                          organization_name="Mo's Films")
    Membership.objects.create(organization=owner.organizations.get(), user=member, role=Membership.Role.MEMBER)
    client.force_login(member)
    links, ids = sections_of(client.get("/accounts/organizations/northwind-studio/").content.decode())
    assert "Invitations" not in [name for _target, name in links]
    assert {target for target, _name in links} <= ids
