"""Building engine requests in tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from guarantees import catalogue
from guarantees.engine import CareLine, EngineRequest, Layer, compute

CARE = dt.date(2025, 3, 10)
CLAIM = dt.date(2025, 4, 1)
ADULT = dt.date(1980, 1, 1)


def line(act: str, fr, br="0", ss="0", care_date: dt.date = CARE, **fields) -> CareLine:
    for name in ("sphere", "cylinder", "addition", "frame_amount", "price_limit", "other_paid"):
        if name in fields and fields[name] is not None:
            fields[name] = Decimal(str(fields[name]))
    return CareLine(act, care_date, Decimal(str(fr)), Decimal(str(br)), Decimal(str(ss)), **fields)


def layers(*codes: str, since: dt.date | None = None) -> tuple[Layer, ...]:
    return tuple(
        Layer(catalogue.formula_rules(code), role="principal" if i == 0 else "facultative", since=since)
        for i, code in enumerate(codes)
    )


def run(codes, *lines, history=(), birth=ADULT, claim=CLAIM, since=None, cover_start=None):
    codes = (codes,) if isinstance(codes, str) else codes
    request = EngineRequest(
        layers=layers(*codes, since=since),
        birth_date=birth,
        claim_date=claim,
        lines=tuple(lines),
        history=tuple(history),
        pmss=catalogue.pmss_table(),
        cover_start=cover_start,
    )
    return compute(request)


def amounts(result) -> list[str]:
    return [str(layer.amount) for layer in result.layers]
