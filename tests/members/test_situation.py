"""Situation pages: Mes contrats, Mes bénéficiaires, NOEMIE, Mes documents utiles, the notice
and the attestation d'affiliation."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.models import DocumentDownload, GeneratedKind
from members.models import MemberStatus, NoemieReason, NoemieStatus
from members.notices import notice_blocks
from tests.conftest import login

TODAY = dt.date(2026, 3, 16)
PAGES = [
    "members:contracts",
    "members:beneficiaries",
    "members:noemie",
    "members:documents",
    "members:notice",
    "members:card",
]


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """These tests log in many times from one address: start each with allauth's login
    rate-limit counters (kept in the cache) at zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def page(client, name) -> str:
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def pdf_text(content: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True).stdout
    return " ".join(out.decode().split())


@pytest.mark.django_db
def test_contracts_shows_contract_organisme_formulas_and_status(alice_client, alice):
    html = page(alice_client, "members:contracts")
    assert "Garanties Santé IDCC 1412" in html and "T331" in html and "KLESIA Prévoyance" in html
    assert "Base conventionnelle" in html and "Garantie de base" in html
    assert "Celsius" in html and "Option facultative (sous déduction)" in html and "« sous déduction »" in html
    assert "Depuis le 01/01/2020" in html
    assert "Actif" in html and alice.number in html
    assert "adhésion obligatoire" in html


@pytest.mark.django_db
def test_contracts_shows_the_end_of_portability(alice_client, alice):
    alice.status, alice.status_since, alice.cover_end_date = (
        MemberStatus.PORTABILITY,
        dt.date(2025, 11, 1),
        dt.date(2026, 8, 31),
    )
    alice.save()
    html = page(alice_client, "members:contracts")
    assert "En portabilité" in html and "portabilité) jusqu'au 31/08/2026" in html


@pytest.mark.django_db
def test_contracts_links_the_guarantee_table_only_when_installed(alice_client):
    from django.urls import NoReverseMatch

    html = page(alice_client, "members:contracts")
    try:
        table_url = reverse("guarantees:table")
    except NoReverseMatch:
        assert "Modalités de remboursement de mes garanties" not in html
    else:
        assert f'href="{table_url}"' in html


@pytest.mark.django_db
def test_beneficiaries_lists_each_person_with_cover_and_noemie(alice_client, alice):
    paul = alice.beneficiaries.get(first_name="Paul")
    paul.noemie_status, paul.noemie_reason = NoemieStatus.INACTIVE, NoemieReason.OTHER_CONTRACT
    paul.save()
    alice.beneficiaries.filter(first_name="Léo").update(noemie_status=NoemieStatus.ACTIVE)
    html = page(alice_client, "members:beneficiaries")
    assert "Paul" in html and "Conjoint" in html and "02/09/1980" in html
    assert "Léo" in html and "Enfant" in html and "01/03/2012" in html
    assert "du 01/01/2020" in html and "Couvert" in html
    assert "Non active" in html and "autre contrat santé" in html
    assert "Adressez-nous le décompte de remboursement de l&#39;autre organisme" in html
    assert "Active" in html


@pytest.mark.django_db
def test_beneficiaries_shows_an_ended_cover(alice_client, alice):
    alice.beneficiaries.filter(first_name="Léo").update(cover_end=dt.date(2026, 1, 31))
    html = page(alice_client, "members:beneficiaries")
    assert "Non couvert" in html and "au 31/01/2026" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reason", "advice"),
    [
        (NoemieReason.SPECIFIC_REGIME, "régime obligatoire spécifique"),
        (NoemieReason.OVERLAP, "Deux complémentaires santé sont enregistrées"),
        (NoemieReason.MISSING_ATTESTATION, "Envoyez-nous la copie de son attestation de droits"),
    ],
)
def test_noemie_explains_each_reason_and_what_to_do(alice_client, alice, reason, advice):
    alice.beneficiaries.filter(first_name="Léo").update(noemie_status=NoemieStatus.INACTIVE, noemie_reason=reason)
    html = page(alice_client, "members:noemie")
    assert "Léo" in html and "Non active" in html and advice in html and "Que faire ?" in html


@pytest.mark.django_db
def test_noemie_says_when_the_whole_household_is_active(alice_client, alice):
    assert "active pour toutes les personnes" not in page(alice_client, "members:noemie")
    alice.beneficiaries.update(noemie_status=NoemieStatus.ACTIVE)
    assert "active pour toutes les personnes de votre foyer" in page(alice_client, "members:noemie")


@pytest.mark.django_db
def test_documents_offers_card_attestation_and_notice(alice_client):
    html = page(alice_client, "members:documents")
    for name in ("members:card_pdf", "members:attestation_pdf", "members:notice"):
        assert f'href="{reverse(name)}"' in html
    assert "Vous n'avez encore téléchargé aucun document." in html


@pytest.mark.django_db
def test_documents_explains_why_there_is_no_card_after_the_end_of_cover(alice_client, alice):
    alice.status, alice.cover_end_date = MemberStatus.TERMINATED, dt.date(2026, 1, 31)
    alice.save()
    html = page(alice_client, "members:documents")
    assert "a pris fin le 31/01/2026" in html
    assert reverse("members:card_pdf") not in html and reverse("members:attestation_pdf") not in html
    response = alice_client.get(reverse("members:attestation_pdf"))
    assert response.status_code == 302 and response["Location"] == reverse("members:documents")


@pytest.mark.django_db
def test_the_notice_of_the_members_own_contract_is_readable(alice_client, client, bob):
    html = page(alice_client, "members:notice")
    assert "Contrat n° T331" in html and "CHOIX N°3 : « CELSIUS » EN OBLIGATOIRE OU EN FACULTATIVE*" in html
    assert "<td>Frais pharmaceutiques prescrits remboursés par la SS</td>" in html
    assert "<i>" not in html and "**" not in html
    alice_client.logout()
    login(client, bob.user)
    html = page(client, "members:notice")
    assert "ASSOCIATION DES ANCIENS DU CREDIT COOPERATIF" in html and "CHOIX N°3" not in html
    assert "<td>Médicaments remboursés par la SS</td>" in html


def test_the_notices_are_project_data_not_read_from_shared():
    assert notice_blocks("notice-idcc1412-t331.txt") and notice_blocks("notice-credit-cooperatif-003E0135004.txt")
    assert notice_blocks("../../../../shared/seeds/004_a7dd630f94aebb50.txt") == ()
    assert notice_blocks("") == ()


@pytest.mark.django_db
def test_the_attestation_names_the_household_contract_and_formulas(alice_client, alice):
    alice.beneficiaries.filter(pk=alice.holder.pk).update(civility="Mme")
    response = alice_client.get(reverse("members:attestation_pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="attestation-affiliation-2026-03-16.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    holder = alice.holder
    assert (
        f"atteste que Mme {holder.first_name} {holder.last_name}, née le 14/05/1982, adhérente n° {alice.number}, "
        "est affiliée au contrat" in text
    )
    assert "« Garanties Santé IDCC 1412 » n° T331" in text
    assert "Base conventionnelle Garantie de base 01/01/2020" in text and "Celsius" in text
    assert (
        f"Paul {holder.last_name} Conjoint 02/09/1980" in text and f"Léo {holder.last_name} Enfant 01/03/2012" in text
    )
    assert "le 16/03/2026" in text
    assert DocumentDownload.objects.get(member=alice).kind == GeneratedKind.AFFILIATION_CERTIFICATE
    assert "<td>Attestation d&#39;affiliation</td>" in page(alice_client, "members:documents")


@pytest.mark.django_db
def test_without_a_civility_on_file_the_attestation_takes_it_from_the_nir(client, bob):
    holder = bob.holder
    assert holder.civility == "" and holder.nir.startswith("1")
    text = pdf_text(login(client, bob.user).get(reverse("members:attestation_pdf")).content)
    assert f"atteste que M. {holder.first_name} {holder.last_name}, né le 30/11/1955, adhérent n° {bob.number}" in text
    assert "est affilié au contrat" in text and "(e)" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_a_stranger_sees_only_their_own_situation(client, alice, bob, name):
    login(client, bob.user)
    html = page(client, name)
    # Alice's number and her son's birth date; her surname only when the generated
    # households do not share it.
    assert alice.number not in html and "01/03/2012" not in html
    if alice.holder.last_name != bob.holder.last_name:
        assert alice.holder.last_name not in html


@pytest.mark.django_db
def test_a_stranger_gets_404_for_anything_with_an_id(client, alice, alice_client, bob):
    alice_client.get(reverse("members:attestation_pdf"))
    rendered = alice.rendered_documents.get()
    client.logout()
    login(client, bob.user)
    for url in (
        f"/situation/contrats/{alice.pk}/",
        f"/situation/beneficiaires/{alice.holder.pk}/",
        f"/situation/documents/{rendered.pk}/",
        f"/situation/documents/attestation-affiliation.pdf/{alice.pk}",
        f"/fichiers/{rendered.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    text = pdf_text(client.get(reverse("members:attestation_pdf") + f"?member={alice.pk}").content)
    assert bob.number in text and alice.number not in text


@pytest.mark.django_db
@pytest.mark.parametrize("name", [*PAGES, "members:card_pdf", "members:attestation_pdf"])
def test_situation_pages_are_for_logged_in_members_only(client, gestionnaire_client, name):
    assert gestionnaire_client.get(reverse(name)).status_code == 403
    gestionnaire_client.logout()
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")


@pytest.mark.django_db
def test_the_situation_menu_appears(alice_client):
    html = page(alice_client, "home:home")
    for label, name in (
        ("Mes contrats", "members:contracts"),
        ("Mes bénéficiaires", "members:beneficiaries"),
        ("Télétransmission NOEMIE", "members:noemie"),
        ("Mes documents utiles", "members:documents"),
        ("Ma carte de tiers payant", "members:card"),
    ):
        assert f'<a href="{reverse(name)}">{label}</a>' in html
