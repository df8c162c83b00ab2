from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()
THOUSANDS = "\u202f"  # narrow no-break space, as French typography wants
NBSP = "\u00a0"


@register.filter
def euros(value) -> str:
    """1234.5 -> '1 234,50 €' (French format, narrow no-break space for thousands)."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return f"{sign}{THOUSANDS.join(groups)},{cents}{NBSP}€"
