"""Writes on the notification outbox: enqueue (inside the caller's transaction), publish
to the broker (bounded, never blocking), deliver (at most once), relay what is pending.

``notification_deliver`` is the only code of the portal that hands a message to the mail
server (tests/notifications/test_one_email_path.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
import time
import uuid
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import get_template
from django.utils import timezone

from core.emails import build_email
from core.sql import insert_values, sequence_ids
from notifications.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationStatus,
    SecurityKind,
)
from notifications.selectors import notification_kinds_disabled

logger = logging.getLogger(__name__)

# What an e-mail context may hold: plain values, so that no model (and no health detail
# hidden in one) slips into the outbox by accident.
_PLAIN = (str, int, float, bool, type(None), Decimal, dt.date, dt.datetime)


class DeliveryFailed(Exception):
    """The mail server refused or failed; ``retry_in`` is None once attempts are exhausted."""

    def __init__(self, notification_id: int, error: str, retry_in: int | None) -> None:
        super().__init__(f"notification {notification_id}: {error}")
        self.notification_id = notification_id
        self.retry_in = retry_in


def _check(kind: str, template: str, context: dict) -> None:
    if kind not in NotificationKind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    for name, value in context.items():
        if not isinstance(value, _PLAIN):
            raise TypeError(f"Notification context {name!r} must be a plain value, not {type(value).__name__}")


def _check_template(template: str) -> None:
    for part in ("subject.txt", "body.txt", "body.html"):
        get_template(f"emails/{template}-{part}")  # a typo fails now, in the caller's request


def notification_enqueue(*, member, kind: str, key: str, template: str, context: dict) -> Notification:
    """Write a notification in the outbox and hand it to Celery once the transaction commits.

    Call it inside the transaction that writes the business data: the row commits (or
    rolls back) with it. Enqueueing the same ``key`` twice returns the existing row.
    """
    _check(kind, template, context)
    _check_template(template)
    existing = Notification.objects.filter(key=key).first()
    if existing is not None:
        return existing
    notification = Notification(member=member, kind=kind, key=key, template=template, context=context)
    notification.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        return Notification.objects.get(key=key)
    # robust: a failing publish must not break the caller's response or other callbacks.
    transaction.on_commit(partial(notification_publish, notification.pk), robust=True)
    return notification


def security_email_enqueue(
    *, kind: str, to: str, message: EmailMessage, member=None, template: str = ""
) -> Notification | None:
    """Queue a security or transactional e-mail (a code, a link, "your account changed")
    to the explicit address ``to``, whatever the member's preferences.

    ``message`` is already rendered (``core.emails.build_email``, or allauth's own): the
    row keeps its subject and texts, so the task sends exactly what the caller built,
    even from values that do not survive JSON; they are blanked once the e-mail is sent
    or given up, so a code or a link stays in the database only while it is in flight.
    Like ``notification_enqueue``, the row commits or rolls back with the caller's
    transaction and is published after the commit: with CELERY_TASK_ALWAYS_EAGER it is
    sent in-process at once, otherwise a worker sends it as soon as it is queued.
    ``template`` names what built it when that is not the kind (allauth's prefix).
    Returns None when there is no address to write to."""
    if kind not in SecurityKind.values:
        raise ValueError(f"Unknown security e-mail kind {kind!r}")
    if not to:
        return None
    html = ""
    if isinstance(message, EmailMultiAlternatives):
        html = next((str(content) for content, mimetype in message.alternatives if mimetype == "text/html"), "")
    text = str(message.body)
    if message.content_subtype == "html":  # an HTML-only message (an allauth template)
        text, html = "", str(message.body)
    notification = Notification(
        member=member,
        kind=kind,
        key=f"{kind}:{uuid.uuid4().hex}",
        to=to,
        template=template or kind,
        subject=str(message.subject),
        body_text=text,
        body_html=html,
    )
    notification.full_clean(validate_unique=False)
    notification.save()
    transaction.on_commit(partial(notification_publish, notification.pk), robust=True)
    return notification


def _security_message(notification: Notification) -> EmailMessage:
    if not notification.body_text:
        message = EmailMessage(
            notification.subject, notification.body_html, settings.DEFAULT_FROM_EMAIL, [notification.to]
        )
        message.content_subtype = "html"
        return message
    message = EmailMultiAlternatives(
        notification.subject, notification.body_text, settings.DEFAULT_FROM_EMAIL, [notification.to]
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    return message


def _message_for(notification: Notification, disabled: set[tuple[int, str]]) -> tuple[EmailMessage | None, str]:
    """The message to send, or None and why it is skipped; ``disabled`` holds the
    (member id, kind) pairs turned off (``notification_kinds_disabled``)."""
    if notification.is_security:
        return _security_message(notification), ""
    member = notification.member
    if member is None:  # only security e-mails go to an address without a member
        return None, "Aucun assuré ni adresse pour cette notification."
    if (member.pk, notification.kind) in disabled:
        return None, "E-mails désactivés par l'assuré pour ce type de notification."
    if not member.email:
        return None, "L'assuré n'a pas d'adresse e-mail."
    return build_email(notification.template, member.email, notification.context), ""


def notifications_enqueue_many(items: list[dict]) -> int:
    """``notification_enqueue`` for a batch (an import of thousands of décomptes): one
    insert, existing keys left alone, published by chunks after the commit. Each item
    has the keyword arguments of ``notification_enqueue``. Returns how many were new."""
    if not items:
        return 0
    for template in {item["template"] for item in items}:
        _check_template(template)
    for item in items:
        _check(item["kind"], item["template"], item["context"])
    keys = [item["key"] for item in items]
    # Keys a chunk at a time: PostgreSQL binds at most 65,535 parameters per query.
    chunks = [keys[start : start + 10_000] for start in range(0, len(keys), 10_000)]
    existing = {
        key for chunk in chunks for key in Notification.objects.filter(key__any_of=chunk).values_list("key", flat=True)
    }
    fresh = [item for item in items if item["key"] not in existing]
    now = timezone.now()
    # Plain rows, not instances: an import enqueues one per new paid décompte (COPY on
    # PostgreSQL, ids from the sequence so that they can be published).
    rows = [
        {
            **{k: v for k, v in item.items() if k != "member"},
            **({"member_id": item["member"].pk} if "member" in item else {}),
            "created_at": now,
            "updated_at": now,
        }
        for item in fresh
    ]
    try:
        with transaction.atomic():
            new_ids = sequence_ids(Notification, len(rows))
            for row, pk in zip(rows, new_ids, strict=True):
                row["id"] = pk
            insert_values(Notification, rows)
    except IntegrityError:  # another process enqueued one of the keys meanwhile
        Notification.objects.bulk_create(
            [Notification(**item) for item in fresh], batch_size=2000, ignore_conflicts=True
        )
        fresh_keys = [item["key"] for item in fresh]
        new_ids = [
            pk
            for start in range(0, len(fresh_keys), 10_000)
            for pk in Notification.objects.filter(key__in=fresh_keys[start : start + 10_000]).values_list(
                "pk", flat=True
            )
        ]

    transaction.on_commit(partial(notifications_publish, new_ids), robust=True)
    return len(new_ids)


class _BrokerBreaker:
    """After a failed publish, skip publishing for a while in this process: an import of
    10,000 rows must not wait 10,000 times for a dead broker. The relay catches up."""

    down_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self.down_until

    def trip(self) -> None:
        self.down_until = time.monotonic() + settings.NOTIFICATIONS_BROKER_BACKOFF_SECONDS

    def reset(self) -> None:
        self.down_until = 0.0


broker_breaker = _BrokerBreaker()


def notification_publish(notification_id: int) -> bool:
    """Hand one notification id to Celery. Bounded by the broker timeouts of the settings
    (about a second); on failure the row simply stays pending. Returns True if queued."""
    from kombu.exceptions import OperationalError

    from notifications.tasks import deliver_notification

    if broker_breaker.is_open():
        return False
    try:
        deliver_notification.apply_async(args=(notification_id,), retry=False)
    except (OperationalError, OSError) as error:
        broker_breaker.trip()
        logger.warning("Broker unreachable, notification %s stays pending: %s", notification_id, error)
        return False
    except Exception:
        # Eager mode runs the task here: a bug in it must not break the caller's page.
        logger.exception("Publishing notification %s failed", notification_id)
        return False
    grace = dt.timedelta(seconds=settings.NOTIFICATIONS_RELAY_GRACE_SECONDS)
    Notification.objects.filter(pk=notification_id, status=NotificationStatus.PENDING).update(
        relay_after=timezone.now() + grace
    )
    return True


def notifications_publish(notification_ids: list[int]) -> int:
    """Hand notification ids to Celery by chunks of NOTIFICATIONS_CHUNK_SIZE, one task per
    chunk (an import's thousands of rows): the worker sends a chunk over one SMTP
    connection. Bounded like ``notification_publish``; stops at the first failure, the
    rest staying pending for the relay. Returns how many ids were queued."""
    from kombu.exceptions import OperationalError

    from notifications.tasks import deliver_notifications

    size = settings.NOTIFICATIONS_CHUNK_SIZE
    grace = dt.timedelta(seconds=settings.NOTIFICATIONS_RELAY_GRACE_SECONDS)
    published = 0
    for start in range(0, len(notification_ids), size):
        if broker_breaker.is_open():
            break
        chunk = list(notification_ids[start : start + size])
        try:
            deliver_notifications.apply_async(args=(chunk,), retry=False)
        except (OperationalError, OSError) as error:
            broker_breaker.trip()
            logger.warning(
                "Broker unreachable, %d notifications stay pending: %s", len(notification_ids) - start, error
            )
            break
        except Exception:
            logger.exception("Publishing %d notifications failed (first id %s)", len(chunk), chunk[0])
            break
        Notification.objects.filter(pk__in=chunk, status=NotificationStatus.PENDING).update(
            relay_after=timezone.now() + grace
        )
        published += len(chunk)
    return published


def _retry_delay(attempts: int) -> int:
    return min(settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** (attempts - 1), 3600)


def _close_quietly(smtp) -> None:
    # A broken connection: the next send opens a new one.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        smtp.close()


def _deliver_chunk(ids: list[int], smtp, failures: list[DeliveryFailed], relay_grace: int) -> None:
    """Send the pending rows among ``ids`` over the open connection ``smtp``, in one
    transaction that locks them for the whole chunk.

    ``skip_locked``: a row locked by another worker (a duplicate task, a relay that
    overlapped a slow worker) is that worker's, which sends it; this one moves on instead
    of waiting. If this process dies mid-chunk, the transaction rolls back and the chunk's
    rows are pending again: the ones already handed to the mail server are sent twice
    (at most a chunk, NOTIFICATIONS_CHUNK_SIZE), none is lost. Committing per chunk rather
    than per e-mail is what lets one worker send hundreds per second.
    SQLite, which has no row locks, serialises writing transactions instead; it is the
    single-process local setup, where tasks run eagerly."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("member")
            .filter(pk__in=ids, status=NotificationStatus.PENDING)
            .order_by("pk")
        )
        if not rows:
            return
        disabled = notification_kinds_disabled(
            {row.member_id for row in rows if row.member_id is not None and not row.is_security}
        )
        sent: list[int] = []
        skipped: dict[str, list[int]] = {}
        server_down = ""
        for notification in rows:
            message, why = _message_for(notification, disabled)
            if message is None:
                skipped.setdefault(why, []).append(notification.pk)
                continue
            error = server_down
            if not error:
                try:
                    smtp.open()  # a no-op while the connection is up
                    message.connection = smtp
                    message.send(fail_silently=False)
                except (smtplib.SMTPException, OSError) as failure:
                    error = f"{type(failure).__name__}: {failure}"[:2000]
                    _close_quietly(smtp)
                    if isinstance(failure, (smtplib.SMTPConnectError, ConnectionError, TimeoutError)):
                        # The server cannot be reached: the rest of the chunk would wait
                        # for the same timeout, one by one. They share the error.
                        server_down = error
            if error:
                failures.append(_record_failure(notification, error, now, relay_grace))
            else:
                sent.append(notification.pk)
        # A few set-wise updates rather than one per row (a bulk_update of the chunk cost
        # as much as the sending). Subject and texts are blanked: a security e-mail's may
        # hold a code or a link; a member notification's are empty anyway (rendered at send).
        done = {"subject": "", "body_text": "", "body_html": "", "updated_at": timezone.now()}
        if sent:
            Notification.objects.filter(pk__in=sent).update(
                status=NotificationStatus.SENT,
                attempts=F("attempts") + 1,
                sent_at=timezone.now(),
                last_error="",
                **done,
            )
        for why, pks in skipped.items():
            Notification.objects.filter(pk__in=pks).update(status=NotificationStatus.SKIPPED, last_error=why, **done)


def _record_failure(notification: Notification, error: str, now: dt.datetime, relay_grace: int) -> DeliveryFailed:
    notification.attempts += 1
    notification.last_error = error
    if notification.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        notification.status = NotificationStatus.FAILED
        retry_in = None
    else:
        retry_in = _retry_delay(notification.attempts)
        notification.relay_after = now + dt.timedelta(seconds=retry_in + relay_grace)
    if notification.is_security and notification.status != NotificationStatus.PENDING:
        # Given up: the code or link it may hold goes (the row keeps who, what, when).
        notification.subject = notification.body_text = notification.body_html = ""
    notification.save(
        update_fields=[
            "attempts",
            "last_error",
            "status",
            "relay_after",
            "subject",
            "body_text",
            "body_html",
            "updated_at",
        ]
    )
    return DeliveryFailed(notification.pk, error, retry_in)


def notifications_deliver(*, notification_ids: list[int], task_retries: bool = False) -> list[DeliveryFailed]:
    """Send the pending notifications among ``notification_ids`` at most once each, by
    chunks of NOTIFICATIONS_CHUNK_SIZE rows locked together, over one SMTP connection
    reused across the whole call; record each outcome on its row.

    Returns the mail server failures, already recorded: a row to retry keeps its error
    and a ``relay_after`` past its backoff, when the beat relay hands it over again
    (``task_retries``: the calling task retries it itself after the backoff, the relay
    only after its grace period on top)."""
    failures: list[DeliveryFailed] = []
    ids = sorted(set(notification_ids))
    size = settings.NOTIFICATIONS_CHUNK_SIZE
    relay_grace = settings.NOTIFICATIONS_RELAY_GRACE_SECONDS if task_retries else 0
    smtp = get_connection(fail_silently=False)
    try:
        for start in range(0, len(ids), size):
            _deliver_chunk(ids[start : start + size], smtp, failures, relay_grace)
    finally:
        _close_quietly(smtp)
    if failures:
        # Ids only: the error text, kept on the row, may name a recipient's address.
        logger.warning(
            "%d of %d notifications not delivered, ids %s",
            len(failures),
            len(ids),
            [failure.notification_id for failure in failures[:20]],
        )
    return failures


def notification_deliver(notification_id: int) -> str:
    """Send one pending notification's e-mail once and record it; returns its status
    ("pending" while another worker holds it). Raises DeliveryFailed after recording a
    mail server failure."""
    failures = notifications_deliver(notification_ids=[notification_id], task_retries=True)
    if failures:
        raise failures[0]
    status = Notification.objects.filter(pk=notification_id).values_list("status", flat=True).first()
    return status or "missing"


def notifications_relay_pending(*, limit: int = 20000) -> int:
    """Re-publish notifications still pending after a while (broker was down, a message
    was lost, a retry is overdue). Stops at the first publish failure. Returns how many
    were handed to the broker."""
    now = timezone.now()
    min_age = dt.timedelta(seconds=settings.NOTIFICATIONS_RELAY_MIN_AGE_SECONDS)
    from django.db.models import Q

    ids = list(
        Notification.objects.filter(status=NotificationStatus.PENDING, created_at__lte=now - min_age)
        .filter(Q(relay_after__isnull=True) | Q(relay_after__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return notifications_publish(ids)


@transaction.atomic
def notification_preference_set(*, member, kind: str, email_enabled: bool) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.get_or_create(member=member, kind=kind)
    preference.email_enabled = email_enabled
    preference.full_clean()
    preference.save()
    return preference
