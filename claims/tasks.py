"""Celery tasks of the claims app: they take ids and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

from claims.services.rights import rights_notifications_sweep

logger = logging.getLogger(__name__)


@shared_task
def rights_notifications_daily() -> dict[str, int]:
    return rights_notifications_sweep()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_decomptes_import(batch_id: int) -> None:
    from claims.models import ImportBatch
    from claims.services.imports import decomptes_import_run
    from documents.imports import job_fail

    try:
        decomptes_import_run(batch_id=batch_id)
    except Exception:
        # Logged with its id only (no line of the file: they hold health data).
        logger.exception("import %s failed", batch_id)
        job_fail(ImportBatch, batch_id)


@shared_task
def recover_decomptes_imports() -> None:
    from claims.services.imports import decomptes_import_recover

    decomptes_import_recover()
