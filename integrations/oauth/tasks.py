"""Celery entry points: each takes ids, calls one service, retries with backoff, and has a "gave up" path."""

import logging

from celery import shared_task
from django.conf import settings

from integrations.oauth import services
from integrations.oauth.task_names import REFRESH_TOKEN, SYNC_LINKED_ACCOUNT
from integrations.providers.errors import ProviderError, ReconnectRequired

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


def _backoff(retries: int) -> int:
    return min(30 * 2**retries, 1800)


@shared_task(name=SYNC_LINKED_ACCOUNT, bind=True, ignore_result=True, max_retries=MAX_RETRIES)
def sync_linked_account(self, linked_account_id: int) -> None:
    try:
        services.linked_account_sync(linked_account_id=linked_account_id)
    except ReconnectRequired:
        return  # the link is marked needs_reconnect; only the creator can fix it
    except ProviderError as error:
        if self.request.retries >= self.max_retries:
            logger.error("oauth.sync_gave_up", extra={"linked_account_id": linked_account_id, "error": error.message})
            return  # the error and its time stay on the link and are shown to the creator
        raise self.retry(countdown=_backoff(self.request.retries)) from None


@shared_task(name=REFRESH_TOKEN, bind=True, ignore_result=True, max_retries=MAX_RETRIES)
def refresh_token(self, linked_account_id: int) -> None:
    try:
        services.token_refresh(linked_account_id=linked_account_id, within_seconds=settings.OAUTH_REFRESH_AHEAD_SECONDS)
    except ReconnectRequired:
        return
    except ProviderError as error:
        if self.request.retries >= self.max_retries:
            logger.error(
                "oauth.refresh_gave_up", extra={"linked_account_id": linked_account_id, "error": error.message}
            )
            return
        raise self.retry(countdown=_backoff(self.request.retries)) from None


@shared_task(name="oauth.refresh_expiring_tokens", ignore_result=True)
def refresh_expiring_tokens() -> None:
    services.tokens_refresh_expiring()


@shared_task(name="oauth.sync_due", ignore_result=True)
def sync_due() -> None:
    services.linked_accounts_sync_due()
