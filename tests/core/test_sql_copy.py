"""core.sql's bulk writers: COPY on PostgreSQL (CI's second run), bulk_create elsewhere,
with the same result for the caller."""

import datetime as dt

import pytest

from claims.models import ImportBatch
from core.sql import copy_insert, insert_values

pytestmark = pytest.mark.django_db


def test_copy_insert_writes_the_rows_and_gives_them_their_ids():
    when = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    batches = [
        ImportBatch(file_name=f"f{index}.csv", status="accepte", created_at=when, warnings=[{"line": index}])
        for index in range(7)
    ]
    progress = []
    copy_insert(ImportBatch, batches, batch_size=3, progress=progress.append)
    assert all(batch.pk for batch in batches) and len({batch.pk for batch in batches}) == 7
    assert progress == [3, 6, 7]
    stored = ImportBatch.objects.get(pk=batches[4].pk)
    assert (stored.file_name, stored.created_at, stored.warnings, stored.errors) == ("f4.csv", when, [{"line": 4}], [])
    batches[4].file_name = "renamed.csv"
    batches[4].save()  # an ordinary instance afterwards: save() updates, not inserts
    assert ImportBatch.objects.get(pk=batches[4].pk).file_name == "renamed.csv"
    assert ImportBatch.objects.count() == 7
    # The sequence moved past the ids COPY used: the next ordinary insert does not collide.
    assert ImportBatch.objects.create(file_name="next.csv").pk > max(batch.pk for batch in batches)


def test_insert_values_fills_the_fields_left_out_with_their_defaults():
    insert_values(ImportBatch, [{"file_name": "a.csv", "line_count": 12}, {"file_name": "b.csv", "line_count": 3}])
    rows = list(ImportBatch.objects.order_by("file_name").values_list("file_name", "line_count", "status", "errors"))
    assert rows == [("a.csv", 12, "en_attente", []), ("b.csv", 3, "en_attente", [])]

