"""The guide's own contract (CCN Immobilier) has no guarantee table in the seeds: its
members are told so truthfully on every page that would show one, with whom to call and
what they can still do; nothing is invented. (Issue 20.)"""

from __future__ import annotations

import pytest
from django.test import Client

from members.models import Contract
from tests.conftest import login
from tests.factories import make_member

pytestmark = pytest.mark.django_db

PAGES = {
    "/": "vos niveaux de remboursement, votre carte de tiers payant",
    "/situation/contrats/": "vos garanties et leurs modalités de remboursement",
    "/garanties/modalites/": "les modalités de remboursement ne peuvent pas être affichées",
    "/situation/carte-tiers-payant/": "votre carte de tiers payant ne peut pas encore être délivrée",
    "/remboursements/simulation/": "la simulation d'un remboursement n'est pas possible",
    "/remboursements/devis/": "l'estimation de vos devis n'est pas possible",
}


@pytest.fixture
def immo_client():
    member = make_member(contract=Contract.objects.get(number="KP-CCN-IMMOBILIER"), formulas=())
    return login(Client(), member.user)


@pytest.mark.parametrize(("url", "missing"), PAGES.items())
def test_a_ccn_immobilier_member_is_told_what_is_missing_and_whom_to_call(immo_client, url, missing):
    response = immo_client.get(url)
    assert response.status_code == 200
    page = response.content.decode().replace("&#39;", "'")
    assert (
        "Le détail des garanties de votre contrat « Frais de santé CCN Immobilier » n'est pas encore disponible" in page
    )
    assert missing in page
    assert 'href="tel:0170913900">01 70 91 39 00</a>' in page  # the contract's phone
    assert "du lundi au vendredi de 8h30 à 18h" in page
    assert "Med&amp;Vous" in page and "réseau Itelis" in page  # what the contract still offers
    assert "Aucune garantie n'est en vigueur" not in page


@pytest.mark.parametrize("url", PAGES)
def test_a_member_whose_contract_has_formulas_never_sees_it(alice_client, url):
    page = alice_client.get(url).content.decode()
    assert "n'est pas encore disponible dans votre Espace Assuré" not in page.replace("&#39;", "'")


@pytest.mark.parametrize("url", ["/remboursements/devis/nouveau/", "/remboursements/devis/nouveau/?type=dentaire"])
def test_a_devis_sent_anyway_is_told_no_immediate_estimate(immo_client, url):
    response = immo_client.get(url)
    assert response.status_code == 200
    assert "l&#39;estimation immédiate de vos devis n&#39;est pas possible ici" in response.content.decode()


# --- the back-office: the gestionnaire sees what such a member will see -------------------

ADD = "/gestion/members/member/add/"


def test_the_member_form_marks_the_contract_without_guarantees_and_says_what_its_members_see(gestionnaire_client):
    page = gestionnaire_client.get(ADD).content.decode()
    immo = Contract.objects.get(number="KP-CCN-IMMOBILIER")
    assert (
        f'<option value="{immo.pk}">Frais de santé CCN Immobilier (n° KP-CCN-IMMOBILIER) — aucune garantie dans le portail</option>'
        in page
    )
    t331 = Contract.objects.get(number="T331")
    assert f'<option value="{t331.pk}">Garanties Santé IDCC 1412 (n° T331)</option>' in page
    assert "ni carte de tiers payant, ni estimation" in page


def test_saving_a_member_on_that_contract_warns_the_gestionnaire(gestionnaire_client):
    from tests.members.test_admin_affiliations import NUMBER, add_member_data

    page = gestionnaire_client.get(ADD)
    data = add_member_data(page, contract=Contract.objects.get(number="KP-CCN-IMMOBILIER"), affiliations=[])
    response = gestionnaire_client.post(ADD, data, follow=True)
    assert response.status_code == 200
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings == [
        "Attention : le contrat « Frais de santé CCN Immobilier » n'a aucune formule de garanties dans le portail. "
        f"L'assuré {NUMBER} ne verra ni ses garanties, ni sa carte de tiers payant, ni d'estimation : son Espace "
        "Assuré lui dit que le détail de ses garanties n'est pas encore disponible et lui donne le 01 70 91 39 00 "
        "à appeler."
    ]


def test_saving_a_member_on_a_contract_with_formulas_gives_no_such_warning(gestionnaire_client):
    from tests.members.test_admin_affiliations import add_member_data

    page = gestionnaire_client.get(ADD)
    data = add_member_data(
        page, contract=Contract.objects.get(number="T331"), affiliations=[("IDCC1412-BASE", "principal")]
    )
    response = gestionnaire_client.post(ADD, data, follow=True)
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]
