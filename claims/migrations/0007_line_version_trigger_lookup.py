"""The décompte lines' version triggers (0003) find each line's member by a lookup of its
décompte's primary key instead of a join (PostgreSQL only; SQLite's per-row triggers
already do so).

Why: the join ``claims_decompte WHERE id IN (SELECT decompte_id FROM new_rows)`` is
planned from the table's statistics. When they say the table is (nearly) empty while the
transaction has just written the décomptes of an import (a new database, or after an
autovacuum that saw a rolled-back import), PostgreSQL scans all of claims_decompte once
per row of the statement: an import of 100,000 lines spent 500 s there instead of
fractions of a second. One index lookup per distinct décompte of the statement costs the
same whatever the statistics say.
"""

from django.db import migrations

OLD_MEMBERS = "SELECT member_id FROM claims_decompte WHERE id IN (SELECT decompte_id FROM {rows})"
# The scalar subquery is an index lookup on the primary key per distinct décompte.
NEW_MEMBERS = (
    "SELECT (SELECT d.member_id FROM claims_decompte AS d WHERE d.id = r.decompte_id) AS member_id "
    "FROM (SELECT DISTINCT decompte_id FROM {rows}) AS r"
)
UPSERT = (
    "INSERT INTO claims_claimsversion (member_id, version) SELECT DISTINCT member_id, 1 FROM ({members}) AS m "
    "WHERE member_id IS NOT NULL ON CONFLICT (member_id) DO UPDATE SET version = claims_claimsversion.version + 1"
)
BUMP = "UPDATE claims_claimsversion SET version = version + 1 WHERE member_id IN ({members})"


def functions(members):
    new, old = members.format(rows="new_rows"), members.format(rows="old_rows")
    return {
        "claims_decompteline_cv_inserted": UPSERT.format(members=new),
        "claims_decompteline_cv_updated": UPSERT.format(members=f"{new} UNION {old}"),
        "claims_decompteline_cv_deleted": BUMP.format(members=old),
    }


def replace_functions(members):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, body in functions(members).items():
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
                f"AS $$ BEGIN {body}; RETURN NULL; END $$"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("claims", "0006_import_batch_jobs")]

    operations = [migrations.RunPython(replace_functions(NEW_MEMBERS), replace_functions(OLD_MEMBERS))]
