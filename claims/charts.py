"""The geometry of the stacked bars of "Mes dépenses de santé", drawn as SVG by the
template (claims/snippets/stacked_bars.html): numbers only, no markup. Each bar is one
row's frais réels split into Sécurité sociale, complémentaire and reste à charge, on a
scale shared by the chart's bars so that they compare."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from claims.selectors import Spending

WIDTH = 400  # the SVG's viewBox width; CSS scales it to the column
ROW_HEIGHT = 72  # label line, bar, caption line
BAR_TOP = 22  # from the row's top
BAR_HEIGHT = 20
PARTS = ("ss", "complementary", "reste_a_charge")  # left to right, as the legend reads


@dataclass(frozen=True)
class Segment:
    part: str  # one of PARTS: the template picks its pattern
    x: str  # SVG numbers, written here: the pages' {{ }} prints a float with a French comma
    width: str


@dataclass(frozen=True)
class Bar:
    label: str
    spending: Spending
    top: float
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    width: int
    height: int


def stacked_bars(rows: list[tuple[str, Spending]]) -> Chart:
    """One bar per row, its length proportional to the row's frais réels against the
    largest of the chart. A negative part (a correction in the insurer's file) draws
    nothing, and the scale is that of the parts drawn, so no bar leaves the chart; the
    table beside the chart prints every amount as it is."""
    largest = max((_drawn(spent) for _, spent in rows), default=Decimal(0))
    bars = []
    for index, (label, spent) in enumerate(rows):
        x, segments = 0.0, []
        for part in PARTS:
            amount = max(getattr(spent, part), Decimal(0))
            width = float(amount / largest * WIDTH) if largest else 0.0
            if width > 0:
                segments.append(Segment(part, _svg_number(x), _svg_number(width)))
                x += width
        bars.append(Bar(label, spent, index * ROW_HEIGHT, tuple(segments)))
    return Chart(tuple(bars), WIDTH, max(len(rows), 1) * ROW_HEIGHT)


def _drawn(spent: Spending) -> Decimal:
    return sum((max(getattr(spent, part), Decimal(0)) for part in PARTS), Decimal(0))


def _svg_number(value: float) -> str:
    """78.3 as SVG reads it (a dot, at most two decimals)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
