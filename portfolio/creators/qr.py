"""QR codes of the short links, drawn by segno: SVG for print, PNG for everything else."""

import io

import segno
from django.conf import settings
from django.urls import reverse

# A phone camera reads a code with 15% of it hidden or smudged (level M), from a print or a screen.
ERROR_LEVEL = "m"
PNG_SCALE = 10  # pixels per module: a 3-M code (most short links) is 370 px with its quiet zone
SVG_SCALE = 10
BORDER = 4  # the quiet zone the standard asks for, in modules


def short_link_url(code: str) -> str:
    """The full address of the short link /l/<code>, as a QR code or a copy must carry it."""
    return settings.SITE_URL + reverse("creators:link", kwargs={"code": code})


def _qr(code: str) -> segno.QRCode:
    # micro=False: Micro QR codes are smaller, but many phone cameras do not read them.
    return segno.make_qr(short_link_url(code), error=ERROR_LEVEL)


def qr_svg(code: str) -> bytes:
    out = io.BytesIO()
    _qr(code).save(out, kind="svg", scale=SVG_SCALE, border=BORDER, title=short_link_url(code), xmldecl=True)
    return out.getvalue()


def qr_png(code: str) -> bytes:
    out = io.BytesIO()
    _qr(code).save(out, kind="png", scale=PNG_SCALE, border=BORDER)
    return out.getvalue()
