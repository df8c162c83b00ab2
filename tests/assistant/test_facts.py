"""Answers with the member's own facts: their formulas' figures (checked against the
engine to the cent), their pending payments, their contract's contacts and portability,
and never another household's or another contract's."""

import datetime as dt
import html
import re
from decimal import Decimal
from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from claims.services import decomptes_import
from guarantees.engine import CareLine
from guarantees.selectors import simulate_for
from tests.claims.conftest import consultation, csv_file
from tests.conftest import login

pytestmark = pytest.mark.django_db


def ask(client, question):
    return html.unescape(client.post("/assistant/", {"q": question}).content.decode())


def api(client, question):
    return client.post("/assistant/reponses/", {"q": question}).json()


def engine_pays(member, act, *, fr, days=None, history=()):
    line = CareLine(
        act=act,
        care_date=dt.date(2026, 3, 2),
        frais_reels=Decimal(fr),
        base_remboursement=Decimal("0"),
        ss_paid=Decimal("0"),
        days=days,
    )
    return simulate_for(member.holder, lines=[line], history=history, claim_date=dt.date(2026, 3, 10))[0].complementary


def test_the_private_room_figures_are_alices_formulas_and_the_engines(alice_client, alice):
    data = api(alice_client, "la chambre particuliere est-elle remboursee ?")
    first = data["answers"][0]
    assert first["id"] == "garantie-chambre"
    facts = first["facts"]
    assert facts["header"] == ["Acte", "Base conventionnelle", "Celsius"]
    room = next(row for row in facts["rows"] if row[0] == "Chambre particulière par jour")
    assert room[1:] == ["30 €", "140,95 €"]
    # What the table says is what the engine pays: one day at a high price, Base + Celsius.
    assert engine_pays(alice, "chambre-particuliere", fr="300.00", days=1) == Decimal("140.95")


def test_bob_sees_his_own_formula_and_never_alices(client, alice, bob):
    login(client, bob.user)
    data = api(client, "combien par jour pour une chambre particuliere")
    facts = data["answers"][0]["facts"]
    assert facts["header"] == ["Acte", "Option 1"]
    assert ["Chambre particulière par jour", "100 € - 50 jours par an et par bénéficiaire"] in facts["rows"]
    assert "140,95" not in str(facts) and "Celsius" not in str(facts)
    assert engine_pays(bob, "chambre-particuliere", fr="300.00", days=1) == Decimal("100.00")


def test_osteopathy_shows_the_yearly_ceiling_and_what_was_already_used(alice_client, alice):
    rows = csv_file(
        f"O1;{alice.number};1;02/03/2026;osteopathie;M. Os;1;60,00;0,00;0,00;60,00;10/03/2026;papier;assure;;;"
    )
    decomptes_import(content=rows, file_name="o.csv")
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 6, 1)):
        page = ask(alice_client, "osteopathie prise en charge")
    assert "Ostéopathe : ce que rembourse votre formule" in page
    assert "125 € par an et par bénéficiaire" in page
    first_name = alice.holder.first_name
    assert f"Déjà remboursé en 2026 pour {first_name} : 60,00" in page
    # What is left, from the engine's own counters, and the engine pays exactly that next:
    # 60 € of the 125 € forfait used, 65 € left for a new séance.
    assert re.search(rf"{first_name}, [^:]+ : reste 65,00\s€ en 2026", page), page
    history = [
        CareLine(
            act="osteopathie",
            care_date=dt.date(2026, 3, 2),
            frais_reels=Decimal("60"),
            base_remboursement=Decimal("0"),
            ss_paid=Decimal("0"),
        )
    ]
    line = CareLine(
        act="osteopathie",
        care_date=dt.date(2026, 5, 4),
        frais_reels=Decimal("90"),
        base_remboursement=Decimal("0"),
        ss_paid=Decimal("0"),
    )
    result = simulate_for(alice.holder, lines=[line], history=history, claim_date=dt.date(2026, 5, 10))[0]
    assert result.complementary == Decimal("65.00")


def test_the_simulator_link_preselects_the_act_without_naming_it_in_the_url(alice_client):
    facts = api(alice_client, "remboursement monture et verres")["answers"][0]["facts"]
    link = facts["links"][0]["url"]
    assert urlparse(link).path == reverse("claims:simulate")
    assert parse_qs(urlparse(link).query) == {"brouillon": ["assistant"]}
    page = alice_client.get(link).content.decode()
    assert '<option value="verres-unifocaux" selected>' in page


def test_not_reimbursed_lists_the_members_pending_payments_with_the_one_click_message(alice_client, alice, client, bob):
    decomptes_import(content=csv_file(consultation("P1", alice, paid="", complete="02/11/2026")), file_name="p.csv")
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 11, 16)):
        data = api(alice_client, "remboursement en retard")
    facts = data["answers"][0]["facts"]
    assert data["answers"][0]["id"] == "paiements-en-attente"
    assert facts["rows"] == [["01/10/2026", alice.holder.first_name, "13/11/2026", "en retard"]]
    message = facts["links"][0]["url"]
    assert message.startswith("/messagerie/ecrire/?brouillon=retard-")
    assert "décompte P1" in html.unescape(alice_client.get(message).content.decode())
    alice_client.logout()
    login(client, bob.user)
    other = api(client, "remboursement en retard")["answers"][0]["facts"]
    assert other["rows"] == [] and other["lines"] == ["Vous n'avez aucun remboursement en attente de paiement."]


def test_contacts_and_portability_come_from_the_members_own_contract(alice_client, client, bob):
    alice_contact = api(alice_client, "appeler un conseiller")["answers"][0]["facts"]["lines"]
    assert "0825 800 824" in alice_contact[0]
    portability = " ".join(api(alice_client, "duree de la portabilite")["answers"][0]["facts"]["lines"])
    assert "autant que votre dernier contrat de travail" in portability and "12 mois" in portability
    # Never another contract's facts: the CCN Immobilier phone and doubled duration.
    for text in (str(alice_contact), portability):
        assert "01 70 91 39 00" not in text and "multiplie par 2" not in text
    alice_client.logout()
    login(client, bob.user)
    bob_contact = api(client, "appeler un conseiller")["answers"][0]["facts"]["lines"]
    assert "01 49 29 49 29" in bob_contact[0] and "0825 800 824" not in str(bob_contact)


def test_teleconsultation_is_offered_only_when_the_contract_has_it(alice_client):
    data = api(alice_client, "consultation a distance")
    lines = data["answers"][0]["facts"]["lines"]
    assert lines[0] == "Votre contrat ne comprend pas de service de téléconsultation."
    # The Med&Vous text of the CCN Immobilier contract is never an answer.
    assert "09 70 82 17 17" not in str(data) and "Med&Vous" not in str(data)


def test_below_the_threshold_it_offers_the_handoff_and_the_members_own_contract_phone(client, bob):
    login(client, bob.user)
    page = ask(client, "Quelle est la météo demain à Paris ?")
    assert "Je ne connais pas la réponse" in page and "Écrire à un conseiller" in page
    assert "01 49 29 49 29" in page and "0825 800 824" not in page
