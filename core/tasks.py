"""Celery tasks of the shared core."""

from __future__ import annotations

import time

from celery import shared_task
from django.core.cache import cache

from core.health import HEARTBEAT_KEY


@shared_task(ignore_result=True)
def worker_heartbeat() -> None:
    """Queued by beat every HEALTH_WORKER_HEARTBEAT_SECONDS and run by any worker: its time
    in the shared cache tells the health endpoint that beat and at least one worker run."""
    cache.set(HEARTBEAT_KEY, time.time(), None)
