"""The gestionnaires' CSV import: all or nothing, with every bad line reported."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from directory.models import DirectoryImport, Professional
from directory.services import DirectoryImportError, directory_import
from tests.directory.helpers import csv_bytes

GOOD = csv_bytes(
    "10001;Dr Claire Martin;generaliste;;12 rue Victor Hugo;69002;Lyon;45,7578;4,8320;04.78.12.34.56;2;oui;oui;non",
    "10002;Optique Bellecour;Opticien;;3 place Bellecour;69002;Lyon;45.7577;4.8322;;;non;oui;oui",
    "10003;Dr Karim Haddad;specialiste;Cardiologie;5 rue Pasteur;69007;Lyon;45.7500;4.8420;+33478000000;1;non;non;non",
)


@pytest.mark.django_db
def test_it_imports_a_good_file_and_normalises_values():
    result = directory_import(content=GOOD)
    assert (result.created, result.updated) == (3, 0)
    claire = Professional.objects.get(identifier="10001")
    assert (claire.latitude, claire.longitude) == (45.7578, 4.832)
    assert claire.phone == "04 78 12 34 56" and claire.optam and claire.tiers_payant and not claire.itelis
    optician = Professional.objects.get(identifier="10002")
    assert optician.kind == "opticien" and optician.itelis and optician.sector == ""
    assert Professional.objects.get(identifier="10003").speciality == "cardiologie"


@pytest.mark.django_db
def test_reimporting_updates_instead_of_duplicating():
    directory_import(content=GOOD)
    changed = GOOD.replace(b"Dr Claire Martin", b"Dr Claire Martin-Durand")
    result = directory_import(content=changed)
    assert (result.created, result.updated) == (0, 3)
    assert Professional.objects.count() == 3
    assert Professional.objects.get(identifier="10001").name == "Dr Claire Martin-Durand"


@pytest.mark.django_db
def test_replace_removes_the_professionals_absent_from_the_file():
    directory_import(content=GOOD)
    result = directory_import(content=csv_bytes(GOOD.decode().splitlines()[1]), replace=True)
    assert result.deleted == 2
    assert list(Professional.objects.values_list("identifier", flat=True)) == ["10001"]


@pytest.mark.django_db
def test_a_file_with_bad_lines_changes_nothing_and_reports_each_of_them():
    directory_import(content=GOOD)
    bad = csv_bytes(
        "10001;Dr Claire Martin;generaliste;;12 rue Victor Hugo;69002;Lyon;45,7578;4,8320;;2;oui;oui;non",
        "20001;Pharmacie X;boulangerie;;1 rue;6900;Lyon;95;4.8;12345;3;peut-être;oui;non",
        "20002;Dr Y;specialiste;;1 rue;69001;Lyon;45.7;abc;;1;non;non;non",
        "20003;Pharmacie Z;pharmacie;;1 rue;69001;Lyon;45.7;4.8;;;oui;oui;non",
        "10001;Doublon;pharmacie;;1 rue;69001;Lyon;45.7;4.8;;;non;oui;non",
    )
    with pytest.raises(DirectoryImportError) as failure:
        directory_import(content=bad)
    reported = {(e.line, e.column) for e in failure.value.errors}
    assert reported == {
        (3, "type"),
        (3, "code_postal"),
        (3, "latitude"),
        (3, "telephone"),
        (3, "secteur"),
        (3, "optam"),
        (4, "specialite"),
        (4, "longitude"),
        (5, "optam"),
        (6, "identifiant"),
    }
    messages = {(e.line, e.column): e.message for e in failure.value.errors}
    assert "6900" in messages[(3, "code_postal")] and "5 chiffres" in messages[(3, "code_postal")]
    assert messages[(4, "specialite")] == "la spécialité est obligatoire pour un médecin spécialiste."
    assert messages[(6, "identifiant")] == "« 10001 » figure déjà ligne 2."
    assert Professional.objects.count() == 3
    assert Professional.objects.get(identifier="10001").phone == "04 78 12 34 56"


@pytest.mark.django_db
def test_it_refuses_a_file_not_in_utf8_or_with_missing_columns():
    with pytest.raises(DirectoryImportError) as failure:
        directory_import(content=GOOD.decode().encode("utf-16"))
    assert str(failure.value.errors[0]) == "fichier: le fichier n'est pas encodé en UTF-8."
    with pytest.raises(DirectoryImportError) as failure:
        directory_import(content=b"identifiant,nom,type\n1,a,b\n")
    assert "colonnes manquantes" in failure.value.errors[0].message


@pytest.mark.django_db
def test_gestionnaire_imports_from_the_back_office(gestionnaire_client):
    page = gestionnaire_client.get("/gestion/directory/professional/").content.decode()
    assert "Importer un fichier CSV" in page
    response = gestionnaire_client.post(
        "/gestion/directory/professional/importer/", {"file": SimpleUploadedFile("annuaire.csv", GOOD)}
    )
    job = DirectoryImport.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/directoryimport/{job.pk}/change/")
    assert Professional.objects.count() == 3
    assert (job.status, job.created_count, job.line_count, job.written_count) == ("accepte", 3, 3, 3)
    page = gestionnaire_client.get(response["Location"]).content.decode()
    assert "Fichier reçu : il est traité en arrière-plan" in page and "Accepté" in page
    assert "data-import-status=" in page and "import_progress.js" in page
    status = gestionnaire_client.get(f"/gestion/directory/directoryimport/{job.pk}/etat/").json()
    assert (status["status"], status["validated"], status["written"], status["finished"]) == ("accepte", 3, 3, True)
    bad = csv_bytes("30001;Dr Z;generaliste;;1 rue;69001;Lyon;45.7;4.8;;;oui;peut-être;non")
    response = gestionnaire_client.post(
        "/gestion/directory/professional/importer/", {"file": SimpleUploadedFile("annuaire.csv", bad)}
    )
    refused = DirectoryImport.objects.exclude(pk=job.pk).get()
    assert refused.status == "refuse" and refused.error_count == 1
    page = gestionnaire_client.get(response["Location"]).content.decode()
    assert "Refusé" in page and "tiers_payant" in page and "répondez oui ou non" in page
    assert not Professional.objects.filter(identifier="30001").exists()


@pytest.mark.django_db
def test_a_directory_import_whose_worker_died_is_queued_again(monkeypatch):
    import datetime as dt

    from django.test import TestCase
    from django.utils import timezone

    from directory.services import _job_create, directory_import_recover, directory_import_run

    queued = []
    monkeypatch.setattr("directory.tasks.run_directory_import.delay", queued.append)
    job = _job_create(content=GOOD, file_name="a.csv", replace=False, imported_by=None)
    DirectoryImport.objects.filter(pk=job.pk).update(
        status="en_cours", attempts=1, heartbeat_at=timezone.now() - dt.timedelta(minutes=10)
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert directory_import_recover() == [job.pk]
    assert queued == [job.pk] and Professional.objects.count() == 0
    assert directory_import_run(job_id=job.pk).status == "accepte" and Professional.objects.count() == 3


@pytest.mark.django_db
def test_gestionnaire_edits_a_professional(gestionnaire_client):
    directory_import(content=GOOD)
    pro = Professional.objects.get(identifier="10002")
    page = gestionnaire_client.get(f"/gestion/directory/professional/{pro.pk}/change/")
    assert page.status_code == 200 and "Optique Bellecour" in page.content.decode()


@pytest.mark.django_db
def test_the_command_imports_or_refuses(tmp_path, capsys):
    good = tmp_path / "ok.csv"
    good.write_bytes(GOOD)
    call_command("import_directory", str(good))
    output = capsys.readouterr()
    assert "3 créés" in output.out
    assert (
        "\rvalidation " in output.err and "\récriture    [##############################]         3 / 3" in output.err
    )
    bad = tmp_path / "ko.csv"
    bad.write_bytes(csv_bytes("40001;Dr W;generaliste;;1 rue;69001;Lyon;45.7;;;;non;oui;non"))
    with pytest.raises(CommandError, match="Import refusé : 1 erreur"):
        call_command("import_directory", str(bad))
    assert "ligne 2, longitude: valeur obligatoire manquante." in capsys.readouterr().err
    assert not Professional.objects.filter(identifier="40001").exists()
