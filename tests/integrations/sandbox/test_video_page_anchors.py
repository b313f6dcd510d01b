"""The sandbox video platform's video page shows the anchors Reelfolio's partner API answers for it, read over
real HTTP with the sandbox's own API key, which `seed_demo` makes and the sandbox keeps encrypted."""

import re
import socket
import time
from io import StringIO

import pytest
import requests
from cryptography.fernet import Fernet
from django.core.cache import cache, caches
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from integrations.partners.models import ApiKey, Partner
from integrations.partners.services import api_key_revoke
from integrations.sandbox.models import SandboxPartnerKey
from portfolio.creators import services
from portfolio.creators.models import LinkClickDaily, PortfolioAnchor
from portfolio.jobs.models import Job
from tests import screenshots

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    caches["clicks"].clear()
    yield
    cache.clear()
    caches["clicks"].clear()


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    return out.getvalue()


def printed_video_urls(output: str) -> dict[str, str]:
    found = re.findall(r"(http://\S+/sandbox/videos/\S+)\s+\(a (creator's video|job video)", output)
    return {("portfolio" if kind.startswith("creator") else "job"): url for url, kind in found}


shoot = screenshots.shooter("sandbox-video")


def test_seed_demo_gives_the_sandbox_one_working_key_and_keeps_it_on_a_second_run(sandbox_partner):
    first = seed_demo()
    stored = SandboxPartnerKey.objects.get()
    second = seed_demo()

    partner = Partner.objects.get(slug="sandbox-video")
    [key] = ApiKey.objects.filter(partner=partner)
    assert key.scopes == ["anchors:read"] and key.revoked_at is None
    assert SandboxPartnerKey.objects.get().api_key_encrypted == stored.api_key_encrypted
    # The key is stored encrypted and printed nowhere.
    assert "rfk_" not in stored.api_key_encrypted
    assert "rfk_" not in first + second
    assert "with a new API key" in first and "with its API key" in second


def test_a_revoked_key_is_replaced_by_the_next_seed(sandbox_partner):
    seed_demo()
    api_key_revoke(api_key=ApiKey.objects.get(partner__slug="sandbox-video"))
    urls = printed_video_urls(seed_demo())

    keys = ApiKey.objects.filter(partner__slug="sandbox-video")
    assert keys.count() == 2 and keys.filter(revoked_at__isnull=True).count() == 1
    response = requests.get(urls["portfolio"], timeout=10)
    assert "View My Portfolio" in response.text


def test_seed_demo_prints_a_creator_video_and_a_job_video_whose_pages_show_their_anchors(client, sandbox_partner):
    urls = printed_video_urls(seed_demo())
    assert set(urls) == {"portfolio", "job"}

    creator_page = client.get(urls["portfolio"].removeprefix(sandbox_partner.site_url))
    anchor = PortfolioAnchor.objects.get(video__owner__email="creator@demo.reelfolio.test")
    assert anchor.video.platform_video_id in urls["portfolio"]
    html = creator_page.content.decode()
    assert f'href="{sandbox_partner.site_url}/l/{anchor.code}"' in html and ">View My Portfolio</a>" in html

    job = Job.objects.get(status=Job.Status.PUBLISHED)
    job_page = client.get(urls["job"].removeprefix(sandbox_partner.site_url)).content.decode()
    assert f'href="{sandbox_partner.site_url}/jobs/{job.slug}/"' in job_page and ">Apply</a>" in job_page
    assert "View My Portfolio" not in job_page


def test_without_a_key_the_video_still_shows_with_a_note(client, sandbox_partner):
    response = client.get("/sandbox/videos/v-1001")

    assert response.status_code == 200
    html = response.content.decode()
    assert "The links under this video could not be loaded just now." in html
    assert "View My Portfolio" not in html


def test_a_reelfolio_that_does_not_answer_costs_the_page_a_short_wait_and_a_note(client, sandbox_partner, settings):
    seed_demo()
    # A server that accepts connections and never answers, like a single-threaded server busy with this page.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        settings.SITE_URL = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        response = client.get("/sandbox/videos/v-1001")
        elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert "The links under this video could not be loaded just now." in response.content.decode()
    assert elapsed < 5


@pytest.mark.browser
def test_a_viewer_follows_view_my_portfolio_from_the_sandbox_video_page(page, sandbox_partner):
    urls = printed_video_urls(seed_demo())
    anchor = PortfolioAnchor.objects.get(video__owner__email="creator@demo.reelfolio.test")

    # Headless Chromium says "HeadlessChrome" in its User-Agent, which counts as a bot; visit as a person would.
    page.set_extra_http_headers({"User-Agent": BROWSER_UA})
    page.goto(urls["job"])
    expect(page.get_by_role("button", name="Apply")).to_be_visible()
    shoot(page, "job")
    page.goto(urls["portfolio"])
    expect(page.get_by_role("heading", level=1)).to_have_text(anchor.video.title)
    shoot(page, "creator")
    with page.expect_request(lambda request: f"/l/{anchor.code}" in request.url):
        page.get_by_role("button", name="View My Portfolio").click()  # a link styled as a button
    page.wait_for_url(re.compile(r"/sandbox/freelancers/casey$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Casey Creator")

    services.clicks_fold()
    # Counted today, beside the 30 days of history the demo wrote.
    assert LinkClickDaily.objects.get(anchor=anchor, day=timezone.now().date()).clicks == 1


def test_rotate_token_keys_re_encrypts_the_sandbox_key_and_its_video_pages_keep_their_anchors(
    client, sandbox_partner, settings, capsys
):
    """The sandbox's API key was left under the old key by `rotate_token_keys`: once that key was removed, the
    sandbox's video pages lost their anchors."""
    urls = printed_video_urls(seed_demo())
    path = urls["portfolio"].removeprefix(sandbox_partner.site_url)
    before = SandboxPartnerKey.objects.get().api_key_encrypted
    old_key, new_key = settings.TOKEN_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()

    # Without a rotation, removing the old key leaves the page without its links (and changes nothing).
    settings.TOKEN_ENCRYPTION_KEYS = [new_key]
    assert "The links under this video could not be loaded just now." in client.get(path).content.decode()

    settings.TOKEN_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_token_keys")
    assert "1 sandbox partner key(s)" in capsys.readouterr().out

    settings.TOKEN_ENCRYPTION_KEYS = [new_key]  # the old key is gone
    cache.clear()
    stored = SandboxPartnerKey.objects.get()
    assert stored.api_key_encrypted != before
    assert Fernet(new_key.encode()).decrypt(stored.api_key_encrypted.encode()).startswith(b"rf")
    html = client.get(path).content.decode()
    assert ">View My Portfolio</a>" in html
    assert "could not be loaded" not in html
    # The same key, not a new one: the partner still has exactly one live key for the sandbox.
    assert ApiKey.objects.filter(partner__slug="sandbox-video", revoked_at__isnull=True).count() == 1
