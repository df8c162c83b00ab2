"""Celery tasks of the claims app: a service call, no logic."""

from __future__ import annotations

from celery import shared_task

from claims.services.rights import rights_notifications_sweep


@shared_task
def rights_notifications_daily() -> dict[str, int]:
    return rights_notifications_sweep()
