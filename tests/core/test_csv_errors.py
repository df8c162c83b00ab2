"""One CSV line-error type for every import (core.csv_errors)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.services import decomptes_import
from core.csv_errors import LineError, errors_report
from directory.services import DirectoryImportError, directory_csv_parse


def test_a_line_error_reads_as_french_and_survives_the_batch_json():
    error = LineError(4, "montant_ss", "Le montant SS dépasse les frais réels.")
    assert str(error) == "ligne 4, montant_ss: Le montant SS dépasse les frais réels."
    assert str(LineError(None, "", "le fichier est vide.")) == "fichier: le fichier est vide."
    assert LineError.from_dict(error.to_dict()) == error


def test_the_report_lists_file_errors_first_then_lines_in_order():
    report = errors_report([LineError(7, "b", "x."), LineError(None, "", "y."), LineError(3, "a", "z.")])
    assert report.splitlines() == ["fichier: y.", "ligne 3, a: z.", "ligne 7, b: x."]


@pytest.mark.django_db
def test_both_importers_report_the_same_type(tmp_path, capsys):
    batch = decomptes_import(content=b"pas;un;en-tete\n", file_name="x.csv")
    assert batch.errors and all(isinstance(LineError.from_dict(e), LineError) for e in batch.errors)
    with pytest.raises(DirectoryImportError) as failure:
        directory_csv_parse(b"pas;un;en-tete\n")
    assert failure.value.errors and all(type(e) is LineError for e in failure.value.errors)

    path = tmp_path / "decomptes.csv"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(CommandError):
        call_command("import_decomptes", str(path))
    assert "ligne 1: Le fichier n'est pas encodé en UTF-8." in capsys.readouterr().err
