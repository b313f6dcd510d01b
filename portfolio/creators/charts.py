"""Geometry for the server-rendered click charts (templates/creators/_chart.html draws them).

Bars are the day's clicks, the line is the day's unique visitors; every bar carries a <title> with the
exact numbers, so hovering (or a screen reader) gives them without reading axes.

The bars and the line are an SVG stretched to the width of the page (its viewBox is one unit per day
across and 100 units high), while the axis labels are HTML placed by percentages beside and under it: the
labels keep the page's own font size at every width instead of shrinking with the drawing.
"""

import math
from dataclasses import dataclass

SLOT = 10  # viewBox units per day
HEIGHT = 100  # viewBox units from the top tick (0) to the baseline (100)
MAX_X_LABELS = 6


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True)
class Tick:
    position: float  # y ticks: viewBox units from the top; x ticks: percent of the width from the left
    label: str

    @property
    def percent(self) -> float:
        """Where the label sits, in percent of the plot (from the top for y ticks, from the left for x)."""
        return self.position


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^n that is at least value (and at least 4, so the grid reads well)."""
    value = max(value, 4)
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def chart_geometry(*, days, clicks: list[int], uniques: list[int]) -> dict:
    top = _nice_ceiling(max([*clicks, *uniques, 0]))
    count = max(len(days), 1)
    width = SLOT * count

    def y_of(value: int) -> float:
        return round(HEIGHT - HEIGHT * value / top, 2)

    bars = []
    points = []
    for i, (day, total, unique) in enumerate(zip(days, clicks, uniques, strict=True)):
        x = i * SLOT
        y = y_of(total)
        label = f"{day:%a %d %b}: {_plural(total, 'click')}, {_plural(unique, 'unique visitor')}"
        bars.append(Bar(x=round(x + SLOT * 0.15, 2), y=y, width=round(SLOT * 0.7, 2), height=round(HEIGHT - y, 2),
                        label=label))
        points.append(f"{x + SLOT / 2},{y_of(unique)}")
    steps = 4 if str(top)[0] == "2" else 5  # 20 → 0, 5, 10 …; 50 → 0, 10, 20 …; 100 → 0, 20, 40 …
    y_ticks = [Tick(position=y_of(top * n // steps), label=str(top * n // steps)) for n in range(steps + 1)]
    # At most MAX_X_LABELS date labels, the last one on the latest day: every few days over a week or two,
    # then every week (or few weeks), so that they stay readable at any range and width.
    every = math.ceil(count / MAX_X_LABELS)
    if count > 2 * 7:
        every = 7 * math.ceil(every / 7)
    x_ticks = [
        Tick(position=round(100 * (i + 0.5) / count, 2), label=f"{day:%d %b}")
        for i, day in enumerate(days)
        if i % every == (len(days) - 1) % every
    ]
    return {
        "width": width,
        "height": HEIGHT,
        "bars": bars,
        "line": " ".join(points),
        "y_ticks": y_ticks,
        "x_ticks": x_ticks,
    }
