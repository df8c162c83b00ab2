"""Members search the directory by place, kind and filters, nearest first."""

import html
import re

import pytest

from directory.departements import DEPARTEMENTS, departement_of
from directory.models import Kind
from directory.places import city_coordinates, resolve_place
from directory.selectors import haversine_km
from members.models import Contract
from tests.conftest import login
from tests.directory.helpers import make_pro
from tests.factories import make_member


def names(page: str) -> list[str]:
    return re.findall(r"<h3>([^<]+)</h3>", page)


@pytest.fixture
def lyon_area(db):
    return {
        "centre": make_pro("A", 45.7500, 4.8480, name="Dr Centre", tiers_payant=True, optam=True, sector="2"),
        "villeurbanne": make_pro("B", 45.7667, 4.8800, name="Dr Villeurbanne", postcode="69100", city="Villeurbanne"),
        "vienne": make_pro("C", 45.5255, 4.8745, name="Dr Vienne", postcode="38200", city="Vienne", tiers_payant=True),
        "paris": make_pro("D", 48.8566, 2.3522, name="Dr Paris", postcode="75001", city="Paris"),
    }


def test_haversine_gives_the_paris_lyon_distance():
    assert 391 < haversine_km(48.85341, 2.3488, 45.74906, 4.84789) < 395


def test_every_chef_lieu_is_placed_and_postcodes_map_to_departements():
    for code, (_name, city, postcode) in DEPARTEMENTS.items():
        assert city_coordinates(city) is not None, city
        assert departement_of(postcode) == code, postcode
    assert departement_of("20090") == "2A" and departement_of("20600") == "2B" and departement_of("97410") == "974"
    assert city_coordinates("saint etienne").label == "Saint-Étienne"


@pytest.mark.django_db
def test_search_by_city_sorts_by_distance_within_the_radius(alice_client, lyon_area):
    page = alice_client.get("/professionnels/", {"lieu": "Lyon", "rayon": 20}).content.decode()
    assert names(page) == ["Dr Centre", "Dr Villeurbanne"]
    assert "2 résultats autour de Lyon" in page
    assert "à 100 m" in page and "à 3,2 km" in page
    page = alice_client.get("/professionnels/", {"lieu": "lyon", "rayon": 50}).content.decode()
    assert names(page) == ["Dr Centre", "Dr Villeurbanne", "Dr Vienne"]


@pytest.mark.django_db
def test_search_by_postcode_starts_from_that_postcode(alice_client, lyon_area):
    page = alice_client.get("/professionnels/", {"lieu": "69100", "rayon": 20}).content.decode()
    assert names(page) == ["Dr Villeurbanne", "Dr Centre"]
    assert "autour de 69100 Villeurbanne" in page


@pytest.mark.django_db
def test_a_postcode_absent_from_the_directory_is_placed_at_its_chef_lieu(lyon_area):
    place = resolve_place("38000")
    assert "Isère" in place.label and "Grenoble" in place.label
    assert haversine_km(place.latitude, place.longitude, 45.1885, 5.7245) < 3


@pytest.mark.django_db
def test_a_postcode_with_its_town_is_placed_at_that_town_not_the_chef_lieu(lyon_area):
    assert resolve_place("29200 Brest").label == "29200 Brest"
    assert "Quimper" in resolve_place("29200").label
    assert "Quimper" in resolve_place("29200 Lyon").label  # a town of another département is not believed


@pytest.mark.django_db
def test_search_around_coordinates_from_the_browser(alice_client, lyon_area):
    page = alice_client.get("/professionnels/", {"lat": "45.526", "lon": "4.874", "rayon": 50}).content.decode()
    assert names(page) == ["Dr Vienne", "Dr Centre", "Dr Villeurbanne"]
    assert "autour de vous" in page


@pytest.mark.django_db
def test_filters_keep_only_matching_professionals(alice_client, lyon_area):
    make_pro("E", 45.7510, 4.8490, name="Optique Itelis", kind=Kind.OPTICIEN, itelis=True, tiers_payant=True)
    make_pro("F", 45.7490, 4.8470, name="Cardiologue", kind=Kind.SPECIALISTE, speciality="cardiologie")
    search = {"lieu": "Lyon", "rayon": 50}
    assert names(alice_client.get("/professionnels/", search | {"tiers_payant": "on"}).content.decode()) == [
        "Dr Centre",
        "Optique Itelis",
        "Dr Vienne",
    ]
    assert names(alice_client.get("/professionnels/", search | {"itelis": "on"}).content.decode()) == ["Optique Itelis"]
    assert names(alice_client.get("/professionnels/", search | {"optam": "on"}).content.decode()) == ["Dr Centre"]
    assert names(alice_client.get("/professionnels/", search | {"kind": "opticien"}).content.decode()) == [
        "Optique Itelis"
    ]
    assert names(alice_client.get("/professionnels/", search | {"speciality": "cardiologie"}).content.decode()) == [
        "Cardiologue"
    ]


def alternative_links(page: str) -> dict[str, str]:
    """The searches offered after an empty result: label -> query string."""
    found = re.findall(r'<li><a class="button button--secondary" href="\?([^"]*)">([^<]+)</a></li>', page)
    return {html.unescape(label): html.unescape(query) for query, label in found}


@pytest.mark.django_db
def test_an_empty_result_says_what_was_searched_and_offers_a_wider_radius(alice_client, lyon_area):
    make_pro("E", 45.5300, 4.8700, name="Optique de Vienne", kind=Kind.OPTICIEN, itelis=True)  # about 25 km away
    search = {"lieu": "Lyon", "rayon": 10, "kind": "opticien", "itelis": "on"}
    page = html.unescape(alice_client.get("/professionnels/", search).content.decode())
    assert names(page) == []
    assert "Aucun professionnel trouvé autour de Lyon" in page
    assert (
        "Vous avez cherché : <strong>Opticien</strong>, « Membre du réseau Itelis », "
        "dans un rayon de 10 km autour de Lyon." in page
    )
    assert "aucun professionnel qui réponde à tous ces critères à cette distance" in page
    links = alternative_links(page)
    # 20 km finds nothing either: the offer is the nearest radius that finds the optician.
    assert list(links) == ["Dans un rayon de 50 km : 1 résultat"]
    following = alice_client.get("/professionnels/?" + links["Dans un rayon de 50 km : 1 résultat"]).content.decode()
    assert names(following) == ["Optique de Vienne"]


@pytest.mark.django_db
def test_an_empty_result_offers_to_drop_each_filter_that_hides_professionals(alice_client, lyon_area):
    make_pro("E", 45.7510, 4.8490, name="Optique du Centre", kind=Kind.OPTICIEN)
    search = {"lieu": "Lyon", "rayon": 50, "kind": "opticien", "itelis": "on", "tiers_payant": "on"}
    page = alice_client.get("/professionnels/", search).content.decode()
    links = alternative_links(page)
    # Dropping one filter alone is not enough (the optician has neither), nor the kind alone.
    assert list(links) == ["Sans aucun filtre : 1 résultat"]
    following = alice_client.get("/professionnels/?" + links["Sans aucun filtre : 1 résultat"]).content.decode()
    assert names(following) == ["Optique du Centre"]
    make_pro("G", 45.7520, 4.8500, name="Optique Tiers payant", kind=Kind.OPTICIEN, tiers_payant=True)
    page = alice_client.get("/professionnels/", search).content.decode()
    links = alternative_links(page)
    assert list(links) == ["Sans le filtre « Membre du réseau Itelis » : 1 résultat", "Sans aucun filtre : 2 résultats"]
    following = alice_client.get("/professionnels/?" + links["Sans le filtre « Membre du réseau Itelis » : 1 résultat"])
    assert names(following.content.decode()) == ["Optique Tiers payant"]


@pytest.mark.django_db
def test_an_empty_result_with_nothing_nearer_says_so_and_gives_the_contact(alice_client):
    page = html.unescape(
        alice_client.get("/professionnels/", {"lieu": "Reims", "kind": "dentiste", "rayon": 50}).content.decode()
    )
    assert "Aucun professionnel trouvé autour de Reims" in page
    assert "Ni un rayon plus large ni le retrait d'un filtre ne donnent de résultat" in page
    assert 'href="/contacts/"' in page and alternative_links(page) == {}


@pytest.mark.django_db
def test_results_are_paginated(alice_client):
    for n in range(23):
        make_pro(f"P{n:02d}", 45.75 + n * 0.001, 4.85, name=f"Pharmacie {n:02d}", kind=Kind.PHARMACIE)
    first = alice_client.get("/professionnels/", {"lieu": "Lyon"}).content.decode()
    assert len(names(first)) == 20 and "Page 1 sur 2" in first
    second = alice_client.get("/professionnels/", {"lieu": "Lyon", "page": 2}).content.decode()
    assert names(second) == ["Pharmacie 20", "Pharmacie 21", "Pharmacie 22"]
    assert "lieu=Lyon&amp;page=1" in second


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lieu": "Atlantide"}, "Nous ne trouvons pas la ville « Atlantide »"),
        ({"lieu": "123"}, "Un code postal comporte 5 chiffres"),
        ({"lieu": "99000"}, "Le code postal 99000 ne correspond à aucun département français."),
        ({"lat": "45.5"}, "Votre position est incomplète"),
        ({"lat": "145", "lon": "4"}, "Votre position n'est pas valide"),
    ],
)
def test_bad_places_get_precise_french_errors(alice_client, params, message):
    page = alice_client.get("/professionnels/", params).content.decode()
    assert message in html.unescape(page)


@pytest.mark.django_db
def test_the_form_starts_from_the_members_home(alice_client):
    page = alice_client.get("/professionnels/").content.decode()
    assert 'value="75002 Paris"' in page and "Autour de moi" in page


@pytest.mark.django_db
def test_itelis_advantages_show_on_optician_results_for_an_itelis_contract(client, bob, lyon_area):
    """Bob's contract (notice 003) has no care network; the CCN Immobilier one has Itelis."""
    make_pro("E", 45.7510, 4.8490, name="Optique Itelis", kind=Kind.OPTICIEN, itelis=True)
    search = {"lieu": "Lyon", "kind": "opticien"}
    page = html.unescape(login(client, bob.user).get("/professionnels/", search).content.decode())
    assert "Optique Itelis" in page and "Jusqu'à 40 % d'économie sur les verres" not in page
    client.logout()
    immo = make_member(contract=Contract.objects.get(number="KP-CCN-IMMOBILIER"), formulas=())
    page = html.unescape(login(client, immo.user).get("/professionnels/", search).content.decode())
    assert "Jusqu'à 40 % d'économie sur les verres" in page and "Réseau Itelis" in page
    # Not on a search for doctors only.
    page = html.unescape(client.get("/professionnels/", {"lieu": "Lyon", "kind": "generaliste"}).content.decode())
    assert "Dr Centre" in page and "Jusqu'à 40 %" not in page


@pytest.mark.django_db
def test_only_members_search(client, gestionnaire):
    response = client.get("/professionnels/")
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
    assert login(client, gestionnaire).get("/professionnels/").status_code == 403
