"""Geometry for the server-rendered SVG click charts (templates/creators/_chart.html draws them).

Bars are the day's clicks, the line is the day's unique visitors; every bar carries a <title> with the
exact numbers, so hovering (or a screen reader) gives them without reading axes.
"""

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 12, 28


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str
    anchor: str = "middle"  # the SVG text-anchor: "end" for a label that would overrun the right edge


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
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(days), 1)

    def y_of(value: int) -> float:
        return round(TOP + plot_h - plot_h * value / top, 1)

    bars = []
    points = []
    for i, (day, total, unique) in enumerate(zip(days, clicks, uniques, strict=True)):
        x = LEFT + i * slot
        y = y_of(total)
        label = f"{day:%a %d %b}: {_plural(total, 'click')}, {_plural(unique, 'unique visitor')}"
        height = round(TOP + plot_h - y, 1)
        bars.append(Bar(x=round(x + slot * 0.15, 1), y=y, width=round(slot * 0.7, 1), height=height, label=label))
        points.append(f"{round(x + slot / 2, 1)},{y_of(unique)}")
    steps = 4 if str(top)[0] == "2" else 5  # 20 → 0, 5, 10 …; 50 → 0, 10, 20 …; 100 → 0, 20, 40 …
    y_ticks = [Tick(position=y_of(top * n // steps), label=str(top * n // steps)) for n in range(steps + 1)]
    # A label every day for a week, every week for a month, then every few weeks: eight labels at most,
    # the last day always labelled, so that they stay readable at any range.
    step = 1 if len(days) <= 10 else 7 * math.ceil(len(days) / 56)
    x_ticks = [
        Tick(position=round(LEFT + i * slot + slot / 2, 1), label=f"{day:%d %b}")
        for i, day in enumerate(days)
        if i % step == (len(days) - 1) % step
    ]
    if x_ticks and x_ticks[-1].position > WIDTH - RIGHT - 24:
        x_ticks[-1] = Tick(position=WIDTH - RIGHT, label=x_ticks[-1].label, anchor="end")
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": TOP + plot_h,
        "label_y": HEIGHT - 8,
        "bars": bars,
        "line": " ".join(points),
        "y_ticks": y_ticks,
        "x_ticks": x_ticks,
    }
