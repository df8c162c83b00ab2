"""Strict reading of query-string parameters: a value the portal cannot read is a 400
with a French message (``core.errors.InvalidParameter``), never a 500 further down."""

from __future__ import annotations

import re

from core.errors import InvalidParameter

# ASCII digits only: str.isdigit() also accepts "²" or "٣", which int() then refuses.
_PAGE = re.compile(r"[0-9]{1,6}", re.ASCII)


def page_number(value: str | None) -> int:
    """A page number (``?page=``): absent or empty is page 1."""
    if value is None or value == "":
        return 1
    if not _PAGE.fullmatch(value) or int(value) < 1:
        raise InvalidParameter("Le numéro de page demandé n'est pas valide.")
    return int(value)
