"""Imported data in what members download: a CSV cell never runs as a spreadsheet formula,
a décompte number never changes (or breaks) the name of the downloaded file."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from claims.models import Decompte, DecompteLine
from claims.services import decomptes_import
from documents.downloads import csv_cell, safe_filename
from tests.claims.conftest import consultation, csv_file

pytestmark = pytest.mark.django_db

PRACTITIONERS = ['=HYPERLINK("http://x")', "@SUM(1)", "+1", "-1+2"]


def with_practitioner(row: str, name: str) -> str:
    assert ";Dr Martin;" in row
    return row.replace(";Dr Martin;", f";{name};")


@pytest.fixture
def hostile_history(alice):
    rows = [with_practitioner(consultation(f"H{i}", alice), name) for i, name in enumerate(PRACTITIONERS)]
    rows.append(consultation("H-tab", alice))
    batch = decomptes_import(content=csv_file(*rows), file_name="hostile.csv")
    assert batch.status == "accepte", batch.errors
    # The importer trims cells: a tab or CR at the start can only come from another source.
    line = DecompteLine.objects.get(decompte__external_id="H-tab")
    DecompteLine.objects.filter(pk=line.pk).update(practitioner="\tcmd", complementary_paid=Decimal("-12.50"))
    DecompteLine.objects.filter(decompte__external_id="H0").update(act_label="\rcmd")
    return alice


def export_rows(client, year=2026) -> list[list[str]]:
    response = client.get(reverse("claims:export", args=[year]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="remboursements-{year}.csv"'
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_it_neutralises_formulas_from_imported_data_in_the_csv_export(alice_client, hostile_history):
    header, *rows = export_rows(alice_client)
    column = {title: index for index, title in enumerate(header)}
    by_number = {row[column["Décompte"]]: row for row in rows}
    practitioners = [by_number[f"H{i}"][column["Professionnel"]] for i in range(len(PRACTITIONERS))]
    assert practitioners == ['\'=HYPERLINK("http://x")', "'@SUM(1)", "'+1", "'-1+2"]
    assert by_number["H-tab"][column["Professionnel"]] == "'\tcmd"
    assert by_number["H0"][column["Acte"]] == "'\rcmd"


def test_amounts_and_dates_stay_numbers_and_dates(alice_client, hostile_history):
    header, *rows = export_rows(alice_client)
    column = {title: index for index, title in enumerate(header)}
    tab = next(row for row in rows if row[column["Décompte"]] == "H-tab")
    # The portal writes its amounts itself: a negative one is a number, not a formula.
    assert tab[column["Remboursement complémentaire"]] == "-12,50"
    assert tab[column["Frais réels"]] == "60,00" and tab[column["Date des soins"]] == "01/10/2026"
    assert tab[column["Bénéficiaire"]] == hostile_history.holder.full_name


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=1+1", "'=1+1"), ("Dr Martin", "Dr Martin"), ("", ""), (None, ""), (Decimal("-3.20"), "-3,20"), (7, "7")],
)
def test_csv_cells(value, cell):
    assert csv_cell(value) == cell


@pytest.mark.parametrize(
    "number",
    ['D"1\r\n;é', 'A";filename=evil.exe', "D1\r\nSet-Cookie: x=1", "Ünïcödé/../..", "\"';\r\n"],
)
def test_a_hostile_decompte_number_gives_a_safe_download_name(alice_client, alice, number):
    batch = decomptes_import(content=csv_file(consultation("D1", alice)), file_name="a.csv")
    assert batch.status == "accepte", batch.errors
    decompte = Decompte.objects.get(external_id="D1")
    Decompte.objects.filter(pk=decompte.pk).update(external_id=number)
    response = alice_client.get(reverse("claims:pdf", args=[decompte.pk]))
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header == f'attachment; filename="{safe_filename(f"decompte-{number}", extension="pdf")}"'
    name = header.removeprefix('attachment; filename="').removesuffix('"')
    assert name.startswith("decompte") and name.endswith(".pdf")
    assert all(c.isascii() and (c.isalnum() or c in "-_.") for c in name)
    assert "Set-Cookie" not in response


def test_safe_names():
    assert safe_filename('decompte-D"1\r\n;é', extension="pdf") == "decompte-D-1-e.pdf"
    assert safe_filename("\"';\r\n", extension="pdf") == "document.pdf"
    assert safe_filename("Devis dentaire (Dr Roux)", extension="pdf") == "Devis-dentaire-Dr-Roux.pdf"
