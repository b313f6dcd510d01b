"""Consent to share a freelance profile with the employers one applies to, remembered per provider.

The first application with a provider's profile asks for it on a screen that lists exactly the fields
below and the organization that receives them; later applications with that provider need no second
question. The applicant revokes it on their own pages; applying with that provider then asks again.
"""

from django.db import transaction
from django.utils import timezone

from common.errors import NotFound, PermissionDenied
from integrations.oauth import registry
from integrations.oauth.models import LinkedAccount
from portfolio.jobs.models import ApplyConsent

# What an application carries, in this order: the keys of Application.snapshot. The profile fields are
# those of integrations.providers.types.Profile.
SHARED_FIELDS = (
    "name",
    "email",
    "headline",
    "bio",
    "skills",
    "rate",
    "location",
    "avatar_url",
    "profile_url",
    "portfolio_items",
)
# How the consent screen and the applicant's pages name them.
SHARED_FIELD_LABELS = {
    "name": "Your name",
    "email": "Your email address",
    "headline": "Headline",
    "bio": "Bio",
    "skills": "Skills",
    "rate": "Rate",
    "location": "Location",
    "avatar_url": "Profile picture",
    "profile_url": "Link to your profile",
    "portfolio_items": "Portfolio projects (titles, links and covers)",
}


def consent_grant(*, user, provider_id: str) -> ApplyConsent:
    """Records that `user` shares SHARED_FIELDS of their profile at the provider when they apply.

    Only for a freelance account they have linked; granting again renews the consent (and its list of
    fields, should it have grown).
    """
    provider = registry.provider_or_none(provider_id)
    if provider is None or provider.role != LinkedAccount.Role.PORTFOLIO:
        raise NotFound("No freelance platform of this name is connected to Reelfolio.")
    if not getattr(user, "is_creator", False):
        raise PermissionDenied("Employer accounts do not apply to jobs; log in with your creator account.")
    linked = (
        LinkedAccount.objects.filter(user=user, provider_id=provider.id)
        .exclude(status=LinkedAccount.Status.REVOKED)
        .exists()
    )
    if not linked:
        raise PermissionDenied(f"Link your {provider.name} account first; then you can apply with its profile.")
    with transaction.atomic():
        consent, _ = ApplyConsent.objects.update_or_create(
            user=user,
            provider_id=provider.id,
            defaults={"fields": list(SHARED_FIELDS), "granted_at": timezone.now()},
        )
    return consent


def consent_revoke(*, user, provider_id: str) -> None:
    """Forgets the consent: the next application with this provider asks again. Revoking twice is a no-op.

    Applications already sent keep what they carried; the applicant withdraws them one by one or erases
    their account.
    """
    ApplyConsent.objects.filter(user=user, provider_id=provider_id).delete()
