"""Reads on the guarantees domain, and the adapter from DB objects to the engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from guarantees import catalogue
from guarantees.engine import CareLine, EngineRequest, Layer, LineResult, compute
from members.models import Affiliation, AffiliationRole, Beneficiary, Member
from members.selectors import household_of


def engine_layers_for(member: Member) -> tuple[Layer, ...]:
    """Every affiliation of the member as an engine layer with its period; the engine
    keeps, per care date, the layers then in force (principal first)."""
    return engine_layers_from(member.affiliations.select_related("formula"))


def engine_layers_from(affiliations: Iterable[Affiliation]) -> tuple[Layer, ...]:
    """``engine_layers_for`` from affiliations already loaded with their formula
    (``household_of``'s; an import of thousands of members reads them in bulk)."""
    affiliations = sorted(affiliations, key=lambda a: a.start_date)
    first_start: dict[str, dt.date] = {}
    layers = []
    for affiliation in affiliations:
        code = affiliation.formula.code
        first_start.setdefault(code, affiliation.start_date)
        layers.append(
            Layer(
                catalogue.formula_rules(code),
                role="principal" if affiliation.role == AffiliationRole.PRINCIPAL else "facultative",
                start=affiliation.start_date,
                end=affiliation.end_date,
                since=first_start[code],
            )
        )
    return tuple(layers)


def engine_request_for(
    beneficiary: Beneficiary,
    *,
    lines: Sequence[CareLine],
    history: Sequence[CareLine] = (),
    claim_date: dt.date | None = None,
    layers: tuple[Layer, ...] | None = None,
) -> EngineRequest:
    """The engine's input for a covered person of a household (see guarantees.engine);
    ``layers``: the member's, when already built (``engine_layers_from``)."""
    member = beneficiary.member
    cover_end = beneficiary.cover_end
    if member.cover_end_date and (cover_end is None or member.cover_end_date < cover_end):
        cover_end = member.cover_end_date
    return EngineRequest(
        layers=engine_layers_for(member) if layers is None else layers,
        birth_date=beneficiary.birth_date,
        claim_date=claim_date or timezone.localdate(),
        lines=tuple(lines),
        history=tuple(history),
        pmss=catalogue.pmss_table(),
        cover_start=beneficiary.cover_start,
        cover_end=cover_end,
    )


def simulate_for(
    beneficiary: Beneficiary,
    *,
    lines: Sequence[CareLine],
    history: Sequence[CareLine] = (),
    claim_date: dt.date | None = None,
) -> list[LineResult]:
    return compute(engine_request_for(beneficiary, lines=lines, history=history, claim_date=claim_date))


@dataclass
class TableRow:
    label: str
    group: str
    cells: list[str]
    is_act: bool


@dataclass
class TableSection:
    category: str
    rows: list[TableRow] = field(default_factory=list)


@dataclass
class GuaranteeTable:
    columns: list[tuple[str, str]]  # (formula name, role label)
    sections: list[TableSection]
    notice_title: str
    layering: str
    notes: list[str]


def guarantee_table_for(member: Member, day: dt.date | None = None) -> GuaranteeTable | None:
    """The member's own formulas in force on ``day``, side by side, grouped as in the notice."""
    affiliations = household_of(member).affiliations_on(day)
    if not affiliations:
        return None
    codes = [a.formula.code for a in affiliations]
    notice = catalogue.notice_for(codes[0])
    sections: list[TableSection] = []
    notes: list[str] = []
    for row in notice.rows:
        cells = [row.cells.get(code) for code in codes]
        if not any(cells):
            continue
        if not sections or sections[-1].category != row.category:
            sections.append(TableSection(row.category))
        texts = []
        for cell in cells:
            if cell is None:
                texts.append("—")
                continue
            text = cell.text
            if cell.limit_text:
                text = f"{text} - {cell.limit_text}"
            texts.append(text)
            if cell.note and cell.note not in notes and cell.note.startswith("("):
                notes.append(cell.note)
        sections[-1].rows.append(TableRow(row.label, row.group, texts, bool(row.act)))
    columns = [
        (
            a.formula.name if a.formula.code not in notice.formulas else notice.formulas[a.formula.code]["name"],
            a.get_role_display(),
        )
        for a in affiliations
    ]
    return GuaranteeTable(columns, sections, notice.title, notice.layering if len(codes) > 1 else "", notes)
