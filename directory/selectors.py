"""Reads of the directory: the distance search."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import F, FloatField, QuerySet, Value
from django.db.models.functions import ASin, Cos, Power, Radians, Sin, Sqrt

from directory.models import Kind, Professional

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # about 111.2 km per degree of latitude


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two points in decimal degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(latitude: float, longitude: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box that contains the circle of ``radius_km``."""
    dlat = radius_km / KM_PER_DEGREE
    # Longitude degrees shrink with the cosine of the latitude; clamp near the poles.
    dlon = radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


def _distance_expression(latitude: float, longitude: float):
    """The haversine formula as a database expression (PostgreSQL and SQLite: Django
    registers the math functions on SQLite connections)."""
    lat0 = Value(math.radians(latitude), output_field=FloatField())
    lon0 = Value(math.radians(longitude), output_field=FloatField())
    cos_lat0 = Value(math.cos(math.radians(latitude)), output_field=FloatField())
    lat = Radians(F("latitude"))
    lon = Radians(F("longitude"))
    h = Power(Sin((lat - lat0) / 2), 2) + cos_lat0 * Cos(lat) * Power(Sin((lon - lon0) / 2), 2)
    return Value(2 * EARTH_RADIUS_KM, output_field=FloatField()) * ASin(Sqrt(h))


def professionals_near(
    *,
    latitude: float,
    longitude: float,
    radius_km: float,
    kind: str = "",
    speciality: str = "",
    tiers_payant: bool = False,
    itelis: bool = False,
    optam: bool = False,
) -> QuerySet[Professional]:
    """Professionals within ``radius_km``, nearest first, each with ``distance_km``.

    The bounding box filter runs on the indexed coordinates and keeps only a few
    hundred rows; the exact distance is computed on those alone.
    """
    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius_km)
    queryset = Professional.objects.filter(
        latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lon, longitude__lte=max_lon
    )
    if speciality:
        queryset = queryset.filter(kind=Kind.SPECIALISTE, speciality=speciality)
    elif kind:
        queryset = queryset.filter(kind=kind)
    if tiers_payant:
        queryset = queryset.filter(tiers_payant=True)
    if itelis:
        queryset = queryset.filter(itelis=True)
    if optam:
        queryset = queryset.filter(optam=True)
    return (
        queryset.annotate(distance_km=_distance_expression(latitude, longitude))
        .filter(distance_km__lte=radius_km)
        .order_by("distance_km", "name", "pk")
    )


@dataclass(frozen=True)
class Alternative:
    """Another search that finds something when the member's found nothing: ``changes``
    are the query parameters to set (a value) or drop (``None``)."""

    label: str
    count: int
    changes: dict[str, str | None]


FILTERS = ("tiers_payant", "itelis", "optam")


def search_alternatives(*, search: dict, radius_choices: list[int], labels: dict[str, str]) -> list[Alternative]:
    """For a search that found nothing: the nearest wider radius that finds something, and
    each filter that, dropped alone, finds something. ``labels`` names what was searched
    (``SearchForm.criteria``). A few COUNT queries on the bounding-box index."""
    alternatives = []
    radius = search["radius_km"]
    for wider in sorted(choice for choice in radius_choices if choice > radius):
        count = professionals_near(**(search | {"radius_km": wider})).count()
        if count:
            alternatives.append(Alternative(f"Dans un rayon de {wider} km", count, {"rayon": str(wider)}))
            break
    dropped: list[tuple[str, dict, dict[str, str | None]]] = [
        (f"Sans le filtre « {labels[name]} »", {name: False}, {name: None}) for name in FILTERS if search.get(name)
    ]
    if len(dropped) > 1:
        ticked = [name for name in FILTERS if search.get(name)]
        dropped.append(("Sans aucun filtre", dict.fromkeys(ticked, False), dict.fromkeys(ticked)))
    if search.get("speciality"):
        dropped.append(
            (
                f"Toutes les spécialités, pas seulement « {labels['speciality']} »",
                {"speciality": ""},
                {"speciality": None},
            )
        )
    if search.get("kind") or search.get("speciality"):
        dropped.append(
            (
                f"Tous les professionnels, pas seulement « {labels['kind']} »",
                {"kind": "", "speciality": ""},
                {"kind": None, "speciality": None},
            )
        )
    for label, search_change, changes in dropped:
        count = professionals_near(**(search | search_change)).count()
        if count:
            alternatives.append(Alternative(label, count, changes))
    return alternatives
