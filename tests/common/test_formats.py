"""One way to write money, pay, places, countries and dates (common/formats.py), in the active language."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from common import formats


@pytest.mark.parametrize(
    ("args", "written"),
    [
        ((85, None, "USD", "HOUR"), "$85 per hour"),
        ((Decimal("85.00"), None, "usd", "HOUR"), "$85 per hour"),  # no ".00", whatever was stored
        ((Decimal("55.00"), Decimal("80.00"), "EUR", "HOUR"), "€55–€80 per hour"),
        ((Decimal("4500"), Decimal("4500"), "EUR", "MONTH"), "€4,500 per month"),  # a range of one is an amount
        ((Decimal("85.5"), None, "GBP", ""), "£85.50"),
        ((None, None, "", ""), ""),
    ],
)
def test_pay_reads_the_same_everywhere(args, written):
    """Regression: pages wrote "85.00 USD/hour", "$85/hr", "55.00–80.00 EUR" and "55–80 EUR" for the same pay."""
    assert formats.pay(*args) == written


def test_countries_are_named_and_a_list_reads_as_a_sentence():
    """Regression: job pages wrote "Remote from DE, PT" on one page and "Remote, for people living in…" on
    another, with country codes beside country names elsewhere."""
    assert formats.country("kr") == "South Korea"
    assert formats.country("QQ") == "QQ" and formats.country("") == ""  # a code that names nothing
    assert formats.countries(["DE", "NL", "PT"]) == "Germany, Netherlands, and Portugal"
    assert formats.workplace(kind="remote", remote_countries=["DE", "PT"]) == "Remote from Germany or Portugal"
    assert formats.workplace(kind="remote") == "Remote"
    assert formats.workplace(kind="hybrid", locality="Berlin", region="Berlin", country_code="DE") == (
        "Hybrid in Berlin, Germany"
    )
    assert formats.workplace(
        kind="on_site", street="Torstraße 1", postal_code="10119", locality="Berlin", country_code="DE"
    ) == "On-site in Torstraße 1, 10119 Berlin, Germany"


def test_dates_are_the_readers_day_in_words():
    late = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)
    assert formats.day(date(2026, 12, 7)) == "December 7, 2026"
    assert formats.day(late, "medium") == "Dec 7, 2026"
    with timezone.override(ZoneInfo("Asia/Tokyo")):
        assert formats.day(late) == "December 8, 2026"  # already the next day there
    assert formats.moment(late, "short") == "Dec 7, 2026, 11:30\u202fPM"
    assert formats.moment(late) == "Dec 7, 2026, 11:30:00\u202fPM"
    assert formats.day(None) == "" and formats.moment(None) == ""


def test_the_locale_is_djangos_active_language():
    with translation.override("ar"):
        assert formats.country("DE") == "ألمانيا"
        assert formats.money(80, "EUR").endswith("80\xa0€")  # the symbol after the amount, as Arabic writes it
    with translation.override("de"):
        assert formats.pay(Decimal("4500"), None, "EUR", "MONTH").startswith("4.500\xa0€")
    assert formats.money(4500, "EUR") == "€4,500"  # English again outside


def test_the_template_filters_write_what_the_module_writes():
    class Job:
        pay_min, pay_max, pay_currency, pay_unit = Decimal("55"), Decimal("80"), "EUR", "HOUR"
        workplace, locality, region, country, remote_countries = "remote", "", "", "", ["DE"]

    html = Template(
        "{% load formats %}{{ job|pay }} · {{ job|workplace }} · {{ 'FR'|country }} · {{ codes|countries }}"
        " · {{ when|day }} · {{ 1234.5|number }} · {{ 9|money:'JPY' }}"
    ).render(Context({"job": Job(), "codes": ["DE", "FR"], "when": date(2027, 1, 6)}))
    assert html == (
        "€55–€80 per hour · Remote from Germany · France · Germany and France · January 6, 2027 · 1,234.5 · ¥9"
    )
