"""What is left of a beneficiary's limited guarantees on a day ("Mes droits restants").

Read from the very counters ``compute`` fills while it replays the history
(``counters_after_history``), with the ceilings the rules themselves use
(``rules.yearly_ceiling``) and the periodicity years of ``compute`` (``period_years``):
whatever this module says is left is what the next care of that kind would find. Pure,
like the rest of the engine: no database, no clock.

``rights(request, day)`` answers, for the levels in force on ``day`` (principal first):

* ``Allowance`` s: every yearly ceiling of a level (an amount per year, a number of acts
  or days per year, an amount per eye), what ``day``'s calendar year has used and what
  is left. Acts that share a ceiling (the médecine douce forfait) are one allowance.
* ``Renewal`` s: per periodicity of the principal level's notice (optical equipment,
  hearing aid per ear), the last equipment paid and the first day a new one is paid,
  plus the earlier days of the anticipated renewals the notice allows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from guarantees.engine.compute import counters_after_history, period_years
from guarantees.engine.rules import yearly_ceiling
from guarantees.engine.selection import _rule_ref
from guarantees.engine.state import CounterKey, Counters, EquipmentKey
from guarantees.engine.types import (
    CareLine,
    Cell,
    EngineError,
    EngineRequest,
    FormulaRules,
    Layer,
    Periodicity,
    Row,
    RuleRef,
)
from guarantees.engine.values import SIDES, ZERO, add_years, age_on

AMOUNT_KINDS = frozenset({"fixed_year", "pct_pmss_year", "pct_br_plus_year"})


@dataclass(frozen=True, slots=True)
class Allowance:
    """One yearly ceiling of one level. ``unit`` is "amount" (euros: ``ceiling``,
    ``used``, ``left`` are Decimal), "count" (acts) or "days" (ints, each paid
    ``unit_amount``). ``start_rate``: the % of the BR a pct_br_plus_year rule pays outside
    the ceiling. ``eye``: a ceiling per eye."""

    formula: str
    formula_name: str
    role: str
    counter: str | None
    unit: str
    acts: tuple[str, ...]
    labels: tuple[str, ...]
    title: str
    category: str
    rule: RuleRef
    floor_tm: bool
    year: int
    ceiling: Decimal | int
    used: Decimal | int
    left: Decimal | int
    unit_amount: Decimal | None = None
    start_rate: Decimal | None = None
    eye: str | None = None
    loyalty_bonus: Decimal = ZERO  # the part of ``ceiling`` a loyalty bonus adds

    @property
    def used_ratio(self) -> Decimal:
        """Share of the ceiling used, 0 to 1 (a zero ceiling counts as used up)."""
        if not self.ceiling:
            return Decimal(1)
        return min(Decimal(self.used) / Decimal(self.ceiling), Decimal(1))

    @property
    def left_amount(self) -> Decimal:
        """What is left, in euros, SS included (counts and days times their amount)."""
        if self.unit == "amount":
            return Decimal(self.left)
        return (self.unit_amount or ZERO) * self.left


@dataclass(frozen=True, slots=True)
class Renewal:
    """A periodicity: the last equipment paid (``last``, None when the history has none)
    and ``next_date``, the first day a new one is paid (None: paid now, nothing started a
    period). ``anticipated``: (reason, first day) for the shorter periods of a renewal
    the notice allows (evolution of eyesight, pathology)."""

    period: Periodicity
    notice: str
    ear: str | None
    last: dt.date | None
    years: int
    next_date: dt.date | None
    anticipated: tuple[tuple[str, dt.date], ...] = ()

    def covered_on(self, day: dt.date) -> bool:
        return self.next_date is None or day >= self.next_date


@dataclass(frozen=True, slots=True)
class Rights:
    day: dt.date
    layers: tuple[Layer, ...]
    allowances: tuple[Allowance, ...]
    renewals: tuple[Renewal, ...]


def rights(request: EngineRequest, day: dt.date) -> Rights:
    """The allowances of the levels in force on ``day`` and the renewal dates, after the
    request's history (its ``lines`` are ignored; ``claim_date`` should be ``day``)."""
    layers = tuple(sorted((layer for layer in request.layers if layer.in_force(day)), key=_principal_first))
    if not layers:
        return Rights(day, (), (), ())
    counters = counters_after_history(request)
    age = age_on(request.birth_date, day)
    allowances: list[Allowance] = []
    for layer in layers:
        allowances.extend(_allowances(layer, counters, request, day, age))
    return Rights(day, layers, tuple(allowances), tuple(_renewals(layers[0], counters, request.birth_date)))


def history_acts(layers: tuple[Layer, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """What of the history ``rights`` depends on: (acts with a yearly ceiling, whose lines
    of the calendar year fill it; acts of a periodicity, whose lines of any year start a
    period). No other line touches a counter or an equipment date, so a history cut to
    those lines gives the same answer (tests/guarantees/test_rights.py) at a fraction of
    the replay, for a member with twenty years of consultations."""
    limited: set[str] = set()
    periodic: set[str] = set()
    for layer in layers:
        rules = layer.rules
        for act, rows in rules.rows_by_act.items():
            if any(_limited(row.cells[rules.code]) for row in rows if rules.code in row.cells):
                limited.add(act)
        for period in rules.periodicities:
            periodic.update(period.acts)
    return frozenset(limited), frozenset(periodic)


def _principal_first(layer: Layer) -> bool:
    return layer.role != "principal"  # stable: facultative levels keep their order, as in checks


def _pmss(request: EngineRequest) -> Callable[[int], Decimal]:
    def pmss(year: int) -> Decimal:
        try:
            return request.pmss[year]
        except KeyError:
            raise EngineError("unknown_pmss_year", f"La valeur du PMSS de {year} n'est pas connue.") from None

    return pmss


def _limited(cell: Cell) -> str | None:
    """The unit of a cell's yearly ceiling, None when it has none."""
    if cell.kind in AMOUNT_KINDS or cell.kind == "pct_pmss_eye_year":
        return "amount"
    if cell.kind == "fixed_act" and cell.max_count:
        return "count"
    if cell.kind == "fixed_day" and cell.max_days:
        return "days"
    return None


def _allowances(layer: Layer, counters: Counters, request: EngineRequest, day: dt.date, age: int) -> list[Allowance]:
    rules = layer.rules
    year = day.year
    result = []
    for counter, members in _ceiling_groups(rules, age).items():
        _, row, cell = members[0]
        unit = _limited(cell)
        acts = tuple(act for act, _, _ in members)
        labels = tuple(row.label for _, row, _ in members)
        common: dict[str, Any] = {  # what every allowance of the group shares
            "formula": rules.code,
            "formula_name": rules.name,
            "role": layer.role,
            "counter": counter,
            "acts": acts,
            "labels": labels,
            "title": _title(members),
            "category": row.category,
            "rule": _rule_ref(rules, row, cell),
            "floor_tm": cell.floor_tm,
            "year": year,
        }
        if unit == "amount":
            ceiling = yearly_ceiling(cell, layer, year, _pmss(request))
            eyes: tuple[str | None, ...] = tuple(SIDES["both"]) if cell.kind == "pct_pmss_eye_year" else (None,)
            for eye in eyes:
                key = CounterKey(rules.code, counter, year, eye)
                result.append(
                    Allowance(
                        **common,
                        unit="amount",
                        ceiling=ceiling,
                        used=counters.amounts.get(key, ZERO),
                        left=counters.amount_left(key, ceiling),
                        start_rate=cell.rate if all(c.kind == "pct_br_plus_year" for _, _, c in members) else None,
                        eye=eye,
                        loyalty_bonus=ceiling - cell.amount if cell.loyalty_amount and cell.amount else ZERO,
                    )
                )
        else:
            maximum = cell.max_count if unit == "count" else cell.max_days
            assert maximum is not None  # _limited said so
            key = CounterKey(rules.code, counter, year)
            result.append(
                Allowance(
                    **common,
                    unit=unit or "count",
                    ceiling=maximum,
                    used=counters.counts.get(key, 0),
                    left=counters.count_left(key, maximum),
                    unit_amount=cell.amount,
                )
            )
    return result


Group = list[tuple[str, Row, Cell]]
# Per formula table (kept alive here, so its id is not reused) and age: the tables never
# change while the process runs, and every page view would otherwise scan them again.
_GROUPS: dict[tuple[int, int], tuple[FormulaRules, dict[str | None, Group]]] = {}


def _ceiling_groups(rules: FormulaRules, age: int) -> dict[str | None, Group]:
    """The row of each act that applies at ``age`` (an unstated OPTAM meets both rows),
    for the acts with a yearly ceiling, grouped by the counter they share."""
    cached = _GROUPS.get((id(rules), age))
    if cached is not None and cached[0] is rules:
        return cached[1]
    groups: dict[str | None, Group] = {}
    for act, rows in rules.rows_by_act.items():
        probe = CareLine(act=act, care_date=dt.date.min, frais_reels=ZERO)
        row = next((row for row in rows if rules.code in row.cells and row.matches(probe, age)), None)
        if row is None:
            continue
        cell = row.cells[rules.code]
        if _limited(cell):
            groups.setdefault(cell.counter, []).append((act, row, cell))
    _GROUPS[(id(rules), age)] = (rules, groups)
    return groups


def _title(members: list[tuple[str, Row, Cell]]) -> str:
    """The ceiling's name: its act's label, or the group several acts share in the notice."""
    row = members[0][1]
    if len(members) > 1 and row.group:
        group = row.group
        return group[0] + group[1:].lower() if group.isupper() else group
    return row.label


def _renewals(principal: Layer, counters: Counters, birth_date: dt.date) -> list[Renewal]:
    """The engine applies the principal level's notice's periodicities (compute)."""
    rules = principal.rules
    result = []
    for period in rules.periodicities:
        if not any(act in rules.rows_by_act for act in period.acts):
            continue
        ears: tuple[str | None, ...] = tuple(SIDES["both"]) if period.per_ear else (None,)
        for ear in ears:
            dates = counters.equipment.get(EquipmentKey(rules.notice, period.group, ear), [])
            last = dates[-1] if dates else None
            if last is None:
                result.append(Renewal(period, rules.notice, ear, None, 0, None))
                continue
            next_date = _first_day(period, birth_date, last, None)
            anticipated = []
            for reason in period.renewal_years:
                earlier = _first_day(period, birth_date, last, reason)
                if earlier < next_date:
                    anticipated.append((reason, earlier))
            years = period_years(period, age_on(birth_date, next_date))
            result.append(Renewal(period, rules.notice, ear, last, years, next_date, tuple(anticipated)))
    return result


def _first_day(period: Periodicity, birth_date: dt.date, last: dt.date, renewal: str | None) -> dt.date:
    """The first day a new equipment is not "too soon" (compute._too_soon): the period
    depends on the age on the new equipment's date, so a minor who comes of age meanwhile
    may have to wait for the adults' period."""
    if period.per_ear:
        return add_years(last, period_years(period, 0, renewal))
    adulthood = add_years(birth_date, period.adult_age)
    as_child = add_years(last, period_years(period, period.adult_age - 1, renewal))
    as_adult = max(adulthood, add_years(last, period_years(period, period.adult_age, renewal)))
    return min(as_child, as_adult) if as_child < adulthood else as_adult
