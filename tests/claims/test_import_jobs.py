"""The décomptes import as a background job: the admin stores the file and queues it, the
batch shows its state and counters, a dead worker's batch is queued again, the command
shows a progress bar. (Tasks run eagerly here, as in the embedded defaults; the real
worker killed mid-file is tests/claims/test_import_worker_killed.py.)"""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from claims.models import Decompte, DecompteLine, ImportBatch
from claims.services import (
    decomptes_import,
    decomptes_import_queue,
    decomptes_import_recover,
    decomptes_import_run,
    imports,
)
from members.models import NoemieStatus
from notifications.models import Notification
from tests.claims.conftest import consultation, csv_file

pytestmark = pytest.mark.django_db

IMPORT_URL = "/gestion/claims/importbatch/importer/"


def _upload(client, content: bytes, name: str = "noemie.csv"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def test_the_gestionnaire_uploads_and_follows_the_batch_to_accepted(gestionnaire_client, alice):
    response = _upload(gestionnaire_client, csv_file(consultation("D1", alice), consultation("D2", alice)))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/importbatch/{batch.pk}/change/")
    assert batch.status == ImportBatch.Status.ACCEPTED and batch.created_count == 2
    assert batch.file.name.startswith("imports/") and batch.file.read().startswith(b"numero_decompte;")
    page = gestionnaire_client.get(response["Location"]).content.decode()
    assert "Fichier reçu : il est traité en arrière-plan" in page
    assert "data-import-status=" in page and "import_progress.js" in page and "Accepté" in page
    status = gestionnaire_client.get(f"/gestion/claims/importbatch/{batch.pk}/etat/").json()
    assert status == {
        "status": "accepte",
        "status_label": "Accepté",
        "finished": True,
        "line_count": 2,
        "validated": 2,
        "computed": 2,
        "written": 2,
        "errors": 0,
        "warnings": 1,  # alice's NOEMIE is not active yet
    }


def test_a_refused_file_shows_the_french_report_on_the_batch_page(gestionnaire_client, alice):
    _upload(gestionnaire_client, csv_file(consultation("D1", alice), consultation("D2", alice, rank=9)))
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.REFUSED and Decompte.objects.count() == 0
    page = gestionnaire_client.get(f"/gestion/claims/importbatch/{batch.pk}/change/").content.decode()
    assert "Refusé" in page and "rang_beneficiaire" in page and "n&#x27;a pas de bénéficiaire de rang 9" in page
    assert gestionnaire_client.get(f"/gestion/claims/importbatch/{batch.pk}/etat/").json()["errors"] == 1


def test_a_member_cannot_read_a_batch_status(alice_client, alice):
    batch = decomptes_import(content=csv_file(consultation("D1", alice)), file_name="a.csv")
    response = alice_client.get(f"/gestion/claims/importbatch/{batch.pk}/etat/")
    assert response.status_code == 302 and "/gestion/login/" in response["Location"]


def test_the_upload_only_queues_the_batch_for_a_worker(alice, gestionnaire, monkeypatch):
    queued = []
    monkeypatch.setattr("claims.tasks.run_decomptes_import.delay", queued.append)
    upload = SimpleUploadedFile("a.csv", csv_file(consultation("D1", alice)))
    with TestCase.captureOnCommitCallbacks(execute=True):
        batch = decomptes_import_queue(upload=upload, imported_by=gestionnaire)
    assert queued == [batch.pk]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.QUEUED and Decompte.objects.count() == 0
    assert batch.status_json()["status_label"] == "En attente"


def test_a_batch_delivered_twice_runs_once(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = decomptes_import(content=csv_file(consultation("D1", alice)), file_name="a.csv")
    again = decomptes_import_run(batch_id=batch.pk)
    assert again.status == ImportBatch.Status.ACCEPTED and again.attempts == 1
    assert Decompte.objects.count() == 1 and Notification.objects.count() == 1


def test_a_batch_whose_worker_died_is_queued_again_then_refused_after_three_attempts(alice, monkeypatch):
    queued = []
    monkeypatch.setattr("claims.tasks.run_decomptes_import.delay", queued.append)
    batch = imports._batch_create(content=csv_file(consultation("D1", alice)), file_name="a.csv", imported_by=None)
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    ImportBatch.objects.filter(pk=batch.pk).update(status="en_cours", heartbeat_at=long_ago, attempts=1)
    fresh = ImportBatch.objects.create(file_name="b.csv", status="en_cours", heartbeat_at=timezone.now())
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert decomptes_import_recover() == [batch.pk]
    assert queued == [batch.pk] and ImportBatch.objects.get(pk=fresh.pk).status == "en_cours"
    assert decomptes_import_run(batch_id=batch.pk).status == ImportBatch.Status.ACCEPTED
    # A file that kills its worker every time ends refused, with nothing written.
    ImportBatch.objects.filter(pk=fresh.pk).update(heartbeat_at=long_ago, attempts=3)
    decomptes_import_recover()
    refused = ImportBatch.objects.get(pk=fresh.pk)
    assert refused.status == ImportBatch.Status.REFUSED
    assert refused.errors[0]["reason"].startswith("Le traitement du fichier a échoué plusieurs fois")


def test_a_noemie_decompte_for_a_person_not_teletransmitted_is_imported_with_a_warning(alice):
    alice.beneficiaries.filter(rank=1).update(noemie_status=NoemieStatus.ACTIVE)
    alice.beneficiaries.filter(rank=3).update(noemie_status=NoemieStatus.INACTIVE, noemie_reason="autre")
    batch = decomptes_import(
        content=csv_file(
            consultation("D1", alice),
            consultation("D2", alice, rank=3),
            consultation("D3", alice, rank=3),
            consultation("D4", alice, rank=3, origin="papier"),
        ),
        file_name="noemie.csv",
    )
    assert batch.status == ImportBatch.Status.ACCEPTED and batch.created_count == 4
    leo = alice.beneficiaries.get(rank=3)
    assert batch.warnings == [
        {
            "line": 3,
            "column": "origine",
            "reason": f"Décompte NOEMIE pour {leo.full_name}, dont la télétransmission n'est pas active : importé, "
            "vérifiez son statut NOEMIE.",
        }
    ]


def test_lists_of_ids_are_read_a_chunk_at_a_time(alice, monkeypatch):
    # PostgreSQL binds at most 65,535 parameters: a 100,000-line file needs chunks.
    monkeypatch.setattr(imports, "IN_CHUNK", 2)
    content = csv_file(*(consultation(f"C{index}", alice, rank=1 + index % 3) for index in range(5)))
    batch = decomptes_import(content=content, file_name="a.csv")
    assert batch.status == ImportBatch.Status.ACCEPTED and batch.created_count == 5
    assert decomptes_import(content=content, file_name="a.csv").unchanged_count == 5
    assert DecompteLine.objects.count() == 5


def test_the_command_shows_a_progress_bar_on_stderr(alice, tmp_path):
    path = tmp_path / "noemie.csv"
    path.write_bytes(csv_file(consultation("D1", alice), consultation("D2", alice)))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_decomptes", str(path), stdout=out, stderr=err)
    assert "Fichier accepté : 2 lignes, 2 décomptes créés" in out.getvalue()
    assert "avertissement : ligne 2, origine: Décompte NOEMIE pour" in out.getvalue()
    progress = err.getvalue()
    # The number of lines is known once validated: the later phases draw a bar.
    assert progress.startswith("\rvalidation ") and "\rcalcul      [#####" in progress
    assert "\récriture    [##############################]         2 / 2 lignes\n" in progress


def test_an_unexpected_error_refuses_the_batch_instead_of_a_500(gestionnaire_client, alice, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database lost")

    monkeypatch.setattr(imports, "_compute", broken)
    response = _upload(gestionnaire_client, csv_file(consultation("D1", alice)))
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.REFUSED and Decompte.objects.count() == 0
    assert batch.errors[0]["reason"].startswith("Le traitement du fichier s'est arrêté sur une erreur inattendue")


def test_a_run_whose_batch_was_given_to_another_worker_writes_nothing(alice, monkeypatch):
    # A write so long that the heartbeat looked stale: the recovery queued the batch again
    # and another worker claimed it (attempt 2). The first run must not commit too.
    batch = imports._batch_create(content=csv_file(consultation("D1", alice)), file_name="a.csv", imported_by=None)
    compute = imports._compute

    def compute_then_lose_the_batch(*args, **kwargs):
        compute(*args, **kwargs)
        ImportBatch.objects.filter(pk=batch.pk).update(attempts=2)

    monkeypatch.setattr(imports, "_compute", compute_then_lose_the_batch)
    result = decomptes_import_run(batch_id=batch.pk)
    assert result.status == ImportBatch.Status.RUNNING and result.attempts == 2
    assert Decompte.objects.count() == 0 and Notification.objects.count() == 0
