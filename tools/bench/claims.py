"""Benchmarks of issues 6 and 19 (``manage.py bench --only claims``):

* import of a 100,000-line décomptes file end to end (lines/s), beside parsing the same
  file alone and the guarantee engine alone over its lines (tools/decomptes_file.py);
* the reimbursements list of a member with 5,000 décomptes, first and last page (p50/p95),
  beside a bare view running one indexed query on the same table, both through the
  same client and middleware.
(The e-mails/s of the outbox moved to tools/bench/notifications.py.)

Everything written is removed afterwards (rolled back, or deleted for what a worker in
another process had to see).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import include, path

from tools.benchmarking import Figure, median, percentile

IMPORT_LINES = int(os.environ.get("BENCH_IMPORT_LINES", "100000"))
LIST_DECOMPTES = 5000
EMAILS = int(os.environ.get("BENCH_EMAILS", "300"))


class _Rollback(Exception):
    pass


def _bench_members(count: int):
    from tools.decomptes_file import bench_members

    return bench_members(count)


def _csv(members, lines: int) -> bytes:
    from tools.decomptes_file import decomptes_csv

    return decomptes_csv([member.number for member in members], lines)


def _engine_alone(content: bytes) -> float:
    """Seconds the guarantee engine alone takes over the file's lines: one request per
    beneficiary, built beforehand (parsing, reads and writes left out)."""
    from dataclasses import replace

    from claims.services import imports
    from guarantees.engine import compute
    from guarantees.selectors import engine_layers_for, engine_request_for

    errors: list = []
    lines = imports.read_rows(content, errors)
    members = imports._members_by_number({line.member_number for line in lines})
    lines = imports._resolve(lines, members, errors, [])
    by_beneficiary: dict = {}
    for line in lines:
        by_beneficiary.setdefault(line.beneficiary.pk, []).append(line)
    requests = []
    for own in by_beneficiary.values():
        own.sort(key=lambda item: (item.care_date, item.line))
        member = members[own[0].member_number]
        base = engine_request_for(own[0].beneficiary, lines=(), layers=engine_layers_for(member))
        claim = max(max(imports._claim_date(item), item.care_date) for item in own)
        requests.append(replace(base, claim_date=claim, lines=tuple(item.care_line() for item in own)))
    started = time.perf_counter()
    for request in requests:
        compute(request)
    return time.perf_counter() - started


def bench_import() -> list[Figure]:
    from claims.services.imports import decomptes_import, read_rows
    from core.csv_errors import LineError

    figures = []
    try:
        with transaction.atomic():
            members = _bench_members(max(1, IMPORT_LINES // 20))
            content = _csv(members, IMPORT_LINES)
            started = time.perf_counter()
            errors: list[LineError] = []
            read_rows(content, errors)
            parse_seconds = time.perf_counter() - started
            engine_seconds = _engine_alone(content)
            started = time.perf_counter()
            batch = decomptes_import(content=content, file_name="bench.csv")
            import_seconds = time.perf_counter() - started
            assert batch.status == "accepte", batch.errors[:5]
            name = f"claims: import of {IMPORT_LINES:,} lines end to end (stored, checked, engine, written)"
            figures.append(
                Figure(
                    name.replace(",", " "),
                    IMPORT_LINES / import_seconds,
                    "lines/s",
                    baseline=IMPORT_LINES / parse_seconds,
                    baseline_name="parsing and validating the same file alone (claims.services.imports.read_rows)",
                    target=">= 10000",
                )
            )
            figures.append(
                Figure(
                    "claims: the same import against the guarantee engine alone",
                    IMPORT_LINES / import_seconds,
                    "lines/s",
                    baseline=IMPORT_LINES / engine_seconds,
                    baseline_name="guarantees.engine.compute over the same lines, one request per beneficiary",
                    target="(reported)",
                )
            )
            raise _Rollback
    except _Rollback:
        pass
    return figures


def bare_list(request):
    """One indexed query on the same table, rendered as plain text: the floor of a page."""
    from claims.models import Decompte
    from claims.selectors import PAGE_SIZE

    member_id = request.user.member.pk
    rows = list(
        Decompte.objects.filter(member_id=member_id, status="paye")
        .order_by("-payment_date", "-id")
        .values_list("external_id", "payment_date", "total_complementary")[:PAGE_SIZE]
    )
    return HttpResponse("\n".join(f"{a};{b};{c}" for a, b, c in rows))


urlpatterns = [path("bench/bare/", bare_list), path("", include(settings.ROOT_URLCONF))]


def _verified_client(user) -> Client:
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.models import EmailCodeDevice

    device, _ = EmailCodeDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    client = Client(SERVER_NAME="127.0.0.1")  # an allowed host in every settings module
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _interleaved(client: Client, urls: list[str], *, repeat: int, warmup: int) -> dict[str, list[float]]:
    """Durations (ms) of GET ``urls``, taken in turn: load on a shared machine then falls
    on the pages and on their baseline alike. The order is shuffled at each round, so that
    no URL always comes right after the heaviest one (colder caches, a garbage collection)."""
    durations: dict[str, list[float]] = {url: [] for url in urls}
    rng = random.Random(6)
    order = list(urls)
    for round_ in range(warmup + repeat):
        rng.shuffle(order)
        for url in order:
            started = time.perf_counter()
            client.get(url)
            if round_ >= warmup:
                durations[url].append((time.perf_counter() - started) * 1000)
    return durations


def bench_list_pages() -> list[Figure]:
    from django.contrib.auth import get_user_model

    from claims.models import Decompte, DecompteLine, ImportBatch
    from claims.selectors import PAGE_SIZE
    from claims.services import year_totals_refresh

    figures = []
    try:
        with transaction.atomic(), override_settings(ROOT_URLCONF="claims.bench"):
            member = _bench_members(1)[0]
            member.user = get_user_model().objects.create(username=member.number, email=member.email)
            member.save()
            holder = member.beneficiaries.get()
            batch = ImportBatch.objects.create(file_name="bench", sha256="0", status="accepte")
            first = dt.date(2006, 1, 1)
            decomptes = Decompte.objects.bulk_create(
                [
                    Decompte(
                        external_id=f"L{index:06d}",
                        member=member,
                        batch=batch,
                        origin="noemie",
                        payee="assure",
                        payment_date=first + dt.timedelta(days=index * 365 * 20 // LIST_DECOMPTES),
                        first_care_date=first + dt.timedelta(days=index * 365 * 20 // LIST_DECOMPTES - 5),
                        total_frais_reels=Decimal("45.00"),
                        total_ss=Decimal("21.00"),
                        total_complementary=Decimal("24.00"),
                        total_rac=Decimal("0.00"),
                        content_hash="x",
                    )
                    for index in range(LIST_DECOMPTES)
                ]
            )
            DecompteLine.objects.bulk_create(
                [
                    DecompteLine(
                        decompte=d,
                        line_number=1,
                        beneficiary=holder,
                        care_date=d.first_care_date,
                        act_code="consultation-generaliste",
                        act_label="Consultations et visites de généralistes",
                        category="Soins courants",
                        frais_reels=Decimal("45.00"),
                        base_remboursement=Decimal("30.00"),
                        ss_paid=Decimal("21.00"),
                        complementary_paid=Decimal("24.00"),
                        computed_complementary=Decimal("24.00"),
                        reste_a_charge=Decimal("0.00"),
                    )
                    for d in decomptes
                ]
            )
            year_totals_refresh({(member.pk, year) for year in range(2006, 2027)})
            client = _verified_client(member.user)
            oldest = list(Decompte.objects.filter(member=member).order_by("payment_date", "id")[: PAGE_SIZE + 1])
            last_cursor = f"{oldest[-1].payment_date:%Y-%m-%d}_{oldest[-1].pk}"
            pages = {
                "first page": "/remboursements/",
                "last page (5 000 décomptes deep)": f"/remboursements/?apres={last_cursor}",
            }
            for url in pages.values():
                response = client.get(url)
                assert response.status_code == 200, (response.status_code, response.get("Location"))
            durations = _interleaved(client, ["/bench/bare/", *pages.values()], repeat=60, warmup=5)
            bare = durations["/bench/bare/"]
            for label, url in pages.items():
                figures.append(
                    Figure(
                        f"claims: reimbursements list {label} p50",
                        median(durations[url]),
                        "ms",
                        baseline=median(bare),
                        baseline_name="bare view, one indexed query, same client",
                        target="ratio <= 2",
                    )
                )
                figures.append(
                    Figure(
                        f"claims: reimbursements list {label} p95",
                        percentile(durations[url], 95),
                        "ms",
                        baseline=percentile(bare, 95),
                        target="ratio <= 2",
                    )
                )
            raise _Rollback
    except _Rollback:
        pass
    return figures


BENCHMARKS = [bench_import, bench_list_pages]
