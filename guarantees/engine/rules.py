"""The rule kinds of the guarantee tables (``Cell.kind``): one function each, dispatched
by ``guarantee_for`` from ``RULES``.

A rule says what a cell guarantees for a line, as a ``Guarantee``: the total *including*
the SS part (the notices guarantee "sous déduction des prestations versées par la Sécurité
sociale"), the cuts that limited it, and the counters its payment will use. What a level
then pays (that total minus SS and lower levels, within what is left to pay) is
``compute``'s."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from guarantees.engine import messages
from guarantees.engine.optics import dioptre_band
from guarantees.engine.state import AmountUse, CounterKey, CounterUse, CountUse, LineContext
from guarantees.engine.types import Cell, Layer, Limit
from guarantees.engine.values import SIDES, ZERO, money, percent

T = TypeVar("T")


@dataclass(slots=True)  # not frozen: one per line and level in batches, a frozen init is slower
class Guarantee:
    total: Decimal  # SS included; rounded to the cent where the notice's arithmetic needs it
    limits: tuple[Limit, ...] = ()
    uses: tuple[CounterUse, ...] = ()


Rule = Callable[[Cell, Layer, LineContext], Guarantee]


def guarantee_for(cell: Cell, layer: Layer, context: LineContext) -> Guarantee:
    rule = RULES.get(cell.kind)
    if rule is None:
        raise context.error("unknown_rule", f"Règle inconnue dans les données : {cell.kind}.")
    return rule(cell, layer, context)


def _given(value: T | None, cell: Cell, name: str) -> T:
    """A field the cell's kind needs: the data files give it (a missing one is a bug of
    the files, not of the member's input)."""
    if value is None:
        raise ValueError(f"{cell.formula}, notice line {cell.line}: a {cell.kind} rule needs {name}")
    return value


def _limit(key: str, cell: Cell, message: messages.Message) -> Limit:
    return Limit(key, message, cell.formula)


# --------------------------------------------------------------------------- percentages, full cover


def pct_br(cell: Cell, layer: Layer, context: LineContext) -> Guarantee:
    """A % of the base de remboursement; with ``within_limit``, at most the act's price
    limit (honoraires limites de facturation)."""
    line = context.line
    total = percent(line.base_remboursement, _given(cell.rate, cell, "rate"))
    if cell.within_limit and line.price_limit is not None and total > line.price_limit:
        limit = _limit("price_limit", cell, messages.PriceLimit(cell.formula_name, line.price_limit))
        return Guarantee(money(line.price_limit), (limit,))
    return Guarantee(money(total))


def pct_fr(cell: Cell, layer: Layer, context: LineContext) -> Guarantee:
    return Guarantee(money(percent(context.line.frais_reels, _given(cell.rate, cell, "rate"))))


def full_cover(cell: Cell, layer: Layer, context: LineContext) -> Guarantee:
    return Guarantee(context.line.frais_reels)


def full_cover_limit(cell: Cell, layer: Layer, context: LineContext) -> Guarantee:
    """100 % Santé: the frais réels, within the act's price limit."""
    line = context.line
    if line.price_limit is not None and line.frais_reels > line.price_limit:
        limit = _limit("price_limit", cell, messages.FullCoverLimit(cell.formula_name, line.price_limit))
        return Guarantee(line.price_limit, (limit,))
    return Guarantee(line.frais_reels)


def pct_pmss_act(cell: Cell, layer: Layer, context: LineContext) -> Guarantee:
    line = context.line
    per_act = percent(context.pmss(line.care_date.year), _given(cell.pmss_pct, cell, "pmss_pct"))
    return Guarantee(money(per_act * line.quantity))


# --------------------------------------------------------------------------- amounts per act, day, device, eye


def fixed_act(cell: Cell, layer: Layer, context: LineContext) -> Guarantee:
    """An amount per act (prothèse, implant, séance...), at most ``max_count`` a year."""
    amount = _given(cell.amount, cell, "amount")
    units = context.line.quantity
    if not cell.max_count:
        return Guarantee(money(amount * units))
    year = context.line.care_date.year
    key = CounterKey(cell.formula, cell.counter, year)
    remaining = context.counters.count_left(key, cell.max_count)
    limits: tuple[Limit, ...] = ()
    if units > remaining:
        limits = (_limit("max_count", cell, messages.MaxCount(cell.formula_name, cell.max_count, remaining, year)),)
        units = remaining
    return Guarantee(money(amount * units), limits, (CountUse(key, units),))


def fixed_day(cell: Cell, layer: Layer, context: LineContext) -> Guarantee:
    """An amount per day (hospital room, accompanying person), at most ``max_days_per_stay``
    for the stay and ``max_days`` a year."""
    amount = _given(cell.amount, cell, "amount")
    line = context.line
    days = line.days or line.quantity
    limits: list[Limit] = []
    if cell.max_days_per_stay and days > cell.max_days_per_stay:
        limits.append(
            _limit("max_days_per_stay", cell, messages.MaxDaysPerStay(cell.formula_name, cell.max_days_per_stay))
        )
        days = cell.max_days_per_stay
    if not cell.max_days:
        return Guarantee(money(amount * days), tuple(limits))
    year = line.care_date.year
    key = CounterKey(cell.formula, cell.counter, year)
    remaining = context.counters.count_left(key, cell.max_days)
    if days > remaining:
        limits.append(_limit("max_days", cell, messages.MaxDays(cell.formula_name, cell.max_days, remaining, year)))
        days = remaining
    return Guarantee(money(amount * days), tuple(limits), (CountUse(key, days),))


def pct_br_plus_device(cell: Cell, layer: Layer, context: LineContext) -> Guarantee:
    """Hearing aids: a % of the BR plus an amount per aid, at most ``device_cap`` per aid."""
    line = context.line
    devices = len(SIDES[line.ear]) if line.ear else line.quantity
    device_cap = _given(cell.device_cap, cell, "device_cap")
    total = money(percent(line.base_remboursement, _given(cell.rate, cell, "rate")))
    total += _given(cell.amount, cell, "amount") * devices
    limits: tuple[Limit, ...] = ()
    if total > device_cap * devices:
        limits = (_limit("device_cap", cell, messages.DeviceCap(cell.formula_name, device_cap)),)
        total = device_cap * devices
    return Guarantee(money(total), limits)


def fixed_eye(cell: Cell, layer: Layer, context: LineContext) -> Guarantee:
    line = context.line
    eyes = len(SIDES[line.eye]) if line.eye else line.quantity
    return Guarantee(money(_given(cell.amount, cell, "amount") * eyes))


# --------------------------------------------------------------------------- yearly ceilings


def fixed_year(cell: Cell, layer: Layer, context: LineContext) -> Guarantee:
    """The frais réels, within an amount per year and beneficiary."""
    return _within_yearly_ceiling(cell, layer, context, start=ZERO)


def pct_pmss_year(cell: Cell, layer: Layer, context: LineContext) -> Guarantee:
    """The frais réels, within a % of the PMSS per year and beneficiary."""
    return _within_yearly_ceiling(cell, layer, context, start=ZERO)


def pct_br_plus_year(cell: Cell, layer: Layer, context: LineContext) -> Guarantee:
    """A % of the BR, then the rest of the frais réels within an amount per year."""
    start = money(percent(context.line.base_remboursement, _given(cell.rate, cell, "rate")))
    return _within_yearly_ceiling(cell, layer, context, start=start)


def yearly_ceiling(cell: Cell, layer: Layer, year: int, pmss: Callable[[int], Decimal]) -> Decimal:
    """The yearly amount of a ceiling cell (fixed_year, pct_br_plus_year, pct_pmss_year,
    and per eye pct_pmss_eye_year) in ``year``, the loyalty bonus included. One place for
    the rules and for what "Mes droits restants" says is left (``rights``)."""
    if cell.kind in ("pct_pmss_year", "pct_pmss_eye_year"):
        ceiling = money(percent(pmss(year), _given(cell.pmss_pct, cell, "pmss_pct")))
    else:
        ceiling = _given(cell.amount, cell, "amount")
    if cell.loyalty_amount:
        ceiling += cell.loyalty_amount * _loyalty_years(cell, layer, year)
    return ceiling


def _within_yearly_ceiling(cell: Cell, layer: Layer, context: LineContext, *, start: Decimal) -> Guarantee:
    """``start`` (what the rule pays outside the ceiling), then the rest of the frais
    réels within what is left of the yearly ceiling; with ``floor_tm``, at least the BR
    ("au-delà du forfait, prise en charge du TM")."""
    line = context.line
    year = line.care_date.year
    ceiling = yearly_ceiling(cell, layer, year, context.pmss)
    key = CounterKey(cell.formula, cell.counter, year)
    remaining = context.counters.amount_left(key, ceiling)
    need = max(line.frais_reels - start, ZERO)
    limits: list[Limit] = []
    if need > remaining:
        top_up = cell.kind == "pct_br_plus_year"
        message = messages.AnnualCeiling(cell.formula_name, top_up, ceiling, year, remaining)
        limits.append(_limit("annual_ceiling", cell, message))
    total = start + min(need, remaining)
    if cell.floor_tm and total < line.base_remboursement:
        limits.append(_limit("ticket_moderateur", cell, messages.TicketModerateur(cell.formula_name)))
        total = line.base_remboursement
    return Guarantee(money(total), tuple(limits), (AmountUse(key, start, remaining),))


def _loyalty_years(cell: Cell, layer: Layer, year: int) -> int:
    """Celsius' "bonus fidélité" (notice 004 line 989): + the bonus for each calendar year
    of affiliation after the first, at most ``loyalty_max_years`` times."""
    if layer.since is None:
        return 0
    return min(max(year - layer.since.year, 0), cell.loyalty_max_years)


def pct_pmss_eye_year(cell: Cell, layer: Layer, context: LineContext) -> Guarantee:
    """Refractive surgery: a % of the PMSS per eye, per year and beneficiary."""
    line = context.line
    if not line.eye:
        raise context.error("missing_eye", "Indiquez l'œil opéré (gauche, droit ou les deux).")
    year = line.care_date.year
    per_eye = yearly_ceiling(cell, layer, year, context.pmss)
    total = ZERO
    limits: list[Limit] = []
    uses: list[CounterUse] = []
    for eye in SIDES[line.eye]:
        key = CounterKey(cell.formula, cell.counter, year, eye)
        remaining = context.counters.amount_left(key, per_eye)
        if remaining < per_eye:
            limits.append(
                _limit("annual_ceiling", cell, messages.EyeCeiling(cell.formula_name, per_eye, eye, year, remaining))
            )
        uses.append(AmountUse(key, total, remaining))  # the second eye's ceiling pays above the first's
        total += remaining
    return Guarantee(total, tuple(limits), tuple(uses))


# --------------------------------------------------------------------------- optics


def optical_glass(cell: Cell, layer: Layer, context: LineContext) -> Guarantee:
    """An amount per glass by dioptre band (notice 004), two glasses per equipment."""
    line = context.line
    if line.sphere is None:
        raise context.error("missing_sphere", "Indiquez la sphère (en dioptries) des verres pour cet acte.")
    glasses = line.quantity
    limits: tuple[Limit, ...] = ()
    if glasses > 2:
        limits = (_limit("glasses_per_equipment", cell, messages.GlassesPerEquipment(cell.formula_name)),)
        glasses = 2
    per_glass = cell.bands[dioptre_band(line.sphere, line.cylinder)]
    return Guarantee(money(per_glass * glasses), limits)


def optical_package(cell: Cell, layer: Layer, context: LineContext) -> Guarantee:
    """An amount for the whole equipment, the frame counted within ``frame_cap``."""
    line = context.line
    frame_cap = _given(cell.frame_cap, cell, "frame_cap")
    package = _given(cell.amount, cell, "amount")
    frame = line.frame_amount or ZERO
    eligible = line.frais_reels
    limits: list[Limit] = []
    if frame > frame_cap:
        limits.append(_limit("frame_cap", cell, messages.FrameCap(cell.formula_name, frame_cap)))
        eligible = line.frais_reels - frame + frame_cap
    if eligible > package:
        limits.append(_limit("package", cell, messages.Package(cell.formula_name, package)))
        eligible = package
    return Guarantee(money(eligible), tuple(limits))


RULES: dict[str, Rule] = {
    "pct_br": pct_br,
    "pct_fr": pct_fr,
    "full_cover": full_cover,
    "full_cover_limit": full_cover_limit,
    "fixed_act": fixed_act,
    "fixed_day": fixed_day,
    "fixed_year": fixed_year,
    "fixed_eye": fixed_eye,
    "pct_br_plus_year": pct_br_plus_year,
    "pct_br_plus_device": pct_br_plus_device,
    "pct_pmss_year": pct_pmss_year,
    "pct_pmss_eye_year": pct_pmss_eye_year,
    "pct_pmss_act": pct_pmss_act,
    "optical_glass": optical_glass,
    "optical_package": optical_package,
}
