"""Amounts and dates as the engine counts them: money to the cent and its French text,
percentages, years and ages, and the sides (eyes, ears) a line may name."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from core.money import euros as money_text

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

# A line names one eye or ear, or both: what each choice counts as.
SIDES: dict[str, tuple[str, ...]] = {"left": ("left",), "right": ("right",), "both": ("left", "right")}


def money(value: Decimal) -> Decimal:
    """To the cent, rounded half-up, as every amount the engine answers."""
    return value.quantize(CENT, ROUND_HALF_UP)


def percent(value: Decimal, rate: Decimal) -> Decimal:
    """``rate`` % of ``value``, exact: rounding is the caller's, once, at the end."""
    return value * rate / HUNDRED


def euros(value: Decimal) -> str:
    """1 234,50 € (core.money.euros) with plain spaces: the explanations' wording, which
    the regression fixtures keep byte for byte (tests/guarantees/test_engine_regression.py)."""
    return money_text(value, thousands=" ", space=" ")


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February on a non-leap year
        return day.replace(year=day.year + years, day=28)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
