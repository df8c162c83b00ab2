"""Celery tasks of the directory: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_directory_import(job_id: int) -> None:
    from directory.services import directory_import_run

    directory_import_run(job_id=job_id)


@shared_task
def recover_directory_imports() -> None:
    from directory.services import directory_import_recover

    directory_import_recover()
