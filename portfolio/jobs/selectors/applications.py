"""Reads for applying and for the applicant's own pages: an applicant sees only their own applications."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from common.metrics import Backlog, backlog
from integrations.oauth import registry
from integrations.oauth.models import LinkedAccount
from integrations.providers import Provider
from integrations.providers.types import Profile
from portfolio.jobs.models import Application, ApplicationStatusChange, ApplyConsent, Job, ScreeningQuestion


def linked_portfolio_account(*, user, provider_id: str | None = None) -> LinkedAccount | None:
    """The freelance account `user` applies with: the one of `provider_id`, or the first one they linked
    among the configured providers. Unlinked ones do not count."""
    providers = registry.providers()
    accounts = [
        account
        for account in LinkedAccount.objects.filter(user=user, role=LinkedAccount.Role.PORTFOLIO)
        .exclude(status=LinkedAccount.Status.REVOKED)
        .order_by("linked_at", "pk")
        if account.provider_id in providers
    ]
    if provider_id:
        return next((account for account in accounts if account.provider_id == provider_id), None)
    return accounts[0] if accounts else None


def applications_for_applicant(*, user) -> QuerySet[Application]:
    """The person's applications, newest first, with their job and its organization (one query)."""
    return Application.objects.filter(applicant=user).select_related("job", "job__organization").order_by(
        "-created_at", "-id"
    )


def application_for_applicant(*, user, application_id: int) -> Application | None:
    """The application when it is `user`'s own; None for anyone else's."""
    if not getattr(user, "is_authenticated", False):
        return None
    return applications_for_applicant(user=user).filter(pk=application_id).first()


def application_of(*, job: Job, user) -> Application | None:
    """`user`'s application to `job`, if they applied."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Application.objects.filter(job=job, applicant=user).first()


def job_for_applicants(*, job_id: int) -> Job | None:
    """A job viewers may apply to or read about (published or closed); never a draft."""
    return (
        Job.objects.select_related("organization")
        .filter(pk=job_id, status__in=[Job.Status.PUBLISHED, Job.Status.CLOSED])
        .first()
    )


def consents_for_user(*, user) -> list[tuple[ApplyConsent, Provider | None]]:
    """The person's consents with their provider (None when it is no longer configured)."""
    providers = registry.providers()
    return [
        (consent, providers.get(consent.provider_id))
        for consent in ApplyConsent.objects.filter(user=user).order_by("provider_id")
    ]


def portfolio_providers() -> list[Provider]:
    """The configured freelance platforms ("Continue with ..." on the job page), in configuration order."""
    return [provider for provider in registry.providers().values() if provider.role == LinkedAccount.Role.PORTFOLIO]


def answers_prefill(*, job: Job, profile: Profile) -> dict[str, str]:
    """Answers to the job's questions taken from the profile where a question says which field answers it
    ({"question_<id>": answer}); a yes/no or single-choice question only when the value is an option."""
    values = profile.as_json()
    prefilled = {}
    for question in job.questions.all():
        value = values.get(question.prefill_from) if question.prefill_from else None
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        if not value:
            continue
        value = str(value)
        if question.kind == ScreeningQuestion.Kind.SINGLE_CHOICE and value not in question.choices:
            continue
        if question.kind == ScreeningQuestion.Kind.YES_NO and value.lower() not in ("yes", "no"):
            continue
        prefilled[f"question_{question.pk}"] = value
    return prefilled


# A first application shows the consent and the job's questions on one page, and the job page's panel shows
# them to a person who agreed before, when there are at most this many questions.
QUESTIONS_ON_ONE_PAGE = 3


@dataclass
class ApplyPanel:
    """What the job page's apply panel shows to this viewer."""

    job: Job
    state: str  # closed, anonymous, employer, applied, not_linked, ready
    application: Application | None = None
    # For `ready`: the linked freelance accounts to apply with, each with its provider and whether the
    # person already consented to share it.
    accounts: list[tuple[LinkedAccount, Provider, bool]] = field(default_factory=list)
    providers: list[Provider] = field(default_factory=list)
    has_required_questions: bool = False
    optional_questions: int = 0
    # For `ready`, with one account to apply with, already agreed to and active, and a job with a few
    # questions: the panel asks them itself, so one press sends the answers and the application. The
    # answers' form fields (question_fields.question_rows) are filled in by the template tag.
    questions_inline: bool = False
    question_rows: list[dict] = field(default_factory=list)


def apply_panel(*, job: Job, user) -> ApplyPanel:
    """The panel's state: an anonymous viewer continues with a provider, an employer sees no button, an
    applicant sees when they applied, a creator without a freelance account is offered to link one."""
    if not getattr(user, "is_authenticated", False):
        return ApplyPanel(job=job, state="anonymous" if job.is_open else "closed", providers=portfolio_providers())
    if not user.is_creator:
        return ApplyPanel(job=job, state="employer")
    application = application_of(job=job, user=user)
    if application is not None:
        return ApplyPanel(job=job, state="applied", application=application)
    if not job.is_open:
        return ApplyPanel(job=job, state="closed")
    providers = registry.providers()
    linked = [
        account
        for account in LinkedAccount.objects.filter(user=user, role=LinkedAccount.Role.PORTFOLIO)
        .exclude(status=LinkedAccount.Status.REVOKED)
        .order_by("linked_at", "pk")
        if account.provider_id in providers
    ]
    if not linked:
        return ApplyPanel(job=job, state="not_linked", providers=portfolio_providers())
    consented = set(ApplyConsent.objects.filter(user=user).values_list("provider_id", flat=True))
    required = optional = 0
    for question in job.questions.all():
        if question.required:
            required += 1
        else:
            optional += 1
    [only, *others] = linked
    return ApplyPanel(
        job=job,
        state="ready",
        accounts=[(account, providers[account.provider_id], account.provider_id in consented) for account in linked],
        has_required_questions=bool(required),
        optional_questions=optional,
        questions_inline=(
            not others and only.provider_id in consented and only.status == LinkedAccount.Status.ACTIVE
            and 0 < required + optional <= QUESTIONS_ON_ONE_PAGE
        ),
    )


def email_backlog() -> list[Backlog]:
    """Emails not sent yet: applications no employer email told of (by the partial index of those), and
    status changes not yet emailed to the applicant."""
    return [
        backlog(Application.objects.filter(employer_notified_at__isnull=True), since="created_at", state="employer"),
        backlog(
            ApplicationStatusChange.objects.filter(applicant_notified_at__isnull=True), since="created_at",
            state="applicant",
        ),
    ]
