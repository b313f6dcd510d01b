"""Posting jobs on an organization's videos: create, edit, publish, close, and the sweep of expired jobs.

Every write checks the whole input first and writes nothing when anything is wrong: the job and its
screening questions are saved in one transaction. A job that starts or stops taking applications changes
its video's "Apply" anchor in the partner API, so those writes drop the video's cached anchors once they
commit; they also have the job's link-preview card drawn anew, with its video's cover (by a task: the
cover is fetched).
"""

import logging
import re
import secrets
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from common.errors import ApplicationError, Conflict
from integrations import pictures
from portfolio.accounts.models import Organization
from portfolio.accounts.permissions import require_member
from portfolio.creators.anchor_cache import anchors_cache_invalidate
from portfolio.creators.models import Video
from portfolio.jobs import events
from portfolio.jobs.countries import COUNTRY_CODES
from portfolio.jobs.models import Job, ScreeningQuestion
from portfolio.jobs.selectors.jobs import job_by_slug, job_social_card

logger = logging.getLogger(__name__)

# The Job fields a member sets (the rest are the service's: slug, status, dates, who).
JOB_FIELDS = (
    "title",
    "description",
    "employment_type",
    "pay_min",
    "pay_max",
    "pay_currency",
    "pay_unit",
    "workplace",
    "street_address",
    "locality",
    "region",
    "postal_code",
    "country",
    "remote_countries",
    "skills",
    "closes_on",
)
# Which field of the applicant's freelance profile may answer a screening question in advance.
PREFILL_FIELDS = {
    "location": "Location",
    "rate": "Rate",
    "headline": "Headline",
    "profile_url": "Profile link",
    "display_name": "Name",
    "skills": "Skills",
}
MAX_QUESTIONS = 20
MAX_CHOICES = 20
MAX_SKILLS = 30
MAX_REMOTE_COUNTRIES = 250

# What only members (or their organization's key) do with jobs, in the refusal's words.
JOBS_DOING = "post and change its jobs"

_CURRENCY = re.compile(r"[A-Z]{3}")


# --- validation -------------------------------------------------------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _decimal(value, errors: dict, name: str, label: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append(f"The {label} must be a number, e.g. 4500 or 62.50.")
        return None
    if not number.is_finite() or number < 0:
        errors.setdefault(name, []).append(f"The {label} must be zero or more.")
        return None
    if number >= Decimal("1e10") or number != number.quantize(Decimal("0.01")):
        errors.setdefault(name, []).append(f"The {label} takes at most ten digits and two decimals.")
        return None
    return number


def _date(value, errors: dict) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        errors.setdefault("closes_on", []).append("Give the closing date as a date, e.g. 2026-12-31.")
        return None


def _string_list(value) -> list[str]:
    """A list of strings from a list or a comma-separated string, blanks dropped, duplicates once."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return list(dict.fromkeys(_text(item) for item in items if _text(item)))


def _clean_job(*, values: dict, errors: dict, today: date, closes_on_checked: bool) -> dict:
    """The member's job fields checked and normalized; what is wrong goes into `errors` per field."""
    cleaned: dict[str, Any] = {}
    title = _text(values.get("title"))
    if not title:
        errors.setdefault("title", []).append("Give the job a title.")
    elif len(title) > 120:
        errors.setdefault("title", []).append("A title is at most 120 characters.")
    cleaned["title"] = title

    description = str(values.get("description") or "").strip()
    if not description:
        errors.setdefault("description", []).append("Describe the job: what the work is and who you look for.")
    elif len(description) > 10_000:
        errors.setdefault("description", []).append("A description is at most 10,000 characters.")
    cleaned["description"] = description

    employment_type = _text(values.get("employment_type"))
    if employment_type not in Job.EmploymentType.values:
        errors.setdefault("employment_type", []).append(
            "Choose the employment type: full-time, part-time, contract, temporary or internship."
        )
    cleaned["employment_type"] = employment_type

    # Pay: nothing, an amount (pay_min alone) or a range, always with a currency and a unit.
    pay_min = _decimal(values.get("pay_min"), errors, "pay_min", "lowest pay")
    pay_max = _decimal(values.get("pay_max"), errors, "pay_max", "highest pay")
    currency = _text(values.get("pay_currency")).upper()
    unit = _text(values.get("pay_unit")).upper()
    if pay_max is not None and pay_min is None and "pay_min" not in errors:
        errors.setdefault("pay_min", []).append(
            "Give the lowest pay too (or only an amount, in the lowest pay field)."
        )
    if pay_min is not None and pay_max is not None and pay_max < pay_min:
        errors.setdefault("pay_max", []).append(
            f"The pay range is upside down: the highest pay ({pay_max}) is lower than the lowest ({pay_min})."
        )
    has_pay = pay_min is not None or pay_max is not None
    if currency and not _CURRENCY.fullmatch(currency):
        errors.setdefault("pay_currency", []).append("A currency is its three-letter code, e.g. EUR or USD.")
    elif has_pay and not currency:
        errors.setdefault("pay_currency", []).append("Give the pay's currency, e.g. EUR.")
    if unit and unit not in Job.PayUnit.values:
        errors.setdefault("pay_unit", []).append(
            "Choose what the pay is for: an hour, a day, a week, a month or a year."
        )
    elif has_pay and not unit:
        errors.setdefault("pay_unit", []).append("Say what the pay is for: per hour, day, week, month or year.")
    if not has_pay and (currency or unit):
        currency, unit = "", ""  # a currency or a unit without an amount says nothing: dropped
    cleaned.update(pay_min=pay_min, pay_max=pay_max, pay_currency=currency, pay_unit=unit)

    workplace = _text(values.get("workplace"))
    if workplace not in Job.Workplace.values:
        errors.setdefault("workplace", []).append("Choose where the work happens: on-site, hybrid or remote.")
    cleaned["workplace"] = workplace
    address = {
        "street_address": (_text(values.get("street_address")), 200),
        "locality": (_text(values.get("locality")), 100),
        "region": (_text(values.get("region")), 100),
        "postal_code": (_text(values.get("postal_code")), 20),
    }
    for name, (value, limit) in address.items():
        if len(value) > limit:
            errors.setdefault(name, []).append(f"At most {limit} characters.")
        cleaned[name] = value
    country = _text(values.get("country")).upper()
    remote_countries = [code.upper() for code in _string_list(values.get("remote_countries"))]
    if workplace in (Job.Workplace.ON_SITE, Job.Workplace.HYBRID):
        if not cleaned["locality"]:
            errors.setdefault("locality", []).append("An on-site or hybrid job needs the city where it is.")
        if not country:
            errors.setdefault("country", []).append(
                "An on-site or hybrid job needs the country where it is (a two-letter code, e.g. DE)."
            )
    if country and country not in COUNTRY_CODES:
        errors.setdefault("country", []).append(
            f"{country[:10]} is not a country code; use the two-letter ISO code, e.g. DE or PT."
        )
    if workplace == Job.Workplace.REMOTE and not remote_countries:
        errors.setdefault("remote_countries", []).append(
            "A remote job names the countries applicants may live in (two-letter codes, e.g. DE, PT)."
        )
    unknown = [code for code in remote_countries if code not in COUNTRY_CODES]
    if unknown:
        errors.setdefault("remote_countries", []).append(
            f"Not country codes: {', '.join(c[:10] for c in unknown[:5])}. Use two-letter ISO codes, e.g. DE, PT."
        )
    elif len(remote_countries) > MAX_REMOTE_COUNTRIES:
        errors.setdefault("remote_countries", []).append("That is more countries than there are.")
    cleaned.update(country=country, remote_countries=remote_countries)

    skills = _string_list(values.get("skills"))
    if len(skills) > MAX_SKILLS or any(len(skill) > 60 for skill in skills):
        errors.setdefault("skills", []).append(f"At most {MAX_SKILLS} skills of up to 60 characters each.")
    cleaned["skills"] = skills

    closes_on = values.get("closes_on")
    if closes_on in (None, ""):
        errors.setdefault("closes_on", []).append("Give the last day applications are taken.")
        cleaned["closes_on"] = None
    else:
        cleaned["closes_on"] = _date(closes_on, errors)
        if closes_on_checked and cleaned["closes_on"] is not None and cleaned["closes_on"] < today:
            errors.setdefault("closes_on", []).append(
                f"The closing date {cleaned['closes_on'].isoformat()} is in the past; choose today or a later day."
            )
    return cleaned


def _clean_questions(questions, errors: dict) -> list[dict]:
    """Screening questions checked and normalized; messages name the question by its number."""
    cleaned, messages = [], []
    questions = list(questions or [])
    if len(questions) > MAX_QUESTIONS:
        messages.append(f"A job has at most {MAX_QUESTIONS} screening questions.")
    for number, question in enumerate(questions[:MAX_QUESTIONS], start=1):
        question = dict(question or {})
        kind = _text(question.get("kind"))
        prompt = _text(question.get("prompt"))
        prefill = _text(question.get("prefill_from"))
        choices = _string_list(question.get("choices")) if kind == ScreeningQuestion.Kind.SINGLE_CHOICE else []
        if kind not in ScreeningQuestion.Kind.values:
            messages.append(f"Question {number}: choose its kind: short text, long text, yes/no or single choice.")
        if not prompt:
            messages.append(f"Question {number}: write the question.")
        elif len(prompt) > 300:
            messages.append(f"Question {number}: a question is at most 300 characters.")
        if kind == ScreeningQuestion.Kind.SINGLE_CHOICE:
            if len(choices) < 2:
                messages.append(f"Question {number}: a single-choice question needs at least two different choices.")
            elif len(choices) > MAX_CHOICES or any(len(choice) > 100 for choice in choices):
                messages.append(f"Question {number}: at most {MAX_CHOICES} choices of up to 100 characters each.")
        if prefill and prefill not in PREFILL_FIELDS:
            messages.append(
                f"Question {number}: it can be answered in advance only from the profile's "
                f"{', '.join(PREFILL_FIELDS)}."
            )
        question_id = str(question.get("id") or "")
        cleaned.append(
            {
                "id": int(question_id) if question_id.isdigit() else None,
                "position": number,
                "kind": kind,
                "prompt": prompt,
                "choices": choices,
                "required": bool(question.get("required")),
                "prefill_from": prefill,
            }
        )
    if messages:
        errors.setdefault("questions", []).extend(messages)
    return cleaned


def _holder_id(organization: Organization) -> int | None:
    """The organization's video holder, read afresh (it is made on first use, maybe by another request)."""
    return Organization.objects.filter(pk=organization.pk).values_list("video_holder_id", flat=True).first()


def _check_video(*, organization: Organization, video, errors: dict) -> None:
    if video is None:
        errors.setdefault("video", []).append("Choose one of the organization's videos for the job.")
    elif video.owner_id != _holder_id(organization):
        errors.setdefault("video", []).append(
            f"This video is not {organization.name}'s: a job goes on a video of the organization's linked "
            "video account."
        )
    elif video.status != Video.Status.ACTIVE:
        errors.setdefault("video", []).append("This video was removed; choose another one.")


def _raise_if(errors: dict) -> None:
    if errors:
        messages = [message for field_messages in errors.values() for message in field_messages]
        raise ApplicationError(" ".join(dict.fromkeys(messages)), extra={"fields": errors})


def _full_clean(job: Job) -> None:
    """The model's own checks (constraints included) behind ours, in the service's error type."""
    try:
        job.full_clean(exclude=["slug", "created_by"], validate_constraints=True)
    except ValidationError as error:
        fields = {
            ("non_field" if name == "__all__" else name): list(messages)
            for name, messages in error.message_dict.items()
        }
        raise ApplicationError(" ".join(error.messages), extra={"fields": fields}) from None


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60].strip("-") or "job"
    while True:
        slug = f"{base}-{secrets.token_hex(3)}"
        if not Job.objects.filter(slug=slug).exists():
            return slug


def _save_questions(*, job: Job, questions: list[dict]) -> None:
    """Makes the job's questions these: known ids are updated in place (answers keep pointing at them),
    the others created, and the questions left out deleted."""
    existing = {question.pk: question for question in ScreeningQuestion.objects.filter(job=job)}
    keep, new = [], []
    for spec in questions:
        values = {k: spec[k] for k in ("position", "kind", "prompt", "choices", "required", "prefill_from")}
        question = existing.get(spec["id"]) if spec["id"] else None
        if question is None:
            new.append(ScreeningQuestion(job=job, **values))
            continue
        for name, value in values.items():
            setattr(question, name, value)
        keep.append(question)
    ScreeningQuestion.objects.filter(job=job).exclude(pk__in=[q.pk for q in keep]).delete()
    if keep:
        ScreeningQuestion.objects.bulk_update(
            keep, ["position", "kind", "prompt", "choices", "required", "prefill_from"]
        )
    ScreeningQuestion.objects.bulk_create(new)


def _invalidate_anchors_on_commit(videos) -> None:
    videos = list(videos)
    # robust: the change is committed; an unreachable cache is logged and its stale entries expire.
    transaction.on_commit(lambda: anchors_cache_invalidate(videos=videos), robust=True)


def job_card_draw(*, slug: str) -> None:
    """Draws the public job's link-preview card with its video's cover (fetched once, into the cache) or the
    organization's monogram, unless the cache holds that drawing already; nothing for a job that is not
    public. Raises CacheAway."""
    job = job_by_slug(slug=slug)
    if job is not None:
        pictures.card_draw(job_social_card(job=job))


def job_card_draw_later(*, slug: str) -> None:
    """Enqueues the drawing of the job's card. Never raises: a card not drawn is asked for again by the next
    visit that misses it."""
    from portfolio.jobs.tasks import social_card_draw_task

    try:
        social_card_draw_task.delay(slug)
    except Exception as exc:  # the broker is away: the next visit that misses the card asks again
        logger.warning("social card drawing not enqueued", extra={"slug": slug, "error": str(exc)[:300]})


def _card_draw_on_commit(job: Job) -> None:
    transaction.on_commit(lambda: job_card_draw_later(slug=job.slug), robust=True)


def _unknown_fields(fields: dict) -> None:
    unknown = sorted(set(fields) - set(JOB_FIELDS))
    if unknown:
        raise ApplicationError(
            f"Unknown job field {unknown[0]!r}.", extra={"fields": {name: ["Unknown field."] for name in unknown}}
        )


# --- writes -----------------------------------------------------------------------------------------


@transaction.atomic
def job_create(*, organization: Organization, actor, video, fields: dict, questions=(), api_key=None) -> Job:
    """A draft job on one of the organization's videos, with its screening questions; nothing is written
    when anything is wrong (the error names every field at fault)."""
    require_member(organization=organization, actor=actor, api_key=api_key, doing=JOBS_DOING)
    _unknown_fields(fields)
    errors: dict[str, list[str]] = {}
    _check_video(organization=organization, video=video, errors=errors)
    cleaned = _clean_job(values=fields, errors=errors, today=timezone.now().date(), closes_on_checked=True)
    cleaned_questions = _clean_questions(questions, errors)
    _raise_if(errors)
    job = Job(
        organization=organization, video=video, created_by=actor, slug=_unique_slug(cleaned["title"]), **cleaned
    )
    _full_clean(job)
    job.save()
    _save_questions(job=job, questions=[{**q, "id": None} for q in cleaned_questions])
    return job


@transaction.atomic
def job_update(*, job: Job, actor, fields: dict, questions=None, api_key=None) -> Job:
    """Changes a job's fields (those given) and, when `questions` is given, makes them its questions.

    A closing date already in the past may stay as it is (editing an expired job's text), but a new one
    must be today or later. A published job's anchor is dropped from the cache once this commits.
    """
    job = Job.objects.select_for_update().select_related("organization", "video").get(pk=job.pk)
    require_member(organization=job.organization, actor=actor, api_key=api_key, doing=JOBS_DOING)
    _unknown_fields(fields)
    current = {name: getattr(job, name) for name in JOB_FIELDS}
    values = {**current, **fields}
    errors: dict[str, list[str]] = {}
    new_closes_on = "closes_on" in fields and str(fields["closes_on"]) != str(job.closes_on)
    cleaned = _clean_job(
        values=values, errors=errors, today=timezone.now().date(), closes_on_checked=new_closes_on
    )
    cleaned_questions = _clean_questions(questions, errors) if questions is not None else None
    _raise_if(errors)
    for name, value in cleaned.items():
        setattr(job, name, value)
    _full_clean(job)
    job.save()
    if cleaned_questions is not None:
        known = set(ScreeningQuestion.objects.filter(job=job).values_list("pk", flat=True))
        _save_questions(
            job=job, questions=[{**q, "id": q["id"] if q["id"] in known else None} for q in cleaned_questions]
        )
    if job.status != Job.Status.DRAFT:
        _invalidate_anchors_on_commit([job.video])
        _card_draw_on_commit(job)
    return job


@transaction.atomic
def job_publish(*, job: Job, actor, api_key=None) -> Job:
    """Opens the job to applications and puts "Apply" on its video; refused when the video already
    carries another published job, the closing date has passed or the video is no longer the
    organization's."""
    job = Job.objects.select_for_update().select_related("organization", "video").get(pk=job.pk)
    require_member(organization=job.organization, actor=actor, api_key=api_key, doing=JOBS_DOING)
    today = timezone.now().date()
    if job.status == Job.Status.PUBLISHED and job.is_open:
        raise Conflict("This job is already published.")
    errors: dict[str, list[str]] = {}
    _check_video(organization=job.organization, video=job.video, errors=errors)
    if job.closes_on < today:
        errors.setdefault("closes_on", []).append(
            f"The closing date {job.closes_on.isoformat()} has passed; set a later one, then publish."
        )
    _raise_if(errors)
    # A published job past its closing date that the sweep has not closed yet no longer holds the video.
    expired = list(
        Job.objects.select_for_update()
        .filter(video_id=job.video_id, status=Job.Status.PUBLISHED, closes_on__lt=today)
        .exclude(pk=job.pk)
    )
    now = timezone.now()
    for other in expired:
        other.status, other.closed_at = Job.Status.CLOSED, now
        other.save(update_fields=["status", "closed_at", "updated_at"])
    taken = (
        Job.objects.filter(video_id=job.video_id, status=Job.Status.PUBLISHED)
        .exclude(pk=job.pk)
        .values_list("title", flat=True)
        .first()
    )
    if taken is not None:
        raise Conflict(
            f"This video already carries the published job “{taken}”; close that one first, or post this "
            "job on another video."
        )
    job.status = Job.Status.PUBLISHED
    job.published_at = job.published_at or now
    job.closed_at = None
    try:
        with transaction.atomic():
            job.save(update_fields=["status", "published_at", "closed_at", "updated_at"])
    except IntegrityError:
        # Another member published a job on the same video at the same moment.
        raise Conflict("This video already carries a published job; close that one first.") from None
    events.job_published(job)
    _invalidate_anchors_on_commit([job.video])
    _card_draw_on_commit(job)
    return job


@transaction.atomic
def job_close(*, job: Job, actor, api_key=None) -> Job:
    """Stops the job taking applications and takes "Apply" off its video; its page stays, marked closed."""
    job = Job.objects.select_for_update().select_related("organization", "video").get(pk=job.pk)
    require_member(organization=job.organization, actor=actor, api_key=api_key, doing=JOBS_DOING)
    if job.status == Job.Status.CLOSED:
        raise Conflict("This job is already closed.")
    if job.status == Job.Status.DRAFT:
        raise ApplicationError("This job is a draft: it was never published, so there is nothing to close.")
    job.status = Job.Status.CLOSED
    job.closed_at = timezone.now()
    job.save(update_fields=["status", "closed_at", "updated_at"])
    events.job_closed(job)
    _invalidate_anchors_on_commit([job.video])
    _card_draw_on_commit(job)
    return job


def jobs_expire() -> int:
    """The beat's sweep: closes published jobs past their closing date and drops their videos' anchors;
    returns how many it closed."""
    today = timezone.now().date()
    with transaction.atomic():
        expired = list(
            Job.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("video")
            .filter(status=Job.Status.PUBLISHED, closes_on__lt=today)
            .order_by("pk")[:1000]
        )
        if not expired:
            return 0
        Job.objects.filter(pk__in=[job.pk for job in expired]).update(
            status=Job.Status.CLOSED, closed_at=timezone.now(), updated_at=timezone.now()
        )
        for job in expired:
            job.status, job.closed_at = Job.Status.CLOSED, timezone.now()
            events.job_closed(job)
        _invalidate_anchors_on_commit(job.video for job in expired)
    return len(expired)
