"""Screenshots of the pages the browser tests walk, at a phone's width (390 px) and a desktop's (1280 px),
into test-results/, where people look at them."""

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

RESULTS = Path(__file__).resolve().parents[1] / "test-results"
WIDTHS = {"phone": 390, "desktop": 1280}


def shooter(prefix: str, *, fits: bool = False, leave_at: str | None = None) -> Callable[..., None]:
    """A `shoot(page, name)` that saves test-results/<prefix>-<name>-<phone|desktop>.png. With `fits`, it
    fails when the page is wider than the screen (a horizontal scroll bar); `leave_at` sets the page back
    to that width afterwards (else it stays at the desktop's)."""

    def shoot(page, name: str) -> None:
        RESULTS.mkdir(exist_ok=True)
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            if fits:
                _assert_fits(page, name, width)
            page.screenshot(path=str(RESULTS / f"{prefix}-{name}-{label}.png"), full_page=True)
        if leave_at is not None:
            page.set_viewport_size({"width": WIDTHS[leave_at], "height": 900})

    return shoot


_WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
    .slice(0, 5)
    .map(e => `<${e.tagName.toLowerCase()} class="${e.className}"> ${Math.round(e.getBoundingClientRect().right)} px`
        + ` "${(e.textContent || "").trim().slice(0, 40)}"`)"""


def _assert_fits(page, name: str, width: int) -> None:
    """The page, once its layout has settled at this width (a resize or a swap relays it out over a few
    frames), is no wider than the screen."""
    try:
        page.wait_for_function("width => document.documentElement.scrollWidth <= width", arg=width, timeout=3000)
    except PlaywrightTimeoutError:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        raise AssertionError(f"{name} is {scroll_width} px wide, wider than {width} px: {_wider(page)}") from None


def _wider(page) -> list[str]:
    """The first elements reaching past the screen's right edge, to say what makes a page too wide."""
    return page.evaluate(_WIDER_THAN_THE_SCREEN)
