"""The one notification path: outbox row in the caller's transaction, Celery after commit,
at most one e-mail per notification, bounded publishing, relay of what is pending."""

import datetime as dt
import smtplib
import time

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from notifications.models import Notification, NotificationKind, NotificationStatus
from notifications.services import (
    broker_breaker,
    notification_deliver,
    notification_preference_set,
    notification_publish,
    notifications_relay_pending,
)
from notifications.tasks import deliver_notification, relay_pending_notifications
from portal.celery import app as celery_app
from tests.notifications.helpers import enqueue


def test_a_notification_is_sent_once_after_commit(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = enqueue(alice)
        assert not mail.outbox  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT and notification.attempts == 1
    assert notification.sent_at is not None
    assert [m.to for m in mail.outbox] == [[alice.email]]


def test_a_rolled_back_transaction_leaves_no_notification(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012 (the block under test is a whole transaction)
        enqueue(alice)
        raise RuntimeError("the business write failed")
    assert not Notification.objects.exists() and not mail.outbox


def test_the_same_key_is_one_notification(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = enqueue(alice)
        second = enqueue(alice)
    assert first.pk == second.pk and len(callbacks) == 1
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1


def test_running_the_task_again_does_not_send_twice(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = enqueue(alice)
    for _ in range(3):
        assert deliver_notification.apply(args=[notification.pk]).get() == NotificationStatus.SENT
    assert len(mail.outbox) == 1
    assert Notification.objects.get().attempts == 1


def test_a_member_who_turned_emails_off_gets_none(alice, django_capture_on_commit_callbacks):
    notification_preference_set(member=alice, kind=NotificationKind.MESSAGE_REPLY, email_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        notification = enqueue(alice)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SKIPPED and not mail.outbox
    # Another kind is still on.
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(alice, key="decompte:1", kind=NotificationKind.DECOMPTE)
    assert len(mail.outbox) == 1


def test_a_member_without_email_address_is_skipped(alice):
    alice.email = ""
    alice.save()
    notification = enqueue(alice)
    assert notification_deliver(notification.pk) == NotificationStatus.SKIPPED
    assert not mail.outbox


def test_context_must_be_plain_values(alice):
    with pytest.raises(TypeError, match="plain value"):
        enqueue(alice, context={"member": alice})
    with pytest.raises(Exception, match="messaging-typo"):
        enqueue(alice, template="messaging-typo")
    assert not Notification.objects.exists()


def test_smtp_failures_are_retried_with_exponential_backoff_then_given_up(alice, monkeypatch):
    notification = enqueue(alice)

    def smtp_down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", smtp_down)
    countdowns = []

    def fake_retry(countdown, exc):
        countdowns.append(countdown)
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(deliver_notification, "retry", fake_retry)
    with override_settings(NOTIFICATIONS_MAX_ATTEMPTS=4):
        for _ in range(3):
            with pytest.raises(Retry):
                deliver_notification.run(notification.pk)
        notification.refresh_from_db()
        assert notification.status == NotificationStatus.PENDING and notification.attempts == 3
        assert "SMTPServerDisconnected" in notification.last_error
        assert notification.relay_after > timezone.now() + dt.timedelta(seconds=120)
        assert deliver_notification.run(notification.pk) == "failed"
    assert countdowns == [30, 60, 120]
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED and notification.attempts == 4


def test_an_smtp_failure_in_eager_mode_keeps_the_row_pending_for_the_relay(alice, monkeypatch):
    notification = enqueue(alice)
    monkeypatch.setattr("django.core.mail.EmailMessage.send", lambda *a, **k: (_ for _ in ()).throw(OSError("refused")))
    assert deliver_notification.apply(args=[notification.pk]).get() == "pending"
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING and notification.attempts == 1


@pytest.fixture
def broker_down(monkeypatch):
    """A real publish (not eager) to a broker port where nothing listens."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    saved = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    celery_app.conf.task_always_eager = False
    # Celery prefers the environment variable (set in CI's second run) to the setting.
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{port}/0")
    celery_app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    yield
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = saved
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_a_dead_broker_neither_blocks_nor_loses_the_notification(
    alice, broker_down, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        notification = enqueue(alice)
    assert time.monotonic() - started < 2
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING and notification.relay_after is None
    assert not mail.outbox
    # Further publishes give up at once while the broker is known to be down.
    started = time.monotonic()
    assert [notification_publish(notification.pk) for _ in range(50)] == [False] * 50
    assert time.monotonic() - started < 0.5


def test_the_relay_delivers_what_the_dead_broker_left_pending_exactly_once(
    alice, monkeypatch, django_capture_on_commit_callbacks
):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    eager, url = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{port}/0")
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = False, f"redis://127.0.0.1:{port}/0"
    celery_app._pool = celery_app.amqp._producer_pool = None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = enqueue(alice, key="message-reply:1")
            second = enqueue(alice, key="message-reply:2")
        assert relay_pending_notifications.run() == 0  # still down
    finally:
        monkeypatch.undo()
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, url
        celery_app._pool = celery_app.amqp._producer_pool = None
    assert Notification.objects.filter(status=NotificationStatus.PENDING).count() == 2 and not mail.outbox
    broker_breaker.reset()  # the broker is back
    assert notifications_relay_pending() == 0  # too fresh: their own publish may still be in flight
    Notification.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert relay_pending_notifications.run() == 2
    assert relay_pending_notifications.run() == 0
    assert sorted(n.status for n in Notification.objects.all()) == [NotificationStatus.SENT] * 2
    assert len(mail.outbox) == 2 and first.pk != second.pk


def test_the_relay_leaves_in_flight_and_finished_rows_alone(alice):
    in_flight = enqueue(alice, key="message-reply:1")
    sent = enqueue(alice, key="message-reply:2")
    Notification.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    Notification.objects.filter(pk=in_flight.pk).update(relay_after=timezone.now() + dt.timedelta(minutes=5))
    Notification.objects.filter(pk=sent.pk).update(status=NotificationStatus.SENT)
    assert notifications_relay_pending() == 0
    Notification.objects.filter(pk=in_flight.pk).update(relay_after=timezone.now() - dt.timedelta(seconds=1))
    assert notifications_relay_pending() == 1
    assert len(mail.outbox) == 1


def test_the_relay_runs_every_minute_in_beat():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["notifications-relay-pending"]
    assert entry["task"] == relay_pending_notifications.name and entry["schedule"] <= 60
