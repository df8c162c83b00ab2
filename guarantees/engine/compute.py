"""``compute``: what the levels in force pay for each line, after the history.

Per request: history lines first, in care-date order, to fill the counters and start the
periods (their results are dropped), then the requested lines in the given order. Per
line: check it, find the layers in force on its date (cached per date) and the steps of
its act and case (``selection``), refuse it whole when prescribed or too soon after the
last equipment, else let each level pay in turn "sous déduction" of SS and of the levels
below, and record what it used.

Speed: the target is >= 20,000 lines/s for a 10,000-line batch (``guarantees/bench.py``).
What depends on the date or on the act and case is resolved once per request; texts are
made only when read (``messages``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from guarantees.engine import messages
from guarantees.engine.checks import check_line, check_request, layers_in_force
from guarantees.engine.optics import glass_class
from guarantees.engine.rules import guarantee_for
from guarantees.engine.selection import ActPlan, Excluded, OptamNeeded, Step
from guarantees.engine.state import Counters, EquipmentKey, LineContext
from guarantees.engine.types import CareLine, EngineRequest, Layer, LayerResult, Limit, LineResult, Periodicity, RuleRef
from guarantees.engine.values import SIDES, ZERO, add_years, age_on, money

PRESCRIPTION_YEARS = 2


def compute(request: EngineRequest) -> list[LineResult]:
    """Run the history (care-date order) then the requested lines (given order); see the
    package's documentation."""
    computation = _replayed(request)
    return [computation.line_result(line, index, in_history=False) for index, line in enumerate(request.lines)]


def counters_after_history(request: EngineRequest) -> Counters:
    """The beneficiary's counters once the request's history is replayed: what the next
    care would find (``rights`` reads them; ``compute`` goes on from them)."""
    return _replayed(request).counters


def _replayed(request: EngineRequest) -> _Computation:
    check_request(request)
    computation = _Computation(request)
    for index, line in sorted(enumerate(request.history), key=lambda pair: pair[1].care_date):
        computation.line_result(line, index, in_history=True)
    return computation


@dataclass(frozen=True, slots=True)
class _Day:
    """What a care date fixes: the layers in force (principal first), the beneficiary's
    age, and the plans per act (shared by the days with the same layers in force)."""

    layers: tuple[Layer, ...]
    age: int
    plans: dict[str, ActPlan]

    def plan(self, act: str) -> ActPlan:
        plan = self.plans.get(act)
        if plan is None:
            plan = self.plans[act] = ActPlan(self.layers, act)
        return plan


class _Computation:
    """One request being computed: the beneficiary's counters and the per-request caches."""

    __slots__ = ("counters", "days", "plans", "prescribed_before", "request")

    def __init__(self, request: EngineRequest) -> None:
        self.request = request
        self.counters = Counters()
        self.days: dict[dt.date, _Day] = {}
        # Plans per act for each set of layers in force, by the layers' ids: layers hold
        # dicts (not hashable), and the request keeps them alive while it is computed.
        self.plans: dict[tuple[int, ...], dict[str, ActPlan]] = {}
        # care strictly before this day is more than two years old at the claim date
        self.prescribed_before = add_years(request.claim_date, -PRESCRIPTION_YEARS)

    def line_result(self, line: CareLine, index: int, *, in_history: bool) -> LineResult:
        context = LineContext(line, index, in_history, self.request, self.counters)
        check_line(context)
        day = self._day(context)
        plan = day.plan(line.act)
        if not plan.known:  # the notice's catalogue: a typo, not an act this formula leaves out
            raise context.error(
                "unknown_act", f"Acte inconnu pour la formule {day.layers[0].rules.name} : « {line.act} »."
            )
        equipment = _equipment_keys(plan.periodicity, day.layers[0].rules.notice, line)
        refusal = self._prescription(context) or self._too_soon(context, day, plan.periodicity, equipment)
        if refusal is not None:
            # nothing else applies: every level pays nothing, for that one reason
            levels = tuple(_unpaid_level(layer, None, refusal) for layer in day.layers)
            return _line_result(context, plan, levels, (refusal,))
        levels = _pay_levels(context, plan.steps(line, day.age))
        for key in equipment:
            self.counters.add_equipment(key, line.care_date)
        return _line_result(context, plan, levels, tuple(limit for level in levels for limit in level.limits))

    def _day(self, context: LineContext) -> _Day:
        care_date = context.line.care_date
        day = self.days.get(care_date)
        if day is None:
            layers = layers_in_force(context)
            plans = self.plans.setdefault(tuple(id(layer) for layer in layers), {})
            day = self.days[care_date] = _Day(layers, age_on(self.request.birth_date, care_date), plans)
        return day

    def _prescription(self, context: LineContext) -> Limit | None:
        """Care more than two years old at the claim date is not paid (history lines were
        paid when claimed: they still count)."""
        line = context.line
        if context.in_history or line.care_date >= self.prescribed_before:
            return None
        return Limit("prescription", messages.Prescription(line.care_date, self.request.claim_date))

    def _too_soon(
        self, context: LineContext, day: _Day, period: Periodicity | None, equipment: Sequence[EquipmentKey]
    ) -> Limit | None:
        """An optical equipment or a hearing aid bought before the end of the period that
        the last paid one started (the same day is the same equipment)."""
        if period is None:
            return None
        line = context.line
        years = _period_years(period, line, day.age)
        for key in equipment:
            previous = self.counters.last_equipment(key, line.care_date)
            if previous is not None and previous != line.care_date and line.care_date < add_years(previous, years):
                message = messages.TooSoon(period, day.layers[0].rules.notice_title, previous, years, day.age, key.ear)
                return Limit("periodicity", message)
        return None


def _equipment_keys(period: Periodicity | None, notice: str, line: CareLine) -> tuple[EquipmentKey, ...]:
    if period is None:
        return ()
    if period.per_ear:  # an ear without a side is both
        return tuple(EquipmentKey(notice, period.group, ear) for ear in SIDES[line.ear or "both"])
    return (EquipmentKey(notice, period.group),)


def _period_years(period: Periodicity, line: CareLine, age: int) -> int:
    return period_years(period, age, line.renewal)


def period_years(period: Periodicity, age: int, renewal: str | None = None) -> int:
    """Years between two equipments of ``period`` for a beneficiary of ``age`` on the new
    one's date, shorter for an anticipated ``renewal`` (evolution of eyesight, pathology)."""
    if period.per_ear:
        return period.years
    adult = age >= period.adult_age
    years = period.adult_years if adult else period.child_years
    if renewal and renewal in period.renewal_years:
        years = min(years, period.renewal_years[renewal]["adult" if adult else "child"])
    return years


# --------------------------------------------------------------------------- the levels' payments


def _left_to_pay(line: CareLine) -> Decimal:
    """The frais réels less what SS and another complementary paid."""
    return line.frais_reels - line.ss_paid - line.other_paid


def _pay_levels(context: LineContext, steps: Sequence[Step]) -> tuple[LayerResult, ...]:
    """Each level in turn, the principal first: each pays what it guarantees minus SS and
    minus what the levels below paid."""
    left_to_pay = _left_to_pay(context.line)  # what no level may exceed, with the levels below
    paid_below = ZERO
    results: list[LayerResult] = []
    for step in steps:
        result = _pay_level(context, step, left_to_pay, paid_below)
        results.append(result)
        paid_below += result.amount
    return tuple(results)


def _pay_level(context: LineContext, step: Step, left_to_pay: Decimal, paid_below: Decimal) -> LayerResult:
    rules, line = step.layer.rules, context.line
    if isinstance(step, OptamNeeded):
        raise context.error(
            "missing_optam",
            "Précisez si le médecin est adhérent à un dispositif de pratique tarifaire maîtrisée (OPTAM / OPTAM-CO).",
        )
    if isinstance(step, Excluded):
        return _unpaid_level(step.layer, None, Limit(step.key, step.message, rules.code))
    if step.requires_ss and line.ss_paid <= ZERO:
        limit = Limit("not_reimbursed_by_ss", messages.NotReimbursedBySS(rules.name), rules.code)
        return _unpaid_level(step.layer, step.rule, limit)
    guarantee = guarantee_for(step.cell, step.layer, context)
    due = _amount_due(rules.name, rules.code, guarantee.total, line.ss_paid, paid_below, left_to_pay)
    # a yearly ceiling counts what was finally paid, SS and lower levels included
    paid_through = line.ss_paid + paid_below + due.amount
    for use in guarantee.uses:
        use.record(context.counters, paid_through)
    return LayerResult(
        formula=rules.code,
        formula_name=rules.name,
        role=step.layer.role,
        amount=due.amount,
        guaranteed=guarantee.total,
        rule=step.rule,
        limits=guarantee.limits + due.cuts,
        ss_paid=line.ss_paid,
        paid_below=paid_below,
    )


class _Due(NamedTuple):
    amount: Decimal  # to the cent
    cuts: tuple[Limit, ...]  # what cut it


def _amount_due(
    name: str, code: str, guaranteed: Decimal, ss_paid: Decimal, paid_below: Decimal, left_to_pay: Decimal
) -> _Due:
    """What a level pays, to the cent, and the cuts that explain it: its total minus SS and
    lower levels, never below 0 nor above what is left to pay."""
    due = guaranteed - ss_paid - paid_below
    left = left_to_pay - paid_below
    cuts: tuple[Limit, ...] = ()
    amount = due
    if due > left:
        amount = left
        if due > ZERO:
            cuts = (Limit("frais_reels", messages.FraisReels(name, max(left, ZERO)), code),)
    if amount < ZERO:
        amount = ZERO
    if amount == ZERO and paid_below > ZERO and guaranteed > ZERO:  # say why a level that covers the act adds nothing
        cuts += (Limit("lower_level_covers", messages.LowerLevelCovers(name, guaranteed), code),)
    return _Due(money(amount), cuts)


def _unpaid_level(layer: Layer, rule: RuleRef | None, limit: Limit) -> LayerResult:
    """A level that pays nothing, for the one reason ``limit`` gives."""
    return LayerResult(
        formula=layer.rules.code,
        formula_name=layer.rules.name,
        role=layer.role,
        amount=ZERO,
        guaranteed=ZERO,
        rule=rule,
        limits=(limit,),
    )


def _line_result(
    context: LineContext, plan: ActPlan, layers: tuple[LayerResult, ...], limits: tuple[Limit, ...]
) -> LineResult:
    line = context.line
    complementary = sum((layer.amount for layer in layers), ZERO)
    return LineResult(
        index=context.index,
        act=line.act,
        label=plan.label,
        care_date=line.care_date,
        frais_reels=money(line.frais_reels),
        base_remboursement=money(line.base_remboursement),
        ss_paid=money(line.ss_paid),
        other_paid=money(line.other_paid),
        complementary=complementary,
        layers=layers,
        reste_a_charge=money(_left_to_pay(line) - complementary),
        limits=limits,
        glass_class="" if line.sphere is None else glass_class(line.sphere, line.cylinder, line.addition),
    )
