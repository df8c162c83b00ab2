"""The guarantee tables, parsed once from ``guarantees/data/*.json`` into the engine's
dataclasses. The files are the source of truth; the database copy (``load_reference``)
only serves the back-office.

Data file shape (one file per notice): ``formulas`` {code: {name, line}}, ``periodicity``
{group: {...}}, ``rows`` [{act (null for display-only rows), category, group, label,
conditions {optam, conventionne, min_age, max_age (exclusive)}, requires_ss, unit,
line (default for the cells), cells {formula code: {line, text (the notice's words),
kind, rate, amount, counter, max_count, max_days, max_days_per_stay, device_cap,
frame_cap, pmss_pct, bands, floor_tm, within_limit, loyalty, limit_text, limit_line,
note}}}].
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from guarantees.engine import Cell, FormulaRules, Periodicity, Row

DATA_DIR = Path(__file__).resolve().parent / "data"
NOTICE_FILES = ("notice_003.json", "notice_004.json")

KINDS = {
    "pct_br": "% de la BR",
    "pct_fr": "% des frais réels",
    "full_cover": "prise en charge intégrale",
    "full_cover_limit": "100 % santé : intégrale dans la limite des prix limites",
    "fixed_act": "€ par acte / prothèse / implant / séance / enfant",
    "fixed_day": "€ par jour",
    "fixed_year": "€ par an et par bénéficiaire",
    "fixed_eye": "€ par œil",
    "pct_br_plus_year": "% de la BR + € par an et par bénéficiaire",
    "pct_br_plus_device": "% de la BR + € par appareil",
    "pct_pmss_year": "% du PMSS par an et par bénéficiaire",
    "pct_pmss_eye_year": "% du PMSS par œil, par an et par bénéficiaire",
    "pct_pmss_act": "% du PMSS par acte",
    "optical_glass": "€ par verre selon la puissance",
    "optical_package": "forfait équipement (monture plafonnée)",
    "info": "information",
}


@dataclass(frozen=True)
class Notice:
    code: str
    source_file: str
    title: str
    layering: str
    stacking: bool
    formulas: dict[str, dict[str, Any]]
    rows: tuple[Row, ...]
    periodicities: tuple[Periodicity, ...]


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _cell(code: str, name: str, raw: dict[str, Any], default_line: int | None) -> Cell:
    if raw["kind"] not in KINDS:
        raise ValueError(f"unknown rule kind {raw['kind']!r} for {code}")
    loyalty = raw.get("loyalty") or {}
    line = raw.get("line") or default_line
    if line is None:
        raise ValueError(f"no notice line for {code}")
    return Cell(
        formula=code,
        formula_name=name,
        kind=raw["kind"],
        line=int(line),
        text=raw["text"],
        rate=_decimal(raw.get("rate")),
        amount=_decimal(raw.get("amount")),
        counter=raw.get("counter"),
        max_count=raw.get("max_count"),
        max_days=raw.get("max_days"),
        max_days_per_stay=raw.get("max_days_per_stay"),
        device_cap=_decimal(raw.get("device_cap")),
        frame_cap=_decimal(raw.get("frame_cap")),
        pmss_pct=_decimal(raw.get("pmss_pct")),
        bands=tuple(Decimal(b) for b in raw.get("bands", ())),
        floor_tm=bool(raw.get("floor_tm")),
        within_limit=bool(raw.get("within_limit")),
        loyalty_amount=_decimal(loyalty.get("amount")),
        loyalty_max_years=int(loyalty.get("max_years", 0)),
        limit_text=raw.get("limit_text", ""),
        limit_line=raw.get("limit_line"),
        note=raw.get("note", ""),
    )


def _notice(path: Path) -> Notice:
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for raw in data["rows"]:
        cells = {
            code: _cell(code, data["formulas"][code]["name"], cell, raw.get("line"))
            for code, cell in raw["cells"].items()
        }
        rows.append(
            Row(
                act=raw["act"],
                category=raw["category"],
                group=raw.get("group", ""),
                label=raw["label"],
                conditions=tuple(sorted((raw.get("conditions") or {}).items())),
                requires_ss=bool(raw.get("requires_ss")),
                unit=raw.get("unit", "act"),
                condition_text=raw.get("condition_text", ""),
                cells=cells,
            )
        )
    periodicities = tuple(
        Periodicity(
            group=group,
            acts=frozenset(spec["acts"]),
            label=spec["label"],
            line=spec["line"],
            section=next((row.category.capitalize() for row in rows if row.act in spec["acts"]), ""),
            adult_age=spec.get("adult_age", 0),
            adult_years=spec.get("adult_years", 0),
            child_years=spec.get("child_years", 0),
            years=spec.get("years", 0),
            per_ear=spec.get("per_ear", False),
            renewal_years=spec.get("renewal_years", {}),
        )
        for group, spec in data.get("periodicity", {}).items()
    )
    return Notice(
        code=data["notice"],
        source_file=data["source_file"],
        title=data["title"],
        layering=data.get("layering", ""),
        stacking=bool(data.get("stacking")),
        formulas=data["formulas"],
        rows=tuple(rows),
        periodicities=periodicities,
    )


@cache
def notices() -> dict[str, Notice]:
    return {notice.code: notice for notice in (_notice(DATA_DIR / name) for name in NOTICE_FILES)}


@cache
def formula_rules_by_code() -> dict[str, FormulaRules]:
    result = {}
    for notice in notices().values():
        catalogue = frozenset(row.act for row in notice.rows if row.act)
        for code, info in notice.formulas.items():
            by_act: dict[str, list[Row]] = {}
            for row in notice.rows:
                if row.act and code in row.cells:
                    by_act.setdefault(row.act, []).append(row)
            result[code] = FormulaRules(
                code=code,
                name=info["name"],
                notice=notice.code,
                source_file=notice.source_file,
                rows_by_act={act: tuple(rows) for act, rows in by_act.items()},
                catalogue_acts=catalogue,
                periodicities=notice.periodicities,
                notice_title=notice.title,
            )
    return result


def formula_rules(code: str) -> FormulaRules:
    """Raises KeyError for an unknown formula code."""
    return formula_rules_by_code()[code]


def notice_for(code: str) -> Notice:
    return notices()[formula_rules(code).notice]


def acts_for(code: str) -> list[tuple[str, str]]:
    """(act code, label as the notice words it) of the acts a formula covers, in table order."""
    rules = formula_rules(code)
    seen: dict[str, str] = {}
    for row in notice_for(code).rows:
        if row.act and row.act in rules.rows_by_act and row.act not in seen:
            seen[row.act] = row.label
    return list(seen.items())


def catalogue_acts(code: str) -> list[tuple[str, str, str]]:
    """(act, label, unit) of every act of the formula's notice, covered or not."""
    seen: dict[str, tuple[str, str, str]] = {}
    for row in notice_for(code).rows:
        if row.act and row.act not in seen:
            seen[row.act] = (row.act, row.label, row.unit)
    return list(seen.values())


@cache
def pmss_table() -> dict[int, Decimal]:
    data = json.loads((DATA_DIR / "pmss.json").read_text(encoding="utf-8"))
    return {int(year): Decimal(value) for year, value in data["values"].items()}


@cache
def _headings() -> dict[tuple[str, int], str]:
    """(notice, line of a cell or of its row) -> the table heading the row sits under."""
    headings: dict[tuple[str, int], str] = {}
    for notice in notices().values():
        for row in notice.rows:
            for cell in row.cells.values():
                headings.setdefault((notice.code, cell.line), row.category.capitalize())
    return headings


def citation(notice: str, line: int | None = None) -> str:
    """How a member page cites a rule: the notice's title and the heading of its table
    where the rule sits. Line numbers are for gestionnaires; members never see them."""
    found = notices().get(notice)
    if found is None:
        return ""
    heading = _headings().get((notice, line)) if line is not None else None
    return f"notice « {found.title} »" + (f", rubrique « {heading} »" if heading else "")
