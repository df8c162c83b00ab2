import datetime as dt
import unicodedata
from decimal import Decimal
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from claims.calendar import add_working_days, public_holidays
from claims.models import Decompte
from claims.services import decomptes_import
from tests.claims.conftest import consultation, csv_file
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_history(alice):
    rows = [
        consultation(f"A{month:02d}", alice, care=f"02/{month:02d}/2025", paid=f"20/{month:02d}/2025")
        for month in range(1, 13)
    ]
    rows += [consultation("B01", alice, rank=3, care="02/03/2026", paid="20/03/2026")]
    batch = decomptes_import(content=csv_file(*rows), file_name="history.csv")
    assert batch.status == "accepte", batch.errors
    return alice


def test_list_shows_newest_first_with_yearly_totals(alice_client, alice_history):
    page = alice_client.get(reverse("claims:list"))
    content = page.content.decode()
    assert content.index("Décompte du 20/03/2026") < content.index("Décompte du 20/12/2025")
    totals = {row.year: row for row in page.context["totals"]}
    assert totals[2025].complementary == Decimal("468.00")  # 12 x 39 €
    assert totals[2025].frais_reels == Decimal("720.00") and totals[2026].ss == Decimal("21.00")


def test_keyset_pages_walk_the_whole_history_forward_and_back(alice_client, alice_history):
    url = reverse("claims:list")
    pages = []
    with mock.patch("claims.selectors.PAGE_SIZE", 5):
        response = alice_client.get(url)
        while True:
            pages.append([d.external_id for d in response.context["page"].items])
            cursor = response.context["page"].next_cursor
            if not cursor:
                break
            response = alice_client.get(url, {"apres": cursor})
        assert [len(page) for page in pages] == [5, 5, 3]
        seen = [external_id for page in pages for external_id in page]
        assert len(set(seen)) == 13 and seen[0] == "B01" and seen[-1] == "A01"
        back = alice_client.get(url, {"avant": response.context["page"].previous_cursor})
        assert [d.external_id for d in back.context["page"].items] == pages[1]
        assert "Plus récents" in back.content.decode() and "Plus anciens" in back.content.decode()


def test_filters_by_beneficiary_and_period(alice_client, alice_history, alice):
    leo = alice.beneficiaries.get(first_name="Léo")
    page = alice_client.get(reverse("claims:list"), {"beneficiaire": leo.pk})
    assert [d.external_id for d in page.context["page"].items] == ["B01"]
    page = alice_client.get(reverse("claims:list"), {"du": "2025-06-01", "au": "2025-07-31"})
    assert [d.external_id for d in page.context["page"].items] == ["A07", "A06"]
    page = alice_client.get(reverse("claims:list"), {"du": "2025-07-31", "au": "2025-06-01"})
    assert "La date de fin précède la date de début." in page.content.decode()


def test_detail_explains_each_line(alice_client, alice_history):
    decompte = Decompte.objects.get(external_id="A01")
    content = alice_client.get(reverse("claims:detail", args=[decompte.pk])).content.decode()
    assert "Celsius - Consultations et visites de généralistes : 400 % de la BR" in content
    assert "39,00" in content and "Dr Martin" in content
    # the source as a member reads it; the line number stays in the back-office's rule_source
    line = decompte.lines.get()
    assert line.rule_source.startswith("Notice 004, ligne ")
    assert (
        "(notice « KLESIA Prévoyance - IDCC 1412 - régimes obligatoires et options facultatives », rubrique « Soins courants »)"
        in content
    )
    assert line.rule_source not in content and ", ligne " not in content


def test_year_export_is_a_csv_of_that_year(alice_client, alice_history):
    response = alice_client.get(reverse("claims:export", args=[2025]))
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Décompte;Date de paiement")
    assert len(lines) == 13 and all("/2025;" in line for line in lines[1:])
    assert ";39,00;" in lines[1]


def test_another_member_sees_nothing_of_alice(client, alice_history, bob):
    login(client, bob.user)
    decompte = Decompte.objects.filter(member=alice_history).first()
    assert client.get(reverse("claims:detail", args=[decompte.pk])).status_code == 404
    assert client.get(reverse("claims:list")).context["page"].items == []
    assert client.get(reverse("claims:export", args=[2025])).content.decode("utf-8-sig").count("\n") == 1
    assert client.get(reverse("claims:list"), {"beneficiaire": alice_history.holder.pk}).context["page"].items == []


def test_follow_up_shows_the_expected_date_and_flags_a_late_payment(alice_client, alice):
    decomptes_import(
        content=csv_file(
            consultation("P1", alice, paid="", complete="02/11/2026"),
            consultation("P2", alice, paid="", care="03/10/2026"),
        ),
        file_name="p.csv",
    )
    # 8 working days after Monday 2 November 2026, 11 November being a public holiday.
    assert add_working_days(dt.date(2026, 11, 2), 8) == dt.date(2026, 11, 13)
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 11, 10)):
        content = alice_client.get(reverse("claims:follow_up")).content.decode()
    assert "Paiement prévu au plus tard le <strong>13/11/2026</strong>" in content
    assert "Des pièces justificatives sont encore attendues" in content
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 11, 16)):
        content = alice_client.get(reverse("claims:follow_up")).content.decode()
    assert "ce délai est dépassé" in content
    assert 'href="/messagerie/ecrire/?brouillon=retard-' in content  # the text stays in the session
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 11, 16)):
        page = alice_client.get(reverse("claims:follow_up"))
    url = page.context["pending"][0][2]
    compose = alice_client.get(url).content.decode()
    assert "décompte P1" in compose and "13/11/2026" in compose
    assert '<option value="remboursement-non-recu" data-category="remboursements" selected>' in compose


def test_easter_monday_and_ascension_are_holidays():
    holidays = public_holidays(2026)
    assert dt.date(2026, 4, 6) in holidays and dt.date(2026, 5, 14) in holidays and dt.date(2026, 5, 25) in holidays


def test_pages_require_login(client):
    assert client.get(reverse("claims:list")).status_code == 302


def test_decompte_pdf_reads_back_with_amounts_and_rule(alice_client, alice_history, bob):
    import io

    from pypdf import PdfReader

    decompte = Decompte.objects.get(external_id="A01")
    response = alice_client.get(reverse("claims:pdf", args=[decompte.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())
    assert "Décompte de remboursement n° A01" in text
    assert "39,00" in text and "Dr Martin" in text and alice_history.number in text
    assert "400 % de la BR" in text
    # the care column is wide enough to read: an explanation's clause is not cut word by word
    lines = [
        unicodedata.normalize("NFC", line.strip())
        for page in PdfReader(io.BytesIO(response.content)).pages
        for line in page.extract_text().splitlines()
    ]
    assert any("Consultations et visites de généralistes : 400 % de la BR : garantie totale" in line for line in lines)
    assert "Consultations et visites" in lines  # the act's name, not a word a line
    client = login(Client(), bob.user)
    assert client.get(reverse("claims:pdf", args=[decompte.pk])).status_code == 404


def test_the_simulation_counts_the_reimbursements_already_made():
    """Lenses forfait 100 €/year (notice 004 line 820): 80 € reimbursed in March leave 20 €."""
    from tests.factories import make_member

    member = make_member(formulas=("IDCC1412-BASE",))
    row = f"L1;{member.number};1;01/03/2026;lentilles;Optique;1;80,00;0,00;0,00;;15/03/2026;papier;assure;;;"
    assert decomptes_import(content=csv_file(row), file_name="l.csv").status == "accepte"
    client = login(Client(), member.user)
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 11, 22)):
        response = client.post(
            reverse("claims:simulate"),
            {
                "beneficiary": member.holder.pk,
                "act": "lentilles",
                "care_date": "2026-11-02",
                "frais_reels": "80,00",
                "base_remboursement": "0",
                "ss_paid": "0",
                "quantity": "1",
                "conventionne": "on",
            },
        )
    assert response.context["results"][0].complementary == Decimal("20.00")
