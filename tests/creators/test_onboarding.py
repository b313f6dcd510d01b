"""A new creator's checklist on the home page: which first steps are done (accounts linked, first link
attached, first click), and no checklist once all are."""

import re

import pytest
from django.urls import reverse

from integrations.oauth.models import LinkedAccount
from portfolio.creators import services
from tests import screenshots
from tests.creators.conftest import BROWSER_UA, PASSWORD, remote_videos, target_for
from tests.integrations.oauth.helpers import page_text


def checklist(client) -> dict[str, str]:
    """Each step of the checklist shown on the home page, "done" or "todo"; {} when there is none."""
    html = client.get(reverse("home")).content.decode()
    return dict((key, state) for state, key in re.findall(r'<li class="(done|todo)" data-step="(\w+)">', html))


@pytest.mark.django_db
def test_the_checklist_follows_a_creator_from_sign_up_to_the_first_click(client, creator, video_account,
                                                                          freelance_account):
    LinkedAccount.objects.update(status=LinkedAccount.Status.NEEDS_RECONNECT)
    client.force_login(creator)
    assert checklist(client) == {"accounts": "todo", "link": "todo", "click": "todo"}
    assert "Link your accounts: your freelance account for the portfolio and your video account" in page_text(
        client.get("/")
    )

    LinkedAccount.objects.filter(pk=video_account.pk).update(status=LinkedAccount.Status.ACTIVE)
    assert checklist(client)["accounts"] == "todo"
    assert "your freelance account is still missing." in page_text(client.get("/"))
    LinkedAccount.objects.update(status=LinkedAccount.Status.ACTIVE)
    assert checklist(client) == {"accounts": "done", "link": "todo", "click": "todo"}
    assert "1 of 3 done" in page_text(client.get("/"))

    services.videos_sync(linked_account=video_account, videos=remote_videos(2))
    target = target_for(creator, f"profile:{freelance_account.pk}")
    [anchor] = services.anchors_attach(creator=creator, videos=[video_account.videos.first()], target=target)
    assert checklist(client) == {"accounts": "done", "link": "done", "click": "todo"}

    client.logout()
    assert client.get(f"/l/{anchor.code}", HTTP_USER_AGENT=BROWSER_UA).status_code == 302
    client.force_login(creator)
    assert checklist(client)["click"] == "todo"  # counted, not folded yet
    services.clicks_fold()
    assert checklist(client) == {}
    assert "Get started" not in page_text(client.get("/"))


@pytest.mark.django_db
def test_a_detached_link_no_longer_counts_as_attached(client, creator, videos, freelance_account):
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    client.force_login(creator)
    assert checklist(client)["link"] == "done"
    services.anchor_detach(creator=creator, anchor=anchor)
    assert checklist(client)["link"] == "todo"


@pytest.mark.django_db
def test_employers_see_no_checklist(client, django_user_model):
    employer = django_user_model.objects.create_user(
        email="olivia@example.com", password=PASSWORD, name="Olivia Owner", role="employer"
    )
    client.force_login(employer)
    assert checklist(client) == {}


@pytest.mark.django_db
def test_the_home_page_costs_a_fixed_number_of_queries(client, creator, videos, freelance_account,
                                                       django_assert_num_queries):
    services.anchors_attach(creator=creator, videos=videos, target=target_for(creator))
    client.force_login(creator)
    # the session, the user, the checklist, the reconnect banner's links
    with django_assert_num_queries(4):
        response = client.get(reverse("home"))
    assert response.status_code == 200 and "2 of 3 done" in page_text(response)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_checklist_looks_right_on_a_phone_and_a_desktop(page, creator, video_account, freelance_account):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(creator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))
    section = page.get_by_role("region", name=re.compile("Get started"))
    assert "1 of 3 done" in section.inner_text()
    assert section.get_by_role("link", name="Attach “View My Portfolio”").is_visible()
    screenshots.shooter("home")(page, "onboarding")
