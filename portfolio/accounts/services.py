import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from common import api_keys
from common.errors import ApplicationError, Conflict, PermissionDenied, full_clean
from integrations.providers.errors import LinkError
from portfolio.accounts import selectors
from portfolio.accounts.models import Membership, Organization, OrganizationApiKey, OrganizationInvitation, User
from portfolio.accounts.permissions import require_owner
from portfolio.accounts.scopes import SCOPES
from portfolio.creators.services import creator_profile_create

logger = logging.getLogger(__name__)


def _unique_org_slug(name: str) -> str:
    base = slugify(name)[:50] or "organization"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


ORGANIZATION_NAME_TAKEN = (
    "An organization with this name is already on Reelfolio. If it is yours, ask its owner to add you; "
    "otherwise add what sets yours apart (a city, a country)."
)


def _organization_name_taken(name: str) -> bool:
    return Organization.objects.filter(name__iexact=name.strip()).exists()


@transaction.atomic
def organization_create(*, owner: User, name: str, website: str = "", slug: str = "") -> Organization:
    """An organization owned by `owner`; its name is unique, whatever the case of its letters."""
    if not owner.is_employer:
        raise PermissionDenied("Only employer accounts can create organizations.")
    if _organization_name_taken(name):
        raise Conflict.on_field("name", ORGANIZATION_NAME_TAKEN)
    organization = Organization(name=name.strip(), website=website.strip(), slug=slug or _unique_org_slug(name))
    full_clean(organization, validate_constraints=False)
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError:  # the same name, created at this very moment
        if not _organization_name_taken(name):
            raise
        raise Conflict.on_field("name", ORGANIZATION_NAME_TAKEN) from None
    Membership.objects.create(organization=organization, user=owner, role=Membership.Role.OWNER)
    return organization


@transaction.atomic
def user_sign_up(
    *,
    email: str,
    name: str,
    password: str | None,
    role: str,
    organization_name: str = "",
    organization_website: str = "",
    is_active: bool = True,
    joining: Organization | None = None,
) -> User:
    """Creates a creator, or an employer together with the organization they own: all or nothing.
    An employer `joining` an organization (an accepted invitation) becomes its member instead.

    `password` None: an account that signs in with a provider only (it can choose a password later
    through "Forgot your password?"). `is_active` False: an account that waits for its owner to confirm
    their email address (user_sign_up_confirm)."""
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict.on_field("email", "An account with this email address already exists.")
    if role == User.Role.EMPLOYER and joining is None and not organization_name.strip():
        raise ApplicationError.on_field(
            "organization_name", "Employers sign up with the name of their organization."
        )
    if role == User.Role.EMPLOYER and joining is None and _organization_name_taken(organization_name):
        raise Conflict.on_field("organization_name", ORGANIZATION_NAME_TAKEN)
    user = User(email=email, name=name.strip(), role=role, is_active=is_active)
    if password is None:
        user.set_unusable_password()
    else:
        _password_check(password=password, user=user)
        user.set_password(password)
    full_clean(user)
    user.save()
    if role == User.Role.EMPLOYER and joining is not None:
        Membership.objects.create(organization=joining, user=user, role=Membership.Role.MEMBER)
    elif role == User.Role.EMPLOYER:
        organization_create(owner=user, name=organization_name, website=organization_website)
    else:
        creator_profile_create(user=user)
    return user


def _password_check(*, password: str, user: User) -> None:
    """ApplicationError unless the password validators accept the password for `user`."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ApplicationError.from_validation_error(error) from None


class _Rehearsed(Exception):
    pass


SIGN_UP_REHEARSAL_DOMAIN = "rehearsal.reelfolio.invalid"


def _sign_up_rehearse(
    *, name: str, password: str, role: str, organization_name: str, organization_website: str
) -> None:
    """Makes the account a sign-up would make, under a stand-in address, and rolls it back (a savepoint): the
    same checks, hashing and writes as for a new address, and the same refusals (ApplicationError)."""
    try:
        with transaction.atomic():
            user_sign_up(
                email=f"{secrets.token_hex(8)}@{SIGN_UP_REHEARSAL_DOMAIN}", name=name, password=password, role=role,
                organization_name=organization_name, organization_website=organization_website, is_active=False,
            )
            raise _Rehearsed
    except _Rehearsed:
        pass


def _email_after_commit(*, template: str, context: dict, to: str) -> None:
    """Sends accounts/email/<template>.txt (and its _subject.txt) once the transaction commits. A failure to
    send is logged, never shown: the page says the same whether or not an email went out."""
    context = {**context, "site_url": settings.SITE_URL}
    subject = render_to_string(f"accounts/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"accounts/email/{template}.txt", context)

    def send() -> None:
        try:
            send_mail(subject, body, None, [to])
        except Exception:
            logger.exception("accounts.email_failed", extra={"template": template})

    transaction.on_commit(send)


def _password_reset_url(user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})


def _signup_confirm_url(user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("accounts:signup_confirm", kwargs={"uidb64": uidb64, "token": token})


@transaction.atomic
def user_sign_up_request(
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    organization_name: str = "",
    organization_website: str = "",
) -> User | None:
    """Sign-up from the page, which must not tell a visitor whether an email has an account.

    Whatever the address, the page only says to check the inbox, and the address gets an email:
    - no account yet: a new account, inactive until its owner follows the confirmation link;
    - an account waiting for confirmation: the confirmation link again;
    - an account in use: that an account exists, with a link to choose a new password.
    Returns the new account, or None when the email was taken.

    A taken address takes as long as a new one: the account is made all the same (its password checked and
    hashed, its creator page or organization made) under a stand-in address, then undone, and an email is
    written either way. Timing the page tells nothing either.
    """
    normalized = User.objects.normalize_email(email).strip().lower()
    existing = User.objects.filter(email__iexact=normalized).first()
    if existing is not None:
        # The same work as for a new address, so that the answer takes as long and refuses the same input.
        _sign_up_rehearse(
            name=name, password=password, role=role, organization_name=organization_name,
            organization_website=organization_website,
        )
        if existing.is_active:
            _email_after_commit(
                template="account_exists",
                context={"user": existing, "reset_url": _password_reset_url(existing),
                         "login_url": settings.SITE_URL + reverse("accounts:login")},
                to=existing.email,
            )
        elif existing.has_usable_password():  # an account of this page that was never confirmed
            _email_after_commit(
                template="account_confirm",
                context={"user": existing, "confirm_url": _signup_confirm_url(existing)},
                to=existing.email,
            )
        return None
    user = user_sign_up(
        email=normalized,
        name=name,
        password=password,
        role=role,
        organization_name=organization_name,
        organization_website=organization_website,
        is_active=False,
    )
    _email_after_commit(
        template="account_confirm", context={"user": user, "confirm_url": _signup_confirm_url(user)}, to=user.email
    )
    return user


def user_sign_up_confirm(*, user: User) -> User:
    """Confirms the email address of an account made by the sign-up page: it may log in from now on."""
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def organization_member_invite(*, organization: Organization, actor: User, email: str) -> OrganizationInvitation:
    """An owner invites a colleague by email. Nobody joins an organization without accepting: whatever the
    address (an employer account, no account yet, a creator account), an invitation is recorded, listed on
    the organization's page the same way, and emailed, so the page never tells whether the address has an
    account. The email says what to do with that address: log in and join, make an employer account and
    join, or, for a creator account, why it cannot join as it is."""
    require_owner(organization=organization, actor=actor, doing="invite members")
    email = User.objects.normalize_email(email).strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise Conflict.on_field("email", "This person is already a member.")
    invitation = organization_invitation_send(organization=organization, actor=actor, email=email)
    user = User.objects.filter(email__iexact=email).first()
    context = {
        "organization": organization,
        "actor": actor,
        "signup_url": settings.SITE_URL + reverse("accounts:signup"),
        "invite_url": invitation_url(invitation),
        "days": selectors.INVITATION_DAYS,
        "has_account": user is not None,
    }
    if user is None or user.is_employer:
        _email_after_commit(template="member_invite", context=context, to=email)
    elif user.is_active:
        _email_after_commit(template="member_not_employer", context={**context, "user": user}, to=user.email)
    return invitation


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    organization = membership.organization
    require_owner(organization=organization, actor=actor, doing="remove members")
    if membership.role == Membership.Role.OWNER and _owners_locked(organization.pk) <= 1:
        raise Conflict(selectors.last_owner_message(membership=membership, actor_id=actor.pk))
    membership.delete()


def _owners_locked(organization_id: int) -> int:
    """The organization's owners, counted under a lock of its row: owners who leave or are removed at the
    same moment take turns, so the last one always stays. (A count() of a select_for_update() query takes
    no lock: Django drops FOR UPDATE from aggregates.)"""
    Organization.objects.select_for_update().filter(pk=organization_id).values_list("pk", flat=True).first()
    return Membership.objects.filter(organization=organization_id, role=Membership.Role.OWNER).count()


@transaction.atomic
def membership_leave(*, membership: Membership) -> None:
    """A member leaves the organization; its last owner cannot (someone must be able to manage it)."""
    if membership.role == Membership.Role.OWNER and _owners_locked(membership.organization_id) <= 1:
        raise Conflict(selectors.last_owner_message(membership=membership, actor_id=membership.user_id))
    membership.delete()


@transaction.atomic
def membership_promote(*, membership: Membership, actor: User) -> Membership:
    """An owner makes another member an owner too: they may then add, promote and remove members and
    manage the API keys."""
    require_owner(organization=membership.organization, actor=actor, doing="make members owners")
    if membership.role == Membership.Role.OWNER:
        raise Conflict(f"{membership.user.name or membership.user.email} is an owner already.")
    membership.role = Membership.Role.OWNER
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def organization_rename(*, organization: Organization, actor: User, name: str) -> Organization:
    """An owner renames the organization. Its address (/accounts/organizations/<slug>/) and the API stay
    the same; the new name must be one no other organization has, whatever the case of its letters."""
    require_owner(organization=organization, actor=actor, doing="rename the organization")
    name = " ".join(name.split())
    if not name:
        raise ApplicationError.on_field("name", "Give the organization a name.")
    if name == organization.name:
        return organization
    if Organization.objects.filter(name__iexact=name).exclude(pk=organization.pk).exists():
        raise Conflict.on_field("name", ORGANIZATION_NAME_TAKEN)
    old_name = organization.name
    organization.name = name
    full_clean(organization, validate_constraints=False)
    try:
        with transaction.atomic():
            organization.save(update_fields=["name"])
    except IntegrityError:  # the same name, taken at this very moment
        organization.name = old_name
        raise Conflict.on_field("name", ORGANIZATION_NAME_TAKEN) from None
    return organization


# --- Invitations by email ----------------------------------------------------------------------------

def invitation_url(invitation: OrganizationInvitation) -> str:
    """The signed link of the invitation's email: it names the invitation and its current nonce, and expires
    INVITATION_DAYS after it was made."""
    token = signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=selectors.INVITATION_SALT)
    return settings.SITE_URL + reverse("accounts:invitation_open", kwargs={"token": token})


def organization_invitation_send(*, organization: Organization, actor: User, email: str) -> OrganizationInvitation:
    """Records an invitation to an address (organization_member_invite emails its link). Inviting the same
    address again draws a new nonce: only the newest link works."""
    email = User.objects.normalize_email(email).strip().lower()
    invitation = OrganizationInvitation.objects.filter(organization=organization, email__iexact=email).first()
    if invitation is None:
        invitation = OrganizationInvitation(organization=organization, email=email)
    invitation.invited_by = actor
    invitation.nonce = secrets.token_urlsafe(16)
    invitation.sent_at = timezone.now()
    invitation.accepted_at = None
    invitation.accepted_by = None
    invitation.withdrawn_at = None
    full_clean(invitation, validate_constraints=False)
    invitation.save()
    return invitation


def _invitation_lock(invitation: OrganizationInvitation) -> OrganizationInvitation:
    locked = OrganizationInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.nonce == invitation.nonce and locked.withdrawn_at is not None:
        raise Conflict(selectors.INVITATION_WITHDRAWN)
    if locked.accepted_at is not None or locked.nonce != invitation.nonce:
        raise Conflict(selectors.INVITATION_USED)
    return locked


@transaction.atomic
def organization_invitation_withdraw(*, invitation: OrganizationInvitation, actor: User) -> OrganizationInvitation:
    """An owner withdraws a pending invitation: its link then says it was withdrawn and lets no one join.
    One accepted meanwhile is not undone (the member is on the members list, to remove if need be)."""
    require_owner(organization=invitation.organization, actor=actor, doing="withdraw invitations")
    locked = OrganizationInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise Conflict(f"{locked.email} accepted the invitation already: they are a member now.")
    if locked.withdrawn_at is None:
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["withdrawn_at"])
    return locked


@transaction.atomic
def organization_invitation_accept(*, invitation: OrganizationInvitation, user: User) -> Membership:
    """A logged-in employer whose email is the invited address joins the organization."""
    invitation = _invitation_lock(invitation)
    if user.email.lower() != invitation.email.lower():
        raise PermissionDenied(
            f"This invitation is for {invitation.email}. Log out, then follow the link again to accept it."
        )
    if not user.is_employer:
        raise PermissionDenied(
            "This address has a creator account, and only employer accounts belong to organizations."
        )
    membership, _ = Membership.objects.get_or_create(organization=invitation.organization, user=user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def organization_invitation_accept_new_account(*, invitation: OrganizationInvitation, name: str, password: str) -> User:
    """The invited person makes their employer account with the invited address and joins the organization.
    The account is active at once: following the emailed link confirmed the address."""
    invitation = _invitation_lock(invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise Conflict("An account with this address exists now: log in with it to accept the invitation.")
    user = user_sign_up(
        email=invitation.email, name=name, password=password, role=User.Role.EMPLOYER, joining=invitation.organization
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


def user_traces_erase(*, user: User) -> None:
    """Before `user` is deleted (they erased their account): what accounts keeps about them apart from the
    row itself goes too, the invitations sent to their address and the admin log's lines on their account.
    (Their sessions name only the account's id, and stop working once it is gone.)"""
    OrganizationInvitation.objects.filter(email__iexact=user.email).delete()
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).delete()


HOLDER_EMAIL_DOMAIN = "holders.reelfolio.invalid"


@transaction.atomic
def organization_video_holder(*, organization: Organization) -> User:
    """The account that holds the organization's linked video account and its videos, made on first use.

    It has no usable password and is inactive: nobody logs in as it. Its email is on a reserved domain
    (.invalid, RFC 2606), so no sign-up can ever claim it.
    """
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization.video_holder is not None:  # no query when there is none
        return organization.video_holder
    holder = User(
        email=f"org-{organization.pk}-{secrets.token_hex(4)}@{HOLDER_EMAIL_DOMAIN}",
        name=organization.name,
        role=User.Role.EMPLOYER,
        is_active=False,
    )
    holder.set_unusable_password()
    holder.save()
    organization.video_holder = holder
    organization.save(update_fields=["video_holder"])
    return holder


# --- Organization API keys -------------------------------------------------------------------------

# How often a key's "last used" is written: at most once a minute, not on every request.
API_KEY_LAST_USED_PRECISION = timedelta(minutes=1)


@transaction.atomic
def organization_api_key_create(
    *, organization: Organization, actor: User | None, scopes: Iterable[str], name: str = ""
) -> tuple[OrganizationApiKey, str]:
    """Creates an API key of the organization; returns it with the key in clear, never available again.

    `actor` is the owner who asks, or None for an operator (`manage.py create_org_api_key`).
    """
    require_owner(organization=organization, actor=actor, doing="create API keys")
    name = name.strip()
    if len(name) > 100:
        message = "A key's name is at most 100 characters."
        raise ApplicationError(message, extra={"fields": {"name": [message]}})
    full_key, prefix, secret_hash = api_keys.new_api_key(kind=OrganizationApiKey.KIND)
    api_key = OrganizationApiKey.objects.create(
        organization=organization,
        name=name,
        prefix=prefix,
        secret_hash=secret_hash,
        scopes=api_keys.clean_scopes(scopes, known=SCOPES),
        created_by=actor,
    )
    return api_key, full_key


@transaction.atomic
def organization_api_key_revoke(*, api_key: OrganizationApiKey, actor: User | None) -> OrganizationApiKey:
    """Revokes a key for good: the next request with it is refused. Revoking twice changes nothing."""
    require_owner(organization=api_key.organization, actor=actor, doing="revoke API keys")
    api_key = OrganizationApiKey.objects.select_for_update().get(pk=api_key.pk)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def organization_api_key_mark_used(*, api_key: OrganizationApiKey) -> None:
    """Records that a key was used, at most once per API_KEY_LAST_USED_PRECISION (no write per request)."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= API_KEY_LAST_USED_PRECISION:
        OrganizationApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


def user_for_provider_sign_in(*, provider, account) -> User:
    """"Continue with <provider>" by a visitor whose provider account is linked to nobody yet: a new creator
    account (named as on the provider, without a password) that the link is then made for.

    The provider's email decides, and only when the provider says it verified it: an address it did not
    verify could be anyone's, and an address of an existing Reelfolio account is never merged into silently
    (its owner logs in first and links the provider from there). Refusals are LinkErrors with the way on.
    Runs inside the sign-in's transaction (integrations.oauth.services.sign_in_from_callback).
    """
    email = User.objects.normalize_email(account.email or "").strip().lower()
    if not email:
        raise LinkError(
            f"{provider.name} did not tell Reelfolio your email address, so it cannot sign you up with it. "
            f"Sign up with your email, then link {provider.name}."
        )
    if not account.email_verified:
        raise LinkError(
            f"{provider.name} has not confirmed your email address, so Reelfolio cannot sign you in with it. "
            f"Confirm it at {provider.name} and try again, or sign up with your email and link {provider.name} "
            "afterwards."
        )
    exists = LinkError(f"An account with this email exists: log in first, then link {provider.name}.")
    if User.objects.filter(email__iexact=email).exists():
        raise exists
    name = (account.profile.display_name or email.split("@")[0]).strip()[:150]
    try:
        with transaction.atomic():
            return user_sign_up(email=email, name=name, password=None, role=User.Role.CREATOR)
    except IntegrityError:
        raise exists from None  # the same email signed up a moment ago
    except ValidationError as error:
        if "email" in getattr(error, "message_dict", {}):
            raise exists from None
        raise LinkError(
            f"{provider.name} described your account in a way Reelfolio cannot sign you up with. "
            f"Sign up with your email, then link {provider.name}."
        ) from None
