"""What the portal hands out as a file: its name in ``Content-Disposition`` and, for a CSV,
cells a spreadsheet cannot run. Every download and every CSV export goes through here."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from core.text import ascii_only

# Characters that make Excel, LibreOffice or Google Sheets read a cell as a formula
# (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_filename(stem: str, *, extension: str, fallback: str = "document") -> str:
    """An ASCII name made of letters, digits, dots, dashes and underscores, whatever the
    data in ``stem`` (a décompte number with a quote, a line break, a semicolon or an
    accent): ``'decompte-D"1\\r\\n;é'`` -> ``"decompte-D-1-e.pdf"``."""
    ascii_stem = ascii_only(str(stem))
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem).strip("-._")[:100]
    return f"{cleaned or fallback}.{extension}"


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    """Mark ``response`` as a download named ``filename`` (already a safe_filename)."""
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def spreadsheet_text(value: str) -> str:
    """OWASP's rule: a text cell starting like a formula gets a leading single quote,
    which spreadsheets show as text."""
    return f"'{value}" if value.startswith(FORMULA_TRIGGERS) else value


def csv_cell(value: object) -> str:
    """Numbers and dates the portal formats itself stay numbers and dates (a negative
    amount is ``-12,50``, not text); every other value is text from data, neutralised."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return spreadsheet_text(str(value))


def csv_response(*, filename: str, header: Iterable[str], rows: Iterable[Iterable[object]]) -> HttpResponse:
    """A CSV download for spreadsheet software in French: UTF-8 with a BOM, ``;``."""
    response = attachment(HttpResponse(content_type="text/csv; charset=utf-8"), filename)
    response.write("\ufeff")  # lets spreadsheet software detect UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow([csv_cell(title) for title in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response
