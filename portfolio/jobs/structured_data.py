"""The job page's JSON-LD: schema.org JobPosting as Google reads it for job search.

Required: title, description, datePosted, hiringOrganization, and jobLocation, or for remote jobs
jobLocationType TELECOMMUTE with applicantLocationRequirements. Recommended: validThrough,
employmentType, identifier, baseSalary, directApply. directApply is there only while the job takes
applications.
"""

import json
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

from common import formats
from portfolio.jobs.anchors import job_page_url
from portfolio.jobs.models import Job

# What json_script escapes: nothing in the JSON can end the <script> element or open a comment.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def job_posting(job: Job) -> dict[str, Any]:
    """The JobPosting of a published or closed job, as a dict."""
    organization = job.organization
    hiring = {"@type": "Organization", "name": organization.name}
    if organization.website:
        hiring["sameAs"] = organization.website
    posted = job.published_at or job.created_at
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": job.title,
        "description": linebreaks(escape(job.description)),
        "datePosted": posted.date().isoformat(),
        "validThrough": f"{job.closes_on.isoformat()}T23:59:59+00:00",
        "employmentType": job.employment_type,
        "hiringOrganization": hiring,
        "identifier": {"@type": "PropertyValue", "name": organization.name, "value": str(job.pk)},
        "url": job_page_url(job.slug),
    }
    if job.workplace == Job.Workplace.REMOTE:
        data["jobLocationType"] = "TELECOMMUTE"
        # Named as every page names countries (common/formats.py); addressCountry below stays the ISO code.
        data["applicantLocationRequirements"] = [
            {"@type": "Country", "name": formats.country(code)} for code in job.remote_countries
        ]
    else:
        address = {
            "@type": "PostalAddress",
            "streetAddress": job.street_address,
            "addressLocality": job.locality,
            "addressRegion": job.region,
            "postalCode": job.postal_code,
            "addressCountry": job.country,
        }
        data["jobLocation"] = {"@type": "Place", "address": {k: v for k, v in address.items() if v}}
    if job.pay_min is not None:
        if job.pay_max is not None and job.pay_max != job.pay_min:
            value = {"minValue": _number(job.pay_min), "maxValue": _number(job.pay_max)}
        else:
            value = {"value": _number(job.pay_min)}
        data["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": job.pay_currency,
            "value": {"@type": "QuantitativeValue", **value, "unitText": job.pay_unit},
        }
    if job.skills:
        data["skills"] = ", ".join(job.skills)
    if job.is_open:
        data["directApply"] = True
    return data


def json_ld_script(data: dict) -> SafeString:
    """A <script type="application/ld+json"> element holding `data`, safe to put in the page."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308 (escaped above)
