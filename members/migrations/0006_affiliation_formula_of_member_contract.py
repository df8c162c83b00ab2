"""An affiliation's formula belongs to its member's contract, checked by the database.

``Affiliation.clean()`` says it in French to the gestionnaire; this trigger makes sure no
write path (bulk creation, ``queryset.update()``, raw SQL, a form that skipped clean)
stores an affiliation to another contract's formula. A CheckConstraint cannot read two
other tables, hence a BEFORE INSERT/UPDATE row trigger, on SQLite and PostgreSQL.

When the member or the formula is not there yet (PostgreSQL defers foreign keys: a bulk
COPY may write affiliations before their members), a lookup gives NULL and the comparison
is not true: the foreign key checks existence at commit. Not covered: changing the
contract of a member or of a formula afterwards (the admin form checks a member's
affiliations against a new contract; reference data is not edited by hand).
"""

from django.db import migrations

MESSAGE = "affiliation_formula_of_member_contract"
MISMATCH = (
    "(SELECT contract_id FROM members_formula WHERE id = NEW.formula_id)"
    " <> (SELECT contract_id FROM members_member WHERE id = NEW.member_id)"
)
SQLITE_TRIGGERS = {
    "members_affiliation_contract_insert": "BEFORE INSERT ON members_affiliation",
    "members_affiliation_contract_update": "BEFORE UPDATE OF formula_id, member_id ON members_affiliation",
}


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name, when in SQLITE_TRIGGERS.items():
            schema_editor.execute(
                f"CREATE TRIGGER {name} {when} FOR EACH ROW WHEN {MISMATCH} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION members_affiliation_contract_check() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF {MISMATCH} THEN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation'; END IF; "
            "RETURN NEW; END $$"
        )
        schema_editor.execute(
            "CREATE TRIGGER members_affiliation_contract BEFORE INSERT OR UPDATE OF formula_id, member_id "
            "ON members_affiliation FOR EACH ROW EXECUTE FUNCTION members_affiliation_contract_check()"
        )
    else:
        raise NotImplementedError(f"The affiliation trigger is written for SQLite and PostgreSQL, not {vendor}.")


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS members_affiliation_contract ON members_affiliation")
        schema_editor.execute("DROP FUNCTION IF EXISTS members_affiliation_contract_check()")


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0005_household_version"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger),
    ]
