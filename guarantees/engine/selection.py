"""Which row of each formula's table applies to a line, resolved once per request.

A table may hold several rows for one act, told apart by conditions (OPTAM, conventionné,
age). What applies depends only on the layers in force, the act and that case, so an
``ActPlan`` (one per layers in force and act in a request) resolves each case once and
every later line alike reuses its ``Step`` s: no line reads the tables again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from guarantees.engine import messages
from guarantees.engine.types import CareLine, Cell, FormulaRules, Layer, Periodicity, Row, RuleRef


@dataclass(frozen=True, slots=True)
class Pays:
    """The level pays by ``cell`` (its row's cell for the formula), under ``rule``; when
    ``requires_ss``, only for an act SS reimbursed."""

    layer: Layer
    cell: Cell
    rule: RuleRef
    requires_ss: bool


@dataclass(frozen=True, slots=True)
class Excluded:
    """The level pays nothing for this act or case; ``key`` and ``message`` say why."""

    layer: Layer
    key: str  # not_covered / conditions_not_met
    message: messages.Message


@dataclass(frozen=True, slots=True)
class OptamNeeded:
    """The row found depends on OPTAM, which the line does not state: the engine asks."""

    layer: Layer


Step = Pays | Excluded | OptamNeeded


class Case(NamedTuple):
    """What a row's conditions read of a line."""

    optam: bool | None
    conventionne: bool
    age: int


class ActPlan:
    """What the layers in force (principal first) do for one act: whether the notice knows
    the act, its label, its periodicity, and the steps per case."""

    __slots__ = ("_steps", "act", "known", "label", "layers", "periodicity")

    def __init__(self, layers: Sequence[Layer], act: str) -> None:
        principal = layers[0].rules
        self.layers = tuple(layers)
        self.act = act
        self.known = act in principal.catalogue_acts
        self.label = _act_label(layers, act)
        self.periodicity: Periodicity | None = next(
            (period for period in principal.periodicities if act in period.acts), None
        )
        self._steps: dict[Case, tuple[Step, ...]] = {}

    def steps(self, line: CareLine, age: int) -> tuple[Step, ...]:
        """One step per layer, in order, for the line's case."""
        case = Case(line.optam, line.conventionne, age)
        steps = self._steps.get(case)
        if steps is None:
            steps = self._steps[case] = tuple(_step(layer, self.act, line, age) for layer in self.layers)
        return steps


def _act_label(layers: Sequence[Layer], act: str) -> str:
    for layer in layers:
        rows = layer.rules.rows_by_act.get(act)
        if rows:
            return rows[0].label
    return act


def _step(layer: Layer, act: str, line: CareLine, age: int) -> Step:
    rules = layer.rules
    candidates = [row for row in rules.rows_by_act.get(act, ()) if rules.code in row.cells]
    if not candidates:
        return Excluded(layer, "not_covered", messages.NotCovered(rules.name))
    row = next((row for row in candidates if row.matches(line, age)), None)
    if row is None:
        conditions = " ; ".join(sorted({row.condition_text or row.label for row in candidates}))
        return Excluded(layer, "conditions_not_met", messages.ConditionsNotMet(rules.name, conditions))
    if line.optam is None and any(key == "optam" for key, _ in row.conditions):
        return OptamNeeded(layer)
    cell = row.cells[rules.code]
    return Pays(layer, cell, _rule_ref(rules, row, cell), row.requires_ss)


def _rule_ref(rules: FormulaRules, row: Row, cell: Cell) -> RuleRef:
    return RuleRef(
        formula=cell.formula,
        label=row.label,
        text=cell.text,
        source=f"{cell.formula_name} - {row.label} : {cell.text}",
        notice=rules.notice,
        line=cell.line,
        note=cell.note,
    )
