"""The creator's link-preview card drawn with their avatar, by a task: never while a page is answered."""

import logging

from integrations import pictures
from portfolio.creators import selectors

logger = logging.getLogger(__name__)


def creator_card_draw(*, handle: str) -> None:
    """Draws the card of the creator's public page with their avatar (fetched once, into the cache) or their
    monogram, unless the cache holds that drawing already; nothing for a handle no creator has. Raises
    CacheAway."""
    data = selectors.public_page_data(handle=handle)
    if data is None:
        return
    pictures.card_draw(selectors.public_page_social_card(data))


def creator_card_draw_later(*, handle: str) -> None:
    """Enqueues the drawing of the creator's card. Never raises: a card not drawn is asked for again by the
    next visit that misses it."""
    from portfolio.creators.tasks import social_card_draw_task

    try:
        social_card_draw_task.delay(handle)
    except Exception as exc:  # the broker is away: the next visit that misses the card asks again
        logger.warning("social card drawing not enqueued", extra={"handle": handle, "error": str(exc)[:300]})
