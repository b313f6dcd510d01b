import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from common.errors import ApplicationError, Conflict, PermissionDenied, full_clean
from portfolio.accounts.models import Membership, Organization, User
from portfolio.creators.services import creator_profile_create


def _unique_org_slug(name: str) -> str:
    base = slugify(name)[:50] or "organization"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def organization_create(*, owner: User, name: str, website: str = "", slug: str = "") -> Organization:
    if not owner.is_employer:
        raise PermissionDenied("Only employer accounts can create organizations.")
    organization = Organization(name=name.strip(), website=website.strip(), slug=slug or _unique_org_slug(name))
    full_clean(organization)
    organization.save()
    Membership.objects.create(organization=organization, user=owner, role=Membership.Role.OWNER)
    return organization


@transaction.atomic
def user_sign_up(
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    organization_name: str = "",
    organization_website: str = "",
) -> User:
    """Creates a creator, or an employer together with the organization they own: all or nothing."""
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict.on_field("email", "An account with this email address already exists.")
    if role == User.Role.EMPLOYER and not organization_name.strip():
        raise ApplicationError.on_field(
            "organization_name", "Employers sign up with the name of their organization."
        )
    user = User(email=email, name=name.strip(), role=role)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ApplicationError.from_validation_error(error) from None
    user.set_password(password)
    full_clean(user)
    user.save()
    if role == User.Role.EMPLOYER:
        organization_create(owner=user, name=organization_name, website=organization_website)
    else:
        creator_profile_create(user=user)
    return user


@transaction.atomic
def membership_add(*, organization: Organization, actor: User, email: str) -> Membership:
    """An owner adds an existing employer account to the organization as a member."""
    if not Membership.objects.filter(organization=organization, user=actor, role=Membership.Role.OWNER).exists():
        raise PermissionDenied("Only owners can add members.")
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ApplicationError.on_field(
            "email", "No Reelfolio account uses this email address; ask them to sign up first."
        )
    if not user.is_employer:
        raise ApplicationError.on_field(
            "email", "This account is a creator account; only employer accounts can join."
        )
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise Conflict.on_field("email", "This person is already a member.")
    return Membership.objects.create(organization=organization, user=user, role=Membership.Role.MEMBER)


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    organization = membership.organization
    if not Membership.objects.filter(organization=organization, user=actor, role=Membership.Role.OWNER).exists():
        raise PermissionDenied("Only owners can remove members.")
    if membership.role == Membership.Role.OWNER:
        owners = Membership.objects.select_for_update().filter(organization=organization, role=Membership.Role.OWNER)
        if owners.count() <= 1:
            raise Conflict("An organization keeps at least one owner.")
    membership.delete()


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
