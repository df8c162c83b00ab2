"""Celery tasks of the claims app: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_decomptes_import(batch_id: int) -> None:
    from claims.services.imports import decomptes_import_run

    decomptes_import_run(batch_id=batch_id)


@shared_task
def recover_decomptes_imports() -> None:
    from claims.services.imports import decomptes_import_recover

    decomptes_import_recover()
