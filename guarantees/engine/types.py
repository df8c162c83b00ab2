"""The engine's types: the guarantee tables as data (``Cell``, ``Row``, ``Periodicity``,
``FormulaRules``, built by ``guarantees.catalogue``), the request (``Layer``,
``CareLine``, ``EngineRequest``), its refusal (``EngineError``) and the results
(``LineResult``, ``LayerResult``, ``RuleRef``, ``Limit``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from guarantees.engine.messages import Message, level_explanation
from guarantees.engine.optics import GLASS_CLASS_LABELS
from guarantees.engine.values import ZERO

JSON = dict[str, Any]

# --------------------------------------------------------------------------- the tables


@dataclass(frozen=True, slots=True)
class Cell:
    """What one formula guarantees for one row of the notice's table. ``kind`` names the
    rule (``rules.RULES``); which of the other fields it reads depends on the kind."""

    formula: str
    formula_name: str
    kind: str
    line: int
    text: str
    rate: Decimal | None = None
    amount: Decimal | None = None
    counter: str | None = None
    max_count: int | None = None
    max_days: int | None = None
    max_days_per_stay: int | None = None
    device_cap: Decimal | None = None
    frame_cap: Decimal | None = None
    pmss_pct: Decimal | None = None
    bands: tuple[Decimal, ...] = ()
    floor_tm: bool = False
    within_limit: bool = False
    loyalty_amount: Decimal | None = None
    loyalty_max_years: int = 0
    limit_text: str = ""
    limit_line: int | None = None
    note: str = ""


# A row's condition -> whether a line (and the beneficiary's age) meets it. An OPTAM the
# line does not state meets both rows here: the engine then asks for it if the row found
# depends on it. Keys not listed here do not restrict the row.
_CONDITIONS: dict[str, Callable[[CareLine, int, bool | int], bool]] = {
    "optam": lambda line, age, expected: line.optam is None or line.optam == expected,
    "conventionne": lambda line, age, expected: line.conventionne == expected,
    "min_age": lambda line, age, expected: age >= expected,
    "max_age": lambda line, age, expected: age < expected,  # exclusive
}


def _unrestricted(line: CareLine, age: int, expected: bool | int) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a notice's table: an act under conditions, and each formula's cell."""

    act: str | None
    category: str
    group: str
    label: str
    conditions: tuple[tuple[str, bool | int], ...]  # (optam | conventionne | min_age | max_age, value)
    requires_ss: bool
    unit: str
    condition_text: str
    cells: Mapping[str, Cell]

    def matches(self, line: CareLine, age: int) -> bool:
        return all(_CONDITIONS.get(key, _unrestricted)(line, age, expected) for key, expected in self.conditions)


@dataclass(frozen=True, slots=True)
class Periodicity:
    """How often a group of acts is paid: optical equipment (by age, shorter after an
    eyesight change) or hearing aids (per ear)."""

    group: str
    acts: frozenset[str]
    label: str
    line: int
    section: str = ""  # the notice's table heading its acts sit under, as members read it
    adult_age: int = 0
    adult_years: int = 0
    child_years: int = 0
    years: int = 0
    per_ear: bool = False
    renewal_years: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # reason -> adult/child -> years


@dataclass(frozen=True, slots=True)
class FormulaRules:
    """One formula's part of its notice: its rows per act, every act the notice knows, the
    notice's periodicities. Parsed once and never changed (the engine caches by it)."""

    code: str
    name: str
    notice: str
    source_file: str
    rows_by_act: Mapping[str, tuple[Row, ...]]
    catalogue_acts: frozenset[str]
    periodicities: tuple[Periodicity, ...] = ()
    notice_title: str = ""  # how member pages cite the notice (never by its line numbers)


# --------------------------------------------------------------------------- the request


@dataclass(frozen=True, slots=True)
class Layer:
    """A formula the beneficiary is affiliated to, over a period: the principal level, or
    a facultative one that pays "sous déduction" of the levels below."""

    rules: FormulaRules
    role: str = "principal"
    start: dt.date | None = None
    end: dt.date | None = None
    since: dt.date | None = None  # first affiliation to this formula, for loyalty bonuses

    def in_force(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class CareLine:
    act: str
    care_date: dt.date
    frais_reels: Decimal
    base_remboursement: Decimal = ZERO
    ss_paid: Decimal = ZERO
    other_paid: Decimal = ZERO  # another complementary, paid before this one
    quantity: int = 1
    days: int | None = None
    eye: str | None = None  # left / right / both
    ear: str | None = None  # left / right / both
    sphere: Decimal | None = None
    cylinder: Decimal | None = None
    addition: Decimal | None = None
    frame_amount: Decimal | None = None  # frame part of the frais réels (optics packages)
    optam: bool | None = None
    conventionne: bool = True
    price_limit: Decimal | None = None  # PLV / HLF of a 100 % santé or honoraires maîtrisés act
    renewal: str | None = None  # evolution_vue / pathologie (anticipated optical renewal)


@dataclass(frozen=True, slots=True)
class EngineRequest:
    layers: tuple[Layer, ...]
    birth_date: dt.date
    claim_date: dt.date
    lines: tuple[CareLine, ...]
    history: tuple[CareLine, ...] = ()  # earlier care: consumes counters, starts periods, not returned
    pmss: Mapping[int, Decimal] = field(default_factory=dict)  # euros per month, per year
    cover_start: dt.date | None = None
    cover_end: dt.date | None = None


class EngineError(ValueError):
    """Invalid input: an English ``key``, a French ``message``, and the index of the line
    in ``lines`` (or in ``history`` when ``history`` is true) when a line is at fault."""

    def __init__(self, key: str, message: str, line: int | None = None, history: bool = False):
        super().__init__(message)
        self.key = key
        self.message = message
        self.line = line
        self.history = history

    def to_dict(self) -> JSON:
        data: JSON = {"key": self.key, "message": self.message}
        if self.line is not None:
            data["line"] = self.line
            data["in_history"] = self.history
        return data


# --------------------------------------------------------------------------- the results


class Limit:
    """A cut: machine ``key``, French ``message``, ``formula`` code ("" for the whole line).

    Compares, prints and pickles like a dataclass of those three fields. ``message`` may
    be given as a ``messages.Message``: its text is made on first read, so batches do not
    pay for texts nobody reads."""

    __slots__ = ("_message", "formula", "key")
    __match_args__ = ("key", "message", "formula")

    def __init__(self, key: str, message: str | Message, formula: str = "") -> None:
        self.key = key
        self._message = message
        self.formula = formula

    @property
    def message(self) -> str:
        text = self._message
        if not isinstance(text, str):
            text = self._message = str(text)
        return text

    @message.setter
    def message(self, value: str) -> None:
        self._message = value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Limit) or other.__class__ is not self.__class__:
            return NotImplemented
        return (self.key, self.message, self.formula) == (other.key, other.message, other.formula)

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dataclass with eq

    def __repr__(self) -> str:
        return f"Limit(key={self.key!r}, message={self.message!r}, formula={self.formula!r})"

    def to_dict(self) -> JSON:
        return {"key": self.key, "message": self.message, "formula": self.formula}


@dataclass(frozen=True, slots=True)  # shared by every result its row applies to
class RuleRef:
    """The rule a level applied: its row's label, the notice's words, where they are."""

    formula: str
    label: str
    text: str
    source: str
    notice: str
    line: int
    note: str = ""

    def to_dict(self) -> JSON:
        return {
            "formula": self.formula,
            "label": self.label,
            "text": self.text,
            "source": self.source,
            "notice": self.notice,
            "notice_line": self.line,
            "note": self.note,
        }


# Limits that say why a level pays nothing at all: they are its whole explanation.
_REFUSALS = ("not_reimbursed_by_ss", "not_covered", "conditions_not_met")


@dataclass(slots=True)  # not frozen: built per line and level in batches, a frozen init is slower
class LayerResult:
    formula: str
    formula_name: str
    role: str
    amount: Decimal
    guaranteed: Decimal  # total guaranteed by this level, SS included
    rule: RuleRef | None
    limits: tuple[Limit, ...]
    ss_paid: Decimal = ZERO
    paid_below: Decimal = ZERO  # what lower levels paid on the line

    @property
    def explanation(self) -> str:
        """Plain French, built on demand (batches do not pay for the text)."""
        if self.rule is None or (self.limits and self.limits[0].key in _REFUSALS):
            return self.limits[0].message if self.limits else ""
        return level_explanation(self.rule.source, self.guaranteed, self.ss_paid, self.paid_below, self.amount)

    def to_dict(self) -> JSON:
        return {
            "formula": self.formula,
            "formula_name": self.formula_name,
            "role": self.role,
            "amount": str(self.amount),
            "guaranteed": str(self.guaranteed),
            "rule": self.rule.to_dict() if self.rule else None,
            "limits": [limit.to_dict() for limit in self.limits],
            "explanation": self.explanation,
        }


@dataclass(slots=True)  # not frozen: built per line in batches, a frozen init is slower
class LineResult:
    index: int
    act: str
    label: str
    care_date: dt.date
    frais_reels: Decimal
    base_remboursement: Decimal
    ss_paid: Decimal
    other_paid: Decimal
    complementary: Decimal
    layers: tuple[LayerResult, ...]
    reste_a_charge: Decimal
    limits: tuple[Limit, ...]
    glass_class: str = ""

    @property
    def glass_class_label(self) -> str:
        return GLASS_CLASS_LABELS.get(self.glass_class, "")

    @property
    def rule(self) -> RuleRef | None:
        """The rule of the highest level that has one: what finally framed the payment."""
        for layer in reversed(self.layers):
            if layer.rule is not None:
                return layer.rule
        return None

    def to_dict(self) -> JSON:
        rule = self.rule
        return {
            "index": self.index,
            "act": self.act,
            "label": self.label,
            "care_date": self.care_date.isoformat(),
            "frais_reels": str(self.frais_reels),
            "base_remboursement": str(self.base_remboursement),
            "ss_paid": str(self.ss_paid),
            "other_paid": str(self.other_paid),
            "complementary": {
                "total": str(self.complementary),
                **{lay.formula: str(lay.amount) for lay in self.layers},
            },
            "layers": [layer.to_dict() for layer in self.layers],
            "reste_a_charge": str(self.reste_a_charge),
            "rule": rule.to_dict() if rule else None,
            "limits": [limit.to_dict() for limit in self.limits],
            "glass_class": self.glass_class,
        }
