"""URL converters for every id and year the portal's URLs carry.

Django's ``<int:...>`` takes any number of digits: a 20-digit id overflows the 64-bit
integers of SQLite (OverflowError, a 500) and of PostgreSQL. Ids here have at most 18
digits (below 2**63), so an absurd one does not match the URL and is a plain 404; a year
is one the portal can hold (``datetime`` stops at 9999, year 0 does not exist).
"""

from __future__ import annotations

import re

from django.urls import register_converter

ID_DIGITS = 18
FIRST_YEAR, LAST_YEAR = 1900, 2999


class IdConverter:
    regex = f"[0-9]{{1,{ID_DIGITS}}}"
    regex_compiled = re.compile(regex, re.ASCII)  # for ids that come another way (the admin's object_id)

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


class YearConverter:
    # Up to nine digits match, and the range is checked in Python (a ValueError there is
    # no match, so a 404): core.navigation.url_builder reverses with a 9-digit sentinel.
    regex = "[0-9]{1,9}"

    def to_python(self, value: str) -> int:
        year = int(value)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"year {year} out of range")
        return year

    def to_url(self, value) -> str:
        return str(int(value))


def register() -> None:
    """Called once, by PortalConfig.ready(), before any URLconf is imported."""
    register_converter(IdConverter, "id")
    register_converter(YearConverter, "year")
