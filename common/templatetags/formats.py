"""Template filters for common/formats.py: `{% load formats %}`, then `{{ job|pay }}`, `{{ code|country }}`,
`{{ codes|countries }}`, `{{ job|workplace }}`, `{{ when|day }}`, `{{ amount|money:"EUR" }}`."""

from django import template

from common import formats

register = template.Library()


@register.filter
def money(amount, currency: str = "") -> str:
    return formats.money(amount, currency)


@register.filter
def pay(job) -> str:
    """Anything with pay_min, pay_max, pay_currency and pay_unit (a job)."""
    return formats.pay(job.pay_min, job.pay_max, job.pay_currency, job.pay_unit)


@register.filter
def country(code: str) -> str:
    return formats.country(code)


@register.filter
def countries(codes) -> str:
    return formats.countries(codes or ())


@register.filter
def workplace(job) -> str:
    """Anything with a job's workplace, address and remote_countries fields."""
    return formats.workplace(
        kind=job.workplace, locality=job.locality, region=job.region, country_code=job.country,
        street=getattr(job, "street_address", ""), postal_code=getattr(job, "postal_code", ""),
        remote_countries=job.remote_countries or (),
    )


@register.filter
def day(value, style: str = "long") -> str:
    return formats.day(value, style)


@register.filter
def moment(value, style: str = "medium") -> str:
    return formats.moment(value, style)


@register.filter
def number(value) -> str:
    return formats.number(value)
