"""One way to write money, pay, places, countries, numbers and dates, in the active language.

Every page, email, CSV and the JSON-LD write these through here (templates through the filters of
`common/templatetags/formats.py`), never with string formatting of their own, so "$85 per hour" reads the
same everywhere. The locale is Django's active language (English today), so a page in another language
writes its numbers, currencies and country names the way that language does.
"""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from django.utils import timezone, translation

# Pay periods, by the schema.org unitText values the jobs keep.
PAY_UNITS = {
    "HOUR": "per hour",
    "DAY": "per day",
    "WEEK": "per week",
    "MONTH": "per month",
    "YEAR": "per year",
}
RANGE_DASH = "\u2013"


def current_locale() -> Locale:
    """The Babel locale of Django's active language (English when none is active or Babel lacks it)."""
    language = translation.get_language() or "en"
    try:
        return Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def number(value) -> str:
    """1234.5 → "1,234.5"; whole numbers without decimals."""
    amount = _decimal(value)
    if amount is None:
        return ""
    return format_decimal(amount.normalize() if amount == amount.to_integral() else amount, locale=current_locale())


def money(amount, currency: str) -> str:
    """85 USD → "$85", 85.5 EUR → "€85.50": the currency's symbol where the language has one, cents only
    when there are any."""
    value = _decimal(amount)
    if value is None:
        return ""
    currency = (currency or "").upper()
    locale = current_locale()
    if not currency:
        return number(value)
    if value == value.to_integral():
        pattern = locale.currency_formats["standard"].pattern
        whole = pattern.replace(".00", "").replace(".##", "")
        return format_currency(value, currency, format=whole, locale=locale, currency_digits=False)
    return format_currency(value, currency, locale=locale)


def pay(low, high, currency: str, unit: str = "") -> str:
    """An amount or a range with its period: "$85 per hour", "€55–€80 per hour"."""
    if _decimal(low) is None:
        return ""
    text = money(low, currency)
    if _decimal(high) is not None and _decimal(high) != _decimal(low):
        text = f"{text}{RANGE_DASH}{money(high, currency)}"
    period = PAY_UNITS.get((unit or "").upper(), "")
    return f"{text} {period}" if period else text


def country(code: str) -> str:
    """"DE" → "Germany" in the active language; an unknown code is returned as it is."""
    code = (code or "").upper()
    return current_locale().territories.get(code, code) if code else ""


def countries(codes: Iterable[str]) -> str:
    """["DE", "NL"] → "Germany and Netherlands": names in a sentence, in the language's way."""
    names = [country(code) for code in codes if code]
    return format_list(names, locale=current_locale()) if names else ""


def place(
    *, locality: str = "", region: str = "", country_code: str = "", street: str = "", postal_code: str = ""
) -> str:
    """"Alexanderplatz 1, 10178 Berlin, Germany": the parts given, in one order everywhere."""
    town = " ".join(part for part in (postal_code, locality) if part)
    parts = [street, town, region if region != locality else "", country(country_code)]
    return ", ".join(part for part in parts if part)


def workplace(*, kind: str, locality: str = "", region: str = "", country_code: str = "", street: str = "",
              postal_code: str = "", remote_countries: Iterable[str] = ()) -> str:
    """Where a job is done: "Remote from Germany or Netherlands", "Hybrid in Berlin, Germany"."""
    if kind == "remote":
        names = [country(code) for code in remote_countries if code]
        if not names:
            return "Remote"
        return "Remote from " + format_list(names, style="or", locale=current_locale())
    where = place(locality=locality, region=region, country_code=country_code, street=street, postal_code=postal_code)
    label = {"hybrid": "Hybrid", "on_site": "On-site"}.get(kind, kind.replace("_", " ").capitalize())
    return f"{label} in {where}" if where else label


def day(value: date | datetime | None, style: str = "long") -> str:
    """A date: "December 7, 2026" (style "long"), "Dec 7, 2026" ("medium"). A datetime is first moved to the
    current time zone, so its day is the reader's."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return format_date(value, format=style, locale=current_locale())


def moment(value: datetime | None, style: str = "medium") -> str:
    """A date and time in the current time zone: "Dec 7, 2026, 3:04:05 PM" (style "medium") or without the
    seconds, "Dec 7, 2026, 3:04 PM" ("short")."""
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    locale = current_locale()
    time_text = format_time(value, format=style, tzinfo=value.tzinfo, locale=locale)
    date_text = format_date(value.date(), format="medium", locale=locale)
    return str(locale.datetime_formats["medium"]).replace("{1}", date_text).replace("{0}", time_text)
