"""The claims version (claims.ClaimsVersion), kept by database triggers.

Every INSERT, UPDATE or DELETE of a décompte, of a décompte line (through its décompte) or of
a yearly total bumps the version of the member concerned, whatever wrote it. On PostgreSQL
the triggers are per statement, over the statement's transition tables: a bulk insert of
thousands of rows costs one upsert per member it touched, not one per row. SQLite
(development, tests) bumps per row.

A bump inserts the member's row when missing (``ON CONFLICT`` upsert); a delete only
updates, since the member itself may be on its way out in the same transaction.
"""

import django.db.models.deletion
from django.db import migrations, models

# Tables are named literally: a trigger is SQL, and these are the tables of this app. Each
# with how a row names its member: a line through its décompte.
MEMBER_OF = {
    "claims_decompte": "{row}.member_id",
    "claims_yeartotal": "{row}.member_id",
    "claims_decompteline": "(SELECT member_id FROM claims_decompte WHERE id = {row}.decompte_id)",
}
SET_MEMBERS = {
    "claims_decompte": "SELECT member_id FROM {rows}",
    "claims_yeartotal": "SELECT member_id FROM {rows}",
    "claims_decompteline": "SELECT member_id FROM claims_decompte WHERE id IN (SELECT decompte_id FROM {rows})",
}
UPSERT = (
    "INSERT INTO claims_claimsversion (member_id, version) SELECT DISTINCT member_id, 1 FROM ({members}) AS m "
    "WHERE member_id IS NOT NULL ON CONFLICT (member_id) DO UPDATE SET version = claims_claimsversion.version + 1"
)
BUMP = "UPDATE claims_claimsversion SET version = version + 1 WHERE member_id IN ({members})"


def sqlite_triggers(table):
    old, new = MEMBER_OF[table].format(row="OLD"), MEMBER_OF[table].format(row="NEW")
    return {
        f"{table}_cv_insert": ("AFTER INSERT", UPSERT.format(members=f"SELECT {new} AS member_id")),
        f"{table}_cv_update": (
            "AFTER UPDATE",
            UPSERT.format(members=f"SELECT {old} AS member_id UNION SELECT {new}"),
        ),
        f"{table}_cv_delete": ("AFTER DELETE", BUMP.format(members=f"SELECT {old}")),
    }


def postgresql_functions(table):
    new, old = SET_MEMBERS[table].format(rows="new_rows"), SET_MEMBERS[table].format(rows="old_rows")
    return {
        f"{table}_cv_inserted": UPSERT.format(members=new) + ";",
        f"{table}_cv_updated": UPSERT.format(members=f"{new} UNION {old}") + ";",
        f"{table}_cv_deleted": BUMP.format(members=old) + ";",
    }


def postgresql_triggers(table):
    return {
        f"{table}_cv_insert": ("AFTER INSERT", "REFERENCING NEW TABLE AS new_rows", f"{table}_cv_inserted"),
        f"{table}_cv_update": (
            "AFTER UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", f"{table}_cv_updated"
        ),
        f"{table}_cv_delete": ("AFTER DELETE", "REFERENCING OLD TABLE AS old_rows", f"{table}_cv_deleted"),
    }


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table in MEMBER_OF:
            for name, (when, statement) in sqlite_triggers(table).items():
                schema_editor.execute(f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW BEGIN {statement}; END")
    elif vendor == "postgresql":
        for table in MEMBER_OF:
            for name, body in postgresql_functions(table).items():
                schema_editor.execute(
                    f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
                )
            for name, (when, transition, function) in postgresql_triggers(table).items():
                schema_editor.execute(
                    f"CREATE TRIGGER {name} {when} ON {table} {transition} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
                )
    else:
        raise NotImplementedError(f"Claims version triggers are written for SQLite and PostgreSQL, not {vendor}.")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in MEMBER_OF:
        for name in sqlite_triggers(table):
            if vendor == "sqlite":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
            elif vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        if vendor == "postgresql":
            for name in postgresql_functions(table):
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0002_yeartotal'),
        ('members', '0006_affiliation_formula_of_member_contract'),
    ]

    operations = [
        migrations.CreateModel(
            name='ClaimsVersion',
            fields=[
                ('member', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='claims_version', serialize=False, to='members.member', verbose_name='assuré')),
                ('version', models.PositiveBigIntegerField(default=0, verbose_name='version')),
            ],
            options={
                'verbose_name': 'version des remboursements',
                'verbose_name_plural': 'versions des remboursements',
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
