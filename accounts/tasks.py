"""Celery tasks of the accounts app: ids in, a service call. No logic here."""

from __future__ import annotations

from celery import shared_task

from accounts.services import activation_email_send


# The service only writes rows (the link, and the e-mail's outbox row, which the
# notifications delivery sends and retries): no SMTP failure to retry here.
@shared_task(acks_late=True)
def send_activation_email(member_id: int) -> str:
    return activation_email_send(member_id=member_id)
