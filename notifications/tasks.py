"""Celery tasks of the outbox: ids in, a service call, retries. No business logic here."""

from __future__ import annotations

from celery import shared_task

from notifications.services import DeliveryFailed, notification_deliver, notifications_relay_pending


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_notification(self, notification_id: int) -> str:
    try:
        return notification_deliver(notification_id)
    except DeliveryFailed as failure:
        # Eager mode would retry at once in the caller's request: the row keeps the
        # error and stays pending for the relay instead.
        if failure.retry_in is None or self.request.is_eager:
            return "failed" if failure.retry_in is None else "pending"
        raise self.retry(countdown=failure.retry_in, exc=failure)


@shared_task
def relay_pending_notifications() -> int:
    return notifications_relay_pending()
