"""Link-preview cards: the 1200×630 PNG that X, Facebook, LinkedIn and chat apps show for a shared page.

Drawn with Pillow in the DejaVu Sans shipped in static/fonts/ (never a system font, so every machine draws
the same card), from what the page is about: a picture (the creator's avatar, round beside the name, or a
video's cover, large on the right) or else a monogram in the page's accent colour, a title, a line under it,
a few facts and Reelfolio's name. `card_png` is pure; the cache keeps each drawing under the digest of what
it shows, so a card is drawn once per change and a change draws a new one.

A picture is a remote image: it is never fetched while a page is being answered. A card that names one is
drawn by a task (integrations/pictures.py fetches the picture, `card_store` keeps the drawing); until that
drawing is in the cache, `card_response` answers the monogram version at once, cached briefly, and asks for
the drawing once (`draw_later`). The digest covers the picture's address, so the card's address changes
when the picture does.
"""

import hashlib
import io
import json
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from functools import cache as memoize
from pathlib import Path

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from PIL import Image, ImageDraw, ImageFont, ImageOps

from common import cache
from common.cache import CacheAway

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
CACHE_SECONDS = 7 * 24 * 3600
# A card whose picture could not be had is drawn with its monogram and kept this long only: the picture is
# tried again when it runs out (the server that was down may be back).
WITHOUT_PICTURE_SECONDS = 3600
# The monogram version answered while the picture's drawing is made: kept, and cached by browsers and
# previews, for moments only.
PROVISIONAL_SECONDS = 300
PROVISIONAL_MAX_AGE = 60
# How long one request for the drawing stands: another miss in that time asks for nothing more.
DRAW_ASKED_SECONDS = 300
AVATAR_BOX = (80, 110, 300, 330)  # the round avatar (or the monogram), beside the name
COVER_WIDTH = 440  # the cover fills the card's right side between the top stripe and the bottom band
BRAND = "Reelfolio"
INK = (23, 23, 35)
MUTED = (74, 74, 92)
PAPER = (250, 250, 252)


@dataclass(frozen=True)
class Card:
    title: str
    subtitle: str = ""
    facts: list[str] = field(default_factory=list)
    monogram: str = ""
    accent: str = "#5b3fc4"  # the brand's violet
    footer: str = ""
    picture_url: str = ""  # an avatar or a cover, drawn instead of the monogram when it can be had
    cover: bool = False  # the picture is a cover (large, on the right), not an avatar (round)

    def digest(self) -> str:
        """Changes whenever anything drawn changes (and with the drawing's version)."""
        payload = json.dumps({"v": 2, **asdict(self)}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def key(self) -> str:
        return f"social-card:v2:{self.digest()}"


@memoize
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return (int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16))


def _fit(
    draw: ImageDraw.ImageDraw, text: str, *, bold: bool, size: int, width: int, lines: int
) -> tuple[list[str], ImageFont.FreeTypeFont]:
    """`text` wrapped in at most `lines` lines of `width` pixels, the font shrunk (to half) before the last
    line is cut with an ellipsis."""
    for font_size in range(size, size // 2, -4):
        font = _font(bold, font_size)
        wrapped = _wrap(draw, text, font, width)
        if len(wrapped) <= lines:
            return wrapped, font
    font = _font(bold, size // 2)
    wrapped = _wrap(draw, text, font, width)[:lines]
    last = wrapped[-1]
    while last and draw.textlength(last + "…", font=font) > width:
        last = last[:-1]
    wrapped[-1] = last.rstrip() + "…"
    return wrapped, font


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines or [""]


def _round_mask(size: int) -> Image.Image:
    """A disc of `size` pixels with smooth edges (drawn four times larger, then shrunk)."""
    mask = Image.new("L", (size * 4, size * 4), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, size * 4 - 1, size * 4 - 1), fill=255)
    return mask.resize((size, size), Image.Resampling.LANCZOS)


def _paste_picture(image: Image.Image, picture: bytes, *, cover: bool) -> None:
    """The picture (PNG bytes, already checked) in its place: the cover filling the right side, the avatar
    in the round beside the name. What it leaves transparent shows the card's paper."""
    box = (WIDTH - COVER_WIDTH, 18, WIDTH, HEIGHT - 96) if cover else AVATAR_BOX
    size = (box[2] - box[0], box[3] - box[1])
    with Image.open(io.BytesIO(picture)) as opened:
        fitted = ImageOps.fit(opened.convert("RGBA"), size, Image.Resampling.LANCZOS)
    backed = Image.new("RGBA", size, (*PAPER, 255))
    backed.alpha_composite(fitted)
    image.paste(backed.convert("RGB"), box[:2], None if cover else _round_mask(size[0]))


def card_png(card: Card, *, picture: bytes | None = None) -> bytes:
    """The card as PNG bytes, 1200×630: with `picture` (PNG bytes of the card's picture, already fetched and
    checked) when given, else with the monogram."""
    accent = _rgb(card.accent)
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 18), fill=accent)
    left, right = 80, 80
    if picture is not None and card.cover:
        _paste_picture(image, picture, cover=True)
        right = COVER_WIDTH + 60
    elif picture is not None:
        _paste_picture(image, picture, cover=False)
        left = 350
    elif card.monogram:
        draw.ellipse(AVATAR_BOX, fill=accent)
        letters = card.monogram[:2].upper()
        font = _font(True, 96)
        draw.text((190, 220), letters, font=font, fill=(255, 255, 255), anchor="mm")
        left = 350
    text_width = WIDTH - left - right
    y = 110
    title_lines, title_font = _fit(draw, card.title, bold=True, size=72, width=text_width, lines=2)
    for line in title_lines:
        draw.text((left, y), line, font=title_font, fill=INK)
        y += int(title_font.size * 1.2)
    if card.subtitle:
        y += 10
        sub_lines, sub_font = _fit(draw, card.subtitle, bold=False, size=40, width=text_width, lines=2)
        for line in sub_lines:
            draw.text((left, y), line, font=sub_font, fill=MUTED)
            y += int(sub_font.size * 1.3)
    y += 20
    for fact in card.facts[:3]:
        fact_lines, fact_font = _fit(draw, fact, bold=False, size=34, width=text_width, lines=1)
        draw.text((left, y), fact_lines[0], font=fact_font, fill=INK)
        y += int(fact_font.size * 1.4)
    # The brand, bottom left, and what the page offers, bottom right.
    draw.rectangle((0, HEIGHT - 96, WIDTH, HEIGHT), fill=accent)
    draw.text((80, HEIGHT - 48), BRAND, font=_font(True, 40), fill=(255, 255, 255), anchor="lm")
    if card.footer:
        footer_lines, footer_font = _fit(draw, card.footer, bold=False, size=32, width=WIDTH - 480, lines=1)
        draw.text((WIDTH - 80, HEIGHT - 48), footer_lines[0], font=footer_font, fill=(255, 255, 255), anchor="rm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _cache_read(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except CacheAway:
        return {}


def card_cached(card: Card) -> bytes:
    """The card's PNG from the cache, drawn (and cached) on a miss; drawn every time while the cache is away.
    For a card without a picture: one with a picture is drawn by `card_store`."""
    key = card.key()
    found = _cache_read([key]).get(key)
    if isinstance(found, bytes):
        return found
    png = card_png(card)
    with suppress(CacheAway):
        cache.add_many({key: png}, timeout=CACHE_SECONDS)
    return png


def card_store(card: Card, *, picture: bytes | None) -> bytes:
    """Draws the card with its picture (None: it could not be had, the monogram instead) and keeps the
    drawing in the cache, where `card_response` finds it; raises CacheAway."""
    png = card_png(card, picture=picture)
    whole = picture is not None or not card.picture_url
    cache.set_value(card.key(), png, timeout=CACHE_SECONDS if whole else WITHOUT_PICTURE_SECONDS)
    return png


def card_drawn(card: Card) -> bool:
    """Whether the cache holds the card's drawing (with its picture, or without one that could not be had);
    raises CacheAway."""
    return cache.get(card.key()) is not None


def card_response(card: Card, *, draw_later: Callable[[], None]) -> HttpResponse:
    """The card as an image response: public for a day (its address carries `?v=<digest>`, so a change is
    a new address), with the digest as its ETag.

    A card with a picture whose drawing is not in the cache yet is answered with its monogram version at
    once, public for a minute only and with an ETag of its own, and `draw_later` is called (once per few
    minutes, however many ask) to have the drawing made. Nothing is fetched here.
    """
    if not card.picture_url:
        return _image_response(card_cached(card), etag=card.digest(), max_age=86400)
    key = card.key()
    provisional_key = f"{key}:provisional"
    found = _cache_read([key, provisional_key])
    if isinstance(found.get(key), bytes):
        return _image_response(found[key], etag=card.digest(), max_age=86400)
    png = found.get(provisional_key)
    if not isinstance(png, bytes):
        png = card_png(card)
        with suppress(CacheAway):
            cache.add_many({provisional_key: png}, timeout=PROVISIONAL_SECONDS)
    _ask_to_draw(key, draw_later)
    return _image_response(png, etag=f"{card.digest()}-provisional", max_age=PROVISIONAL_MAX_AGE)


def _ask_to_draw(key: str, draw_later: Callable[[], None]) -> None:
    """Calls `draw_later` unless it was called for this drawing moments ago; never raises (the next miss asks
    again). Not while the cache is away: the drawing could not be kept."""
    try:
        if not cache.add(f"{key}:asked", 1, timeout=DRAW_ASKED_SECONDS):
            return
    except CacheAway:
        return
    try:
        draw_later()
    except Exception as exc:
        logger.warning("social card drawing not asked for", extra={"error": str(exc)[:300]})
        with suppress(CacheAway):
            cache.delete(f"{key}:asked")


def _image_response(png: bytes, *, etag: str, max_age: int) -> HttpResponse:
    response = HttpResponse(png, content_type="image/png")
    response["ETag"] = f'"{etag}"'
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def card_url(base: str, card: Card) -> str:
    """The card's stable address with the digest of what it shows, so previews fetch a changed card anew."""
    return f"{base}?v={card.digest()}"
