"""A real Celery worker killed (SIGKILL) in the middle of writing a décomptes file, against
the real PostgreSQL and Redis of CI's second run: nothing of the file is left in the
business tables, the batch stays ``en cours`` until its heartbeat is stale, then it is
queued again and a second worker imports it whole, with one alert per décompte."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from claims.models import Decompte, DecompteLine, ImportBatch
from claims.services import decomptes_import_queue, decomptes_import_recover
from notifications.models import Notification
from tests.notifications.test_real_worker import (  # noqa: F401
    BASE_DIR,
    _broker_url,
    _test_database_url,
    _wait,
    real_broker,
)
from tools.decomptes_file import bench_members, decomptes_csv

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("PORTAL_REAL_SERVICES"),
        reason="needs the real PostgreSQL and Redis of CI's second run (source var/ci-services.env)",
    ),
]

LINES = 30_000  # six COPY batches of décompte lines: time to be caught in the middle


def _start_worker(tmp_path, name: str):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.local",
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": _broker_url(),
        "REDIS_URL": _broker_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PORTAL_VAR_DIR": str(tmp_path),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),  # where the upload was stored
    }
    log = tmp_path / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-l", "info"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
                *("-n", f"{name}-{uuid.uuid4().hex[:8]}@%h"),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    _wait(lambda: " ready." in log.read_text(errors="replace") or process.poll() is not None, 60, "the worker")
    assert process.poll() is None, log.read_text(errors="replace")[-3000:]
    return process, log


def _stop(process) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _copying_lines() -> bool:
    """Some backend is inside the import's write transaction, copying décompte lines."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND query LIKE 'COPY \"claims_decompteline\"%%' AND state <> 'idle'"
        )
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_while_writing_leaves_nothing_and_the_batch_is_imported_again(
    real_broker,  # noqa: F811
    gestionnaire,
    tmp_path,
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    members = bench_members(LINES // 20)
    content = decomptes_csv([m.number for m in members], LINES)
    first, first_log = _start_worker(tmp_path, "import-1")
    try:
        batch = decomptes_import_queue(
            upload=SimpleUploadedFile("noemie.csv", content, content_type="text/csv"), imported_by=gestionnaire
        )
        _wait(_copying_lines, 180, f"the write phase; worker log:\n{first_log.read_text(errors='replace')[-3000:]}")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        _stop(first)

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.RUNNING and batch.attempts == 1
    assert batch.validated_count == LINES and batch.computed_count == LINES  # it died after both
    _wait(lambda: not _copying_lines(), 30, "PostgreSQL to end the dead worker's transaction")
    assert Decompte.objects.count() == DecompteLine.objects.count() == Notification.objects.count() == 0

    # No heartbeat for 5 minutes: the recovery (a beat task) queues it again.
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=6))
    assert decomptes_import_recover() == [batch.pk]
    second, second_log = _start_worker(tmp_path, "import-2")
    try:
        _wait(
            lambda: ImportBatch.objects.get(pk=batch.pk).is_finished,
            300,
            f"the second attempt; worker log:\n{second_log.read_text(errors='replace')[-3000:]}",
        )
    finally:
        _stop(second)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.ACCEPTED, batch.errors[:3]
    assert (batch.attempts, batch.created_count, batch.written_count) == (2, LINES, LINES)
    assert Decompte.objects.count() == DecompteLine.objects.count() == LINES
    assert Notification.objects.filter(kind="decompte").count() == LINES  # one alert per new paid décompte
