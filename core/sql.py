"""Plain SQL reads through Django's connection, for the named queries of the few hot reads
where a measurement showed the ORM's cost past the pages' target (``claims.selectors.
DECOMPTE_PAGE_SQL``, ``messaging.selectors.INBOX_PAGE_SQL`` and ``UNREAD_COUNT_SQL``);
everything else reads through the ORM. Values are always bound parameters; callers put
together only fixed fragments. Columns come back as the driver gives them: ``aware`` and
``amount`` convert them as the ORM would."""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import json
from collections.abc import Iterable
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


def _copy_value(field):
    """How a value is written by COPY: JSON through the field's encoder, a file as its name,
    the rest as psycopg adapts it (str, int, Decimal, date, datetime, bool, None)."""
    from django.db.models import FileField, JSONField

    if isinstance(field, JSONField):
        encoder = field.encoder
        return lambda value: json.dumps(value, cls=encoder)
    if isinstance(field, FileField):
        return field.get_prep_value  # the stored name
    return None


def sequence_ids(model, count: int) -> list[int]:
    """``count`` fresh primary keys of ``model``'s table, taken from its sequence in one
    query (PostgreSQL), for rows written by COPY that others must point at. Elsewhere,
    the next ids after the current maximum: only for SQLite in development, where one
    process writes at a time."""
    if count <= 0:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    if connection.vendor == "postgresql":
        rows = fetch_all(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
        )
        return [pk for (pk,) in rows]
    from django.db.models import Max

    start = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    return list(range(start, start + count))


def analyze(model) -> None:
    """Refresh PostgreSQL's statistics of ``model``'s table after a bulk write, inside the
    writer's transaction (PostgreSQL counts its own uncommitted rows). Statistics that
    still say "empty" (a new database, or an autovacuum after a rolled-back import) while
    the transaction has just written 100,000 rows make the planner scan the table for
    each lookup of the foreign-key checks and the version triggers that follow: measured
    500 s instead of under one for the lines of a 100,000-line import. No-op elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def insert_values(model, rows: Iterable[dict], *, batch_size: int = 5000, progress=None) -> int:
    """Insert rows given as ``{attname: value}``, all with the same keys (fields left out
    take their default), without building model instances on PostgreSQL (COPY; an import
    writes hundreds of thousands of lines and each instance costs more than its COPY).
    ``rows`` may be a generator: it is consumed as it is written. Elsewhere,
    ``bulk_create``. Returns the count."""
    iterator = iter(rows)
    if connection.vendor != "postgresql":
        count = 0
        while batch := [model(**row) for row in itertools.islice(iterator, batch_size)]:
            model.objects.bulk_create(batch, batch_size=batch_size)
            count += len(batch)
            if progress is not None:
                progress(count)
        return count
    first = next(iterator, None)
    if first is None:
        return 0
    # The primary key only when the rows bring theirs (sequence_ids), else the sequence's default.
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in first]
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in first}
    converters = [(f.attname, _copy_value(f)) for f in fields]

    def values():
        for row in itertools.chain([first], iterator):
            values = defaults | row if defaults else row
            yield [values[name] if convert is None else convert(values[name]) for name, convert in converters]

    return copy_rows(
        model._meta.db_table, [f.column for f in fields], values(), batch_size=batch_size, progress=progress
    )


def copy_rows(table: str, columns: list[str], rows: Iterable, *, batch_size: int = 5000, progress=None) -> int:
    """PostgreSQL ``COPY table (columns) FROM STDIN`` of ``rows`` (sequences of Python
    values in ``columns`` order), one COPY per ``batch_size`` rows, so that a caller can
    report progress and rows are produced as they are written. Returns the count."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    count = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(iterator, batch_size)):
            # Django's cursor wrapper hands ``copy`` to psycopg's cursor.
            with cursor.copy(sql) as copy:
                for row in batch:
                    copy.write_row(row)
            count += len(batch)
            if progress is not None:
                progress(count)
    return count
