"""'Mes services complémentaires' and 'Contacts', from each member's contract."""

import html

import pytest

from members.models import Contract
from tests.conftest import login
from tests.factories import make_member


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def immo_client(client, db):
    member = make_member(contract=Contract.objects.get(number="KP-CCN-IMMOBILIER"), formulas=())
    return login(client, member.user)


@pytest.mark.django_db
def test_an_idcc_1412_member_sees_the_assistance_of_their_formula_and_itelis(alice_client):
    """Notice 004 lines 834-836: "Assistance: Oui - IMA référence KLP OKS OKD" and
    "RÉSEAU DE SOINS: ITELIS"; no téléconsultation service in that contract."""
    page = text(alice_client.get("/services/"))
    assert "IMA référence KLP OKS OKD" in page and "Base conventionnelle" in page
    assert "Réseau de soins : Itelis" in page
    assert "Med&Vous" not in page and 'id="teleconsultation"' not in page


@pytest.mark.django_db
def test_a_ccn_immobilier_member_sees_teleconsultation_and_the_itelis_network(immo_client):
    page = text(immo_client.get("/services/"))
    assert "Téléconsultation médicale : Med&Vous" in page and "09 70 82 17 17" in page
    assert "un dermatologue ou des para-spécialistes" in page
    assert "Réseau de soins : Itelis" in page and "Jusqu'à 25 % de remise sur les montures" in page
    assert 'href="/professionnels/?kind=opticien&itelis=on"' in page
    assert 'id="assistance"' not in page


@pytest.mark.django_db
def test_a_retiree_sees_the_assistance_of_klesia_mut(client, bob):
    page = text(login(client, bob.user).get("/services/"))
    assert "Garantie Assistance KLESIA Mut'" in page and "Med&Vous" not in page


@pytest.mark.django_db
def test_contacts_list_every_channel_of_the_members_organisme(alice_client):
    page = text(alice_client.get("/contacts/"))
    assert "L'assistant en ligne" in page and "24h/24 et 7j/7" in page and 'href="/assistant/"' in page
    assert "0825 800 824" in page and "Du lundi au vendredi" in page
    assert "2 rue Joseph Fourier" in page


@pytest.mark.django_db
def test_ccn_immobilier_contacts_follow_the_guide(immo_client):
    page = text(immo_client.get("/contacts/"))
    assert "01 70 91 39 00" in page and "Du lundi au vendredi de 8h30 à 18h" in page and "appel non surtaxé" in page
    assert "43 rond point de l'Europe" in page and "51430 Bezannes" in page
    assert "L'assistant en ligne" in page
