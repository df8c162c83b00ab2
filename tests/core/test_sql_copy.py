"""core.sql's bulk writers: COPY on PostgreSQL (CI's second run), bulk_create elsewhere,
with the same result for the caller."""

import datetime as dt

import pytest
from django.db import connection

from claims.models import ImportBatch
from core.sql import analyze, fetch_value, insert_values, sequence_ids

pytestmark = pytest.mark.django_db


def test_rows_with_ids_from_the_sequence_are_written_and_behave_as_ordinary_rows():
    when = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    ids = sequence_ids(ImportBatch, 7)
    assert len(set(ids)) == 7
    rows = [
        {"id": pk, "file_name": f"f{index}.csv", "status": "accepte", "created_at": when, "warnings": [{"line": index}]}
        for index, pk in enumerate(ids)
    ]
    progress = []
    assert insert_values(ImportBatch, iter(rows), batch_size=3, progress=progress.append) == 7
    assert progress == [3, 6, 7]
    stored = ImportBatch.objects.get(pk=ids[4])
    assert (stored.file_name, stored.created_at, stored.warnings, stored.errors) == ("f4.csv", when, [{"line": 4}], [])
    stored.file_name = "renamed.csv"
    stored.save()
    assert ImportBatch.objects.get(pk=ids[4]).file_name == "renamed.csv" and ImportBatch.objects.count() == 7
    # The ids COPY used are spent: the next ordinary insert does not collide.
    assert ImportBatch.objects.create(file_name="next.csv").pk > max(ids)


def test_insert_values_fills_the_fields_left_out_with_their_defaults():
    insert_values(ImportBatch, [{"file_name": "a.csv", "line_count": 12}, {"file_name": "b.csv", "line_count": 3}])
    rows = list(ImportBatch.objects.order_by("file_name").values_list("file_name", "line_count", "status", "errors"))
    assert rows == [("a.csv", 12, "en_attente", []), ("b.csv", 3, "en_attente", [])]


def test_any_of_finds_the_same_rows_as_in_with_one_parameter():
    ids = sequence_ids(ImportBatch, 5)
    insert_values(ImportBatch, [{"id": pk, "file_name": f"f{pk}.csv"} for pk in ids])
    wanted = [ids[0], ids[3], 10**9]  # one that does not exist
    assert set(ImportBatch.objects.filter(pk__any_of=wanted).values_list("pk", flat=True)) == {ids[0], ids[3]}
    names = [f"f{ids[1]}.csv", f"f{ids[4]}.csv"]
    assert sorted(ImportBatch.objects.filter(file_name__any_of=names).values_list("pk", flat=True)) == [ids[1], ids[4]]
    assert not ImportBatch.objects.filter(pk__any_of=[]).exists()
    assert ImportBatch.objects.exclude(pk__any_of=[]).count() == 5
    sql, params = ImportBatch.objects.filter(pk__any_of=ids).values_list("pk").query.sql_with_params()
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and len(params) == 1


def test_analyze_counts_the_rows_the_transaction_just_wrote():
    insert_values(ImportBatch, [{"file_name": f"f{index}.csv"} for index in range(300)])
    analyze(ImportBatch)  # inside the test's transaction, as in the import's
    if connection.vendor == "postgresql":
        reltuples = fetch_value("SELECT reltuples FROM pg_class WHERE relname = %s", [ImportBatch._meta.db_table])
        assert reltuples >= 300
