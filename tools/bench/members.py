"""Benchmarks of the tiers-payant card (``python manage.py bench --only members``).

Measured inside a transaction that is rolled back, with private files in a temporary
directory: the benchmark leaves nothing behind in the database or the private storage.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time

from django.db import transaction
from django.test import override_settings
from django.utils.functional import empty
from weasyprint import HTML

from documents import pdf_cache
from documents.models import RenderedDocument, private_storage
from members import cards
from members.models import Affiliation, AffiliationRole, Beneficiary, Formula, Member, Relationship
from members.services import reference_data_load
from tools.benchmarking import Figure, median

REPEAT = 15


class _Rollback(Exception):
    pass


def _household() -> Member:
    reference_data_load()
    formulas = [Formula.objects.get(code="IDCC1412-BASE"), Formula.objects.get(code="IDCC1412-CELSIUS")]
    member = Member.objects.create(
        number="BENCH00001",
        contract=formulas[0].contract,
        address_line1="1 rue du Banc",
        postcode="75001",
        city="Paris",
        status_since=dt.date(2020, 1, 1),
    )
    people = [
        (Relationship.MEMBER, "Claire", dt.date(1982, 5, 14), "282057505612345"),
        (Relationship.SPOUSE, "Paul", dt.date(1980, 9, 2), ""),
        (Relationship.CHILD, "Léo", dt.date(2012, 3, 1), ""),
        (Relationship.CHILD, "Zoé", dt.date(2015, 7, 7), ""),
    ]
    for rank, (relationship, first_name, birth, nir) in enumerate(people, start=1):
        Beneficiary.objects.create(
            member=member,
            relationship=relationship,
            first_name=first_name,
            last_name="Banc",
            birth_date=birth,
            nir=nir,
            rank=rank,
            cover_start=dt.date(2020, 1, 1),
        )
    for role, formula in zip((AffiliationRole.PRINCIPAL, AffiliationRole.OPTIONAL), formulas, strict=True):
        Affiliation.objects.create(member=member, formula=formula, role=role, start_date=dt.date(2020, 1, 1))
    return member


def _download(member_pk: int) -> bytes:
    """What the card download view does: get the card (members.cards.card_download: the
    cache probe, else the household and card_document), read its bytes."""
    document, _ = cards.card_download(member_pk)
    return pdf_cache.rendered_document_read(document)


def _interleaved(steps: dict, repeat: int = REPEAT) -> dict[str, list[float]]:
    """Time each ``(before, fn)`` step in turn, round after round, so that a change of load
    on the machine hits every figure alike (``before`` is not timed)."""
    for before, fn in steps.values():  # warm-up: imports, fonts, templates
        before()
        fn()
    durations: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeat):
        for name, (before, fn) in steps.items():
            before()
            start = time.perf_counter()
            fn()
            durations[name].append((time.perf_counter() - start) * 1000)
    return durations


def card_render_and_cache() -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as private_root, override_settings(PRIVATE_MEDIA_ROOT=private_root):
        private_storage._wrapped = empty  # re-read PRIVATE_MEDIA_ROOT
        try:
            with transaction.atomic():
                member = _household()

                def forget():
                    RenderedDocument.objects.filter(member=member).delete()

                def nothing():
                    pass

                timings = _interleaved(
                    {
                        "bare": (nothing, lambda: HTML(string="<p>Bonjour</p>").write_pdf()),
                        "cold": (forget, lambda: _download(member.pk)),
                        "cached": (lambda: _download(member.pk), lambda: _download(member.pk)),
                    }
                )
                bare, cold, cached = timings["bare"], timings["cold"], timings["cached"]
                cold_ms, bare_ms, cached_ms = median(cold), median(bare), median(cached)
                figures = [
                    Figure("bare WeasyPrint render, one-line HTML page (median)", bare_ms, "ms"),
                    Figure(
                        "tiers-payant card, cold render and store (median)",
                        cold_ms,
                        "ms",
                        baseline=bare_ms,
                        baseline_name="bare WeasyPrint render of a one-line HTML page",
                        target="ratio <= 3",
                    ),
                    Figure(
                        "tiers-payant card, served from cache (median)",
                        cached_ms,
                        "ms",
                        baseline=cold_ms,
                        baseline_name="cold card render (same run)",
                        target="ratio <= 0.02 (>= 50x faster)",
                    ),
                    Figure("cached download speed-up over cold (x)", cold_ms / cached_ms, "x", target=">= 50"),
                    Figure("cold card render, p-stdev", statistics.pstdev(cold), "ms"),
                ]
                raise _Rollback
        except _Rollback:
            pass
        finally:
            private_storage._wrapped = empty
    return figures


BENCHMARKS = [card_render_and_cache]
