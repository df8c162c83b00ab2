import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from core.access import GESTIONNAIRE_GROUP
from guarantees.models import GuaranteeCell, GuaranteeRow, PmssValue
from guarantees.services import guarantee_tables_load
from tests.conftest import login

SIMULATE = "/remboursements/simulation/"


def form_data(beneficiary, **changes):
    data = {
        "beneficiary": beneficiary.pk,
        "act": "consultation-specialiste",
        "care_date": "2025-03-10",
        "frais_reels": "120,00",
        "base_remboursement": "30",
        "ss_paid": "21",
        "quantity": "1",
        "optam": "oui",
        "conventionne": "on",
    }
    data.update(changes)
    return data


def test_the_menu_links_to_both_pages(alice_client):
    page = alice_client.get("/").content.decode()
    assert reverse("guarantees:table") in page and reverse("claims:simulate") in page


def test_alice_sees_her_base_and_optional_levels_side_by_side(alice_client):
    page = alice_client.get(reverse("guarantees:table")).content.decode()
    assert "Base conventionnelle" in page and "Celsius" in page
    assert "Option facultative (sous déduction)" in page
    assert "425 % de la BR" in page  # Celsius spécialiste OPTAM, line 950
    assert "140,95 €" in page  # Celsius chambre particulière, line 982
    assert "Kelvin" not in page and "525 % de la BR" not in page


def test_bob_sees_only_his_own_formula(client, bob):
    page = login(client, bob.user).get(reverse("guarantees:table")).content.decode()
    assert "Option 1" in page and "285 €" in page  # classe B forfait, notice 003 line 824
    assert "1120 €" not in page  # Option 2 parodontologie
    assert "Celsius" not in page


def test_alice_simulates_a_care_line_for_her_spouse_with_the_explanation(alice_client, alice):
    paul = alice.beneficiaries.get(first_name="Paul")
    response = alice_client.post(SIMULATE, form_data(paul))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Résultat de la simulation" in page
    assert "16,50 €" in page and "82,50 €" in page  # Base 125 % / Celsius 425 %, lines 772 / 950
    assert "Celsius - Consultations et visites de spécialistes : 425 % de la BR" in page
    # cited as members read it: the notice's title and heading, never a line number
    assert (
        "(notice « KLESIA Prévoyance - IDCC 1412 - régimes obligatoires et options facultatives », rubrique « Soins courants »)"
        in page
    )
    assert "ligne 950" not in page and ", ligne" not in page


def test_bob_cannot_simulate_on_alices_beneficiary(client, alice, bob):
    paul = alice.beneficiaries.get(first_name="Paul")
    page = login(client, bob.user).post(SIMULATE, form_data(paul, act="consultation")).content.decode()
    assert "Choisissez une personne couverte de votre foyer." in page
    assert "Résultat de la simulation" not in page
    assert f'<option value="{paul.pk}"' not in page  # alice's household is not offered to bob
    assert paul.full_name not in page


def test_bad_amounts_get_french_errors_and_keep_what_was_typed(alice_client, alice):
    leo = alice.beneficiaries.get(first_name="Léo")
    page = alice_client.post(
        SIMULATE, form_data(leo, frais_reels="-5", ss_paid="abc", base_remboursement="30,5")
    ).content.decode()
    assert "Le montant ne peut pas être négatif." in page
    assert "Saisissez un montant en euros, par exemple 25,50." in page
    assert 'value="30,5"' in page
    assert "Résultat de la simulation" not in page


def test_ss_above_frais_reels_and_future_dates_are_refused(alice_client, alice):
    holder = alice.holder
    page = alice_client.post(
        SIMULATE, form_data(holder, frais_reels="10", ss_paid="21", care_date="2999-01-01")
    ).content.decode()
    assert "ne peut pas dépasser les frais réels" in page
    assert "La date des soins ne peut pas être dans le futur." in page


def test_care_before_cover_is_an_error_on_the_date(alice_client, alice):
    page = alice_client.post(SIMULATE, form_data(alice.holder, care_date="2019-06-01")).content.decode()
    assert "précède le début de la couverture" in page
    assert 'value="2019-06-01"' in page


def test_a_missing_optical_field_is_asked_for(alice_client, alice):
    page = alice_client.post(
        SIMULATE,
        form_data(alice.holder, act="verres-unifocaux", frais_reels="300", base_remboursement="0", ss_paid="0"),
    ).content.decode()
    assert "Indiquez la sphère" in page


def test_the_simulation_page_needs_a_member(client, gestionnaire):
    assert client.get(SIMULATE).status_code == 302
    assert login(client, gestionnaire).get(SIMULATE).status_code == 403


def test_the_loader_is_idempotent():
    first = guarantee_tables_load()
    counts = (GuaranteeRow.objects.count(), GuaranteeCell.objects.count(), PmssValue.objects.count())
    assert guarantee_tables_load() == first
    assert counts == (GuaranteeRow.objects.count(), GuaranteeCell.objects.count(), PmssValue.objects.count())
    assert counts[1] >= 350
    cell = GuaranteeCell.objects.get(formula__code="IDCC1412-KELVIN", row__act="prothese-couronne-bridge")
    assert (cell.notice_line, cell.kind, cell.parameters["rate"]) == (1093, "pct_br", "600")


def test_gestionnaires_browse_the_tables_read_only(gestionnaire_client):
    guarantee_tables_load()
    assert Group.objects.get(name=GESTIONNAIRE_GROUP).permissions.filter(codename="view_guaranteecell").exists()
    listing = gestionnaire_client.get("/gestion/guarantees/guaranteecell/?q=Kelvin")
    assert listing.status_code == 200
    row = GuaranteeRow.objects.filter(act="chambre-particuliere", notice="003").first()
    detail = gestionnaire_client.get(f"/gestion/guarantees/guaranteerow/{row.pk}/change/")
    assert detail.status_code == 200
    assert "80 €" in detail.content.decode()
    assert (
        gestionnaire_client.post(f"/gestion/guarantees/guaranteerow/{row.pk}/change/", {"label": "x"}).status_code
        == 403
    )


@pytest.fixture(autouse=True)
def _today_after_cases(monkeypatch):
    """The member pages simulate with today's date as the claim date; pin it after the cases' care dates."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2025, 6, 1))


def test_the_former_simulation_address_leads_to_the_simulator(alice_client):
    response = alice_client.get("/garanties/simulation/")
    assert response.status_code == 301 and response["Location"] == "/remboursements/simulation/"


def test_category_names_keep_their_accents(alice_client, bob):
    """The notices' headings as members read them, in the table and in the filters."""
    table = alice_client.get(reverse("guarantees:table")).content.decode()
    assert "HOSPITALISATION MÉDICALE ET CHIRURGICALE" in table and "PRÉVENTION ET MÉDECINE DOUCE" in table
    assert "MEDICALE" not in table and "MEDECINE" not in table
    categories = alice_client.get(reverse("claims:list")).content.decode()
    assert "Hospitalisation médicale et chirurgicale" in categories and "Prévention et médecine douce" in categories
    bob_table = login(Client(), bob.user).get(reverse("guarantees:table")).content.decode()
    assert "FRAIS D&#39;OBSÈQUES" in bob_table or "FRAIS D'OBSÈQUES" in bob_table
    assert "OBSEQUES" not in bob_table


def test_a_level_that_does_not_cover_the_act_is_said_not_a_server_error(alice_client, alice):
    """Acupuncture: the IDCC 1412 base level has no line for it, the Celsius option has a
    forfait. The page explains both levels."""
    paul = alice.beneficiaries.get(first_name="Paul")
    response = alice_client.post(
        SIMULATE, form_data(paul, act="acupuncture", frais_reels="50,00", base_remboursement="0", ss_paid="0")
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Résultat de la simulation" in page
    assert "Reste à votre charge" in page
