"""Link-preview cards: the 1200×630 PNG that X, Facebook, LinkedIn and chat apps show for a shared page.

Drawn with Pillow in the DejaVu Sans shipped in static/fonts/ (never a system font, so every machine draws
the same card), from what the page is about: a monogram in the page's accent colour, a title, a line under
it, a few facts and Reelfolio's name. `card_png` is pure; `card_cached` keeps each drawing in the cache
under the digest of what it shows, so a card is drawn once per change and a change draws a new one.
"""

import hashlib
import io
import json
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from functools import cache as memoize
from pathlib import Path

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from PIL import Image, ImageDraw, ImageFont

from common import cache
from common.cache import CacheAway

WIDTH, HEIGHT = 1200, 630
FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
CACHE_SECONDS = 7 * 24 * 3600
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

    def digest(self) -> str:
        """Changes whenever anything drawn changes (and with the drawing's version)."""
        payload = json.dumps({"v": 1, **asdict(self)}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


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


def card_png(card: Card) -> bytes:
    """The card as PNG bytes, 1200×630."""
    accent = _rgb(card.accent)
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 18), fill=accent)
    left = 80
    if card.monogram:
        draw.ellipse((80, 110, 300, 330), fill=accent)
        letters = card.monogram[:2].upper()
        font = _font(True, 96)
        draw.text((190, 220), letters, font=font, fill=(255, 255, 255), anchor="mm")
        left = 350
    text_width = WIDTH - left - 80
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


def card_cached(card: Card) -> bytes:
    """The card's PNG from the cache, drawn (and cached) on a miss; drawn every time while the cache is away."""
    key = f"social-card:v1:{card.digest()}"
    try:
        found = cache.get_many([key]).get(key)
    except CacheAway:
        found = None
    if isinstance(found, bytes):
        return found
    png = card_png(card)
    with suppress(CacheAway):
        cache.add_many({key: png}, timeout=CACHE_SECONDS)
    return png


def card_response(card: Card) -> HttpResponse:
    """The card as an image response: public for a day (its address carries `?v=<digest>`, so a change is
    a new address), with the digest as its ETag."""
    response = HttpResponse(card_cached(card), content_type="image/png")
    response["ETag"] = f'"{card.digest()}"'
    patch_cache_control(response, public=True, max_age=86400)
    return response


def card_url(base: str, card: Card) -> str:
    """The card's stable address with the digest of what it shows, so previews fetch a changed card anew."""
    return f"{base}?v={card.digest()}"
