"""Delivery by chunks: bulk-published rows go to the worker a chunk per task, sent over one
mail server connection, each outcome recorded on its row; a refused one waits for the
relay after its backoff while the others are sent."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings
from django.utils import timezone

from notifications.models import Notification, NotificationKind, NotificationStatus, SecurityKind
from notifications.services import (
    notification_preference_set,
    notifications_deliver,
    notifications_enqueue_many,
    notifications_relay_pending,
)
from notifications.tasks import deliver_notifications

pytestmark = pytest.mark.django_db


class CountingBackend(EmailBackend):
    """locmem with a connection as the SMTP backend's (``open`` is a no-op while it is up),
    counting the connections opened, and able to refuse one recipient."""

    opened = 0
    refuse = ""
    connected = False

    def open(self):
        if self.connected:
            return False
        CountingBackend.opened += 1
        self.connected = True
        return True

    def close(self):
        self.connected = False

    def send_messages(self, messages):
        for message in messages:
            if CountingBackend.refuse in message.to:
                raise smtplib.SMTPRecipientsRefused({CountingBackend.refuse: (550, b"mailbox unavailable")})
        return super().send_messages(messages)


@pytest.fixture
def counting_backend():
    CountingBackend.opened, CountingBackend.refuse = 0, ""
    with override_settings(EMAIL_BACKEND=f"{__name__}.CountingBackend"):
        yield CountingBackend


def alerts(member, count: int, prefix: str = "decompte") -> list[dict]:
    return [
        {
            "member": member,
            "kind": NotificationKind.DECOMPTE,
            "key": f"{prefix}:{index}",
            "template": "decompte-new",
            "context": {"amount": "24,00\u00a0€", "payment_date": "15/10/2026", "path": "/remboursements/"},
        }
        for index in range(count)
    ]


def test_bulk_rows_are_published_a_chunk_per_task_and_sent_over_one_connection(
    alice, counting_backend, django_capture_on_commit_callbacks, monkeypatch
):
    chunks = []
    real_delay = deliver_notifications.apply_async

    def recording(args, **kwargs):
        chunks.append(len(args[0]))
        return real_delay(args=args, **kwargs)

    monkeypatch.setattr(deliver_notifications, "apply_async", recording)
    with override_settings(NOTIFICATIONS_CHUNK_SIZE=10), django_capture_on_commit_callbacks(execute=True):
        assert notifications_enqueue_many(alerts(alice, 25)) == 25
    assert chunks == [10, 10, 5]
    assert len(mail.outbox) == 25 and {tuple(m.to) for m in mail.outbox} == {(alice.email,)}
    assert counting_backend.opened == 3  # one connection per task, not one per e-mail
    sent = Notification.objects.filter(status=NotificationStatus.SENT)
    assert sent.count() == 25 and set(sent.values_list("attempts", flat=True)) == {1}
    assert not sent.filter(sent_at__isnull=True).exists()


def test_a_chunk_keeps_preferences_and_blanks_security_texts(alice, bob, counting_backend):
    notification_preference_set(member=bob, kind=NotificationKind.DECOMPTE, email_enabled=False)
    rows = notifications_enqueue_many(alerts(alice, 2, "a") + alerts(bob, 2, "b"))
    assert rows == 4
    code = Notification.objects.create(
        kind=SecurityKind.LOGIN_CODE, key="code:1", to="alice@example.fr", subject="Votre code", body_text="123456"
    )
    notifications_deliver(notification_ids=list(Notification.objects.values_list("pk", flat=True)))
    statuses = dict(Notification.objects.values_list("key", "status"))
    assert statuses == {
        "a:0": "sent",
        "a:1": "sent",
        "b:0": "skipped",
        "b:1": "skipped",
        "code:1": "sent",
    }
    code.refresh_from_db()
    assert (code.subject, code.body_text) == ("", "")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, alice.email, "alice@example.fr"])


def test_a_refused_recipient_waits_for_the_relay_and_the_rest_of_the_chunk_is_sent(alice, bob, counting_backend):
    notifications_enqueue_many(alerts(alice, 3, "a") + alerts(bob, 1, "b"))
    counting_backend.refuse = bob.email
    failures = notifications_deliver(notification_ids=list(Notification.objects.values_list("pk", flat=True)))
    assert [f.retry_in for f in failures] == [30]
    refused = Notification.objects.get(key="b:0")
    assert refused.status == NotificationStatus.PENDING and refused.attempts == 1
    assert "SMTPRecipientsRefused" in refused.last_error
    assert timezone.now() + dt.timedelta(seconds=25) < refused.relay_after < timezone.now() + dt.timedelta(seconds=35)
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 3
    # Its backoff has passed: the beat relay hands it over again, and it goes.
    counting_backend.refuse = ""
    Notification.objects.filter(pk=refused.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1), relay_after=timezone.now() - dt.timedelta(seconds=1)
    )
    assert notifications_relay_pending() == 1
    refused.refresh_from_db()
    assert refused.status == NotificationStatus.SENT and refused.attempts == 2
    assert len(mail.outbox) == 4


def test_a_mail_server_that_cannot_be_reached_is_tried_once_per_chunk(alice, monkeypatch):
    notifications_enqueue_many(alerts(alice, 5))
    calls = []

    def unreachable(self):
        calls.append(1)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.open", unreachable, raising=False)
    failures = notifications_deliver(notification_ids=list(Notification.objects.values_list("pk", flat=True)))
    assert len(failures) == 5 and len(calls) == 1
    assert set(Notification.objects.values_list("status", "attempts")) == {(NotificationStatus.PENDING, 1)}


def test_an_opt_in_kind_is_sent_in_a_chunk_only_to_who_turned_it_on(alice, bob, counting_backend):
    """The chunk path reads preferences in bulk with the rule of the single path: an
    opt-in kind (droits restants) stays off until the member turns it on."""
    rows = [
        Notification.objects.create(
            member=member,
            kind=NotificationKind.RIGHTS,
            key=f"rights:{member.pk}",
            template="rights-changed",
            context={"path": "/remboursements/droits-restants/"},
        )
        for member in (alice, bob)
    ]
    notification_preference_set(member=bob, kind=NotificationKind.RIGHTS, email_enabled=True)
    notifications_deliver(notification_ids=[row.pk for row in rows])
    assert [message.to for message in mail.outbox] == [[bob.email]]
    statuses = dict(Notification.objects.values_list("member_id", "status"))
    assert statuses[bob.pk] == NotificationStatus.SENT and statuses[alice.pk] != NotificationStatus.SENT
