"""Celery tasks of the accounts app: ids in, a service call, retries. No logic here."""

from __future__ import annotations

import smtplib

from celery import shared_task

from accounts.services import activation_email_send


# SMTP refusals and timeouts are retried; the service's transaction has kept nothing
# (no link) from the failed attempt.
@shared_task(autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=30, max_retries=5, acks_late=True)
def send_activation_email(member_id: int) -> str:
    return activation_email_send(member_id=member_id)
