"""Screenshots of the pages the browser tests walk, at a phone's width (390 px) and a desktop's (1280 px),
into test-results/, where people look at them."""

from collections.abc import Callable
from pathlib import Path

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
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                assert scroll_width <= width, f"{name} is wider than {width} px"
            page.screenshot(path=str(RESULTS / f"{prefix}-{name}-{label}.png"), full_page=True)
        if leave_at is not None:
            page.set_viewport_size({"width": WIDTHS[leave_at], "height": 900})

    return shoot
