"""The one money formatter: pages (Jinja2 filter ``euros``), e-mails and PDFs (the Django
template filter of core.templatetags.money), and Python callers (alerts, notifications,
the guarantee engine's explanations)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

THOUSANDS = "\u202f"  # narrow no-break space, as French typography wants
NBSP = "\u00a0"
_CENT = Decimal("0.01")


def euros(value, *, thousands: str = THOUSANDS, space: str = NBSP) -> str:
    """1234.5 -> '1 234,50 €': rounded half up to the cent, a narrow no-break space between
    thousands and a no-break space before the sign, so that an amount never breaks across
    lines. ``None`` and ``""`` (an empty field) print nothing."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(_CENT, ROUND_HALF_UP)  # positional: twice as fast as the keyword
    if amount == 0:
        amount = abs(amount)  # -0.001 rounds to -0.00: no minus sign before nothing
    return f"{amount:,.2f}".replace(",", thousands).replace(".", ",") + f"{space}€"
