"""Applying to a job with one's linked freelance profile, and withdrawing.

An application is made once per job and applicant: the unique constraint (job, applicant) decides
between two presses that arrive together, and the loser is told when they applied. The profile is
fetched fresh from the provider before the transaction opens (an HTTP call never holds a database
transaction); when the provider is down or slow, the profile as last synced goes instead, marked with
its age, and the application still goes through.

The organization hears of new applications through `Application.employer_notified_at` (null: not yet
told), which the employers' batched email reads.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.cache.backends.base import BaseCache
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.cache_guard import CacheAway, cache_call
from common.errors import ApplicationError, Conflict, Gone, NotFound, PermissionDenied
from integrations.oauth import registry
from integrations.oauth import services as oauth_services
from integrations.oauth.models import LinkedAccount
from integrations.providers import Provider
from integrations.providers.errors import ProviderError, ReconnectRequired
from integrations.providers.types import Profile
from portfolio.jobs import events
from portfolio.jobs.models import Application, ApplicationStatusChange, ApplyConsent, Job, ScreeningQuestion
from portfolio.jobs.selectors import applications as application_selectors
from portfolio.jobs.services.consent import SHARED_FIELDS

logger = logging.getLogger(__name__)

# Apply presses one person may make per minute (each press counts, a refused one too).
APPLY_RATE_PER_MINUTE = 10
# How long an apply press waits for the provider's fresh profile before it takes the last synced one.
PROFILE_FETCH_SECONDS = 5.0
ANSWER_LIMITS: dict[str, int] = {
    ScreeningQuestion.Kind.SHORT_TEXT: 300,
    ScreeningQuestion.Kind.LONG_TEXT: 5000,
}
YES_NO = {"yes": "Yes", "no": "No"}
NOT_LINKED = "Link your freelance account to apply with its profile."


def applied_message(application: Application) -> str:
    return f"You applied on {application.created_at:%B} {application.created_at.day}, {application.created_at:%Y}."


def question_field(question: ScreeningQuestion) -> str:
    """The name of a question's answer in forms and in the API's per-field messages."""
    return f"question_{question.pk}"


# --- the checks -------------------------------------------------------------------------------------


def _press_count(store: BaseCache, key: str) -> int:
    store.add(key, 0, timeout=120)
    try:
        return store.incr(key)
    except ValueError:  # evicted between add and incr: count this press as the first
        store.set(key, 1, timeout=120)
        return 1


def _rate_check(*, user) -> None:
    """At most APPLY_RATE_PER_MINUTE presses a minute and person, counted in the cache (a fixed window)."""
    window = int(timezone.now().timestamp() // 60)
    try:
        presses = cache_call("default", _press_count, f"jobs:apply-rate:{user.pk}:{window}")
    except CacheAway:
        return  # the cache is away: no limit for now (one application per job and person holds regardless)
    if presses > APPLY_RATE_PER_MINUTE:
        raise ApplicationError(
            "You pressed Apply many times in a minute. Please wait a minute, then try again.",
            status=429,
            code="rate_limited",
        )


def _refuse_closed(job: Job) -> None:
    if not job.is_open:
        raise Gone(f"“{job.title}” is closed and takes no more applications.")


def _usable_account(*, user, provider_id: str | None) -> tuple[LinkedAccount, Provider]:
    linked = application_selectors.linked_portfolio_account(user=user, provider_id=provider_id)
    if linked is None:
        raise PermissionDenied(NOT_LINKED, code="not_linked")
    provider = registry.provider_or_none(linked.provider_id)
    if provider is None:  # no longer configured: applying needs its API
        raise PermissionDenied(NOT_LINKED, code="not_linked")
    if linked.status == LinkedAccount.Status.NEEDS_RECONNECT:
        raise PermissionDenied(
            f"{provider.name} no longer accepts Reelfolio's access. Reconnect it on your Linked accounts page, "
            "then apply.",
            code="reconnect_required",
        )
    return linked, provider


def _validated_answers(*, job: Job, answers: dict | None) -> list[dict]:
    """The answers as stored ([{question_id, prompt, answer}]), or an ApplicationError naming each
    missing or invalid one."""
    answers = dict(answers or {})
    questions = list(job.questions.all())
    by_id = {question.pk: question for question in questions}
    errors: dict[str, list[str]] = {}
    given: dict[int, str] = {}
    for key, value in answers.items():
        try:
            question_id = int(str(key).removeprefix("question_"))
        except ValueError:
            question_id = None
        if question_id not in by_id:
            field = f"question_{question_id}" if question_id is not None else str(key)
            errors.setdefault(field, []).append(f"This job has no question {key}.")
            continue
        given[question_id] = "" if value is None else str(value).strip()
    stored = []
    for question in questions:
        answer = given.get(question.pk, "")
        field = question_field(question)
        if not answer:
            if question.required:
                errors.setdefault(field, []).append(f"Answer “{question.prompt}”: this question is required.")
            continue
        if question.kind == ScreeningQuestion.Kind.YES_NO:
            answer = YES_NO.get(answer.lower(), "")
            if not answer:
                errors.setdefault(field, []).append(f"Answer “{question.prompt}” with yes or no.")
                continue
        elif question.kind == ScreeningQuestion.Kind.SINGLE_CHOICE:
            if answer not in question.choices:
                errors.setdefault(field, []).append(
                    f"Choose one of the options for “{question.prompt}”: {', '.join(question.choices)}."
                )
                continue
        else:
            limit = ANSWER_LIMITS.get(question.kind, 300)
            if len(answer) > limit:
                errors.setdefault(field, []).append(
                    f"Keep the answer to “{question.prompt}” within {limit} characters (it has {len(answer)})."
                )
                continue
        stored.append({"question_id": question.pk, "prompt": question.prompt, "answer": answer})
    if errors:
        count = len(errors)
        raise ApplicationError(
            "Please answer the job's questions: "
            f"{count} answer{'s are' if count != 1 else ' is'} missing or not valid.",
            {"fields": errors},
        )
    return stored


# --- the snapshot -----------------------------------------------------------------------------------


def _snapshot(*, user, profile: Profile, fields: list[str]) -> dict:
    """The consented fields: the Reelfolio account's name and email and the profile's fields."""
    data = profile.as_json()
    values = {"name": user.name or profile.display_name, "email": user.email, **data}
    return {field: values[field] for field in SHARED_FIELDS if field in fields and field in values}


def _fresh_or_cached_profile(*, linked: LinkedAccount, provider: Provider) -> tuple[Profile, str, datetime]:
    """The profile fetched from the provider now, or the one last synced when it is down or slow."""
    timeout = getattr(settings, "APPLY_PROFILE_FETCH_SECONDS", PROFILE_FETCH_SECONDS)
    try:
        account = oauth_services.linked_account_profile_fetch(linked_account=linked, timeout=timeout)
    except ReconnectRequired:
        raise PermissionDenied(
            f"{provider.name} no longer accepts Reelfolio's access. Reconnect it on your Linked accounts page, "
            "then apply.",
            code="reconnect_required",
        ) from None
    except ProviderError as error:
        logger.warning(
            "jobs.apply_profile_cached", extra={"provider": provider.id, "linked_account_id": linked.pk,
                                                "error": error.message}
        )
        taken_at = linked.last_synced_at or linked.linked_at
        return Profile.from_json(linked.profile), Application.SnapshotSource.CACHED, taken_at
    return account.profile, Application.SnapshotSource.LIVE, timezone.now()


# --- the services -----------------------------------------------------------------------------------


def application_create(
    *, job: Job, applicant, answers: dict[int, str] | None = None, provider_id: str | None = None
) -> Application:
    """`applicant` applies to `job` with the profile of their linked freelance account (`provider_id`, or
    the first they linked) and their answers to its screening questions ({question id: answer}).

    Refuses, writing nothing: too many presses (429), an employer account, a closed or expired job
    (Gone), a second application (Conflict, saying when they applied), no linked freelance account or no
    consent for it (PermissionDenied), missing or invalid answers (ApplicationError naming each one in
    `extra["fields"]`).
    """
    _rate_check(user=applicant)
    if not applicant.is_creator:
        raise PermissionDenied("Employer accounts do not apply to jobs; log in with your creator account.")
    found = Job.objects.select_related("organization").filter(pk=job.pk).first()
    if found is None or found.status == Job.Status.DRAFT:
        raise NotFound("This job does not exist.")
    job = found
    existing = Application.objects.filter(job=job, applicant=applicant).first()
    if existing is not None:
        raise Conflict(applied_message(existing), {"application_id": existing.pk})
    _refuse_closed(job)
    linked, provider = _usable_account(user=applicant, provider_id=provider_id)
    consent = ApplyConsent.objects.filter(user=applicant, provider_id=linked.provider_id).first()
    if consent is None:
        raise PermissionDenied(
            f"Agree to share your {provider.name} profile with {job.organization.name} first.",
            {"provider_id": provider.id},
            code="consent_required",
        )
    stored_answers = _validated_answers(job=job, answers=answers)

    profile, source, taken_at = _fresh_or_cached_profile(linked=linked, provider=provider)

    try:
        with transaction.atomic():
            # Checked again in the transaction: the job may have closed while the provider answered.
            current = Job.objects.filter(pk=job.pk).values("status", "closes_on").first()
            if current is None:  # deleted while the provider answered
                raise NotFound("This job does not exist.")
            job.status, job.closes_on = current["status"], current["closes_on"]
            _refuse_closed(job)
            application = Application.objects.create(
                job=job,
                applicant=applicant,
                provider_id=provider.id,
                snapshot=_snapshot(user=applicant, profile=profile, fields=consent.fields),
                snapshot_source=source,
                snapshot_taken_at=taken_at,
                answers=stored_answers,
            )
            # The first line of its history; the applicant made it, so there is nothing to email them.
            ApplicationStatusChange.objects.create(
                application=application,
                from_status="",
                to_status=Application.Status.NEW,
                changed_by=applicant,
                applicant_notified_at=timezone.now(),
            )
            events.application_created(application)
    except IntegrityError:
        # Another press of the same person won the race for the unique constraint (job, applicant).
        existing = Application.objects.filter(job=job, applicant=applicant).first()
        if existing is None:
            raise
        raise Conflict(applied_message(existing), {"application_id": existing.pk}) from None
    logger.info("jobs.applied", extra={"job_id": job.pk, "application_id": application.pk, "source": source})
    return application


def application_withdraw(*, application: Application, actor) -> Application:
    """The applicant takes their application back; the employer sees it as withdrawn, with its history."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().filter(pk=application.pk).first()
        if locked is None or locked.applicant_id is None or locked.applicant_id != actor.pk:
            raise NotFound("This application does not exist.")
        application = locked
        if application.status == Application.Status.WITHDRAWN:
            raise Conflict("You already withdrew this application.")
        previous = application.status
        application.status = Application.Status.WITHDRAWN
        application.withdrawn_at = timezone.now()
        application.save(update_fields=["status", "withdrawn_at", "updated_at"])
        ApplicationStatusChange.objects.create(
            application=application,
            from_status=previous,
            to_status=Application.Status.WITHDRAWN,
            changed_by=actor,
            applicant_notified_at=timezone.now(),
        )
        events.application_withdrawn(application)
    logger.info("jobs.withdrawn", extra={"application_id": application.pk})
    return application
