"""What one computation remembers while it runs, and what its rules may read.

``Counters``: for one beneficiary, what each annual counter has used (counts of acts or
days, amounts of yearly ceilings) and the dates of the equipments that started a
periodicity, filled first by the history, then by each computed line. ``CountUse`` and
``AmountUse``: what a line will add to them once its payment is known.
``LineContext``: the line being computed, with the request and the counters, and where
the line is for errors."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from guarantees.engine.types import CareLine, EngineError, EngineRequest
from guarantees.engine.values import ZERO


class CounterKey(NamedTuple):
    """An annual counter of one formula, for one beneficiary: the data's counter name (acts
    sharing a ceiling share it), the calendar year, and the eye for a ceiling per eye."""

    formula: str
    counter: str | None
    year: int
    eye: str | None = None


class EquipmentKey(NamedTuple):
    """A periodicity of a notice (``Periodicity.group``), per ear for hearing aids."""

    notice: str
    group: str
    ear: str | None = None


class Counters:
    __slots__ = ("amounts", "counts", "equipment")

    def __init__(self) -> None:
        self.counts: dict[CounterKey, int] = {}
        self.amounts: dict[CounterKey, Decimal] = {}
        self.equipment: dict[EquipmentKey, list[dt.date]] = {}  # care dates, sorted

    def count_left(self, key: CounterKey, maximum: int) -> int:
        return max(maximum - self.counts.get(key, 0), 0)

    def amount_left(self, key: CounterKey, ceiling: Decimal) -> Decimal:
        return max(ceiling - self.amounts.get(key, ZERO), ZERO)

    def last_equipment(self, key: EquipmentKey, day: dt.date) -> dt.date | None:
        """The latest equipment of ``key`` bought on ``day`` or before (history is replayed
        in care-date order but requested lines come in any order)."""
        dates = self.equipment.get(key, [])
        position = bisect.bisect_right(dates, day)
        return dates[position - 1] if position else None

    def add_equipment(self, key: EquipmentKey, day: dt.date) -> None:
        dates = self.equipment.setdefault(key, [])
        if day not in dates:  # a frame and glasses bought the same day are one equipment
            bisect.insort(dates, day)


@dataclass(frozen=True, slots=True)
class CountUse:
    """Acts or days a line uses of a yearly count."""

    key: CounterKey
    units: int

    def record(self, counters: Counters, paid_through: Decimal) -> None:
        if self.units:
            counters.counts[self.key] = counters.counts.get(self.key, 0) + self.units


@dataclass(frozen=True, slots=True)
class AmountUse:
    """A yearly ceiling a line may use. The ceiling pays the part of the line's total
    above ``start`` (what other parts of the same guarantee already cover, e.g. a % of the
    BR before a yearly top-up), at most ``remaining``; what it really uses depends on what
    was finally paid, SS and lower levels included (``paid_through``)."""

    key: CounterKey
    start: Decimal
    remaining: Decimal

    def record(self, counters: Counters, paid_through: Decimal) -> None:
        used = min(max(paid_through - self.start, ZERO), self.remaining)
        if used:
            counters.amounts[self.key] = counters.amounts.get(self.key, ZERO) + used


CounterUse = CountUse | AmountUse


@dataclass(slots=True)
class LineContext:
    """One line being computed (``index`` in the request's ``lines``, or in its
    ``history`` when ``in_history``)."""

    line: CareLine
    index: int
    in_history: bool
    request: EngineRequest
    counters: Counters

    def error(self, key: str, message: str) -> EngineError:
        return EngineError(key, message, self.index, self.in_history)

    def pmss(self, year: int) -> Decimal:
        """The plafond mensuel de la Sécurité sociale of ``year``."""
        try:
            return self.request.pmss[year]
        except KeyError:
            raise self.error("unknown_pmss_year", f"La valeur du PMSS de {year} n'est pas connue.") from None
