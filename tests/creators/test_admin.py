"""Operators remove videos from the admin; anchors are shown read-only."""

import pytest
from django.core.cache import cache

from portfolio.accounts.models import User
from portfolio.creators import services
from portfolio.creators.models import PortfolioAnchor, Video
from tests.creators.conftest import BROWSER_UA, target_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    admin = User.objects.create_superuser(email="ops@reelfolio.example", password="orchid-lantern-42", name="Ops")
    client.force_login(admin)
    return client


def test_the_remove_action_hides_the_video_and_its_link_answers_410(operator, creator, videos, client):
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    cache.clear()
    response = operator.post(
        "/admin/creators/video/",
        {"action": "remove_videos", "_selected_action": [videos[0].pk]},
        follow=True,
    )
    assert "1 video(s) removed." in response.content.decode()
    videos[0].refresh_from_db()
    assert (videos[0].status, videos[0].removed_reason) == ("removed", "admin")
    assert client.get(f"/l/{anchor.code}", HTTP_USER_AGENT=BROWSER_UA).status_code == 410


def test_anchors_are_read_only_in_the_admin(operator, creator, videos):
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    page = operator.get(f"/admin/creators/portfolioanchor/{anchor.pk}/change/").content.decode()
    assert anchor.code in page
    assert 'name="code"' not in page
    operator.post(f"/admin/creators/portfolioanchor/{anchor.pk}/change/", {"code": "hijacked01"})
    assert PortfolioAnchor.objects.get().code == anchor.code
    assert operator.get("/admin/creators/video/add/").status_code == 403
    assert Video.objects.count() == 3


def test_videos_and_links_cannot_be_deleted_in_the_admin(operator, creator, videos):
    """Regression: an admin delete skipped the services, so the deleted link kept redirecting from the cache
    and the partner API kept rendering it; operators remove videos with the remove action instead."""
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    assert operator.get(f"/l/{anchor.code}", HTTP_USER_AGENT=BROWSER_UA).status_code == 302  # now cached
    assert operator.post(f"/admin/creators/video/{videos[0].pk}/delete/", {"post": "yes"}).status_code == 403
    assert operator.post(f"/admin/creators/portfolioanchor/{anchor.pk}/delete/", {"post": "yes"}).status_code == 403
    assert 'value="delete_selected"' not in operator.get("/admin/creators/video/").content.decode()
    assert (Video.objects.count(), PortfolioAnchor.objects.count()) == (3, 1)
