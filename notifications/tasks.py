"""Celery tasks of the outbox: ids in, a service call, retries. No business logic here."""

from __future__ import annotations

import logging

from celery import shared_task

from notifications.services import (
    DeliveryFailed,
    notification_deliver,
    notifications_deliver,
    notifications_relay_pending,
)

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_notification(self, notification_id: int) -> str:
    """One notification (a reply, a code): sent as soon as it is queued."""
    try:
        return notification_deliver(notification_id)
    except DeliveryFailed as failure:
        # Eager mode would retry at once in the caller's request: the row keeps the
        # error and stays pending for the relay instead.
        if failure.retry_in is None or self.request.is_eager:
            return "failed" if failure.retry_in is None else "pending"
        raise self.retry(countdown=failure.retry_in, exc=failure)


@shared_task(acks_late=True)
def deliver_notifications(notification_ids: list[int]) -> int:
    """A chunk of notifications (an import's, the relay's) over one SMTP connection. No
    Celery retry: a row the mail server refused keeps its backoff in ``relay_after`` and
    the beat relay queues it again when that has passed."""
    failures = notifications_deliver(notification_ids=notification_ids)
    logger.info(
        "notifications %s..%s: %d queued, %d not delivered",
        min(notification_ids, default=None),
        max(notification_ids, default=None),
        len(notification_ids),
        len(failures),
    )
    return len(notification_ids) - len(failures)


@shared_task
def relay_pending_notifications() -> int:
    return notifications_relay_pending()
