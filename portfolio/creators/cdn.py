"""Telling the CDN in front of the partner API that answers about some videos are out of date.

Answers of `GET /api/v1/anchors/` name every video they cover in `Surrogate-Key` (`video:<platform>:<id>`),
and every change that drops a video's cached anchors (anchor_cache.anchors_cache_invalidate) calls
`cdn_purge` with those names. What a purge does is the `CDN_PURGE` setting, a dotted path:

- `portfolio.creators.cdn.LogPurge` (the default): logs the keys, nothing else (no CDN in front);
- `portfolio.creators.cdn.HttpPurge`: POSTs `{"surrogate_keys": [...]}` to `CDN_PURGE_URL` (Fastly's
  batch purge takes exactly that; `CDN_PURGE_TOKEN` goes in the `CDN_PURGE_TOKEN_HEADER` header), from a
  Celery task enqueued once the change commits, retried with backoff. Until it lands, answers live at
  most `PARTNER_API_MAX_AGE` seconds at the CDN (plus stale-while-revalidate, revalidated by ETag).
"""

import logging
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class LogPurge:
    """No CDN in front: a purge is a log line."""

    def purge(self, surrogate_keys: list[str]) -> None:
        logger.info("cdn purge", extra={"surrogate_keys": surrogate_keys[:20], "count": len(surrogate_keys)})


class HttpPurge:
    """POSTs the keys to CDN_PURGE_URL from a Celery task, once the change commits."""

    def purge(self, surrogate_keys: list[str]) -> None:
        from portfolio.creators.tasks import cdn_purge_task

        transaction.on_commit(lambda: cdn_purge_task.delay(surrogate_keys), robust=True)


@cache
def _backend(path: str):
    return import_string(path)()


def cdn_purge(*, surrogate_keys: list[str]) -> None:
    """Asks the configured CDN to drop every answer naming one of these keys. Never raises: a purge that
    cannot be sent leaves answers that expire within their max-age."""
    if not surrogate_keys:
        return
    try:
        _backend(settings.CDN_PURGE).purge(surrogate_keys)
    except Exception:
        logger.exception("cdn purge not sent", extra={"count": len(surrogate_keys)})
