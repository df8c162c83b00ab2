"""Devis estimation: member -> gestionnaire -> member."""

import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from claims.models import QuoteEvent, QuoteRequest, QuoteStatus
from claims.services import QuoteLineInput, quote_estimate
from documents.models import PrivateFile
from tests.conftest import login
from tests.factories import image_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db
NEW = reverse("claims:quote_new")


def crown_post(beneficiary, *, amount="800,00", files=None, **extra):
    """A ceramic crown under IDCC 1412 Base + Celsius: BR 120 €, SS 60 % = 72 €."""
    data = {
        "beneficiaire": beneficiary.pk,
        "lignes-TOTAL_FORMS": "3",
        "lignes-INITIAL_FORMS": "0",
        "lignes-MIN_NUM_FORMS": "0",
        "lignes-MAX_NUM_FORMS": "10",
        "lignes-0-acte": "prothese-couronne-bridge",
        "lignes-0-montant": amount,
        "lignes-0-base_remboursement": "120,00",
        "lignes-0-quantite": "1",
        "lignes-0-code_ccam": "HBLD036",
        "lignes-0-dent": "36",
        **extra,
    }
    data["pieces"] = files if files is not None else [upload("devis.pdf", pdf_bytes())]
    return data


def test_the_instant_estimate_equals_the_engines_result(alice_client, alice):
    holder = alice.holder
    response = alice_client.post(f"{NEW}?type=dentaire", crown_post(holder))
    assert response.status_code == 302, (
        (response.context["form"].errors, response.context["lines"].errors) if response.context else ""
    )
    quote = QuoteRequest.objects.get()
    line = quote.lines.get()
    expected = quote_estimate(
        beneficiary=holder,
        kind="dentaire",
        lines=[
            QuoteLineInput(
                act="prothese-couronne-bridge",
                frais_reels=Decimal("800.00"),
                base_remboursement=Decimal("120.00"),
                ss_expected=None,
            )
        ],
    )[0]
    assert line.ss_expected == Decimal("72.00") and line.ss_estimated
    assert line.complementary_estimate == expected.result.complementary > 0
    assert (line.ccam_code, line.tooth) == ("HBLD036", "36")
    page = alice_client.get(response["Location"]).content.decode()
    assert "Ceci est une estimation" in page and "Celsius" in page
    assert quote.status == QuoteStatus.SENT and quote.documents.count() == 1


def test_bad_input_gets_french_errors_and_keeps_what_was_typed(alice_client, alice):
    data = crown_post(alice.holder, amount="huit cents", **{"lignes-0-dent": "99", "lignes-0-code_ccam": "ABC"})
    response = alice_client.post(f"{NEW}?type=dentaire", data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez un montant en euros" in content
    assert "Numéro de dent inconnu" in content and "4 lettres et 3 chiffres" in content
    assert 'value="huit cents"' in content and 'value="120,00"' in content
    assert QuoteRequest.objects.count() == 0


def test_a_devis_file_is_required_and_checked_by_content(alice_client, alice):
    response = alice_client.post(f"{NEW}?type=dentaire", crown_post(alice.holder, files=[]))
    assert "Joignez au moins un fichier" in response.content.decode()
    fake = upload("devis.pdf", b"MZ this is an exe")
    response = alice_client.post(f"{NEW}?type=dentaire", crown_post(alice.holder, files=[fake]))
    content = response.content.decode()
    assert "format accepté (PDF, JPEG ou PNG)" in content and 'value="800,00"' in content
    assert QuoteRequest.objects.count() == 0 and PrivateFile.objects.count() == 0


def test_a_beneficiary_of_another_household_is_refused(alice_client, bob):
    response = alice_client.post(f"{NEW}?type=dentaire", crown_post(bob.holder))
    assert "Choisissez une personne couverte de votre foyer" in response.content.decode()
    assert QuoteRequest.objects.count() == 0


def test_at_least_one_line(alice_client, alice):
    data = crown_post(alice.holder)
    for key in (
        "lignes-0-acte",
        "lignes-0-montant",
        "lignes-0-base_remboursement",
        "lignes-0-code_ccam",
        "lignes-0-dent",
    ):
        data.pop(key)
    data["lignes-0-quantite"] = ""
    response = alice_client.post(f"{NEW}?type=dentaire", data)
    assert "Saisissez au moins une ligne du devis" in response.content.decode()


def test_full_path_member_gestionnaire_member(alice_client, alice, gestionnaire, django_capture_on_commit_callbacks):
    alice_client.post(f"{NEW}?type=dentaire", crown_post(alice.holder))
    quote = QuoteRequest.objects.get()
    line = quote.lines.get()

    gestion = login(Client(), gestionnaire)
    url = reverse("admin:claims_quoterequest_change", args=[quote.pk])
    queue = gestion.get(reverse("admin:claims_quoterequest_changelist")).content.decode()
    assert f"Devis dentaire n° {quote.pk}" in queue

    def post(button, **fields):
        line.refresh_from_db()
        current = "" if line.corrected_complementary is None else str(line.corrected_complementary).replace(".", ",")
        data = {
            "missing_document_note": "",
            "answer_note": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-id": line.pk,
            "lines-0-request": quote.pk,
            "lines-0-corrected_complementary": current,
            "documents-TOTAL_FORMS": str(quote.documents.count()),
            "documents-INITIAL_FORMS": str(quote.documents.count()),
            "documents-MIN_NUM_FORMS": "0",
            "documents-MAX_NUM_FORMS": "1000",
            "events-TOTAL_FORMS": str(quote.events.count()),
            "events-INITIAL_FORMS": str(quote.events.count()),
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "1000",
            button: "1",
            **fields,
        }
        for index, document in enumerate(quote.documents.all()):
            data[f"documents-{index}-id"] = document.pk
            data[f"documents-{index}-request"] = quote.pk
        for index, event in enumerate(quote.events.all()):
            data[f"events-{index}-id"] = event.pk
            data[f"events-{index}-request"] = quote.pk
        with django_capture_on_commit_callbacks(execute=True):
            response = gestion.post(url, data)
        assert response.status_code == 302, (
            response.context["adminform"].form.errors,
            [f.formset.errors for f in response.context["inline_admin_formsets"]],
        )
        quote.refresh_from_db()

    post("_assign")
    assert quote.status == QuoteStatus.REVIEWING and quote.assigned_to == gestionnaire
    post("_request_document", missing_document_note="Merci de joindre la radiographie panoramique.")
    assert quote.status == QuoteStatus.MISSING_DOCUMENT and len(mail.outbox) == 1
    assert "Une pièce est demandée" in mail.outbox[0].subject

    detail = reverse("claims:quote_detail", args=[quote.pk])
    assert "radiographie panoramique" in alice_client.get(detail).content.decode()
    alice_client.post(detail, {"pieces": [upload("radio.png", image_bytes())]})
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.REVIEWING and quote.documents.count() == 2
    assert completed_in_queue(gestion) == [True]  # the member completed it: flagged in the queue

    post("_save_lines", **{"lines-0-corrected_complementary": "450,00"})
    assert completed_in_queue(gestion) == [False]  # a gestionnaire acted since
    line.refresh_from_db()
    assert line.corrected_complementary == Decimal("450.00")
    post("_answer", answer_note="Accord sous réserve de la facture détaillée.")
    assert quote.status == QuoteStatus.ANSWERED
    assert len(mail.outbox) == 2 and "réponse" in mail.outbox[1].subject
    actions = list(QuoteEvent.objects.filter(request=quote).values_list("action", flat=True))
    assert actions == [
        "Demande envoyée",
        "Prise en charge",
        "Pièce manquante demandée",
        "Pièce(s) ajoutée(s) par l'assuré",
        "Ligne corrigée",
        "Réponse envoyée",
    ]
    assert QuoteEvent.objects.filter(request=quote, action="Ligne corrigée").get().actor == gestionnaire

    pdf = alice_client.get(reverse("claims:quote_answer_pdf", args=[quote.pk]))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert f"Estimation de remboursement - devis n° {quote.pk}" in text
    assert "450,00" in text and "HBLD036" in text and "Accord sous réserve" in text


def completed_in_queue(gestion):
    """The queue's "complétée par l'assuré" column, row by row."""
    page = gestion.get(reverse("admin:claims_quoterequest_changelist")).content.decode()
    cells = re.findall(r'<td class="field-completed_by_member">(.*?)</td>', page, re.S)
    return ['alt="True"' in cell for cell in cells]


def test_another_member_cannot_see_the_request_or_its_files(alice_client, alice, bob):
    alice_client.post(f"{NEW}?type=dentaire", crown_post(alice.holder))
    quote = QuoteRequest.objects.get()
    client = login(Client(), bob.user)
    assert client.get(reverse("claims:quote_detail", args=[quote.pk])).status_code == 404
    assert client.get(reverse("claims:quote_answer_pdf", args=[quote.pk])).status_code == 404
    assert client.get(quote.documents.get().file.get_absolute_url()).status_code == 404
    assert f"n° {quote.pk}" not in client.get(reverse("claims:quotes")).content.decode()


def test_the_answer_pdf_waits_for_the_answer(alice_client, alice):
    alice_client.post(f"{NEW}?type=dentaire", crown_post(alice.holder))
    quote = QuoteRequest.objects.get()
    assert alice_client.get(reverse("claims:quote_answer_pdf", args=[quote.pk])).status_code == 404


def test_a_large_dental_devis_warns_about_prior_agreement(alice_client, alice):
    response = alice_client.post(f"{NEW}?type=dentaire", crown_post(alice.holder, amount="4800,00"), follow=True)
    assert "entente préalable" in response.content.decode()


def test_the_retirees_contract_offers_the_100_sante_alternative(client, bob):
    login(client, bob.user)
    content = client.get(f"{NEW}?type=dentaire").content.decode()
    assert "Alternative 100 % Santé" in content and "honoraires limites de facturation" in content
    # the notice cited by its title and heading, as members read it; no line number
    assert "notice « KLESIA Mut&#39; - Anciens du Crédit Coopératif" in content and "notice ligne" not in content
