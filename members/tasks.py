"""Celery tasks of the members app: no arguments or ids in, a service call, no logic."""

from __future__ import annotations

from celery import shared_task

from members.portability import portability_sweep


@shared_task
def portability_daily() -> dict[str, int]:
    return portability_sweep()
