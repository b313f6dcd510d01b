"""The analytics page's choices and tables: the range of days, the top videos, the breakdowns by site,
device and country, the creator-wide unique visitors, and the CSV files of all of them."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from portfolio.creators import services
from portfolio.creators.models import CreatorVisitorsDaily, LinkClickBreakdownDaily, LinkClickDaily
from tests.creators.conftest import BROWSER_UA, PHONE_UA, target_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, creator):
    client.force_login(creator)
    return client


@pytest.fixture
def history(creator, videos):
    """Clips 1-3 with links; clicks today, 20 days ago and 60 days ago."""
    anchors = services.anchors_attach(creator=creator, videos=videos, target=target_for(creator))
    today = timezone.now().date()
    for anchor, days_ago, count, visitors in [
        (anchors[0], 0, 4, 3),
        (anchors[1], 0, 9, 6),
        (anchors[1], 20, 5, 5),
        (anchors[2], 60, 30, 20),
    ]:
        day = today - timedelta(days=days_ago)
        LinkClickDaily.objects.create(anchor=anchor, day=day, clicks=count, unique_visitors=visitors)
        for dimension, value in [("referrer", "tiktok.com"), ("device", "mobile"), ("country", "GB")]:
            LinkClickBreakdownDaily.objects.create(
                anchor=anchor, day=day, dimension=dimension, value=value, clicks=count
            )
    for days_ago, visitors in [(0, 7), (20, 5), (60, 20)]:
        day = today - timedelta(days=days_ago)
        CreatorVisitorsDaily.objects.create(creator=creator, day=day, unique_visitors=visitors)
    return anchors


def page_of(client, query=""):
    response = client.get(f"/creator/analytics/{query}")
    return response, response.content.decode()


def test_the_last_30_days_by_default_and_7_or_90_on_choice(logged_in, history):
    _, page = page_of(logged_in)
    assert "last 30 days" in page and "18 clicks and 12 unique visitors in total" in page
    _, page = page_of(logged_in, "?range=7")
    assert "last 7 days" in page and "13 clicks and 7 unique visitors in total" in page
    assert '<a href="?range=7" aria-current="page">' in page
    _, page = page_of(logged_in, "?range=90")
    assert "48 clicks and 32 unique visitors in total" in page


def test_days_counted_before_creator_wide_visitors_were_kept_show_their_links_visitors(logged_in, history):
    """Days folded before the creator-wide count existed have no row of it: the headline showed 0 unique
    visitors for them although their links had some. They now show the sum of their links' visitors."""
    CreatorVisitorsDaily.objects.filter(day=timezone.now().date() - timedelta(days=20)).delete()
    _, page = page_of(logged_in)
    assert "18 clicks and 12 unique visitors in total" in page  # 7 creator-wide today, 5 from the link
    CreatorVisitorsDaily.objects.all().delete()
    _, page = page_of(logged_in)
    assert "18 clicks and 14 unique visitors in total" in page  # 3 + 6 today, 5 twenty days ago


def test_a_custom_range_shows_only_its_days(logged_in, history):
    today = timezone.now().date()
    start, end = today - timedelta(days=70), today - timedelta(days=10)
    response, page = page_of(logged_in, f"?range=custom&start={start}&end={end}")
    assert response.status_code == 200
    assert f"{start:%d %b %Y} to {end:%d %b %Y}" in page
    assert "35 clicks and 25 unique visitors in total" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?range=custom&start=2026-03-10&end=2026-03-01", "The first day must come before the last day"),
        ("?range=custom&start=2024-01-01&end=2025-06-30", "Choose at most 366 days at a time."),
        ("?range=custom&start=yesterday&end=2026-03-01", "Enter the first day as a date"),
        ("?range=custom&start=2026-03-01", "Choose the last day to show."),
        ("?range=12", "Choose 7, 30 or 90 days, or custom dates."),
    ],
)
def test_a_wrong_range_says_why_and_shows_the_last_30_days(logged_in, history, query, message):
    response, page = page_of(logged_in, query)
    assert response.status_code == 400
    assert message in page
    assert "Showing the last 30 days instead." in page and "18 clicks and 12 unique visitors in total" in page


def test_a_range_ending_in_the_future_is_refused(logged_in, history):
    tomorrow = timezone.now().date() + timedelta(days=1)
    response, page = page_of(logged_in, f"?range=custom&start=2026-01-01&end={tomorrow}")
    assert response.status_code == 400
    assert "The last day cannot be in the future" in page


def test_top_videos_rank_by_clicks_in_the_range(logged_in, history):
    _, page = page_of(logged_in)
    table = page[page.index('class="top-videos"') : page.index("</table>", page.index('class="top-videos"'))]
    assert table.index("Clip 2") < table.index("Clip 1")
    assert "Clip 3" not in table  # its clicks are 60 days old
    _, page = page_of(logged_in, "?range=90")
    table = page[page.index('class="top-videos"') : page.index("</table>", page.index('class="top-videos"'))]
    assert table.index("Clip 3") < table.index("Clip 2") < table.index("Clip 1")


def test_clicks_followed_and_folded_show_in_the_breakdown_tables(client, logged_in, creator, videos):
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    for ua, referer in [(PHONE_UA, "https://www.tiktok.com/@casey"), (PHONE_UA, ""), (BROWSER_UA, "https://tiktok.com/x")]:
        client.get(f"/l/{anchor.code}", HTTP_USER_AGENT=ua, HTTP_REFERER=referer, REMOTE_ADDR="203.0.113.9")
    services.clicks_fold()
    _, page = page_of(logged_in)

    def table(key):
        start = page.index(f'id="breakdown-{key}"')
        return page[start : page.index("</article>", start)]

    assert "tiktok.com</td>\n              <td class=\"num\">2</td>" in table("referrer")
    assert "Direct (no referring site)" in table("referrer")
    assert "Mobile</td>\n              <td class=\"num\">2</td>" in table("device")
    assert "Unknown</td>\n              <td class=\"num\">3</td>" in table("country")
    # Two user agents from one address are two visitors; on both days' rows only once each.
    assert "3 clicks and 2 unique visitors in total" in page


def csv_rows(client, query):
    response = client.get(f"/creator/analytics.csv{query}")
    assert response.status_code == 200, response.content
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_csv_files_follow_the_range(logged_in, history):
    assert len(csv_rows(logged_in, "?range=7")) == 3 * 7
    assert len(csv_rows(logged_in, "")) == 3 * 30
    daily = csv_rows(logged_in, "?table=daily&range=90")
    assert len(daily) == 90
    assert sum(int(r["clicks"]) for r in daily) == 48 and sum(int(r["unique_visitors"]) for r in daily) == 32
    breakdowns = csv_rows(logged_in, "?table=breakdowns&range=30")
    today = str(timezone.now().date())
    assert {(r["title"], r["dimension"], r["value"], r["clicks"]) for r in breakdowns if r["day"] == today} == {
        ("Clip 1", "referrer", "tiktok.com", "4"),
        ("Clip 1", "device", "mobile", "4"),
        ("Clip 1", "country", "GB", "4"),
        ("Clip 2", "referrer", "tiktok.com", "9"),
        ("Clip 2", "device", "mobile", "9"),
        ("Clip 2", "country", "GB", "9"),
    }
    assert len(breakdowns) == 9  # today's six rows and the three of 20 days ago


def test_a_csv_with_a_wrong_range_or_table_is_a_400_with_the_reason(logged_in, history):
    response = logged_in.get("/creator/analytics.csv?range=custom&start=2026-03-10&end=2026-03-01")
    assert response.status_code == 400 and "The first day must come before" in response.content.decode()
    response = logged_in.get("/creator/analytics.csv?table=secrets")
    assert response.status_code == 400 and "Choose table=videos, breakdowns or daily." in response.content.decode()


def test_a_breakdown_value_never_reaches_a_spreadsheet_as_a_formula(logged_in, history):
    LinkClickBreakdownDaily.objects.create(
        anchor=history[0], day=timezone.now().date(), dimension="referrer", value="=cmd.example", clicks=1
    )
    rows = csv_rows(logged_in, "?table=breakdowns")
    assert "'=cmd.example" in {r["value"] for r in rows}


def test_someone_elses_breakdowns_never_show(client, history, other_creator, other_video):
    [theirs] = services.anchors_attach(creator=other_creator, videos=[other_video], target=target_for(other_creator))
    LinkClickBreakdownDaily.objects.create(
        anchor=theirs, day=timezone.now().date(), dimension="referrer", value="secret.example", clicks=50
    )
    client.force_login(history[0].video.owner)
    _, page = page_of(client)
    assert "secret.example" not in page
    assert "secret.example" not in str(csv_rows(client, "?table=breakdowns"))


def test_the_creators_data_export_holds_the_breakdowns_and_the_visitors_of_all_links(logged_in, history):
    import json

    from django.urls import reverse

    data = json.loads(logged_in.get(reverse("jobs:applicant_export")).content)
    first = next(link for link in data["portfolio_links"] if link["short_link"] == f"/l/{history[0].code}")
    today = timezone.now().date().isoformat()
    assert {"day": today, "referrer": "tiktok.com", "clicks": 4} in first["daily_clicks_by_referrer_device_country"]
    assert {"day": today, "unique_visitors": 7} in data["daily_unique_visitors_of_all_links"]


def test_countries_show_by_name_and_the_csv_keeps_the_code_beside_the_name(logged_in, history):
    """The country breakdown showed ISO codes ("DE"); a creator reads country names."""
    today = timezone.now().date()
    for code, clicks in (("DE", 7), ("KR", 5), ("unknown", 3), ("EU", 2)):
        LinkClickBreakdownDaily.objects.create(
            anchor=history[0], day=today, dimension="country", value=code, clicks=clicks
        )
    _, page = page_of(logged_in)
    start = page.index('id="breakdown-country"')
    table = page[start : page.index("</article>", start)]
    cells = re.findall(r"<tr><td>(.*?)</td>", table)
    assert cells[:5] == ["United Kingdom", "Germany", "South Korea", "Unknown", "European Union"]
    assert ">DE<" not in table and ">GB<" not in table
    rows = [r for r in csv_rows(logged_in, "?table=breakdowns") if r["day"] == str(today)]
    countries = {(r["value"], r["country_name"]) for r in rows if r["dimension"] == "country"}
    assert countries == {("GB", "United Kingdom"), ("DE", "Germany"), ("KR", "South Korea"), ("unknown", "Unknown"),
                         ("EU", "European Union")}
    assert {r["country_name"] for r in rows if r["dimension"] != "country"} == {""}
