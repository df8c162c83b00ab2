"""Décompte alerts through the real Redis and a real Celery worker (CI's second run)."""

import time

import pytest

from claims.services import decomptes_import
from notifications.models import Notification, NotificationStatus
from tests.claims.conftest import consultation, csv_file
from tests.notifications.test_real_worker import _sent_emails, _wait, real_broker, worker  # noqa: F401

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_one_email_per_decompte_and_none_on_reimport(alice, worker):  # noqa: F811
    emails, log = worker
    content = csv_file(*(consultation(f"W{index:02d}", alice) for index in range(12)))
    started = time.monotonic()
    batch = decomptes_import(content=content, file_name="noemie.csv")
    import_seconds = time.monotonic() - started
    assert batch.created_count == 12
    assert import_seconds < 30  # the import only queues; the worker sends
    _wait(
        lambda: Notification.objects.filter(status=NotificationStatus.SENT).count() == 12,
        90,
        f"12 sent alerts; worker log:\n{log.read_text(errors='replace')[-3000:]}",
    )
    decomptes_import(content=content, file_name="noemie.csv")
    time.sleep(2)
    sent = _sent_emails(emails)
    assert len(sent) == 12
    assert all("Un nouveau remboursement est disponible" in message for message in sent)
    assert all("Dr Martin" not in message for message in sent)
