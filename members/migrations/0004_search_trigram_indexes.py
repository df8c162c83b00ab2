"""Trigram indexes for the gestionnaires' member search on PostgreSQL.

The admin search matches any part of a member number, e-mail, name or NIR
(``icontains``, which Django writes ``UPPER(col::text) LIKE UPPER('%term%')``): without
these GIN indexes every search reads the 100,000 members and their household. Other
databases (SQLite in development and tests) keep their plain scan.
"""

from django.db import migrations

TRIGRAM_INDEXES = {
    "member_number_trgm": ("members_member", "number"),
    "member_email_trgm": ("members_member", "email"),
    "beneficiary_last_name_trgm": ("members_beneficiary", "last_name"),
    "beneficiary_first_name_trgm": ("members_beneficiary", "first_name"),
    "beneficiary_nir_trgm": ("members_beneficiary", "nir"),
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("members", "0003_portability_profile")]

    operations = [migrations.RunPython(create_trigram_indexes, drop_trigram_indexes)]
