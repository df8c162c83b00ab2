"""The guarantee engine: what the complementary pays for care lines, explained.

Public API (used by the reimbursements import, devis estimation and simulations)
================================================================================

``compute(request: EngineRequest) -> list[LineResult]`` is THE function. It is pure: no
database, no file, no clock inside; everything it needs travels in the request.

Building a request
------------------
* ``EngineRequest(layers, birth_date, claim_date, lines, history=(), pmss={...},
  cover_start=None, cover_end=None)``
* ``layers``: a tuple of ``Layer(rules, role="principal"|"facultative", start=None,
  end=None, since=None)``; ``rules`` is a ``FormulaRules`` from
  ``guarantees.catalogue.formula_rules(code)`` (parsed from ``guarantees/data``).
  The layers in force on a line's care date pay in order: the principal level first, then
  an optional level "sous déduction" of what the lower levels paid.
* ``lines`` / ``history``: ``CareLine(act, care_date, frais_reels, base_remboursement,
  ss_paid, ...)``; see the dataclass for the act-specific fields (days, eye, ear, sphere,
  cylinder, addition, frame_amount, optam, conventionne, price_limit, renewal,
  other_paid). History lines are earlier care already claimed: they are run through the
  same rules first (in care-date order) so that they consume annual counters and start
  periodicity periods; they are not returned.
* ``pmss``: euros per month per year (``guarantees.catalogue.pmss_table()``).

For DB objects, ``guarantees.selectors.engine_request_for(beneficiary, lines=...,
history=..., claim_date=...)`` builds the request from the member's affiliations and the
beneficiary's birth date and cover period; ``guarantees.selectors.simulate_for(...)``
also runs it.

What comes back
---------------
One ``LineResult`` per requested line: ``ss_paid``, ``complementary`` (total),
``layers`` (a ``LayerResult`` per formula with its amount, the ``RuleRef`` applied -
label, source "Kelvin - Prothèses dentaires remboursées par la SS : 600 % de la BR",
notice and line - and the ``Limit`` s that cut it), ``reste_a_charge`` and ``limits``
(every cut, French message + machine key). ``to_dict()`` gives the JSON shape of
``manage.py simulate``.

Invalid input raises ``EngineError(key, message, line)`` (English key, French message):
negative amounts, SS paid above frais réels, care after the claim date, care outside the
cover, unknown act, missing act-specific field. Care older than two years before the
claim date is not an error: the line pays nothing with the ``prescription`` limit.

Money rules
-----------
Every guarantee is first expressed as the total it guarantees *including* the SS part
("sous déduction des prestations versées par la Sécurité sociale"), quantized to the cent
(ROUND_HALF_UP); a layer pays that total minus SS minus what lower layers paid, never
negative and never more than frais réels minus SS minus another complementary.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from portal.money import euros as money_text

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
PRESCRIPTION_YEARS = 2

EARS = {"left": ("left",), "right": ("right",), "both": ("left", "right")}
EAR_LABELS = {"left": "oreille gauche", "right": "oreille droite"}
EYE_LABELS = {"left": "œil gauche", "right": "œil droit"}


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)  # positional rounding: twice as fast as the keyword


def euros(value: Decimal) -> str:
    """1 234,50 € (portal.money.euros) with plain spaces: the explanations' wording, which
    the regression fixtures keep byte for byte (tests/guarantees/test_engine_regression.py)."""
    return money_text(value, thousands=" ", space=" ")


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February on a non-leap year
        return day.replace(year=day.year + years, day=28)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class Cell:
    """What one formula guarantees for one row of the notice's table."""

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


@dataclass(frozen=True, slots=True)
class Row:
    act: str | None
    category: str
    group: str
    label: str
    conditions: tuple[tuple[str, object], ...]
    requires_ss: bool
    unit: str
    condition_text: str
    cells: Mapping[str, Cell]

    def matches(self, line: CareLine, age: int) -> bool:
        for key, expected in self.conditions:
            if key == "optam":
                if line.optam is not None and line.optam != expected:
                    return False
            elif key == "conventionne":
                if line.conventionne != expected:
                    return False
            elif key == "min_age":
                if age < expected:  # type: ignore[operator]
                    return False
            elif key == "max_age":
                if age >= expected:  # type: ignore[operator]
                    return False
        return True


@dataclass(frozen=True, slots=True)
class Periodicity:
    group: str
    acts: frozenset[str]
    label: str
    line: int
    adult_age: int = 0
    adult_years: int = 0
    child_years: int = 0
    years: int = 0
    per_ear: bool = False
    renewal_years: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FormulaRules:
    code: str
    name: str
    notice: str
    source_file: str
    rows_by_act: Mapping[str, tuple[Row, ...]]
    catalogue_acts: frozenset[str]
    periodicities: tuple[Periodicity, ...] = ()


@dataclass(frozen=True, slots=True)
class Layer:
    rules: FormulaRules
    role: str = "principal"
    start: dt.date | None = None
    end: dt.date | None = None
    since: dt.date | None = None  # first affiliation to this formula, for loyalty bonuses

    def in_force(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


# --------------------------------------------------------------------------- input


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
    history: tuple[CareLine, ...] = ()
    pmss: Mapping[int, Decimal] = field(default_factory=dict)
    cover_start: dt.date | None = None
    cover_end: dt.date | None = None


class EngineError(ValueError):
    def __init__(self, key: str, message: str, line: int | None = None, history: bool = False):
        super().__init__(message)
        self.key = key
        self.message = message
        self.line = line
        self.history = history

    def to_dict(self) -> dict:
        data: dict = {"key": self.key, "message": self.message}
        if self.line is not None:
            data["line"] = self.line
            data["in_history"] = self.history
        return data


# --------------------------------------------------------------------------- output


_new = object.__new__


class Limit:
    """A cut: machine ``key``, French ``message``, ``formula`` code ("" for the whole line).

    Plain fields like a dataclass (same constructor, equality and repr). The engine builds
    most messages only when read (``Limit._deferred``): batches do not pay for the text."""

    # the arguments of a deferred message live in slots, not in a tuple: one object less
    # per limit for the garbage collector, whose work grows with the objects a batch keeps
    __slots__ = ("key", "formula", "_message", "_build", "_a", "_b", "_c", "_d", "_e", "_f")
    __match_args__ = ("key", "message", "formula")

    def __init__(self, key: str, message: str, formula: str = "") -> None:
        self.key = key
        self._message = message
        self.formula = formula
        self._build = None

    @classmethod
    def _deferred(cls, key: str, formula: str, build, a=None, b=None, c=None, d=None, e=None, f=None) -> Limit:
        """A limit whose message is ``build(a, b, ...)`` (as many arguments as ``build``
        takes, at most 6), made on first read."""
        limit = _new(cls)
        limit.key = key
        limit.formula = formula
        limit._build = build
        limit._a, limit._b, limit._c, limit._d, limit._e, limit._f = a, b, c, d, e, f
        return limit

    @property
    def message(self) -> str:
        build = self._build
        if build is not None:
            args = (self._a, self._b, self._c, self._d, self._e, self._f)
            self._message = build(*args[: build.__code__.co_argcount])
            self._build = self._a = self._b = self._c = self._d = self._e = self._f = None
        return self._message

    @message.setter
    def message(self, value: str) -> None:
        self._message = value
        self._build = self._a = self._b = self._c = self._d = self._e = self._f = None

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.key, self.message, self.formula) == (other.key, other.message, other.formula)

    __hash__ = None  # mutable, like the dataclass it replaces

    def __repr__(self) -> str:
        return f"Limit(key={self.key!r}, message={self.message!r}, formula={self.formula!r})"

    def to_dict(self) -> dict:
        return {"key": self.key, "message": self.message, "formula": self.formula}


@dataclass(slots=True)  # not frozen: built per line in batches, frozen init is slower
class RuleRef:
    formula: str
    label: str
    text: str
    source: str
    notice: str
    line: int
    note: str = ""

    def to_dict(self) -> dict:
        return {
            "formula": self.formula, "label": self.label, "text": self.text, "source": self.source,
            "notice": self.notice, "notice_line": self.line, "note": self.note,
        }


@dataclass(slots=True)  # not frozen: built per line in batches, frozen init is slower
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
        if self.rule is None or (self.limits and self.limits[0].key in ("not_reimbursed_by_ss", "not_covered", "conditions_not_met")):
            return self.limits[0].message if self.limits else ""
        return (
            f"{self.rule.source} : garantie totale {euros(self.guaranteed)} (remboursement SS compris)"
            f", moins SS {euros(self.ss_paid)}"
            + (f" et niveaux inférieurs {euros(self.paid_below)}" if self.paid_below else "")
            + f" = {euros(self.amount)}."
        )

    def to_dict(self) -> dict:
        return {
            "formula": self.formula, "formula_name": self.formula_name, "role": self.role,
            "amount": str(self.amount), "guaranteed": str(self.guaranteed),
            "rule": self.rule.to_dict() if self.rule else None,
            "limits": [limit.to_dict() for limit in self.limits], "explanation": self.explanation,
        }


@dataclass(slots=True)  # not frozen: built per line in batches, frozen init is slower
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

    def to_dict(self) -> dict:
        rule = self.rule
        return {
            "index": self.index, "act": self.act, "label": self.label, "care_date": self.care_date.isoformat(),
            "frais_reels": str(self.frais_reels), "base_remboursement": str(self.base_remboursement),
            "ss_paid": str(self.ss_paid), "other_paid": str(self.other_paid),
            "complementary": {"total": str(self.complementary), **{lay.formula: str(lay.amount) for lay in self.layers}},
            "layers": [layer.to_dict() for layer in self.layers],
            "reste_a_charge": str(self.reste_a_charge),
            "rule": rule.to_dict() if rule else None,
            "limits": [limit.to_dict() for limit in self.limits],
            "glass_class": self.glass_class,
        }


# --------------------------------------------------------------------------- optical grid


def glass_class(sphere: Decimal, cylinder: Decimal | None = None, addition: Decimal | None = None) -> str:
    """Glass class of the optical grid (notice 003 line 704, notice 004 line 840):
    "simple", "complexe" or "tres_complexe". Cylinder in positive notation."""
    cyl = cylinder or ZERO
    if not addition:  # unifocal
        if cyl == 0:
            return "simple" if -6 <= sphere <= 6 else "complexe"
        if sphere > 0:
            return "simple" if sphere + cyl <= 6 else "complexe"
        if -6 <= sphere <= 0:
            return "simple" if cyl <= 4 else "complexe"
        return "complexe"  # sphere below -6 with a cylinder
    if cyl == 0:
        return "complexe" if -4 <= sphere <= 4 else "tres_complexe"
    if sphere > 0:
        return "complexe" if sphere + cyl <= 8 else "tres_complexe"
    if -8 <= sphere <= 0:
        return "complexe" if cyl <= 4 else "tres_complexe"
    return "tres_complexe"


GLASS_CLASS_LABELS = {"simple": "verre simple", "complexe": "verre complexe", "tres_complexe": "verre très complexe"}
DIOPTRE_BANDS = (Decimal(4), Decimal(6), Decimal(8))  # 0-4, 4,25-6, 6,25-8, au-delà de 8
BAND_LABELS = ("de 0 à 4 dioptries", "de 4,25 à 6 dioptries", "de 6,25 à 8 dioptries", "au-delà de 8 dioptries")


def dioptre_band(sphere: Decimal, cylinder: Decimal | None) -> int:
    """Index of the notice 004 dioptre range: the strongest meridian's power,
    max(|sphere|, |sphere + cylinder|)."""
    power = max(abs(sphere), abs(sphere + (cylinder or ZERO)))
    for index, upper in enumerate(DIOPTRE_BANDS):
        if power <= upper:
            return index
    return len(DIOPTRE_BANDS)


# --------------------------------------------------------------------------- engine
#
# Speed (issue 5: >= 20,000 lines/s for a 10,000-line batch with history). What depends
# only on the formula and the act (candidate rows, the row that applies for an OPTAM /
# conventionné / age case, its RuleRef, the rate / 100, the periodicity, the act's label)
# is resolved once and cached (``_ActRules`` per formula and act, ``_Plan`` per layers in
# force and act); the layers in force and the age are computed once per care date; history
# is replayed once per request and builds no result; the French texts of the limits are
# made only when read (``Limit._deferred``); a valid line is checked in one expression that
# makes no Decimal; few objects are kept per line (the garbage collector's work grows with
# them). Results are the same to the last character: tests/guarantees/test_engine_regression.py.


class _State:
    """Counters per (formula, counter, year), periodicity dates, for one beneficiary, and
    the per-request caches: per care date the layers in force and the age, per layers in
    force and act the ``_Plan``."""

    __slots__ = ("amounts", "counts", "equipment", "by_day", "plans", "prescribed_before")

    def __init__(self, request: EngineRequest) -> None:
        self.amounts: dict[tuple, Decimal] = {}
        self.counts: dict[tuple, int] = {}
        self.equipment: dict[tuple, list[dt.date]] = {}
        self.by_day: dict[dt.date, tuple[tuple[Layer, ...], int, dict]] = {}  # layers, age, plans by act
        self.plans: dict[tuple[int, ...], dict] = {}  # plans by act, per set of layers in force
        # care strictly before this day is more than two years old at the claim date
        self.prescribed_before = add_years(request.claim_date, -PRESCRIPTION_YEARS)


EYE_OR_EAR = frozenset({None, "left", "right", "both"})
RENEWALS = frozenset({None, "evolution_vue", "pathologie"})
MAIN_AMOUNTS = (
    ("frais_reels", "les frais réels"), ("base_remboursement", "la base de remboursement"),
    ("ss_paid", "le remboursement de la Sécurité sociale"), ("other_paid", "le remboursement d'une autre complémentaire"),
)
OPTIONAL_AMOUNTS = (("frame_amount", "le prix de la monture"), ("price_limit", "le prix limite"))


def _check_line(line: CareLine, index: int, request: EngineRequest, history: bool) -> None:
    """Raise the precise error of an invalid line (``_compute_line`` first checks the
    common, valid case in one go and calls this only when that check fails)."""

    def fail(key: str, message: str) -> None:
        raise EngineError(key, message, index, history)

    for name, label in MAIN_AMOUNTS + OPTIONAL_AMOUNTS:
        value = getattr(line, name)
        if value is not None and (not isinstance(value, Decimal) or not value.is_finite()):
            fail("invalid_amount", f"Le montant saisi pour {label} n'est pas un nombre.")
        if value is not None and value < 0:
            fail("negative_amount", f"Le montant saisi pour {label} ne peut pas être négatif.")
    if line.ss_paid > line.frais_reels:
        fail("ss_paid_above_fr", f"Le remboursement de la Sécurité sociale ({euros(line.ss_paid)}) dépasse les frais réels ({euros(line.frais_reels)}).")
    if line.ss_paid + line.other_paid > line.frais_reels:
        fail("other_paid_above_fr", "Les remboursements de la Sécurité sociale et de l'autre complémentaire dépassent les frais réels.")
    if line.frame_amount is not None and line.frame_amount > line.frais_reels:
        fail("frame_above_fr", "Le prix de la monture dépasse les frais réels de l'équipement.")
    if line.quantity < 1 or (line.days is not None and line.days < 1):
        fail("invalid_quantity", "La quantité (ou le nombre de jours) doit être au moins égale à 1.")
    if line.care_date > request.claim_date:
        fail("care_date_in_future", f"La date des soins ({line.care_date:%d/%m/%Y}) est postérieure à la date de la demande ({request.claim_date:%d/%m/%Y}).")
    if line.care_date < request.birth_date:
        fail("care_before_birth", "La date des soins précède la date de naissance du bénéficiaire.")
    if request.cover_start and line.care_date < request.cover_start:
        fail("care_before_cover", f"La date des soins ({line.care_date:%d/%m/%Y}) précède le début de la couverture du bénéficiaire ({request.cover_start:%d/%m/%Y}).")
    if request.cover_end and line.care_date > request.cover_end:
        fail("care_after_cover", f"La date des soins ({line.care_date:%d/%m/%Y}) est postérieure à la fin de la couverture du bénéficiaire ({request.cover_end:%d/%m/%Y}).")
    if line.eye is not None and line.eye not in EARS:
        fail("invalid_eye", "Indiquez l'œil : gauche, droit ou les deux.")
    if line.ear is not None and line.ear not in EARS:
        fail("invalid_ear", "Indiquez l'oreille : gauche, droite ou les deux.")
    if line.renewal is not None and line.renewal not in ("evolution_vue", "pathologie"):
        fail("invalid_renewal", "Motif de renouvellement anticipé inconnu.")


def _layers_on(request: EngineRequest, line: CareLine, index: int, history: bool) -> list[Layer]:
    layers = [layer for layer in request.layers if layer.in_force(line.care_date)]
    if not layers:
        starts = [layer.start for layer in request.layers if layer.start]
        if starts and line.care_date < min(starts):
            raise EngineError("care_before_cover", f"La date des soins ({line.care_date:%d/%m/%Y}) précède le début de vos garanties ({min(starts):%d/%m/%Y}).", index, history)
        raise EngineError("care_outside_cover", f"Aucune garantie n'était en vigueur le {line.care_date:%d/%m/%Y}.", index, history)
    layers.sort(key=lambda layer: layer.role != "principal")
    return layers


def _act_label(layers: Sequence[Layer], act: str) -> str:
    for layer in layers:
        rows = layer.rules.rows_by_act.get(act)
        if rows:
            return rows[0].label
    return act


# ------------------------------------------------------------ per formula and act, cached


class _ActRules:
    """What one formula does for one act, resolved once: the rows that can apply, the
    periodicity of the act, and the ``outcome`` - fixed when it does not depend on the
    line, else cached per (OPTAM, conventionné, age). Cached per ``FormulaRules`` object
    (``_act_rules``): the rules are data parsed once and never changed afterwards."""

    __slots__ = ("rules", "candidates", "period", "fixed", "by_case")

    def __init__(self, rules: FormulaRules, act: str) -> None:
        self.rules = rules
        self.candidates = tuple(row for row in rules.rows_by_act.get(act, ()) if rules.code in row.cells)
        self.period = next((period for period in rules.periodicities if act in period.acts), None)
        self.by_case: dict[tuple, tuple] = {}
        self.fixed = None
        if not self.candidates or not self.candidates[0].conditions:
            self.fixed = self._resolve(None, 0)  # the first row applies whatever the line

    def outcome(self, line: CareLine, age: int) -> tuple:
        """(row, cell, rule, rate / 100, rate / 100 when the cell is a plain % BR, limit key,
        limit message, OPTAM missing) for the line."""
        case = (line.optam, line.conventionne, age)
        try:
            found = self.by_case.get(case)
        except TypeError:  # unhashable flags: not worth caching
            return self._resolve(line, age)
        if found is None:
            found = self.by_case[case] = self._resolve(line, age)
        return found

    def _resolve(self, line: CareLine | None, age: int) -> tuple:
        rules = self.rules
        name = rules.name
        if not self.candidates:
            return None, None, None, None, None, "not_covered", f"{name} : cet acte n'est pas prévu par la garantie.", False
        if line is None:
            row = self.candidates[0]  # no conditions: it matches
        else:
            row = next((row for row in self.candidates if row.matches(line, age)), None)
            if line.optam is None and row is not None and any(key == "optam" for key, _ in row.conditions):
                return None, None, None, None, None, "", "", True
        if row is None:
            conditions = " ; ".join(sorted({row.condition_text or row.label for row in self.candidates}))
            message = f"{name} : prise en charge réservée aux cas prévus par la notice ({conditions})."
            return None, None, None, None, None, "conditions_not_met", message, False
        cell = row.cells[rules.code]
        # x * (rate / 100) is x * rate / 100 to the last digit (same coefficient, same
        # rounding), one division less per line; the engine quantizes it to the cent.
        factor = None if cell.rate is None else cell.rate / HUNDRED
        quick = factor if cell.kind == "pct_br" and not cell.within_limit else None
        return row, cell, _source(rules, row, cell), factor, quick, "", "", False


_ACT_RULES: dict[tuple[int, str], _ActRules] = {}


def _act_rules(rules: FormulaRules, act: str) -> _ActRules:
    found = _ACT_RULES.get((id(rules), act))
    if found is None or found.rules is not rules:
        if len(_ACT_RULES) > 4096:  # formulas built on the fly (tests): keep the cache small
            _ACT_RULES.clear()
        found = _ACT_RULES[(id(rules), act)] = _ActRules(rules, act)
    return found


class _Plan:
    """What the layers in force on a care date do for one act, in one request: whether the
    notice knows the act, its label, its periodicity, and the steps - per layer (layer,
    code, name, role, cell, rule, rate / 100, plain % BR rate / 100, requires SS, limit
    key, limit message, OPTAM missing) - fixed or per (OPTAM, conventionné, age)."""

    __slots__ = ("known", "label", "period", "fixed", "heads", "act_rules", "by_case")

    def __init__(self, layers: Sequence[Layer], act: str) -> None:
        self.known = act in layers[0].rules.catalogue_acts
        self.label = _act_label(layers, act)
        self.heads = tuple((layer, layer.rules.code, layer.rules.name, layer.role) for layer in layers)
        self.act_rules = tuple(_act_rules(layer.rules, act) for layer in layers)
        self.period = self.act_rules[0].period
        self.by_case: dict[tuple, tuple] = {}
        self.fixed = None
        if all(act_rules.fixed for act_rules in self.act_rules):
            self.fixed = self._steps([act_rules.fixed for act_rules in self.act_rules])

    def steps(self, line: CareLine, age: int) -> tuple:
        case = (line.optam, line.conventionne, age)
        try:
            found = self.by_case.get(case)
        except TypeError:  # unhashable flags: not worth caching
            return self._steps([act_rules.fixed or act_rules.outcome(line, age) for act_rules in self.act_rules])
        if found is None:
            found = self.by_case[case] = self._steps(
                [act_rules.fixed or act_rules.outcome(line, age) for act_rules in self.act_rules]
            )
        return found

    def _steps(self, outcomes: list[tuple]) -> tuple:
        return tuple(
            (*head, cell, rule, factor, quick, bool(row is not None and row.requires_ss), key, message, missing)
            for head, (row, cell, rule, factor, quick, key, message, missing) in zip(self.heads, outcomes, strict=True)
        )


def _day(request: EngineRequest, line: CareLine, index: int, state: _State, history: bool) -> tuple:
    """The layers in force on the line's care date, the age then and the plans per act."""
    layers = tuple(_layers_on(request, line, index, history))
    plans = state.plans.setdefault(tuple(id(layer) for layer in layers), {})
    found = state.by_day[line.care_date] = (layers, age_on(request.birth_date, line.care_date), plans)
    return found


# ------------------------------------------------------------ limits' texts, made when read


def _periodicity_message(period: Periodicity, who: str, target: str, previous: dt.date, years: int, notice: str) -> str:
    return (
        f"Périodicité : {period.label}{who}. Dernier équipement remboursé{target} le "
        f"{previous:%d/%m/%Y} : prochain remboursement possible à partir du "
        f"{add_years(previous, years):%d/%m/%Y} (notice {notice}, ligne {period.line})."
    )


def _prescription_message(care_date: dt.date, claim_date: dt.date) -> str:
    return (
        f"Prescription : les soins du {care_date:%d/%m/%Y} ont plus de deux ans à la date de la demande "
        f"({claim_date:%d/%m/%Y}) ; ils ne peuvent plus être remboursés."
    )


def _price_limit_message(name: str, price_limit: Decimal) -> str:
    return f"{name} : garantie limitée aux honoraires limites de facturation ({euros(price_limit)})."


def _full_cover_limit_message(name: str, price_limit: Decimal) -> str:
    return f"{name} : prise en charge intégrale dans la limite du prix limite ({euros(price_limit)}) ; le dépassement reste à votre charge."


def _max_count_message(name: str, max_count: int, remaining: int, year: int) -> str:
    return f"{name} : limité à {max_count} par an et par bénéficiaire ({remaining} restant(s) en {year})."


def _max_days_message(name: str, max_days: int, remaining: int, year: int) -> str:
    return f"{name} : limité à {max_days} jours par an et par bénéficiaire ({remaining} jour(s) restant(s) en {year})."


def _annual_ceiling_message(name: str, label: str, ceiling: Decimal, year: int, remaining: Decimal) -> str:
    return f"{name} : {label} de {euros(ceiling)} par bénéficiaire en {year}, reste {euros(remaining)} avant ces soins."


def _device_cap_message(name: str, device_cap: Decimal) -> str:
    return f"{name} : prise en charge limitée à {euros(device_cap)} par aide auditive, remboursement SS compris."


def _eye_ceiling_message(name: str, per_eye: Decimal, eye: str, year: int, remaining: Decimal) -> str:
    return f"{name} : {euros(per_eye)} par {EYE_LABELS[eye]} en {year}, reste {euros(remaining)}."


def _frame_cap_message(name: str, frame_cap: Decimal) -> str:
    return f"{name} : monture prise en compte dans la limite de {euros(frame_cap)}."


def _package_message(name: str, amount: Decimal) -> str:
    return f"{name} : forfait de {euros(amount)} pour l'équipement, remboursement SS compris."


def _frais_reels_message(name: str, left: Decimal) -> str:
    return f"{name} : limité aux frais restant à votre charge ({euros(left)})."


def _lower_level_message(name: str, guaranteed: Decimal) -> str:
    return f"{name} : les niveaux inférieurs remboursent déjà au moins ce que garantit ce niveau ({euros(guaranteed)} au total)."


def _not_reimbursed_message(name: str) -> str:
    return f"{name} : acte non remboursé par la Sécurité sociale, non pris en charge (exclusions de la notice)."


def _periodicity_cut(line: CareLine, age: int, period: Periodicity, rules: FormulaRules, state: _State) -> tuple[Limit | None, list[tuple]]:
    """Refuse an optical equipment or a hearing aid bought before the end of the period
    that the last reimbursed one started; return the keys to record when accepted."""
    if period.per_ear:
        keys = [(rules.notice, period.group, ear) for ear in EARS[line.ear or "both"]]
        years = period.years
        who = ""
    else:
        keys = [(rules.notice, period.group)]
        adult = age >= period.adult_age
        years = period.adult_years if adult else period.child_years
        if line.renewal and line.renewal in period.renewal_years:
            years = min(years, period.renewal_years[line.renewal]["adult" if adult else "child"])
        who = f" (bénéficiaire de {age} ans)"
    for key in keys:
        dates = state.equipment.get(key, [])
        position = bisect.bisect_right(dates, line.care_date)
        previous = dates[position - 1] if position else None
        if previous is not None and previous != line.care_date and line.care_date < add_years(previous, years):
            target = f" pour l'{EAR_LABELS[key[2]]}" if period.per_ear else ""
            return Limit._deferred("periodicity", "", _periodicity_message, period, who, target, previous, years, rules.notice), []
    return None, keys


_RULE_REFS: dict[int, tuple[Cell, RuleRef]] = {}


def _source(rules: FormulaRules, row: Row, cell: Cell) -> RuleRef:
    cached = _RULE_REFS.get(id(cell))
    if cached is not None and cached[0] is cell:
        return cached[1]
    ref = _build_source(rules, row, cell)
    _RULE_REFS[id(cell)] = (cell, ref)
    return ref


def _build_source(rules: FormulaRules, row: Row, cell: Cell) -> RuleRef:
    return RuleRef(
        formula=cell.formula, label=row.label, text=cell.text,
        source=f"{cell.formula_name} - {row.label} : {cell.text}",
        notice=rules.notice, line=cell.line, note=cell.note,
    )


def _guarantee(
    cell: Cell, factor: Decimal | None, layer: Layer, line: CareLine, state: _State, request: EngineRequest, index: int,
    history: bool,
) -> tuple[Decimal, list[Limit] | None, list[tuple] | tuple]:
    """The total this cell guarantees for the line, SS included, with the cuts (None when
    there is none) and the counters it will consume. ``factor`` is the cell's rate / 100.
    Consumptions: ("amount", key, cap_part_start, remaining) or ("count", key, units)."""
    kind = cell.kind
    if kind == "pct_br":  # most rows: no list, no counter
        total = line.base_remboursement * factor
        if cell.within_limit and line.price_limit is not None and total > line.price_limit:
            limit = Limit._deferred("price_limit", cell.formula, _price_limit_message, cell.formula_name, line.price_limit)
            return money(line.price_limit), [limit], ()
        return total.quantize(CENT, ROUND_HALF_UP), None, ()
    fr = line.frais_reels
    if kind == "pct_fr":
        return money(fr * factor), None, ()
    if kind == "full_cover":
        return fr, None, ()
    if kind == "full_cover_limit":
        if line.price_limit is not None and fr > line.price_limit:
            limit = Limit._deferred("price_limit", cell.formula, _full_cover_limit_message, cell.formula_name, line.price_limit)
            return line.price_limit, [limit], ()
        return fr, None, ()
    br = line.base_remboursement
    limits: list[Limit] = []
    consume: list[tuple] = []
    name = cell.formula_name
    year = line.care_date.year
    if kind == "fixed_act":
        units = line.quantity
        if cell.max_count:
            key = (cell.formula, cell.counter, year)
            remaining = max(cell.max_count - state.counts.get(key, 0), 0)
            if units > remaining:
                limits.append(Limit._deferred("max_count", cell.formula, _max_count_message, name, cell.max_count, remaining, year))
                units = remaining
            consume.append(("count", key, units))
        return money(cell.amount * units), limits, consume
    if kind == "fixed_day":
        days = line.days or line.quantity
        if cell.max_days_per_stay and days > cell.max_days_per_stay:
            limits.append(Limit("max_days_per_stay", f"{name} : limité à {cell.max_days_per_stay} jours.", cell.formula))
            days = cell.max_days_per_stay
        if cell.max_days:
            key = (cell.formula, cell.counter, year)
            remaining = max(cell.max_days - state.counts.get(key, 0), 0)
            if days > remaining:
                limits.append(Limit._deferred("max_days", cell.formula, _max_days_message, name, cell.max_days, remaining, year))
                days = remaining
            consume.append(("count", key, days))
        return money(cell.amount * days), limits, consume
    if kind in ("fixed_year", "pct_pmss_year", "pct_br_plus_year"):
        if kind == "pct_pmss_year":
            ceiling = money(_pmss(request, year, index, history) * cell.pmss_pct / HUNDRED)
        else:
            ceiling = cell.amount
        if cell.loyalty_amount:
            ceiling += cell.loyalty_amount * _loyalty_years(cell, layer, line)
        key = (cell.formula, cell.counter, year)
        remaining = max(ceiling - state.amounts.get(key, ZERO), ZERO)
        start = money(br * factor) if kind == "pct_br_plus_year" else ZERO
        need = max(fr - start, ZERO)
        if need > remaining:
            label = "forfait annuel" if kind != "pct_br_plus_year" else "forfait annuel en complément"
            limits.append(Limit._deferred("annual_ceiling", cell.formula, _annual_ceiling_message, name, label, ceiling, year, remaining))
        total = start + min(need, remaining)
        if cell.floor_tm and total < br:
            # "(1) Au-delà du forfait, prise en charge du TM": at least BR (SS + TM).
            limits.append(Limit("ticket_moderateur", f"{name} : au-delà du forfait, prise en charge du ticket modérateur.", cell.formula))
            total = br
        consume.append(("amount", key, start, remaining))
        return money(total), limits, consume
    if kind == "pct_br_plus_device":
        devices = len(EARS[line.ear]) if line.ear else line.quantity
        total = money(br * factor) + cell.amount * devices
        cap = cell.device_cap * devices
        if total > cap:
            limits.append(Limit._deferred("device_cap", cell.formula, _device_cap_message, name, cell.device_cap))
            total = cap
        return money(total), limits, consume
    if kind == "fixed_eye":
        eyes = len(EARS[line.eye]) if line.eye else line.quantity
        return money(cell.amount * eyes), limits, consume
    if kind == "pct_pmss_eye_year":
        if not line.eye:
            raise EngineError("missing_eye", "Indiquez l'œil opéré (gauche, droit ou les deux).", index, history)
        per_eye = money(_pmss(request, year, index, history) * cell.pmss_pct / HUNDRED)
        total = ZERO
        for eye in EARS[line.eye]:
            key = (cell.formula, cell.counter, year, eye)
            remaining = max(per_eye - state.amounts.get(key, ZERO), ZERO)
            if remaining < per_eye:
                limits.append(Limit._deferred("annual_ceiling", cell.formula, _eye_ceiling_message, name, per_eye, eye, year, remaining))
            consume.append(("amount", key, total, remaining))
            total += remaining
        return total, limits, consume
    if kind == "pct_pmss_act":
        return money(_pmss(request, year, index, history) * cell.pmss_pct / HUNDRED * line.quantity), limits, consume
    if kind == "optical_glass":
        if line.sphere is None:
            raise EngineError("missing_sphere", "Indiquez la sphère (en dioptries) des verres pour cet acte.", index, history)
        glasses = line.quantity
        if glasses > 2:
            limits.append(Limit("glasses_per_equipment", f"{name} : 2 verres par équipement.", cell.formula))
            glasses = 2
        band = dioptre_band(line.sphere, line.cylinder)
        amount = cell.bands[band]
        return money(amount * glasses), limits, consume
    if kind == "optical_package":
        frame = line.frame_amount or ZERO
        eligible = fr
        if frame > cell.frame_cap:
            limits.append(Limit._deferred("frame_cap", cell.formula, _frame_cap_message, name, cell.frame_cap))
            eligible = fr - frame + cell.frame_cap
        if eligible > cell.amount:
            limits.append(Limit._deferred("package", cell.formula, _package_message, name, cell.amount))
            eligible = cell.amount
        return money(eligible), limits, consume
    raise EngineError("unknown_rule", f"Règle inconnue dans les données : {kind}.", index, history)


def _pmss(request: EngineRequest, year: int, index: int, history: bool) -> Decimal:
    try:
        return request.pmss[year]
    except KeyError:
        raise EngineError("unknown_pmss_year", f"La valeur du PMSS de {year} n'est pas connue.", index, history)


def _loyalty_years(cell: Cell, layer: Layer, line: CareLine) -> int:
    """Celsius' "bonus fidélité" (notice 004 line 989): + the bonus for each calendar year
    of affiliation after the first, at most ``loyalty_max_years`` times."""
    if layer.since is None:
        return 0
    return min(max(line.care_date.year - layer.since.year, 0), cell.loyalty_max_years)


def _compute_line(line: CareLine, index: int, request: EngineRequest, state: _State, history: bool) -> LineResult | None:
    """One line: its result, or None for a history line (it only consumes counters and
    periods)."""
    fr, br, ss, other = line.frais_reels, line.base_remboursement, line.ss_paid, line.other_paid
    care_date = line.care_date
    day = state.by_day.get(care_date)
    if not (  # the common, valid case in one go, without making any Decimal; else say what is wrong
        type(fr) is Decimal and type(br) is Decimal and type(ss) is Decimal and type(other) is Decimal
        and fr.is_finite() and br.is_finite() and ss.is_finite() and other.is_finite()
        and min(fr, br, ss, other) >= ZERO
        and (ss <= fr if other is ZERO else ss + other <= fr) and line.frame_amount is None
        and line.price_limit is None and line.quantity >= 1 and (line.days is None or line.days >= 1)
        and (day is not None or (  # a day already seen passed these checks
            request.birth_date <= care_date <= request.claim_date
            and (request.cover_start is None or request.cover_start <= care_date)
            and (request.cover_end is None or care_date <= request.cover_end)
        ))
        and line.eye in EYE_OR_EAR and line.ear in EYE_OR_EAR and line.renewal in RENEWALS
    ):
        _check_line(line, index, request, history)
    if day is None:
        day = _day(request, line, index, state, history)
    layers, age, plans = day
    act = line.act
    plan = plans.get(act)
    if plan is None:
        plan = plans[act] = _Plan(layers, act)
    if not plan.known:  # one notice per request
        raise EngineError("unknown_act", f"Acte inconnu pour la formule {layers[0].rules.name} : « {act} ».", index, history)
    period = plan.period
    # ``other is ZERO``: the default, nothing paid by another complementary. Subtracting
    # +0.00 changes neither value nor sign, only the exponent, and every amount out of
    # here is quantized to the cent: skip it.
    room = fr - ss if other is ZERO else fr - ss - other  # never more than what is left to pay
    results: list[LayerResult] = []
    line_limits: tuple[Limit, ...] = ()  # the line's cuts; a layer's own tuple when it is the only one
    glass = "" if line.sphere is None else glass_class(line.sphere, line.cylinder, line.addition)

    refusal: Limit | None = None
    if not history and care_date < state.prescribed_before:
        refusal = Limit._deferred("prescription", "", _prescription_message, care_date, request.claim_date)
    period_keys: list[tuple] = []
    if refusal is None and period is not None:
        refusal, period_keys = _periodicity_cut(line, age, period, layers[0].rules, state)
    if refusal is not None:
        line_limits = (refusal,)  # shared by every layer: nothing else applies

    paid_below = ZERO
    for layer, code, name, role, cell, rule, factor, quick, requires_ss, limit_key, limit_message, missing_optam in (
        plan.fixed or plan.steps(line, age)
    ):
        if refusal is not None:
            if not history:
                results.append(LayerResult(code, name, role, ZERO, ZERO, None, line_limits))
            continue
        if cell is None:
            if missing_optam:
                raise EngineError("missing_optam", "Précisez si le médecin est adhérent à un dispositif de pratique tarifaire maîtrisée (OPTAM / OPTAM-CO).", index, history)
            if not history:
                limits = (Limit(limit_key, limit_message, code),)
                line_limits = line_limits + limits if line_limits else limits
                results.append(LayerResult(code, name, role, ZERO, ZERO, None, limits))
            continue
        if requires_ss and ss <= ZERO:
            if not history:
                limits = (Limit._deferred("not_reimbursed_by_ss", code, _not_reimbursed_message, name),)
                line_limits = line_limits + limits if line_limits else limits
                results.append(LayerResult(code, name, role, ZERO, ZERO, rule, limits))
            continue
        if quick is not None:  # a plain % BR: _guarantee's first case, inlined
            guaranteed, limits, consume = (br * quick).quantize(CENT, ROUND_HALF_UP), None, ()
        else:
            guaranteed, limits, consume = _guarantee(cell, factor, layer, line, state, request, index, history)
        if paid_below:
            due = guaranteed - ss - paid_below
            left = room - paid_below
        else:
            due = guaranteed - ss
            left = room
        amount = due
        if amount > left:
            amount = left
            if due > ZERO:
                cut = Limit._deferred("frais_reels", code, _frais_reels_message, name, max(left, ZERO))
                if limits is None:
                    limits = [cut]
                else:
                    limits.append(cut)
        if not amount > ZERO:  # (one comparison in the common case)
            if amount < ZERO:
                amount = ZERO
            if amount == ZERO and paid_below > ZERO and guaranteed > ZERO:
                cut = Limit._deferred("lower_level_covers", code, _lower_level_message, name, guaranteed)
                if limits is None:
                    limits = [cut]
                else:
                    limits.append(cut)
        amount = amount.quantize(CENT, ROUND_HALF_UP)
        if consume:
            through = ss + paid_below + amount  # what is now paid, SS and lower levels included
            for entry in consume:
                if entry[0] == "count":
                    if entry[2]:
                        state.counts[entry[1]] = state.counts.get(entry[1], 0) + entry[2]
                else:
                    _, key, start, remaining = entry
                    used = min(max(through - start, ZERO), remaining)
                    if used:
                        state.amounts[key] = state.amounts.get(key, ZERO) + used
        if not history:
            if limits:
                limits = tuple(limits)
                line_limits = line_limits + limits if line_limits else limits
            else:
                limits = ()
            results.append(LayerResult(code, name, role, amount, guaranteed, rule, limits, ss, paid_below))
        paid_below += amount

    if refusal is None and period_keys:
        for key in period_keys:
            dates = state.equipment.setdefault(key, [])
            if care_date not in dates:
                bisect.insort(dates, care_date)
    if history:
        return None
    complementary = paid_below  # ZERO plus amounts quantized to the cent: already to the cent
    return LineResult(
        index, act, plan.label, care_date, fr.quantize(CENT, ROUND_HALF_UP),
        ZERO if br is ZERO else br.quantize(CENT, ROUND_HALF_UP),
        ZERO if ss is ZERO else ss.quantize(CENT, ROUND_HALF_UP),
        ZERO if other is ZERO else other.quantize(CENT, ROUND_HALF_UP),
        complementary, tuple(results),
        (room - complementary).quantize(CENT, ROUND_HALF_UP), line_limits, glass,
    )


def compute(request: EngineRequest) -> list[LineResult]:
    """Run history (care-date order) then the requested lines (given order); see module doc."""
    if not request.layers:
        raise EngineError("no_formula", "Aucune formule de garanties n'est indiquée.")
    notices = {layer.rules.notice for layer in request.layers}
    if len(notices) > 1:
        raise EngineError("formulas_incompatible", "Les formules indiquées relèvent de contrats différents et ne peuvent pas se cumuler.")
    state = _State(request)
    ordered = sorted(enumerate(request.history), key=lambda pair: pair[1].care_date)
    for index, line in ordered:
        _compute_line(line, index, request, state, history=True)
    return [_compute_line(line, index, request, state, False) for index, line in enumerate(request.lines)]
