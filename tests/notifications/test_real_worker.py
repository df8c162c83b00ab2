"""The notification path against the real services of CI's second run: a real Celery
worker process consuming from the real Redis, reading the real PostgreSQL test database,
sends exactly one e-mail per notification, even when tasks are delivered twice or the
broker was down at commit time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from notifications.models import Notification, NotificationStatus
from notifications.services import broker_breaker, notification_publish, notifications_relay_pending
from portal.celery import app as celery_app
from tests.notifications.helpers import reply_to_new_thread

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("PORTAL_REAL_SERVICES"),
        reason="needs the real PostgreSQL and Redis of CI's second run (source var/ci-services.env)",
    ),
]

BASE_DIR = Path(settings.BASE_DIR)
REDIS_DB = 13  # a database of our own on the shared Redis: no other worker takes our tasks


def _broker_url() -> str:
    parts = urlsplit(settings.CELERY_BROKER_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{REDIS_DB}", "", ""))


def _test_database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _sent_emails(folder: Path) -> list[str]:
    """Each message written by Django's file backend starts with its headers."""
    messages = []
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        for chunk in path.read_text(errors="replace").split("-" * 79):
            if "Message-ID:" in chunk:
                messages.append(chunk)
    return messages


@pytest.fixture
def real_broker(monkeypatch):
    import redis

    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot share the SQLite test database")
    redis.Redis.from_url(_broker_url()).flushdb()
    saved = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    celery_app.conf.task_always_eager = False
    # Celery prefers the environment variable to the setting: point both at our database.
    worker_env_url = _broker_url()
    monkeypatch.setenv("CELERY_BROKER_URL", worker_env_url)
    celery_app.conf.broker_url = worker_env_url
    celery_app._pool = celery_app.amqp._producer_pool = None
    broker_breaker.reset()
    yield
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = saved
    celery_app._pool = celery_app.amqp._producer_pool = None
    broker_breaker.reset()


@pytest.fixture
def worker(real_broker, tmp_path):
    """``celery -A portal worker`` in its own process, with e-mails written to files."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.local",
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": _broker_url(),
        "REDIS_URL": _broker_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
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
                f"notifications-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait(lambda: " ready." in log.read_text(errors="replace") or process.poll() is not None, 60, "the worker")
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        yield tmp_path / "emails", log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_real_worker_sends_one_email_per_reply_even_when_tasks_run_twice(alice, gestionnaire, worker):
    emails, log = worker
    first = reply_to_new_thread(alice, gestionnaire, body="Première réponse")
    second = reply_to_new_thread(alice, gestionnaire, body="Seconde réponse")
    notifications = list(Notification.objects.filter(member=alice))
    assert len(notifications) == 2
    for notification in notifications:  # duplicates, as after a redelivery or a relay overlap
        assert notification_publish(notification.pk)
        assert notification_publish(notification.pk)
    _wait(
        lambda: Notification.objects.filter(status=NotificationStatus.SENT).count() == 2,
        60,
        f"two sent notifications; worker log:\n{log.read_text(errors='replace')[-3000:]}",
    )
    import redis

    queue = redis.Redis.from_url(_broker_url())
    _wait(lambda: queue.llen("celery") == 0, 30, "the queue to drain")
    time.sleep(1.5)  # the last duplicates finish
    sent = _sent_emails(emails)
    assert len(sent) == 2, sent
    for message in sent:
        assert f"To: {alice.email}" in message
        assert "Première réponse" not in message and "Seconde réponse" not in message
    assert {first.thread_id, second.thread_id} == {
        int(path) for path in __import__("re").findall(r"/messagerie/(\d+)/", "".join(sent))
    }


def test_a_real_worker_delivers_what_a_dead_broker_left_pending_once(alice, gestionnaire, worker, monkeypatch):
    import socket

    emails, log = worker
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    monkeypatch.setenv("CELERY_BROKER_URL", dead)
    celery_app.conf.broker_url = dead
    celery_app._pool = celery_app.amqp._producer_pool = None
    started = time.monotonic()
    reply_to_new_thread(alice, gestionnaire)
    assert time.monotonic() - started < 3
    assert Notification.objects.get().status == NotificationStatus.PENDING
    # Redis is back: the beat relay hands the row over.
    monkeypatch.setenv("CELERY_BROKER_URL", _broker_url())
    celery_app.conf.broker_url = _broker_url()
    celery_app._pool = celery_app.amqp._producer_pool = None
    broker_breaker.reset()
    Notification.objects.update(created_at=Notification.objects.get().created_at.replace(year=2020))
    assert notifications_relay_pending() == 1
    _wait(
        lambda: Notification.objects.get().status == NotificationStatus.SENT,
        60,
        f"the relayed notification; worker log:\n{log.read_text(errors='replace')[-3000:]}",
    )
    time.sleep(1)
    assert len(_sent_emails(emails)) == 1
