"""The applicant's data rights: a copy of everything Reelfolio holds on them, and erasing their account.

Export leaves out what is not theirs to read or what would be dangerous in a file: OAuth tokens (only
that a link exists, and its profile) and the organizations' private notes on their applications.
"""

import logging

from django.db import transaction
from django.utils import timezone

from common.errors import PermissionDenied
from integrations.oauth import registry
from integrations.oauth import services as oauth_services
from integrations.oauth.models import LinkedAccount
from integrations.webhooks.inbound.services import inbound_events_redact
from portfolio.accounts.services import user_traces_erase
from portfolio.creators.models import (
    CreatorProfile,
    CreatorVisitorsDaily,
    LinkClickBreakdownDaily,
    LinkClickDaily,
    PortfolioAnchor,
    Video,
)
from portfolio.creators.services import creator_caches_invalidate
from portfolio.jobs import events
from portfolio.jobs.models import Application, ApplicationNote, ApplicationStatusChange, ApplyConsent

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "reelfolio-export/1"
# What an employer still sees of an application whose applicant erased their account.
ERASED_SNAPSHOT = {"name": "Erased applicant"}


def _when(value):
    return value.isoformat() if value else None


def applicant_export(*, user) -> dict:
    """Everything Reelfolio holds on `user`, as JSON-ready data: their account, creator page, linked
    accounts (never their tokens), videos and links with their click counts, consents, and applications
    with what they shared, their answers and the history of their status (never employers' notes)."""
    profile = CreatorProfile.objects.filter(user=user).first()
    providers = registry.providers()
    linked_accounts = [
        {
            "provider": account.provider_id,
            "provider_name": providers[account.provider_id].name if account.provider_id in providers else "",
            "role": account.role,
            "account_id": account.subject,
            "status": account.status,
            "profile": account.profile,
            "scopes": account.scopes,
            "linked_at": _when(account.linked_at),
            "last_synced_at": _when(account.last_synced_at),
        }
        for account in LinkedAccount.objects.filter(user=user).order_by("linked_at", "pk")
    ]
    videos = [
        {
            "platform": video.platform,
            "video_id": video.platform_video_id,
            "title": video.title,
            "share_url": video.share_url,
            "cover_image_url": video.cover_image_url,
            "status": video.status,
            "published_at": _when(video.published_at),
            "imported_at": _when(video.imported_at),
        }
        for video in Video.objects.filter(owner=user).order_by("pk")
    ]
    clicks: dict[int, list] = {}
    for row in LinkClickDaily.objects.filter(anchor__video__owner=user).order_by("day"):
        clicks.setdefault(row.anchor_id, []).append(
            {"day": row.day.isoformat(), "clicks": row.clicks, "unique_visitors": row.unique_visitors}
        )
    breakdowns: dict[int, list] = {}
    for part in LinkClickBreakdownDaily.objects.filter(anchor__video__owner=user).order_by("day", "dimension", "value"):
        breakdowns.setdefault(part.anchor_id, []).append(
            {"day": part.day.isoformat(), part.dimension: part.value, "clicks": part.clicks}
        )
    anchors = [
        {
            "video_id": anchor.video.platform_video_id,
            "platform": anchor.video.platform,
            "short_link": f"/l/{anchor.code}",
            "target": anchor.target_kind,
            "target_url": anchor.target_url,
            "active": anchor.is_active,
            "created_at": _when(anchor.created_at),
            "daily_clicks": clicks.get(anchor.pk, []),
            "daily_clicks_by_referrer_device_country": breakdowns.get(anchor.pk, []),
        }
        for anchor in PortfolioAnchor.objects.filter(video__owner=user).select_related("video").order_by("pk")
    ]
    consents = [
        {"provider": consent.provider_id, "fields": consent.fields, "granted_at": _when(consent.granted_at)}
        for consent in ApplyConsent.objects.filter(user=user).order_by("provider_id")
    ]
    applications = Application.objects.filter(applicant=user).select_related("job", "job__organization")
    history: dict[int, list] = {}
    for change in ApplicationStatusChange.objects.filter(application__applicant=user).order_by("created_at", "pk"):
        history.setdefault(change.application_id, []).append(
            {
                "from": change.from_status,
                "to": change.to_status,
                "by": "you" if change.changed_by_id == user.pk else "the employer",
                "at": _when(change.created_at),
            }
        )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "creator_page": {"handle": profile.handle, "created_at": _when(profile.created_at)} if profile else None,
        "linked_accounts": linked_accounts,
        "videos": videos,
        "portfolio_links": anchors,
        "daily_unique_visitors_of_all_links": [
            {"day": row.day.isoformat(), "unique_visitors": row.unique_visitors}
            for row in CreatorVisitorsDaily.objects.filter(creator=user).order_by("day")
        ],
        "apply_consents": consents,
        "applications": [
            {
                "job": application.job.title,
                "job_slug": application.job.slug,
                "organization": application.job.organization.name,
                "status": application.status,
                "applied_at": _when(application.created_at),
                "withdrawn_at": _when(application.withdrawn_at),
                "provider": application.provider_id,
                "shared_profile": application.snapshot,
                "profile_source": application.snapshot_source,
                "profile_described_at": _when(application.snapshot_taken_at),
                "answers": application.answers,
                "status_history": history.get(application.pk, []),
            }
            for application in applications.order_by("created_at", "pk")
        ],
    }


def applicant_erase(*, user) -> None:
    """Closes the account of `user` and erases what Reelfolio holds on them, wherever it keeps it.

    1. Each linked account is unlinked as on the Linked accounts page: its tokens are revoked at the
       provider (RFC 7009) and deleted. These are HTTP calls, made before the transaction; a provider that
       cannot be reached does not stop the erasure (the tokens are deleted all the same).
    2. In one transaction:
       - their applications are anonymized for the employers (no applicant, a minimal "Erased applicant"
         instead of the profile, no answers; the status history stays, without names or notes), and the
         organizations' private notes on them are deleted (notes quote the people they are about);
       - every copy the ATS webhooks hold, pending or sent, in the outbox and the delivery log, is rewritten
         the same way and marked redacted (so a redelivery sends the redacted form), the endpoints' answers to
         them are dropped, and each organization's ATS gets `application.erased` for each application;
       - the partners' events we stored that name their linked accounts are redacted, and invitations sent
         to their address and the admin log's lines on their account are deleted;
       - the account is deleted, and once that commits the cached public page, short links and anchors that
         showed them are dropped.

    Status emails still to be sent name no address (they are rendered when sent) and find no applicant, so
    none goes out; the current session is ended by the page, the others name only the account's id and stop
    working with it.

    The account is deleted rather than deactivated: nothing needs to outlive it (the employers' copies of
    the applications are kept anonymized, history rows keep no link to a person), a deactivated row would
    keep the name and email, and the email becomes free to sign up again. Deleting takes the creator
    page, videos, their links and click counts, consents and link rows with it (all CASCADE); job videos
    (Job.video is PROTECT) belong to organizations' holder accounts, never to a creator, and employer
    accounts are not closed here.
    """
    if not user.is_creator:
        raise PermissionDenied("Employer accounts are closed by Reelfolio's support, not from these pages.")
    accounts = list(LinkedAccount.objects.filter(user=user).values_list("provider_id", "subject"))
    for linked in LinkedAccount.objects.filter(user=user).exclude(status=LinkedAccount.Status.REVOKED):
        oauth_services.linked_account_unlink(linked_account=linked)
    now = timezone.now()
    with transaction.atomic():
        applications = list(
            Application.objects.select_for_update(of=("self",)).select_related("job").filter(applicant=user)
            .order_by("pk")
        )
        ids = [application.pk for application in applications]
        erased = Application.objects.filter(pk__in=ids).update(
            applicant=None, anonymized_at=now, snapshot=ERASED_SNAPSHOT, answers=[], updated_at=now
        )
        ApplicationNote.objects.filter(application_id__in=ids).delete()
        ApplicationStatusChange.objects.filter(application_id__in=ids).exclude(note="").update(note="")
        redacted = events.applicant_deliveries_redact(user_id=user.pk, erased_snapshot=ERASED_SNAPSHOT)
        for application in applications:
            events.application_erased(application, erased_at=now)
        for provider_id, subject in accounts:
            inbound_events_redact(provider_id=provider_id, account_id=subject)
        creator_caches_invalidate(user_id=user.pk)
        user_traces_erase(user=user)
        user_id = user.pk
        user.delete()
    logger.info(
        "jobs.applicant_erased", extra={"user_id": user_id, "applications": erased, "deliveries_redacted": redacted}
    )
