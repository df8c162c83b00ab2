"""The outbox at volume against the real services of CI's second run: a real Celery worker
sends chunks of notifications to a real SMTP server (aiosmtpd) and is killed (SIGKILL)
in the middle of a chunk. Nothing is lost, and only the chunk in flight may be sent twice."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter

import pytest
from django.test import override_settings
from django.utils import timezone

from notifications.models import Notification, NotificationStatus, SecurityKind
from notifications.services import notifications_publish, notifications_relay_pending
from tests.notifications.test_real_worker import BASE_DIR, _broker_url, _test_database_url, _wait, real_broker  # noqa: F401
from tools.smtp_sink import SmtpSink

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("PORTAL_REAL_SERVICES"),
        reason="needs the real PostgreSQL and Redis of CI's second run (source var/ci-services.env)",
    ),
]

CHUNK = 50
COUNT = 300


def _start_worker(sink: SmtpSink, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.local",
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": _broker_url(),
        "REDIS_URL": _broker_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": sink.host,
        "EMAIL_PORT": str(sink.port),
        "EMAIL_USE_TLS": "0",
        "NOTIFICATIONS_CHUNK_SIZE": str(CHUNK),
    }
    with log.open("ab") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"outbox-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return process


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def slow_sink():
    sink = SmtpSink(delay=0.01).start()  # 100 e-mails/s at most: a chunk of 50 takes half a second
    yield sink
    sink.stop()


def test_a_worker_killed_mid_chunk_loses_nothing_and_resends_at_most_that_chunk(real_broker, slow_sink, tmp_path):  # noqa: F811
    rows = Notification.objects.bulk_create(
        [
            Notification(
                kind=SecurityKind.PROFILE_UPDATED,
                key=f"killed-worker:{index}",
                to=f"assure{index}@example.fr",
                subject="Vos coordonnées ont été modifiées",
                body_text="Bonjour,",
            )
            for index in range(COUNT)
        ]
    )
    ids = [row.pk for row in rows]
    log = tmp_path / "worker.log"
    first = _start_worker(slow_sink, log)
    second = None
    try:
        _wait(lambda: " ready." in log.read_text(errors="replace") or first.poll() is not None, 60, "the worker")
        with override_settings(NOTIFICATIONS_CHUNK_SIZE=CHUNK):
            assert notifications_publish(ids) == COUNT
        # Killed in the middle of its second chunk: 50 committed, some of the next 50 sent.
        _wait(lambda: slow_sink.count >= CHUNK + CHUNK // 2, 60, f"75 e-mails; log:\n{log.read_text()[-3000:]}")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        time.sleep(0.2)  # the sink finishes the message it was accepting
        received_at_kill = slow_sink.count
        sent_at_kill = Notification.objects.filter(status=NotificationStatus.SENT).count()
        assert sent_at_kill % CHUNK == 0 and sent_at_kill < received_at_kill <= sent_at_kill + CHUNK
        # The killed chunk's task is unacknowledged: its rows are pending again (the
        # transaction rolled back with the dead connection), not half-written.
        assert Notification.objects.filter(status=NotificationStatus.PENDING).count() == COUNT - sent_at_kill
        assert not Notification.objects.filter(status=NotificationStatus.PENDING).exclude(attempts=0).exists()

        # The beat relay, once the in-flight grace has passed, queues what is still
        # pending: the killed chunk, and again the chunks still in the queue (their
        # duplicate tasks must not send anything twice).
        Notification.objects.filter(status=NotificationStatus.PENDING).update(
            created_at=timezone.now() - dt.timedelta(hours=1), relay_after=timezone.now() - dt.timedelta(seconds=1)
        )
        with override_settings(NOTIFICATIONS_CHUNK_SIZE=CHUNK):
            assert notifications_relay_pending() == COUNT - sent_at_kill
        second = _start_worker(slow_sink, log)
        _wait(
            lambda: Notification.objects.filter(status=NotificationStatus.SENT).count() == COUNT,
            120,
            f"every notification sent; log:\n{log.read_text(errors='replace')[-3000:]}",
        )
        import redis

        queue = redis.Redis.from_url(_broker_url())
        _wait(lambda: queue.llen("celery") == 0, 60, "the queue to drain")
        time.sleep(1.5)  # the last duplicate tasks finish
    finally:
        _stop(first)
        if second is not None:
            _stop(second)

    received = Counter(slow_sink.recipients)
    assert set(received) == {f"assure{index}@example.fr" for index in range(COUNT)}  # none lost
    twice = sorted(int(address[len("assure") : -len("@example.fr")]) for address, n in received.items() if n > 1)
    assert all(n <= 2 for n in received.values())
    # Only the chunk in flight when the worker died: 1 to 49 of its e-mails, all in it.
    assert 0 < len(twice) <= CHUNK - 1 and twice[-1] - twice[0] < CHUNK
    assert sum(received.values()) == COUNT + len(twice) == received_at_kill - sent_at_kill + COUNT
    finished = Notification.objects.filter(status=NotificationStatus.SENT)
    assert set(finished.values_list("attempts", flat=True)) == {1}
    assert not finished.exclude(subject="", body_text="").exists()  # blanked once sent
