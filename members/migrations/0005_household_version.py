"""The household version (members.HouseholdVersion), kept by database triggers.

Every INSERT, UPDATE or DELETE of a member, beneficiary or affiliation, and every UPDATE of
a contract, organisme or formula (what the tiers-payant card and the attestation print),
bumps the version of each member concerned, in the same statement, whatever wrote it:
``save()``, ``queryset.update()``, bulk operations, raw SQL. A new member gets its row from
the member's own INSERT trigger; existing members get theirs here.

On PostgreSQL an UPDATE that changes nothing (``load_reference`` rewrites every reference
row) bumps nothing: ``OLD.* IS DISTINCT FROM NEW.*`` compares whole rows, columns added
later included. SQLite (development, tests) bumps on every UPDATE, which is only wasteful.
"""

import django.db.models.deletion
from django.db import migrations, models

# Tables are named literally: a trigger is SQL, and these are the tables of this app.
BUMP = "UPDATE members_householdversion SET version = version + 1 WHERE member_id"
OF_CONTRACT = "IN (SELECT id FROM members_member WHERE contract_id IN (OLD.id, NEW.id))"
OF_ORGANISME = (
    "IN (SELECT m.id FROM members_member m JOIN members_contract c ON c.id = m.contract_id"
    " WHERE c.organisme_id IN (OLD.id, NEW.id))"
)
OF_FORMULA = "IN (SELECT member_id FROM members_affiliation WHERE formula_id IN (OLD.id, NEW.id))"

SQLITE_TRIGGERS = {
    "members_member_hv_insert": (
        "AFTER INSERT ON members_member",
        "INSERT INTO members_householdversion (member_id, version) VALUES (NEW.id, 1)",
    ),
    "members_member_hv_update": ("AFTER UPDATE ON members_member", f"{BUMP} IN (OLD.id, NEW.id)"),
    "members_beneficiary_hv_insert": ("AFTER INSERT ON members_beneficiary", f"{BUMP} = NEW.member_id"),
    "members_beneficiary_hv_update": (
        "AFTER UPDATE ON members_beneficiary", f"{BUMP} IN (OLD.member_id, NEW.member_id)"
    ),
    "members_beneficiary_hv_delete": ("AFTER DELETE ON members_beneficiary", f"{BUMP} = OLD.member_id"),
    "members_affiliation_hv_insert": ("AFTER INSERT ON members_affiliation", f"{BUMP} = NEW.member_id"),
    "members_affiliation_hv_update": (
        "AFTER UPDATE ON members_affiliation", f"{BUMP} IN (OLD.member_id, NEW.member_id)"
    ),
    "members_affiliation_hv_delete": ("AFTER DELETE ON members_affiliation", f"{BUMP} = OLD.member_id"),
    "members_contract_hv_update": ("AFTER UPDATE ON members_contract", f"{BUMP} {OF_CONTRACT}"),
    "members_organisme_hv_update": ("AFTER UPDATE ON members_organisme", f"{BUMP} {OF_ORGANISME}"),
    "members_formula_hv_update": ("AFTER UPDATE ON members_formula", f"{BUMP} {OF_FORMULA}"),
}

# PostgreSQL: one function per kind of table, row-level AFTER triggers.
POSTGRESQL_FUNCTIONS = {
    "members_hv_member": f"""
        IF TG_OP = 'INSERT' THEN
            INSERT INTO members_householdversion (member_id, version) VALUES (NEW.id, 1);
        ELSE
            {BUMP} IN (OLD.id, NEW.id);
        END IF;""",
    "members_hv_household_row": f"""
        IF TG_OP = 'INSERT' THEN
            {BUMP} = NEW.member_id;
        ELSIF TG_OP = 'UPDATE' THEN
            {BUMP} IN (OLD.member_id, NEW.member_id);
        ELSE
            {BUMP} = OLD.member_id;
        END IF;""",
    "members_hv_contract": f"{BUMP} {OF_CONTRACT};",
    "members_hv_organisme": f"{BUMP} {OF_ORGANISME};",
    "members_hv_formula": f"{BUMP} {OF_FORMULA};",
}
CHANGED = "WHEN (OLD.* IS DISTINCT FROM NEW.*)"
POSTGRESQL_TRIGGERS = {
    "members_member_hv_insert": ("AFTER INSERT ON members_member", "", "members_hv_member"),
    "members_member_hv_update": ("AFTER UPDATE ON members_member", CHANGED, "members_hv_member"),
    "members_beneficiary_hv_insert_delete": (
        "AFTER INSERT OR DELETE ON members_beneficiary", "", "members_hv_household_row"
    ),
    "members_beneficiary_hv_update": ("AFTER UPDATE ON members_beneficiary", CHANGED, "members_hv_household_row"),
    "members_affiliation_hv_insert_delete": (
        "AFTER INSERT OR DELETE ON members_affiliation", "", "members_hv_household_row"
    ),
    "members_affiliation_hv_update": ("AFTER UPDATE ON members_affiliation", CHANGED, "members_hv_household_row"),
    "members_contract_hv_update": ("AFTER UPDATE ON members_contract", CHANGED, "members_hv_contract"),
    "members_organisme_hv_update": ("AFTER UPDATE ON members_organisme", CHANGED, "members_hv_organisme"),
    "members_formula_hv_update": ("AFTER UPDATE ON members_formula", CHANGED, "members_hv_formula"),
}


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name, (when, statement) in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER {name} {when} FOR EACH ROW BEGIN {statement}; END")
    elif vendor == "postgresql":
        for name, body in POSTGRESQL_FUNCTIONS.items():
            schema_editor.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
            )
        for name, (when, condition, function) in POSTGRESQL_TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER {name} {when} FOR EACH ROW {condition} EXECUTE FUNCTION {function}()")
    else:
        raise NotImplementedError(f"Household version triggers are written for SQLite and PostgreSQL, not {vendor}.")
    schema_editor.execute(
        "INSERT INTO members_householdversion (member_id, version) SELECT id, 1 FROM members_member"
    )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif vendor == "postgresql":
        for name, (when, _, _) in POSTGRESQL_TRIGGERS.items():
            table = when.rsplit(" ", 1)[-1]
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for name in POSTGRESQL_FUNCTIONS:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0004_search_trigram_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='HouseholdVersion',
            fields=[
                ('member', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='household_version', serialize=False, to='members.member', verbose_name='assuré')),
                ('version', models.PositiveBigIntegerField(default=1, verbose_name='version')),
            ],
            options={
                'verbose_name': 'version du foyer',
                'verbose_name_plural': 'versions des foyers',
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
