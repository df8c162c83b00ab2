"""The back-office as a gestionnaire reads it: a member's vue d'ensemble (everything open,
with links), the audit trail in French, IBANs by groups of 4, formulas named with their
contract, "Ajout d'un assuré"."""

import datetime as dt
import html as html_module
import re

import pytest
from django.urls import reverse

from claims.models import Decompte, QuoteEvent, QuoteRequest, QuoteStatus
from claims.services import decomptes_import
from claims.services.quotes import MEMBER_DOCUMENTS_ADDED
from documents.models import PrivateFile
from members.models import AuditEntry, BankChangeStatus, BankDetailsChange, Formula
from members.services import audit_record
from tests.claims.conftest import consultation, csv_file
from tests.messaging.helpers import new_thread

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def overview_url(member) -> str:
    return reverse("admin:members_member_overview", args=[member.pk])


def test_the_overview_shows_everything_open_for_the_member_with_links(gestionnaire_client, gestionnaire, alice, bob):
    thread = new_thread(alice, topic="remboursement-non-recu", body="Je n'ai pas reçu mon remboursement.")
    new_thread(bob, topic="remboursement-non-recu", body="Bob's own question.")
    quote = QuoteRequest.objects.create(member=alice, beneficiary=alice.holder, kind="dentaire")
    QuoteEvent.objects.create(request=quote, action=MEMBER_DOCUMENTS_ADDED)
    answered = QuoteRequest.objects.create(member=alice, beneficiary=alice.holder, kind="optique")
    QuoteRequest.objects.filter(pk=answered.pk).update(status=QuoteStatus.ANSWERED)
    rib = PrivateFile.objects.create(member=alice, purpose="rib", original_name="rib.pdf", size=10)
    change = BankDetailsChange.objects.create(
        member=alice, iban="FR1420041010050500013M02606", rib=rib, status=BankChangeStatus.PENDING
    )
    decomptes_import(
        content=csv_file(
            consultation("A01", alice, paid="15/10/2026"),
            consultation("A02", alice, paid="", complete="02/11/2026", care="20/10/2026"),
        ),
        file_name="a.csv",
    )

    response = gestionnaire_client.get(overview_url(alice))
    assert response.status_code == 200
    page, html = text(response), response.content.decode()
    assert f"Vue d'ensemble - {alice}" in page
    # messages, devis, bank change, pending payment, recent décomptes: each with its link
    assert reverse("admin:messaging_thread_change", args=[thread.pk]) in html
    assert "Bob's own question" not in page and bob.number not in page
    assert reverse("admin:claims_quoterequest_change", args=[quote.pk]) in html
    assert "complétée par l'assuré" in page
    assert reverse("admin:claims_quoterequest_change", args=[answered.pk]) not in html  # answered: not open
    assert reverse("admin:members_bankdetailschange_change", args=[change.pk]) in html
    assert "Nouvel IBAN FR14 **** **** 2606" in page and "à valider" in page
    pending, paid = Decompte.objects.get(external_id="A02"), Decompte.objects.get(external_id="A01")
    assert reverse("admin:claims_decompte_change", args=[pending.pk]) in html
    assert reverse("admin:claims_decompte_change", args=[paid.pk]) in html
    assert "39,00 € payés le 15/10/2026 à l'assuré" in page
    assert "Aucun dossier de portabilité en cours." in page
    # the household and formulas, each formula with its contract
    assert "Léo" in page and "Paul" in page
    assert f"Celsius — contrat {alice.contract.number}" in page
    # the "see all" links filter on the member and answer (no 500, no "?e=1")
    for url in re.findall(r'href="([^"]+\?member__id__exact=\d+)"', html):
        listing = gestionnaire_client.get(url.replace("&amp;", "&"))
        assert listing.status_code == 200 and "e=1" not in listing.request["QUERY_STRING"], url


def test_the_overview_is_linked_from_the_list_and_the_form(gestionnaire_client, alice):
    listing = gestionnaire_client.get(reverse("admin:members_member_changelist")).content.decode()
    assert overview_url(alice) in listing
    form = gestionnaire_client.get(reverse("admin:members_member_change", args=[alice.pk])).content.decode()
    assert overview_url(alice) in form


def test_the_overview_of_an_unknown_member_is_a_404(gestionnaire_client):
    assert gestionnaire_client.get("/gestion/members/member/999999/vue-ensemble/").status_code == 404
    assert gestionnaire_client.get("/gestion/members/member/abc/vue-ensemble/").status_code == 404


def test_a_member_cannot_open_the_overview(alice_client, alice):
    response = alice_client.get(overview_url(alice))
    assert response.status_code == 302 and "/gestion/login/" in response["Location"]


def test_the_audit_trail_reads_in_french_local_time_and_never_none(gestionnaire_client, gestionnaire, alice):
    AuditEntry.objects.filter(member=alice).delete()
    entry = audit_record(
        actor=gestionnaire,
        member=alice,
        action="modification",
        field="cover_end_date",
        old=None,
        new=dt.date(2027, 3, 31),
    )
    AuditEntry.objects.filter(pk=entry.pk).update(at=dt.datetime(2026, 7, 1, 22, 30, tzinfo=dt.UTC))
    audit_record(
        actor=gestionnaire, member=alice, action="modification", field="status", old="actif", new="portabilite"
    )
    audit_record(
        actor=None,
        member=alice,
        action="ajout bénéficiaire",
        field="Léo",
        new="first_name : Léo\nbirth_date : 2012-03-01\nlives_with_member : True\ncover_end : None",
    )
    for url in (
        reverse("admin:members_member_change", args=[alice.pk]),
        overview_url(alice),
        reverse("admin:members_auditentry_changelist"),
    ):
        page = text(gestionnaire_client.get(url))
        assert "Fin de couverture" in page and "cover_end_date" not in page, url
        assert "02/07/2026 à 00:30" in page and "22:30" not in page, url  # 22:30 UTC is 00:30 in Paris
        assert "31/03/2027" in page and "2027-03-31" not in page, url
        assert "Statut Actif En portabilité" in page, url  # the choices' labels, not their codes
        assert "Prénom : Léo" in page and "Date de naissance : 01/03/2012" in page, url
        assert "Vit sous le toit de l'assuré : oui" in page and "Fin de couverture : —" in page, url
        assert "None" not in page, url


def test_ibans_are_grouped_by_four(gestionnaire_client, alice):
    form = text(gestionnaire_client.get(reverse("admin:members_member_change", args=[alice.pk])))
    assert "FR76 3000 6000 0112 3456 7890 189" in form
    rib = PrivateFile.objects.create(member=alice, purpose="rib", original_name="rib.pdf", size=10)
    change = BankDetailsChange.objects.create(
        member=alice, iban="FR1420041010050500013M02606", rib=rib, status=BankChangeStatus.PENDING
    )
    page = text(gestionnaire_client.get(reverse("admin:members_bankdetailschange_change", args=[change.pk])))
    assert "FR14 2004 1010 0505 0001 3M02 606" in page


def test_every_formula_choice_names_its_contract(gestionnaire_client, alice):
    form = gestionnaire_client.get(reverse("admin:members_member_change", args=[alice.pk]))
    choices = form.context["inline_admin_formsets"][1].formset.empty_form.fields["formula"].choices
    labels = [str(label) for value, label in choices if value]
    assert labels and all(" — contrat " in label for label in labels)
    assert len(labels) == Formula.objects.count()


def test_the_add_and_change_pages_speak_french(gestionnaire_client, alice):
    page = text(gestionnaire_client.get(reverse("admin:members_member_change", args=[alice.pk])))
    assert "Modification de assuré" not in page and f"Fiche de l'assuré {alice}" in page

    page = text(gestionnaire_client.get(reverse("admin:members_member_add")))
    assert "Ajout d'un assuré" in page and "Ajout de assuré" not in page
    listing = text(gestionnaire_client.get(reverse("admin:members_member_changelist")))
    assert "Ajout d'un assuré" in listing and "Ajouter assuré" not in listing
