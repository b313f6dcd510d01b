"""Pictures that others host and our link-preview cards show: creators' avatars and video covers.

A picture's address comes from a user or a platform, so it is fetched the way ATS deliveries are sent:
through the outgoing-HTTP door on a session pinned to an address the SSRF guard checked
(integrations/webhooks/outbound/ssrf.py), no redirect followed, a short timeout. Only a PNG, JPEG, WebP
or GIF of at most PICTURE_MAX_BYTES is taken (read in chunks, refused past the limit), opened and verified
by Pillow under its decompression-bomb limit; an SVG or anything else is refused. What is kept is the
picture shrunk to PICTURE_SIZE pixels, as PNG, in the cache under the digest of its address, so two cards
showing one avatar fetch it once; a refusal is kept briefly too.

`card_draw` is what a card's task runs: the picture fetched (or found in the cache), the card drawn with it
(or with its monogram when it cannot be had) and kept (common/social_cards.py).
"""

import hashlib
import io
import logging
import time
import warnings
from contextlib import suppress
from urllib.parse import urlsplit

from PIL import Image

from common import cache, http, social_cards
from common.cache import CacheAway
from integrations.webhooks.outbound import ssrf

logger = logging.getLogger(__name__)

PICTURE_MAX_BYTES = 5 * 1024 * 1024
PICTURE_TIMEOUT = (3.0, 5.0)  # (connect, read) seconds
PICTURE_DEADLINE_SECONDS = 10.0  # the whole body, however slowly it trickles
PICTURE_SIZE = 400  # the longest side kept
PICTURE_CACHE_SECONDS = 24 * 3600
REFUSED_CACHE_SECONDS = 600
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
IMAGE_FORMATS = ["PNG", "JPEG", "WEBP", "GIF"]  # what Pillow may open them as: never an SVG


class PictureRefused(Exception):
    """The picture cannot be shown: the message says why (for the logs)."""


def _key(url: str) -> str:
    return f"picture:v1:{hashlib.sha256(url.encode()).hexdigest()[:32]}"


def picture_png(url: str) -> bytes | None:
    """The picture at `url` as PNG bytes (its longest side at most PICTURE_SIZE), or None when it cannot be
    had (refused, unreachable, not an image). From the cache when it holds the answer."""
    key = _key(url)
    try:
        held = cache.get(key)
    except CacheAway:
        held = None
    if isinstance(held, bytes):
        return held or None  # b"": refused moments ago
    try:
        png: bytes | None = _shrunk(fetch(url))
    except PictureRefused as exc:
        logger.info("picture not shown", extra={"host": urlsplit(url).hostname or "", "reason": str(exc)})
        png = None
    with suppress(CacheAway):
        cache.set_value(key, png or b"", timeout=PICTURE_CACHE_SECONDS if png else REFUSED_CACHE_SECONDS)
    return png


def fetch(url: str) -> bytes:
    """The body of the image at `url`; raises PictureRefused."""
    try:
        target = ssrf.check_url(url)
    except ssrf.UnsafeAddress as exc:
        raise PictureRefused(exc.message) from None
    try:
        with (
            ssrf.pinned_session(target) as session,
            session.get(
                target.url, stream=True, allow_redirects=False, timeout=PICTURE_TIMEOUT,
                headers={"Accept": ", ".join(IMAGE_TYPES)},
            ) as response,
        ):
            if response.status_code != 200:
                raise PictureRefused(f"answered {response.status_code}")
            kind = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
            if kind not in IMAGE_TYPES:
                raise PictureRefused(f"not a PNG, JPEG, WebP or GIF image: {kind or 'no Content-Type'}")
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > PICTURE_MAX_BYTES:
                raise PictureRefused(f"larger than {PICTURE_MAX_BYTES} bytes")
            return _read(response)
    except http.RequestException as exc:
        raise PictureRefused(f"not reached: {type(exc).__name__}") from None


def _read(response: http.Response) -> bytes:
    body = bytearray()
    deadline = time.monotonic() + PICTURE_DEADLINE_SECONDS
    for chunk in response.iter_content(64 * 1024):
        body += chunk
        if len(body) > PICTURE_MAX_BYTES:
            raise PictureRefused(f"larger than {PICTURE_MAX_BYTES} bytes")
        if time.monotonic() > deadline:
            raise PictureRefused(f"not read within {PICTURE_DEADLINE_SECONDS:g} seconds")
    return bytes(body)


# What Pillow raises for a file that is no image it may open (UnidentifiedImageError is an OSError), a broken
# one, or a decompression bomb.
NOT_AN_IMAGE = (
    Image.DecompressionBombError, Image.DecompressionBombWarning, OSError, SyntaxError, ValueError, EOFError
)


def _shrunk(body: bytes) -> bytes:
    """The image checked by Pillow (one of IMAGE_FORMATS, no decompression bomb, whole), its first frame
    shrunk, as PNG; raises PictureRefused."""
    try:
        with warnings.catch_warnings():
            # Past Image.MAX_IMAGE_PIXELS Pillow warns, past twice that it refuses: both are refusals here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(body), formats=IMAGE_FORMATS) as opened:
                opened.verify()
            with Image.open(io.BytesIO(body), formats=IMAGE_FORMATS) as opened:
                opened.seek(0)
                picture = opened.convert("RGBA")
    except NOT_AN_IMAGE as exc:
        raise PictureRefused(f"not a whole image: {type(exc).__name__}") from None
    picture.thumbnail((PICTURE_SIZE, PICTURE_SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def card_draw(card: social_cards.Card) -> None:
    """Draws the card with its picture (fetched unless the cache holds it) or its monogram when it has none or
    it cannot be had, and keeps the drawing; nothing when the drawing is kept already. Raises CacheAway."""
    if social_cards.card_drawn(card):
        return
    picture = picture_png(card.picture_url) if card.picture_url else None
    social_cards.card_store(card, picture=picture)
