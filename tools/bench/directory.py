"""Distance search on 100,000 professionals (``manage.py bench --only directory``).

Runs on the configured database (the lead runs it on PostgreSQL). The professionals are
generated here with bulk_create and deleted afterwards, whatever happens."""

from __future__ import annotations

import random

from django.core.paginator import Paginator

from directory.demo import demo_professionals
from directory.models import Kind, Professional
from directory.selectors import bounding_box, professionals_near
from tools.benchmarking import Figure, median, percentile, timed

PREFIX = "BENCH-"
COUNT = 100_000
SEARCHES = 200


def _cleanup() -> None:
    ids = list(Professional.objects.filter(identifier__startswith=PREFIX).values_list("pk", flat=True))
    for start in range(0, len(ids), 5000):
        Professional.objects.filter(pk__in=ids[start : start + 5000]).delete()


def distance_search() -> list[Figure]:
    _cleanup()
    Professional.objects.bulk_create(demo_professionals(COUNT, seed=7, prefix=PREFIX), batch_size=2000)
    try:
        rng = random.Random(12)
        sample = list(
            Professional.objects.filter(identifier__startswith=PREFIX).values_list("latitude", "longitude")[:5000]
        )
        kinds = ["", "", Kind.GENERALISTE, Kind.PHARMACIE, Kind.OPTICIEN, Kind.DENTISTE]
        searches = [
            {
                "latitude": lat + rng.uniform(-0.02, 0.02),
                "longitude": lon + rng.uniform(-0.02, 0.02),
                "radius_km": rng.choice([10, 20]),
                "kind": rng.choice(kinds),
                "tiers_payant": rng.random() < 0.3,
            }
            for lat, lon in rng.sample(sample, SEARCHES)
        ]
        queue = iter(searches * 2)

        def search():
            page = Paginator(professionals_near(**next(queue)), 20).get_page(1)
            return page.paginator.count, list(page)

        def bare():
            s = next(queue)
            min_lat, max_lat, min_lon, max_lon = bounding_box(s["latitude"], s["longitude"], s["radius_km"])
            return list(
                Professional.objects.filter(
                    latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lon, longitude__lte=max_lon
                ).values_list("pk", flat=True)[:20]
            )

        searched = timed(search, repeat=SEARCHES, warmup=5)
        queue = iter(searches * 2)
        baseline = timed(bare, repeat=SEARCHES, warmup=5)
        results = Paginator(professionals_near(**searches[0]), 20).count
    finally:
        _cleanup()
    return [
        Figure(
            f"directory: distance search p95, {COUNT:,} pros (count + page 1)".replace(",", " "),
            percentile(searched, 95),
            "ms",
            baseline=percentile(baseline, 95),
            baseline_name="bare indexed bounding-box query, first 20 ids",
            target="< 50 ms",
        ),
        Figure(
            "directory: distance search median",
            median(searched),
            "ms",
            baseline=median(baseline),
            baseline_name="bare indexed bounding-box query, first 20 ids",
            target=f"(first search: {results} results)",
        ),
    ]


BENCHMARKS = [distance_search]
