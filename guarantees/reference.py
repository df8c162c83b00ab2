"""The guarantee tables' part of ``manage.py load_reference`` (core.registry)."""

from guarantees.services import guarantee_tables_load


def reference_load() -> str:
    tables = guarantee_tables_load()  # after the formulas it points at; idempotent
    return f"Guarantees: {tables['rows']} table rows, {tables['cells']} cells, {tables['pmss']} PMSS values."
