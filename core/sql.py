"""Plain SQL reads through Django's connection, for the few hot pages where compiling the
ORM query costs more than running it (the reimbursements list, the messaging inbox, the
header's unread count). Values are always bound parameters; callers put together only
fixed fragments. Columns come back as the driver gives them: ``aware`` converts a
timestamp as the ORM would."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Model
from django.db.models.sql import Query


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


def day(value) -> dt.date | None:
    """A date column (SQLite gives text where the column type is lost, as in a UNION)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def columns(model: type[Model], alias: str) -> str:
    """The select list of every concrete column of ``model`` under table alias ``alias``,
    in the order ``fetch_instances`` reads them."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def fetch_instances(sql: str, params: list | tuple, models: Sequence[type[Model]]) -> list[tuple[Model, ...]]:
    """Rows of a join whose select list is ``columns(models[0], ...), columns(models[1], ...)``,
    each as one instance per model, every column converted as the ORM converts it (what a
    raw queryset does, for several models in one query)."""
    fields = [field for model in models for field in model._meta.concrete_fields]
    compiler = connection.ops.compiler("SQLCompiler")(Query(models[0]), connection, DEFAULT_DB_ALIAS)
    converters = compiler.get_converters([field.get_col(field.model._meta.db_table) for field in fields])
    rows = fetch_all(sql, params)
    if converters:
        rows = compiler.apply_converters(rows, converters)
    layout = [(model, [field.attname for field in model._meta.concrete_fields]) for model in models]
    found = []
    for row in rows:
        instances, start = [], 0
        for model, names in layout:
            instances.append(model.from_db(DEFAULT_DB_ALIAS, names, row[start:start + len(names)]))
            start += len(names)
        found.append(tuple(instances))
    return found
