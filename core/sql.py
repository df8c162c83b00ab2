"""Plain SQL reads through Django's connection, for the named queries of the few hot reads
where a measurement showed the ORM's cost past the pages' target (``claims.selectors.
DECOMPTE_PAGE_SQL``, ``messaging.selectors.INBOX_PAGE_SQL`` and ``UNREAD_COUNT_SQL``);
everything else reads through the ORM. Values are always bound parameters; callers put
together only fixed fragments. Columns come back as the driver gives them: ``aware`` and
``amount`` convert them as the ORM would."""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal

from django.db import connection


def fetch_all(sql: str, params: list | tuple = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetch_value(sql: str, params: list | tuple = ()):
    """The first column of the first row (e.g. a ``COUNT(*)``)."""
    rows = fetch_all(sql, params)
    return rows[0][0] if rows else None


def aware(value) -> dt.datetime:
    """A timestamp column as the ORM returns it with ``USE_TZ``: PostgreSQL gives an aware
    datetime, SQLite a naive one in UTC (or text when the column type is not declared)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


_CENT = Decimal("0.01")
_FLOAT_DECIMALS = decimal.Context(prec=15)  # what Django's SQLite backend converts REAL with


def amount(value) -> Decimal:
    """A money column as a Decimal at the cent (SQLite returns NUMERIC as int or float)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return _FLOAT_DECIMALS.create_decimal_from_float(value).quantize(_CENT)
    return Decimal(value).quantize(_CENT)
