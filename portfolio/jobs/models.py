"""Job videos and the applications to them.

A job is posted by an organization on one of its videos. A viewer applies with their linked freelance
profile: the application keeps a snapshot of it, the answers to the job's screening questions, and a
history of its statuses.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Job(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CLOSED = "closed", "Closed"

    class EmploymentType(models.TextChoices):
        # Values are Google's JobPosting employmentType values.
        FULL_TIME = "FULL_TIME", "Full-time"
        PART_TIME = "PART_TIME", "Part-time"
        CONTRACTOR = "CONTRACTOR", "Contract"
        TEMPORARY = "TEMPORARY", "Temporary"
        INTERN = "INTERN", "Internship"

    class Workplace(models.TextChoices):
        ON_SITE = "on_site", "On-site"
        HYBRID = "hybrid", "Hybrid"
        REMOTE = "remote", "Remote"

    class PayUnit(models.TextChoices):
        # Values are schema.org's QuantitativeValue unitText values.
        HOUR = "HOUR", "per hour"
        DAY = "DAY", "per day"
        WEEK = "WEEK", "per week"
        MONTH = "MONTH", "per month"
        YEAR = "YEAR", "per year"

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="jobs")
    video = models.ForeignKey("creators.Video", on_delete=models.PROTECT, related_name="jobs")
    slug = models.SlugField(max_length=80, unique=True, help_text="The job page is /jobs/<slug>/.")
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=10_000)
    employment_type = models.CharField(max_length=20, choices=EmploymentType.choices)

    # Pay: an amount (pay_min alone) or a range (pay_min to pay_max), or nothing.
    pay_min = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    pay_max = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    pay_currency = models.CharField(max_length=3, blank=True, help_text="ISO 4217, e.g. EUR.")
    pay_unit = models.CharField(max_length=10, choices=PayUnit.choices, blank=True)

    workplace = models.CharField(max_length=10, choices=Workplace.choices)
    # For on-site and hybrid jobs: where.
    street_address = models.CharField(max_length=200, blank=True)
    locality = models.CharField(max_length=100, blank=True, help_text="City.")
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2, e.g. DE.")
    # For remote jobs: the countries applicants may live in (ISO 3166-1 alpha-2 codes).
    remote_countries = models.JSONField(default=list, blank=True)

    skills = models.JSONField(default=list, blank=True)
    closes_on = models.DateField(help_text="The last day applications are taken (UTC).")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "closed"]), name="jobs_job_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(employment_type__in=["FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN"]),
                name="jobs_job_employment_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(workplace__in=["on_site", "hybrid", "remote"]), name="jobs_job_workplace_valid"
            ),
            models.CheckConstraint(
                condition=Q(pay_max__isnull=True) | (Q(pay_min__isnull=False) & Q(pay_max__gte=models.F("pay_min"))),
                name="jobs_job_pay_range_ordered",
                violation_error_message="The highest pay must not be lower than the lowest.",
            ),
            # One published job per video: its "Apply" anchor names one job.
            models.UniqueConstraint(
                fields=["video"],
                condition=Q(status="published"),
                name="jobs_job_one_published_per_video",
                violation_error_message="This video already carries a published job; close that one first.",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"]), models.Index(fields=["status", "closes_on"])]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        """Published and not past its closing date: it takes applications."""
        return self.status == self.Status.PUBLISHED and self.closes_on >= timezone.now().date()

    @property
    def effective_status(self) -> str:
        """The status people see: a published job past its closing date counts as closed."""
        if self.status == self.Status.PUBLISHED and not self.is_open:
            return self.Status.CLOSED
        return self.status


class ScreeningQuestion(models.Model):
    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", "Short text"
        LONG_TEXT = "long_text", "Long text"
        YES_NO = "yes_no", "Yes or no"
        SINGLE_CHOICE = "single_choice", "Single choice"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    prompt = models.CharField(max_length=300)
    choices = models.JSONField(default=list, blank=True, help_text="The options of a single-choice question.")
    required = models.BooleanField(default=False)
    # Which profile field answers it in advance, e.g. "location", "rate", "headline" (blank: none).
    prefill_from = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["short_text", "long_text", "yes_no", "single_choice"]),
                name="jobs_question_kind_valid",
            ),
        ]

    def __str__(self):
        return self.prompt


class Application(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        REVIEWING = "reviewing", "Reviewing"
        INTERVIEW = "interview", "Interview"
        OFFER = "offer", "Offer"
        HIRED = "hired", "Hired"
        NOT_SELECTED = "not_selected", "Not selected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class SnapshotSource(models.TextChoices):
        LIVE = "live", "Fetched from the provider when applying"
        CACHED = "cached", "The last synced profile (the provider did not answer)"

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="applications")
    # Null once the applicant erased their account: the employer keeps an anonymized application.
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    # The freelance profile that stands in for a CV: integrations.providers.types.Profile as JSON, plus
    # the applicant's name and email as they consented to share them.
    provider_id = models.CharField(max_length=50)
    snapshot = models.JSONField(default=dict)
    snapshot_source = models.CharField(max_length=10, choices=SnapshotSource.choices)
    snapshot_taken_at = models.DateTimeField(help_text="When the provider last described this profile.")
    answers = models.JSONField(default=list, blank=True, help_text="[{question_id, prompt, answer}]")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    anonymized_at = models.DateTimeField(null=True, blank=True)
    # The organization's "new applications" email: set once an email has told them of this one.
    employer_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "applicant"],
                name="jobs_application_one_per_applicant",
                violation_error_message="You already applied to this job.",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["new", "reviewing", "interview", "offer", "hired", "not_selected", "withdrawn"]
                ),
                name="jobs_application_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(snapshot_source__in=["live", "cached"]), name="jobs_application_snapshot_source_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["job", "status"]),
            models.Index(
                fields=["employer_notified_at"],
                condition=Q(employer_notified_at__isnull=True),
                name="jobs_application_to_notify",
            ),
        ]

    def __str__(self):
        return f"application {self.pk} to {self.job_id}"


class ApplicationStatusChange(models.Model):
    """Who moved an application from which status to which, when; the applicant's email is an outbox row."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when the change came through the employer API with an organization's API key (no member then).
    api_key = models.ForeignKey(
        "accounts.OrganizationApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once the applicant was emailed about this change (null: still to send; the sweep retries).
    applicant_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        # The status emails still to send (the sweep, GET /metrics): few rows, however long the history.
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(applicant_notified_at__isnull=True),
                name="jobs_status_change_to_email",
            )
        ]

    def __str__(self):
        return f"{self.from_status or '-'} → {self.to_status}"

    @property
    def from_label(self) -> str:
        return Application.Status(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return Application.Status(self.to_status).label


class ApplicationNote(models.Model):
    """A private note of the organization's members on an application; the applicant never sees it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"note {self.pk} on application {self.application_id}"


class ApplyConsent(models.Model):
    """A viewer's consent to share these fields of their profile at this provider when they apply."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="apply_consents")
    provider_id = models.CharField(max_length=50)
    fields = models.JSONField(default=list, help_text="The names of the profile fields shared.")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "provider_id"], name="jobs_applyconsent_user_provider"),
        ]

    def __str__(self):
        return f"{self.user_id} shares {self.provider_id}"


class EmployerHomeVisit(models.Model):
    """When an employer last opened their home page: what came in since then is marked new there."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    def __str__(self):
        return f"{self.user_id} at {self.seen_at:%Y-%m-%d %H:%M}"
