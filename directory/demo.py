"""A realistic, reproducible demo directory placed around the chefs-lieux of the
départements (real GeoNames coordinates), weighted by their population.

Names, streets and phone numbers are invented; coordinates are spread around each city
centre. The same seed always gives the same rows, so loading it twice creates nothing
twice (rows are upserted by identifier).
"""

from __future__ import annotations

import math
import random

from django.utils import timezone

from directory.departements import DEPARTEMENTS
from directory.models import Kind, Professional, Sector, Speciality
from directory.places import city_coordinates, city_population
from directory.selectors import KM_PER_DEGREE

DEMO_PREFIX = "DEMO-"

FIRST_NAMES = (
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Emma",
    "Inès",
    "Sarah",
    "Julie",
    "Claire",
    "Sophie",
    "Nathalie",
    "Isabelle",
    "Hélène",
    "Anne",
    "Élodie",
    "Lucie",
    "Thomas",
    "Nicolas",
    "Julien",
    "Maxime",
    "Antoine",
    "Hugo",
    "Lucas",
    "Pierre",
    "François",
    "Olivier",
    "Laurent",
    "Stéphane",
    "Mathieu",
    "Sébastien",
    "Karim",
    "Mehdi",
    "Yasmine",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Benali",
    "Nguyen",
    "Haddad",
)
STREETS = (
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Victor Hugo",
    "boulevard Gambetta",
    "place de la Mairie",
    "rue Pasteur",
    "avenue du Général de Gaulle",
    "rue Nationale",
    "rue du Marché",
    "rue de la Gare",
    "boulevard de la Liberté",
    "rue des Écoles",
    "avenue Foch",
    "rue Jules Ferry",
    "place du Marché",
    "rue Émile Zola",
    "rue Carnot",
    "avenue de la Libération",
    "rue du Moulin",
    "quai des Tanneurs",
)
# kind: (share of the directory, share accepting tiers payant, share in the Itelis network)
KIND_PROFILE = {
    Kind.GENERALISTE: (25, 0.65, 0.0),
    Kind.SPECIALISTE: (14, 0.40, 0.0),
    Kind.PHARMACIE: (18, 0.98, 0.0),
    Kind.KINESITHERAPEUTE: (10, 0.50, 0.0),
    Kind.DENTISTE: (10, 0.60, 0.15),
    Kind.OPTICIEN: (9, 0.85, 0.45),
    Kind.LABORATOIRE: (4, 0.95, 0.0),
    Kind.RADIOLOGIE: (3, 0.85, 0.0),
    Kind.AUDIOPROTHESISTE: (4, 0.70, 0.35),
    Kind.ETABLISSEMENT: (3, 0.95, 0.0),
}
# The first digit after 0 of landline numbers by area (Île-de-France 1, North-West 2...).
AREA_DIGIT = {
    "1": "75 77 78 91 92 93 94 95",
    "3": "02 08 10 21 25 39 51 52 54 55 57 58 59 62 67 68 70 71 80 88 89 90 60",
    "4": "01 03 04 05 06 07 11 13 15 2A 2B 26 30 34 38 42 43 48 63 66 69 73 74 83 84",
}
DISTRICTS = {"Paris": 20, "Lyon": 9, "Marseille": 16}


def _area_digit(code: str) -> str:
    if len(code) == 3:
        return "5"
    for digit, codes in AREA_DIGIT.items():
        if code in codes.split():
            return digit
    return "2" if code < "50" or code in ("53", "56", "61", "72", "76", "85") else "5"


def _name(rng: random.Random, kind: str, person: str, street: str, city: str) -> str:
    if kind in (Kind.GENERALISTE, Kind.SPECIALISTE):
        return f"Dr {person}"
    if kind == Kind.PHARMACIE:
        return rng.choice(
            (
                f"Pharmacie {street.split(' ', 2)[-1]}",
                f"Pharmacie du Centre - {city}",
                f"Pharmacie {person.split()[-1]}",
            )
        )
    if kind == Kind.OPTICIEN:
        return rng.choice(
            (f"Optique {person.split()[-1]}", f"Les Opticiens de {city}", f"Atelier Optique {street.split(' ', 2)[-1]}")
        )
    if kind == Kind.AUDIOPROTHESISTE:
        return f"Audition {person.split()[-1]}"
    if kind == Kind.LABORATOIRE:
        return f"Laboratoire d'analyses médicales {person.split()[-1]}"
    if kind == Kind.RADIOLOGIE:
        return f"Centre d'imagerie médicale de {city}"
    if kind == Kind.ETABLISSEMENT:
        return rng.choice(
            (f"Clinique {person.split()[-1]}", f"Centre hospitalier de {city}", f"Clinique du Parc - {city}")
        )
    if kind == Kind.DENTISTE:
        return f"Dr {person}, chirurgien-dentiste"
    return f"{person}, masseur-kinésithérapeute"


def demo_professionals(count: int, *, seed: int = 1412, prefix: str = DEMO_PREFIX) -> list[Professional]:
    """``count`` unsaved professionals, the same ones for the same seed."""
    rng = random.Random(seed)
    cities = []
    for code, (_departement, name, postcode) in DEPARTEMENTS.items():
        place = city_coordinates(name)
        if place is not None:
            cities.append((code, place, postcode, city_population(name)))
    # Weight by the square root of the population: big cities get more, small ones some.
    weights = [math.sqrt(max(population, 1000)) for *_rest, population in cities]
    kinds = list(KIND_PROFILE)
    kind_weights = [KIND_PROFILE[k][0] for k in kinds]
    specialities = Speciality.values
    now = timezone.now()
    professionals = []
    for number in range(1, count + 1):
        code, place, postcode, population = rng.choices(cities, weights)[0]
        kind = rng.choices(kinds, kind_weights)[0]
        _share, tiers_payant_share, itelis_share = KIND_PROFILE[kind]
        # A point in a disc whose radius grows with the city (about 3 km to 9 km).
        radius_km = 2 + min(7.0, math.sqrt(population) / 150)
        distance = radius_km * math.sqrt(rng.random())
        bearing = rng.uniform(0, 2 * math.pi)
        latitude = place.latitude + distance * math.cos(bearing) / KM_PER_DEGREE
        longitude = place.longitude + distance * math.sin(bearing) / (
            KM_PER_DEGREE * math.cos(math.radians(place.latitude))
        )
        if place.label in DISTRICTS:
            postcode = f"{postcode[:3]}{rng.randint(1, DISTRICTS[place.label]):02d}"
        person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        street = rng.choice(STREETS)
        doctor = kind in (Kind.GENERALISTE, Kind.SPECIALISTE)
        sector = (
            rng.choices(["1", "2", "nc"], [60, 36, 4])[0] if doctor or kind == Kind.DENTISTE else Sector.NOT_APPLICABLE
        )
        digits = "".join(str(rng.randint(0, 9)) for _ in range(8))
        professionals.append(
            Professional(
                identifier=f"{prefix}{number:06d}",
                name=_name(rng, kind, person, street, place.label),
                kind=kind,
                speciality=rng.choice(specialities) if kind == Kind.SPECIALISTE else "",
                address=f"{rng.randint(1, 180)} {street}",
                postcode=postcode,
                city=place.label,
                latitude=round(latitude, 6),
                longitude=round(longitude, 6),
                phone=f"0{_area_digit(code)} {digits[0:2]} {digits[2:4]} {digits[4:6]} {digits[6:8]}",
                sector=sector,
                optam=doctor and sector == "2" and rng.random() < 0.55,
                tiers_payant=rng.random() < tiers_payant_share,
                itelis=rng.random() < itelis_share,
                updated_at=now,
            )
        )
    return professionals


# Where the demo members live (tools/demo/members.py) and the guide's own office (Reims):
# the demo directory always holds, near each, what those members look for first.
DEMO_NEAR_PLACES = (("Lyon", "69003"), ("Brest", "29200"), ("Reims", "51100"))
DEMO_NEAR_PREFIX = "DEMO-PRES-"
# (kind, how many, tiers payant, Itelis network): Itelis opticians and tiers-payant
# pharmacies first, then a few of the professionals the guide sends members to.
NEAR_PROFILE = (
    (Kind.OPTICIEN, 3, True, True),
    (Kind.PHARMACIE, 3, True, False),
    (Kind.GENERALISTE, 2, True, False),
    (Kind.DENTISTE, 1, True, True),
    (Kind.AUDIOPROTHESISTE, 1, True, True),
)


def demo_professionals_near(city: str, postcode: str) -> list[Professional]:
    """Unsaved professionals within 3 km of ``city``, all with the ``postcode`` (so that
    typing it finds them), the same ones every time (upserted by identifier)."""
    place = city_coordinates(city)
    if place is None:
        raise ValueError(f"{city} is not in directory/data/places.json")
    rng = random.Random(f"{postcode} {place.label}")
    now = timezone.now()
    professionals = []
    number = 0
    for kind, count, tiers_payant, itelis in NEAR_PROFILE:
        for _ in range(count):
            number += 1
            distance = rng.uniform(0.2, 3.0)
            bearing = rng.uniform(0, 2 * math.pi)
            person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            street = rng.choice(STREETS)
            digits = "".join(str(rng.randint(0, 9)) for _ in range(8))
            doctor = kind in (Kind.GENERALISTE, Kind.DENTISTE)
            professionals.append(
                Professional(
                    identifier=f"{DEMO_NEAR_PREFIX}{postcode}-{number:02d}",
                    name=_name(rng, kind, person, street, place.label),
                    kind=kind,
                    address=f"{rng.randint(1, 180)} {street}",
                    postcode=postcode,
                    city=place.label,
                    latitude=round(place.latitude + distance * math.cos(bearing) / KM_PER_DEGREE, 6),
                    longitude=round(
                        place.longitude
                        + distance * math.sin(bearing) / (KM_PER_DEGREE * math.cos(math.radians(place.latitude))),
                        6,
                    ),
                    phone=f"0{_area_digit(postcode[:2])} {digits[0:2]} {digits[2:4]} {digits[4:6]} {digits[6:8]}",
                    sector=Sector.SECTOR_1 if doctor else Sector.NOT_APPLICABLE,
                    tiers_payant=tiers_payant,
                    itelis=itelis,
                    updated_at=now,
                )
            )
    return professionals
