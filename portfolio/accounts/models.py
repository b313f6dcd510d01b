from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from common.api_keys.models import AbstractApiKey


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        CREATOR = "creator", "Creator"
        EMPLOYER = "employer", "Employer"

    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CREATOR)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["creator", "employer"]), name="accounts_user_role_valid"
            ),
        ]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email

    @property
    def is_creator(self) -> bool:
        return self.role == self.Role.CREATOR

    @property
    def is_employer(self) -> bool:
        return self.role == self.Role.EMPLOYER


class Organization(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    website = models.URLField(blank=True, max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(User, through="Membership", related_name="organizations")
    # The account that holds what the organization itself links and owns (its video-platform account and
    # the videos imported from it), so that nothing belongs to the member who linked it. It cannot log
    # in; members act on its behalf from the organization's pages.
    video_holder = models.OneToOneField(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="held_organization", editable=False
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            # Two organizations named alike would pass for one another on job pages and in consent screens.
            models.UniqueConstraint(
                Lower("name"),
                name="accounts_organization_name_unique",
                violation_error_message="An organization with this name is already on Reelfolio.",
            ),
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="accounts_membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "member"]), name="accounts_membership_role_valid"
            ),
        ]
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.user} in {self.organization} ({self.role})"


class OrganizationApiKey(AbstractApiKey):
    """An API key of an organization for the employer API: `rfo_<prefix>_<secret>` (common.api_keys).

    It belongs to the organization, not to the member who made it, and acts with its scopes only. Keys
    are revoked, never deleted, so the record of who held which key stays.
    """

    KIND = "rfo"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True, help_text="What the key is for, e.g. “ATS sync”.")
    scopes = models.JSONField(default=list, help_text='What the key may do, e.g. ["jobs:read"].')
    # Null when made with `manage.py create_org_api_key`, or once that member's account is gone.
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta(AbstractApiKey.Meta):
        verbose_name = "organization API key"
        constraints = AbstractApiKey.constraints_named("accounts_orgapikey")

    def holder(self):
        return self.organization


class OrganizationInvitation(models.Model):
    """An owner's invitation to an address that has no account yet: the email carries a signed link
    (accounts.invitations) that expires, and that one use, a new invitation or its withdrawal ends.

    `nonce` is part of the signed token: a new invitation to the same address draws a new one, so the
    older link stops working."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    nonce = models.CharField(max_length=32, editable=False)
    sent_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # An owner withdrew it: its link says so and changes nothing. Inviting the address again clears it.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint("organization", Lower("email"), name="accounts_invitation_org_email_unique"),
        ]

    def __str__(self):
        return f"{self.email} → {self.organization}"
