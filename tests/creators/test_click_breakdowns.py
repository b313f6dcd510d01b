"""What a click tells about its visitor, folded with the clicks: the referring domain, the class of device
and the country (from a local GeoIP database), and the creator's unique visitors across all of their
links. The visitor's address is stored nowhere."""

import pytest
from django.db import connection
from django.utils import timezone

from portfolio.creators import services
from portfolio.creators.models import CreatorVisitorsDaily, LinkClickBreakdownDaily, LinkClickDaily
from tests.creators.conftest import BROWSER_UA, GB_ADDRESS, PHONE_UA, PT_ADDRESS, target_for

pytestmark = pytest.mark.django_db

TABLET_UA = "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
TV_UA = "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0 Safari/537.36"


@pytest.fixture
def anchors(creator, videos):
    return services.anchors_attach(creator=creator, videos=videos[:2], target=target_for(creator))


def click(client, code, *, ua=BROWSER_UA, ip="203.0.113.7", referer=None):
    extra = {"HTTP_REFERER": referer} if referer is not None else {}
    return client.get(f"/l/{code}", HTTP_USER_AGENT=ua, REMOTE_ADDR=ip, **extra)


def breakdown(anchor, dimension):
    rows = LinkClickBreakdownDaily.objects.filter(anchor=anchor, dimension=dimension, day=timezone.now().date())
    return dict(rows.values_list("value", "clicks"))


def test_referrers_are_counted_by_domain_and_direct_when_there_is_none(client, anchors):
    for referer in (
        "https://www.TikTok.com/@casey/video/123?utm_source=x",
        "https://tiktok.com/",
        "http://m.example.org:8080/a/b#frag",
        None,
        "",
        "not a url",
        "android-app://com.zhiliaoapp.musically/",
    ):
        assert click(client, anchors[0].code, referer=referer).status_code == 302
    services.clicks_fold()
    assert breakdown(anchors[0], "referrer") == {
        "tiktok.com": 2, "m.example.org": 1, "direct": 2, "unknown": 1, "com.zhiliaoapp.musically": 1
    }


def test_devices_are_counted_by_class(client, anchors):
    for ua in (BROWSER_UA, PHONE_UA, PHONE_UA, TABLET_UA, TV_UA):
        click(client, anchors[0].code, ua=ua)
    services.clicks_fold()
    assert breakdown(anchors[0], "device") == {"desktop": 1, "mobile": 2, "tablet": 1, "other": 1}


def test_without_a_geoip_database_every_country_is_unknown(client, anchors, settings):
    settings.GEOIP_PATH = ""
    click(client, anchors[0].code, ip=GB_ADDRESS)
    services.clicks_fold()
    assert breakdown(anchors[0], "country") == {"unknown": 1}


def test_countries_come_from_the_local_geoip_database_and_no_address_is_stored(client, anchors, geoip_database):
    for ip in (GB_ADDRESS, GB_ADDRESS, PT_ADDRESS, "8.8.8.8", "10.1.2.3"):
        click(client, anchors[0].code, ip=ip)
    services.clicks_fold()
    assert breakdown(anchors[0], "country") == {"GB": 2, "PT": 1, "unknown": 2}
    # Nothing in the tables of the counts holds an address.
    for model in (LinkClickDaily, LinkClickBreakdownDaily, CreatorVisitorsDaily):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")  # noqa: S608
            dump = repr(cursor.fetchall())
        assert GB_ADDRESS not in dump and PT_ADDRESS not in dump


def test_an_unreadable_geoip_database_makes_countries_unknown_without_costing_the_redirect(
    client, anchors, settings, tmp_path
):
    broken = tmp_path / "broken.mmdb"
    broken.write_bytes(b"not a database")
    settings.GEOIP_PATH = str(broken)
    assert click(client, anchors[0].code, ip=GB_ADDRESS).status_code == 302
    services.clicks_fold()
    assert breakdown(anchors[0], "country") == {"unknown": 1}
    assert LinkClickDaily.objects.get(anchor=anchors[0]).clicks == 1


def test_a_visitor_of_two_videos_counts_once_for_the_creator(client, creator, anchors):
    """Before, the headline summed each link's unique visitors: one visitor who clicked two videos
    counted as two."""
    for anchor in anchors:
        click(client, anchor.code, ip="203.0.113.7")
        click(client, anchor.code, ip="203.0.113.7")
    click(client, anchors[1].code, ip="203.0.113.8")
    services.clicks_fold()
    assert sorted(LinkClickDaily.objects.values_list("unique_visitors", flat=True)) == [1, 2]
    assert CreatorVisitorsDaily.objects.get(creator=creator).unique_visitors == 2


def test_breakdowns_and_creator_visitors_are_counted_in_the_database_while_the_cache_is_down(
    client, creator, anchors, settings
):
    down = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    settings.CACHES = {"default": down, "clicks": down}
    click(client, anchors[0].code, ua=PHONE_UA, referer="https://www.instagram.com/p/1")
    click(client, anchors[1].code, ua=PHONE_UA)
    assert breakdown(anchors[0], "referrer") == {"instagram.com": 1}
    assert breakdown(anchors[1], "referrer") == {"direct": 1}
    assert breakdown(anchors[0], "device") == breakdown(anchors[1], "device") == {"mobile": 1}
    assert CreatorVisitorsDaily.objects.get(creator=creator).unique_visitors == 1


def test_a_fold_moves_each_breakdown_once(client, anchors):
    click(client, anchors[0].code, referer="https://tiktok.com/")
    services.clicks_fold()
    services.clicks_fold()
    click(client, anchors[0].code, referer="https://tiktok.com/")
    services.clicks_fold()
    assert breakdown(anchors[0], "referrer") == {"tiktok.com": 2}
    assert breakdown(anchors[0], "device") == {"desktop": 2}
