"""The optical grid of the notices: the class of a glass (simple, complexe, très complexe;
notice 003 line 704, notice 004 line 840) and the dioptre bands of notice 004's per-glass
amounts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from guarantees.engine.values import ZERO

GLASS_CLASS_LABELS = {"simple": "verre simple", "complexe": "verre complexe", "tres_complexe": "verre très complexe"}
DIOPTRE_BANDS = (Decimal(4), Decimal(6), Decimal(8))  # 0-4, 4,25-6, 6,25-8, au-delà de 8
BAND_LABELS = ("de 0 à 4 dioptries", "de 4,25 à 6 dioptries", "de 6,25 à 8 dioptries", "au-delà de 8 dioptries")


@dataclass(frozen=True, slots=True)
class _Grid:
    """One half of the grid (unifocal or multifocal glasses): the powers up to which a
    glass stays in the ``lower`` class; beyond any of them it is in the ``upper`` one."""

    lower: str
    upper: str
    sphere: int  # |sphere| without cylinder
    sphere_plus_cylinder: int  # positive sphere with a cylinder
    negative_sphere: int  # |sphere| of a negative sphere with a cylinder
    cylinder: int  # cylinder of a negative sphere

    def glass_class(self, sphere: Decimal, cylinder: Decimal) -> str:
        if cylinder == 0:
            within = -self.sphere <= sphere <= self.sphere
        elif sphere > 0:
            within = sphere + cylinder <= self.sphere_plus_cylinder
        else:
            within = -self.negative_sphere <= sphere and cylinder <= self.cylinder
        return self.lower if within else self.upper


_UNIFOCAL = _Grid("simple", "complexe", sphere=6, sphere_plus_cylinder=6, negative_sphere=6, cylinder=4)
_MULTIFOCAL = _Grid("complexe", "tres_complexe", sphere=4, sphere_plus_cylinder=8, negative_sphere=8, cylinder=4)


def glass_class(sphere: Decimal, cylinder: Decimal | None = None, addition: Decimal | None = None) -> str:
    """Glass class of the optical grid: "simple", "complexe" or "tres_complexe" (a glass
    with an addition is multifocal). Cylinder in positive notation."""
    grid = _MULTIFOCAL if addition else _UNIFOCAL
    return grid.glass_class(sphere, cylinder or ZERO)


def dioptre_band(sphere: Decimal, cylinder: Decimal | None) -> int:
    """Index of the notice 004 dioptre range: the strongest meridian's power,
    max(|sphere|, |sphere + cylinder|)."""
    power = max(abs(sphere), abs(sphere + (cylinder or ZERO)))
    for index, upper in enumerate(DIOPTRE_BANDS):
        if power <= upper:
            return index
    return len(DIOPTRE_BANDS)
