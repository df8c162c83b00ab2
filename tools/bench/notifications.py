"""Benchmarks of the outbox (``manage.py bench --only notifications``, issue 19):

* e-mails handed to a local SMTP sink (aiosmtpd, ``tools.smtp_sink``) per second by one
  real Celery worker process (solo pool), from rows published in chunks as an import does
  (``notifications_publish``), beside Django sending the same e-mails in-process to the
  same sink, one ``send()`` each: the baseline;
* the same worker with one task per e-mail (``notification_publish``, the path of a single
  reply or code), for comparison.

Needs a reachable Redis broker and a database another process can read (PostgreSQL, or a
SQLite file). The rows are committed (the worker must see them) and deleted afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

from django.conf import settings
from django.db import connection
from django.test import override_settings

from tools.benchmarking import Figure

EMAILS = int(os.environ.get("BENCH_EMAILS", "3000"))
SINGLE_EMAILS = int(os.environ.get("BENCH_SINGLE_EMAILS", "300"))
MEMBERS = 50
CONTEXT = {"amount": "24,00\u00a0€", "payment_date": "15/10/2026", "path": "/remboursements/"}


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _members(tag: str):
    from members.models import Contract, Member

    contract = Contract.objects.get(number="T331")
    return Member.objects.bulk_create(
        [
            Member(
                number=f"N{tag}{index:04d}",
                contract=contract,
                address_line1="1 rue du Banc",
                postcode="69003",
                city="Lyon",
                status_since="2015-01-01",
                email=f"bench-mail{index}@example.fr",
            )
            for index in range(MEMBERS)
        ]
    )


def _rows(members, count: int, tag: str) -> list[int]:
    from notifications.models import Notification

    rows = Notification.objects.bulk_create(
        [
            Notification(
                member=members[index % len(members)],
                kind="decompte",
                key=f"bench-mail-{tag}-{index}",
                template="decompte-new",
                context=CONTEXT,
            )
            for index in range(count)
        ]
    )
    return [row.pk for row in rows]


def _start_worker(sink) -> subprocess.Popen:
    env = {
        **os.environ,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": sink.host,
        "EMAIL_PORT": str(sink.port),
        "EMAIL_USE_TLS": "0",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "-l",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            "celery",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _drain(sink, publish, count: int) -> tuple[int, float]:
    """Publish, then wait until the sink has ``count`` more messages: (delivered, seconds)."""
    before = sink.count
    started = time.perf_counter()
    publish()
    deadline = time.monotonic() + 600
    while sink.count - before < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return sink.count - before, time.perf_counter() - started


def bench_emails() -> list[Figure]:
    from core.emails import build_email
    from members.models import Member
    from notifications.models import Notification, NotificationStatus
    from notifications.services import notification_publish, notifications_publish
    from portal.celery import app as celery_app
    from tools.smtp_sink import SmtpSink

    if not _redis_reachable() or (
        connection.vendor == "sqlite" and ":memory:" in str(connection.settings_dict["NAME"])
    ):
        return [Figure("notifications: e-mails/s by one worker (not measured: no Redis broker reachable)", 0, "-")]
    tag = uuid.uuid4().hex[:5]
    sink = SmtpSink().start()
    members = _members(tag)
    worker = None
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=sink.host,
            EMAIL_PORT=sink.port,
            EMAIL_USE_TLS=False,
        ):
            count = min(EMAILS, 1000)
            started = time.perf_counter()
            for index in range(count):
                build_email("decompte-new", members[index % MEMBERS].email, CONTEXT).send()
            direct = count / (time.perf_counter() - started)
        chunked_ids = _rows(members, EMAILS, f"{tag}-c")
        single_ids = _rows(members, SINGLE_EMAILS, f"{tag}-s")
        worker = _start_worker(sink)
        time.sleep(5)  # worker start-up is not part of the figure
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = False
        try:
            chunked, chunked_seconds = _drain(sink, lambda: notifications_publish(chunked_ids), EMAILS)
            single, single_seconds = _drain(
                sink, lambda: [notification_publish(pk) for pk in single_ids], SINGLE_EMAILS
            )
        finally:
            celery_app.conf.task_always_eager = eager
        time.sleep(0.5)  # the last chunk's commit
        sent = Notification.objects.filter(pk__in=chunked_ids, status=NotificationStatus.SENT).count()
        baseline_name = "Django sending the same e-mails in-process to the same sink, one send() each"
        return [
            Figure(
                f"notifications: e-mails/s by one worker, chunks of {settings.NOTIFICATIONS_CHUNK_SIZE} "
                f"({chunked}/{EMAILS} received, {sent} marked sent)",
                chunked / chunked_seconds,
                "mails/s",
                baseline=direct,
                baseline_name=baseline_name,
                target=">= 150",
            ),
            Figure(
                f"notifications: e-mails/s by one worker, one task each ({single}/{SINGLE_EMAILS})",
                single / single_seconds,
                "mails/s",
                baseline=direct,
                baseline_name=baseline_name,
                target="(reported)",
            ),
        ]
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        sink.stop()
        Member.objects.filter(pk__in=[m.pk for m in members]).delete()


BENCHMARKS = [bench_emails]
