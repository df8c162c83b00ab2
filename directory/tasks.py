"""Celery tasks of the directory: they take ids and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_directory_import(job_id: int) -> None:
    from directory.models import DirectoryImport
    from directory.services import directory_import_run
    from documents.imports import job_fail

    try:
        directory_import_run(job_id=job_id)
    except Exception:
        # Logged with its id only (no line of the file: they hold health data).
        logger.exception("import %s failed", job_id)
        job_fail(DirectoryImport, job_id)


@shared_task
def recover_directory_imports() -> None:
    from directory.services import directory_import_recover

    directory_import_recover()
