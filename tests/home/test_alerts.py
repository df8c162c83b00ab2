import datetime as dt

import pytest
from django.urls import reverse

from claims.services import decomptes_import
from members.models import NoemieReason, NoemieStatus
from tests.claims.conftest import consultation, csv_file

pytestmark = pytest.mark.django_db


def test_home_alerts_a_new_reimbursement_and_a_broken_noemie_link(alice_client, alice, bob):
    today = dt.date.today()
    paid = (today - dt.timedelta(days=3)).strftime("%d/%m/%Y")
    care = (today - dt.timedelta(days=10)).strftime("%d/%m/%Y")
    decomptes_import(content=csv_file(consultation("N1", alice, care=care, paid=paid)), file_name="n.csv")
    paul = alice.beneficiaries.get(first_name="Paul")
    paul.noemie_status, paul.noemie_reason = NoemieStatus.INACTIVE, NoemieReason.OTHER_CONTRACT
    paul.save()
    page = alice_client.get(reverse("home:home")).content.decode()
    assert "Un nouveau remboursement est disponible" in page and f"versés le {paid}" in page
    assert "Télétransmission NOEMIE non active pour Paul" in page
    assert "autre contrat santé" in page


def test_no_alert_when_nothing_happened(alice_client):
    assert "Mes alertes" not in alice_client.get(reverse("home:home")).content.decode()


def test_home_alerts_a_late_reimbursement_a_devis_document_and_only_the_three_newest_payments(alice_client, alice, bob):
    from claims.models import QuoteKind, QuoteRequest, QuoteStatus

    today = dt.date.today()

    def day(days_ago: int) -> str:
        return (today - dt.timedelta(days=days_ago)).strftime("%d/%m/%Y")

    batch = decomptes_import(
        content=csv_file(
            consultation("LATE", alice, care=day(40), paid="", complete=day(30)),  # 8 working days long past
            consultation("SOON", alice, care=day(3), paid="", complete=day(1)),  # not late yet
            *(consultation(f"P{age}", alice, care=day(age + 5), paid=day(age)) for age in (2, 5, 9, 12)),
        ),
        file_name="alerts.csv",
    )
    assert batch.status == "accepte", batch.errors
    quote = QuoteRequest.objects.create(
        member=alice,
        beneficiary=alice.holder,
        kind=QuoteKind.DENTAL,
        status=QuoteStatus.MISSING_DOCUMENT,
        missing_document_note="Merci de joindre le devis signé <b>.",
    )
    QuoteRequest.objects.create(
        member=bob,
        beneficiary=bob.holder,
        kind=QuoteKind.OPTICAL,
        status=QuoteStatus.MISSING_DOCUMENT,
        missing_document_note="Pièce de Bob",
    )
    page = alice_client.get(reverse("home:home")).content.decode()
    assert page.count("Un remboursement est en retard") == 1 and f"Les soins du {day(40)}" in page
    assert f"Pour votre devis dentaire n° {quote.pk} : Merci de joindre le devis signé &lt;b&gt;." in page
    assert f'href="{reverse("claims:quote_detail", args=[quote.pk])}"' in page
    assert page.count("Un nouveau remboursement est disponible") == 3
    assert [f"versés le {day(age)}" in page for age in (2, 5, 9, 12)] == [True, True, True, False]
    assert "Pièce de Bob" not in page and page.count("Une pièce justificative est demandée") == 1


def test_a_tiers_payant_alert_says_who_was_paid_and_that_nothing_reaches_the_account(alice_client, alice):
    today = dt.date.today()
    paid = (today - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    care = (today - dt.timedelta(days=5)).strftime("%d/%m/%Y")
    row = consultation("TP1", alice, care=care, paid=paid).replace(";assure;;", ";professionnel;Pharmacie du Parc;")
    batch = decomptes_import(content=csv_file(row), file_name="tp.csv")
    assert batch.status == "accepte", batch.errors
    page = alice_client.get(reverse("home:home")).content.decode()
    assert "Un remboursement a été réglé à votre professionnel de santé" in page
    assert f"39,00 € réglés le {paid} directement à Pharmacie du Parc (tiers payant)" in page.replace("\xa0", " ")
    assert "Un nouveau remboursement est disponible" not in page


def test_a_reimbursement_imported_after_a_visit_is_alerted_on_the_next_one(alice_client, alice):
    """The décomptes' alerts are cached between visits, never past a new décompte."""
    today = dt.date.today()
    assert "Un nouveau remboursement est disponible" not in alice_client.get(reverse("home:home")).content.decode()
    paid = (today - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    care = (today - dt.timedelta(days=5)).strftime("%d/%m/%Y")
    decomptes_import(content=csv_file(consultation("N2", alice, care=care, paid=paid)), file_name="n2.csv")
    page = alice_client.get(reverse("home:home")).content.decode()
    assert "Un nouveau remboursement est disponible" in page and f"versés le {paid}" in page
