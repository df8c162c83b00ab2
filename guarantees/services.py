"""Writes on the guarantees domain."""

from __future__ import annotations

import json
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.db import transaction

from guarantees import catalogue
from guarantees.engine import Cell
from guarantees.models import GuaranteeCell, GuaranteeRow, PmssValue
from members.models import Formula

_CELL_DISPLAY_FIELDS = {"formula", "formula_name", "kind", "line", "text"}


def _parameters(cell: Cell) -> dict[str, Any]:
    """The rule's parameters as JSON-safe values, empty ones left out."""
    params = {}
    for key, value in asdict(cell).items():
        if key in _CELL_DISPLAY_FIELDS or value in (None, "", (), False, 0):
            continue
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, tuple):
            value = [str(v) for v in value]
        params[key] = value
    safe: dict[str, Any] = json.loads(json.dumps(params))
    return safe


@transaction.atomic
def guarantee_tables_load() -> dict[str, int]:
    """Copy the guarantee tables and the PMSS values from ``guarantees/data`` into the
    database. Idempotent: loading twice changes nothing; rows removed from the files are
    removed. Formulas must exist (``reference_data_load`` first)."""
    formulas = {formula.code: formula for formula in Formula.objects.all()}
    counts = {"rows": 0, "cells": 0, "pmss": 0}
    for notice in catalogue.notices().values():
        kept_rows = []
        for position, row in enumerate(notice.rows, start=1):
            db_row, _ = GuaranteeRow.objects.update_or_create(
                notice=notice.code,
                position=position,
                defaults={
                    "act": row.act or "",
                    "category": row.category,
                    "group": row.group,
                    "label": row.label,
                    "conditions": dict(row.conditions),
                    "requires_ss": row.requires_ss,
                    "unit": row.unit,
                },
            )
            kept_rows.append(db_row.pk)
            kept_cells = []
            for code, cell in row.cells.items():
                if code not in formulas:
                    continue
                db_cell, _ = GuaranteeCell.objects.update_or_create(
                    row=db_row,
                    formula=formulas[code],
                    defaults={
                        "kind": cell.kind,
                        "text": cell.text,
                        "notice_line": cell.line,
                        "parameters": _parameters(cell),
                    },
                )
                kept_cells.append(db_cell.pk)
                counts["cells"] += 1
            db_row.cells.exclude(pk__in=kept_cells).delete()
            counts["rows"] += 1
        GuaranteeRow.objects.filter(notice=notice.code).exclude(pk__in=kept_rows).delete()
    for year, amount in catalogue.pmss_table().items():
        PmssValue.objects.update_or_create(year=year, defaults={"monthly_amount": amount})
        counts["pmss"] += 1
    return counts
