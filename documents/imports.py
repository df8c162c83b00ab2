"""What the gestionnaires' CSV imports (décomptes, annuaire) share as background jobs: the batch row a
gestionnaire watches (state, progress counters, stored file, French report), the progress
writes a worker makes while it runs, and the recovery of a batch whose worker died.

The stored file lives in the private storage (never under a public URL), which is why
this sits beside the other private files. An import runs
in three phases: *validate* and *compute* only read, and publish their counters as they
go (autocommit writes on the batch row, visible at once); *write* is one transaction, so
a worker killed in the middle leaves nothing of the file in the business tables, only a
batch still ``en cours`` whose heartbeat stops: ``stale_batches`` finds it and the app's
recover task queues it again (or refuses it after ``MAX_ATTEMPTS``)."""

from __future__ import annotations

import codecs
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import File
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from core.csv_errors import LineError
from documents.models import private_storage

# How often a running import publishes its counters (lines), and after how long without a
# heartbeat its worker is taken for dead.
PROGRESS_EVERY = 5000
STALE_AFTER = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 3
# The report keeps the first errors: a file refused for a wrong separator would otherwise
# store a million identical lines.
MAX_REPORTED_ERRORS = 1000


def import_file_path(instance: ImportJob, filename: str) -> str:
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.csv"


def text_lines(content: bytes | Iterable[bytes]) -> Iterator[str]:
    """A UTF-8 file (BOM or not) as text lines, decoded as it streams: a stored file is
    never read whole. Raises UnicodeDecodeError where the bytes stop being UTF-8."""
    chunks = [content] if isinstance(content, bytes) else content
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending = ""
    for chunk in chunks:
        pending += decoder.decode(chunk)
        *complete, pending = pending.split("\n")
        for line in complete:
            yield line + "\n"
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


class ImportStatus(models.TextChoices):
    QUEUED = "en_attente", "En attente"
    RUNNING = "en_cours", "En cours"
    ACCEPTED = "accepte", "Accepté"
    REFUSED = "refuse", "Refusé"


class ImportJob(models.Model):
    """Abstract: each import has its table (its own counters and report beside these)."""

    Status = ImportStatus

    file_name = models.CharField("fichier", max_length=200)
    file = models.FileField(storage=private_storage, upload_to=import_file_path, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="importé par",
    )
    created_at = models.DateTimeField("importé le", default=timezone.now)
    status = models.CharField("état", max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    heartbeat_at = models.DateTimeField("dernier signe du traitement", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    line_count = models.PositiveIntegerField("lignes lues", default=0)
    validated_count = models.PositiveIntegerField("lignes validées", default=0)
    computed_count = models.PositiveIntegerField("lignes calculées", default=0)
    written_count = models.PositiveIntegerField("lignes enregistrées", default=0)
    errors = models.JSONField("erreurs", default=list, blank=True)
    error_count = models.PositiveIntegerField("nombre d'erreurs", default=0)
    warnings = models.JSONField("avertissements", default=list, blank=True)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.ACCEPTED, ImportStatus.REFUSED)

    def store(self, source: File | Any, name: str) -> None:
        """Keep the uploaded (or command-line) file in the private storage, streamed."""
        self.file_name = name[:200]
        self.file.save(name, source if isinstance(source, File) else File(source), save=False)

    def open_file(self) -> Iterator[bytes]:
        """The stored file in chunks of 64 KiB (``text_lines`` decodes them)."""
        with self.file.open("rb") as handle:
            yield from handle.chunks()

    def refuse(self, errors: list[LineError], *, count: int | None = None) -> None:
        self.status = ImportStatus.REFUSED
        ordered = sorted(errors, key=LineError.sort_key)
        self.errors = [error.to_dict() for error in ordered[:MAX_REPORTED_ERRORS]]
        self.error_count = count if count is not None else len(errors)
        self.finished_at = timezone.now()

    def progress_key(self) -> str:
        return f"import-progress:{self._meta.label_lower}:{self.pk}"

    def status_json(self) -> dict[str, Any]:
        """What the admin's progress script reads: no member data, only counters."""
        written = self.written_count
        if self.status == ImportStatus.RUNNING:
            # The write phase is one transaction: its counter travels through the cache.
            written = max(written, cache.get(self.progress_key(), 0))
        return {
            "status": self.status,
            "status_label": self.get_status_display(),
            "finished": self.is_finished,
            "line_count": self.line_count,
            "validated": self.validated_count,
            "computed": self.computed_count,
            "written": written,
            "errors": self.error_count,
            "warnings": len(self.warnings),
        }


class Progress:
    """Counters a running import publishes: each call writes the batch row at most every
    ``PROGRESS_EVERY`` lines (plus at phase ends), outside the write transaction; the
    written counter goes to the cache since the write transaction hides the row's update.
    ``callback`` (the management commands' progress bar) sees every call."""

    def __init__(self, job: ImportJob, callback=None) -> None:
        self.job = job
        self.callback = callback
        self._last: dict[str, int] = {}

    def __call__(self, phase: str, count: int, *, force: bool = False) -> None:
        if self.callback is not None:
            self.callback(phase, count, self.job.line_count)
        if not force and count - self._last.get(phase, 0) < PROGRESS_EVERY:
            return
        self._last[phase] = count
        if phase == "written":
            cache.set(self.job.progress_key(), count, timeout=3600)
            return
        field = f"{phase}_count"
        setattr(self.job, field, count)
        self.job.heartbeat_at = timezone.now()
        type(self.job)._default_manager.filter(pk=self.job.pk).update(
            **{field: count, "heartbeat_at": self.job.heartbeat_at}
        )


class TakenOver(Exception):
    """The batch is no longer this run's (the recovery gave it to another worker)."""


def lock_if_ours(job: ImportJob) -> None:
    """Inside the run's final transaction: lock the batch row and check that it is still
    this run's attempt. A run whose heartbeat looked stale (a very long write) may have
    been queued again: only one of the two runs may commit, the other rolls back."""
    current = type(job)._default_manager.select_for_update().only("status", "attempts").get(pk=job.pk)
    if current.status != ImportStatus.RUNNING or current.attempts != job.attempts:
        raise TakenOver(job.pk)


def stale_batches(model: type[ImportJob], *, now: dt.datetime | None = None) -> models.QuerySet:
    """Batches a worker took and stopped reporting on (killed, machine lost)."""
    limit = (now or timezone.now()) - STALE_AFTER
    return model._default_manager.filter(status=ImportStatus.RUNNING, heartbeat_at__lt=limit)


def job_claim(model: type[ImportJob], pk: int) -> bool:
    """Take a queued job for this worker: False when another took it or it is finished (a
    task delivered twice)."""
    now = timezone.now()
    return bool(
        model._default_manager.filter(pk=pk, status=ImportStatus.QUEUED).update(
            status=ImportStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
        )
    )


REPEATED_FAILURE = "Le traitement du fichier a échoué plusieurs fois : rien n'a été importé."


def jobs_recover(model: type[ImportJob], queue: Callable[[int], object]) -> list[int]:
    """Jobs whose worker died: queued again with ``queue(pk)`` once this transaction commits
    (nothing of them was written), or refused after ``MAX_ATTEMPTS`` (a file that kills its
    worker every time). Returns the ids queued."""
    queued = []
    for job in stale_batches(model):
        if job.attempts >= MAX_ATTEMPTS:
            job.refuse([LineError(None, "", REPEATED_FAILURE)])
            job.save()
            continue
        # Only if still the stale run seen above: a worker that reported meanwhile keeps it.
        if model._default_manager.filter(pk=job.pk, status=ImportStatus.RUNNING, heartbeat_at=job.heartbeat_at).update(
            status=ImportStatus.QUEUED
        ):
            transaction.on_commit(partial(queue, job.pk))
            queued.append(job.pk)
    return queued


UNEXPECTED_FAILURE = (
    "Le traitement du fichier s'est arrêté sur une erreur inattendue : rien n'a été importé. "
    "Importez-le à nouveau ; si l'erreur se reproduit, signalez-la à l'équipe technique."
)


def job_fail(model: type[ImportJob], pk: int) -> None:
    """A run that raised (a bug, the database lost): nothing of it was committed; the batch
    says so in French instead of staying ``en cours`` or answering the upload with a 500."""
    job = model._default_manager.get(pk=pk)
    if job.is_finished:
        return
    job.refuse([LineError(None, "", UNEXPECTED_FAILURE)])
    job.save()
