"""An automated accessibility check for the browser tests: axe-core (vendored in tests/vendor/axe-core) run
in the page through Playwright.

`assert_accessible(page, name=...)` fails the test when axe reports any serious or critical violation,
listing each one's rule id, help text and the elements it found.
"""

from functools import cache
from pathlib import Path

import pytest

AXE_PATH = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
# The WCAG 2.x A and AA rules, plus axe's best practices (landmarks, one h1, headings in order…).
RUN_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}


@cache
def _axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """Runs axe-core on the page as it is now and returns its serious and critical violations.

    The script is evaluated through the browser's debugging protocol, which the page's Content-Security-Policy
    (no inline script) does not govern, so the page runs under its real policy.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    results = page.evaluate("options => window.axe.run(document, options)", RUN_OPTIONS)
    return [v for v in results["violations"] if v.get("impact") in FAILING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:8]:
            target = " ".join(str(part) for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {summary[:240]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page, *, name: str) -> None:
    """Fails the test when axe-core finds a serious or critical violation on the page (named `name`)."""
    violations = axe_violations(page)
    if violations:
        pytest.fail(f"Accessibility violations on {name} ({page.url}):\n{describe(violations)}", pytrace=False)
