"""Page latency at insurer scale (issue 11; ``manage.py bench --only portal``).

p50/p95 of the pages members and gestionnaires use most, each beside a bare Django view
that runs one indexed query on the same tables, through the same test client, session,
authentication, second-factor and security middleware (mounted by a bench URLconf next to
the real one). Pages and bare views are timed in turn, round after round, so that a change
of load on a shared machine hits both alike. Each page's number of queries is printed too.

Data: on a database filled by ``manage.py generate_scale``, the member is the one with the
most décomptes (and a login account), the deep page is the 200th (or the oldest), searches
use a generated member's number and a common last name. On any other database the bench
builds a small data set (one member with 2,000 décomptes, 60 threads, 500 other members)
and says so in the figures' names: run ``generate_scale`` first for the insurer-scale
figures. Everything the bench writes (sessions, devices, the small data set) is rolled
back.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone

from tools.benchmarking import Figure, median, percentile

REPEAT = int(os.environ.get("BENCH_PAGE_REPEAT", "60"))
WARMUP = 5
DEEP_PAGE = 200
INBOX_PAGE = 20  # messaging.views.PAGE_SIZE
SMALL_DECOMPTES = 2000


class _Rollback(Exception):
    pass


# --------------------------------------------------------------------------- bare views


def _text(rows) -> HttpResponse:
    return HttpResponse("\n".join(";".join(str(v) for v in row) for row in rows), content_type="text/plain")


def bare_home(request):
    from members.models import Beneficiary

    member_id = request.user.member.pk
    return _text(Beneficiary.objects.filter(member_id=member_id).values_list("first_name", "last_name", "relationship"))


def bare_decomptes(request):
    from claims.models import Decompte
    from claims.selectors import PAGE_SIZE, parse_cursor

    member_id = request.user.member.pk
    rows = Decompte.objects.filter(member_id=member_id, status="paye")
    if (position := parse_cursor(request.GET.get("apres", ""))) is not None:
        from django.db.models import Q

        day, pk = position
        rows = rows.filter(Q(payment_date__lt=day) | Q(payment_date=day, pk__lt=pk))
    return _text(
        rows.order_by("-payment_date", "-id").values_list("external_id", "payment_date", "total_complementary")[
            :PAGE_SIZE
        ]
    )


def bare_decompte_lines(request, pk: int):
    from claims.models import DecompteLine

    request.user.member  # noqa: B018 - the same session and user loads as the page
    return _text(
        DecompteLine.objects.filter(decompte_id=pk).values_list("act_label", "frais_reels", "complementary_paid")
    )


def bare_rights(request):
    """ "Mes droits restants" bare: this year's care lines of the member's household, one
    indexed query (the page reads the same table once, then runs the engine)."""
    from claims.models import DecompteLine

    member_id = request.user.member.pk
    start = dt.date(timezone.localdate().year, 1, 1)
    return _text(
        DecompteLine.objects.filter(beneficiary__member_id=member_id, care_date__gte=start).values_list(
            "act_code", "care_date", "frais_reels"
        )[:200]
    )


def bare_threads(request):
    from messaging.models import Thread

    member_id = request.user.member.pk
    return _text(
        Thread.objects.filter(member_id=member_id)
        .order_by("-last_message_at")
        .values_list("pk", "status", "last_message_at")[:20]
    )


def bare_queue(request):
    from messaging.models import Thread

    assert request.user.is_staff
    return _text(
        Thread.objects.filter(status="envoye")
        .order_by("waiting_since")
        .values_list("pk", "member_id", "waiting_since")[:50]
    )


def bare_member_number(request):
    from members.models import Member

    assert request.user.is_staff
    return _text(Member.objects.filter(number=request.GET["q"]).values_list("pk", "number", "city"))


def bare_member_name(request):
    from members.models import Beneficiary

    assert request.user.is_staff
    return _text(Beneficiary.objects.filter(last_name=request.GET["q"]).values_list("member_id", "first_name")[:100])


urlpatterns = [
    path("bench/bare/home/", bare_home),
    path("bench/bare/decomptes/", bare_decomptes),
    path("bench/bare/decomptes/<int:pk>/", bare_decompte_lines),
    path("bench/bare/threads/", bare_threads),
    path("bench/bare/rights/", bare_rights),
    path("bench/bare/queue/", bare_queue),
    path("bench/bare/member-number/", bare_member_number),
    path("bench/bare/member-name/", bare_member_name),
    path("", include(settings.ROOT_URLCONF)),
]


# --------------------------------------------------------------------------- data


@dataclass
class Subject:
    member: object
    gestionnaire: object
    search_number: str
    search_name: str
    scale: str  # said in every figure's name


def verified_client(user) -> Client:
    """A client whose session passed the second factor (an e-mail device), as after a
    real login; the same helper as claims.bench."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts.models import EmailCodeDevice

    device, _ = EmailCodeDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _gestionnaire():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.access import GESTIONNAIRE_GROUP

    user = get_user_model().objects.create(
        username="bench.gestionnaire", email="bench.gestion@example.fr", is_staff=True
    )
    user.groups.add(Group.objects.get(name=GESTIONNAIRE_GROUP))
    return user


def _scale_subject() -> Subject | None:
    from claims.models import Decompte
    from members.models import Beneficiary, Member, Relationship
    from messaging.models import Thread
    from tools.scale import generated_member_count

    generated = generated_member_count()
    if not generated:
        return None
    # Among the 50 members with the most décomptes (and an account), the heaviest one with a
    # full inbox page of threads: every member page is measured on a heavy history.
    heaviest = list(
        Decompte.objects.filter(member__user__isnull=False, member__number__startswith="G")
        .values("member_id")
        .annotate(n=Count("id"))
        .order_by("-n")[:50]
    )
    threads = dict(
        Thread.objects.filter(member_id__in=[row["member_id"] for row in heaviest])
        .values_list("member_id")
        .annotate(n=Count("id"))
    )
    heaviest = max(heaviest, key=lambda row: (threads.get(row["member_id"], 0) >= INBOX_PAGE, row["n"]))
    heaviest["threads"] = threads.get(heaviest["member_id"], 0)
    member = Member.objects.select_related("user").get(pk=heaviest["member_id"])
    other = Member.objects.filter(number__startswith="G").order_by("pk")[generated // 2]
    name = Beneficiary.objects.filter(member=other, relationship=Relationship.MEMBER).values_list(
        "last_name", flat=True
    )[0]
    return Subject(
        member,
        _gestionnaire(),
        other.number,
        name,
        f"{generated // 1000}k members; {heaviest['n']} décomptes, {heaviest['threads']} threads",
    )


def _small_subject() -> Subject:
    """One member with 2,000 décomptes and 60 threads, and 500 other members."""
    from django.contrib.auth import get_user_model

    from claims.models import Decompte, DecompteLine, ImportBatch
    from members.models import Affiliation, AffiliationRole, Beneficiary, Contract, Formula, Member, Relationship
    from members.services import reference_data_load
    from members.validators import nir_with_key
    from messaging.models import Message, Thread, Topic

    if not Contract.objects.filter(number="T331").exists():
        reference_data_load()
    contract = Contract.objects.get(number="T331")
    base, celsius = Formula.objects.get(code="IDCC1412-BASE"), Formula.objects.get(code="IDCC1412-CELSIUS")
    start = timezone.localdate() - dt.timedelta(days=20 * 365)
    names = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"]
    members = Member.objects.bulk_create(
        [
            Member(
                number=f"BP{index:08d}",
                contract=contract,
                address_line1="1 rue du Banc",
                postcode="69003",
                city="Lyon",
                status_since=start,
                iban="FR7630006000011234567890189",
                email=f"bench.page{index}@example.fr",
            )
            for index in range(501)
        ]
    )
    people = Beneficiary.objects.bulk_create(
        [
            Beneficiary(
                member=m,
                relationship=Relationship.MEMBER,
                first_name="Camille",
                last_name=names[index % 10],
                birth_date=dt.date(1975, 1, 1),
                nir=nir_with_key(f"17501750561{index % 100:02d}"),
                rank=1,
                cover_start=start,
            )
            for index, m in enumerate(members)
        ]
    )
    member = members[0]
    household = [
        people[0],
        *Beneficiary.objects.bulk_create(
            [
                Beneficiary(
                    member=member,
                    relationship=relationship,
                    child_situation=situation,
                    first_name=first,
                    last_name="Martin",
                    birth_date=birth,
                    rank=rank,
                    cover_start=max(start, birth),
                    nir=nir_with_key("1780175056123") if relationship == Relationship.SPOUSE else "",
                )
                for rank, (relationship, situation, first, birth) in enumerate(
                    [
                        (Relationship.SPOUSE, "", "Paul", dt.date(1978, 1, 1)),
                        (Relationship.CHILD, "a_charge", "Léo", dt.date(2012, 3, 1)),
                        (Relationship.CHILD, "a_charge", "Zoé", dt.date(2015, 7, 7)),
                    ],
                    start=2,
                )
            ]
        ),
    ]
    Affiliation.objects.bulk_create(
        [Affiliation(member=m, formula=base, role=AffiliationRole.PRINCIPAL, start_date=start) for m in members]
        + [Affiliation(member=member, formula=celsius, role=AffiliationRole.OPTIONAL, start_date=start)]
    )
    member.user = get_user_model().objects.create(username=member.number, email=member.email)
    member.save(update_fields=["user"])
    batch = ImportBatch.objects.create(file_name="bench-pages", sha256="0", status="accepte")
    decomptes = Decompte.objects.bulk_create(
        [
            Decompte(
                external_id=f"BP{index:07d}",
                member=member,
                batch=batch,
                origin="noemie",
                payee="assure",
                payment_date=start + dt.timedelta(days=index * 7300 // SMALL_DECOMPTES + 5),
                first_care_date=start + dt.timedelta(days=index * 7300 // SMALL_DECOMPTES),
                total_frais_reels=Decimal("57.40"),
                total_ss=Decimal("27.06"),
                total_complementary=Decimal("30.34"),
                total_rac=Decimal("0.00"),
                content_hash="x",
            )
            for index in range(SMALL_DECOMPTES)
        ]
    )
    DecompteLine.objects.bulk_create(
        [
            DecompteLine(
                decompte=d,
                line_number=number,
                beneficiary=household[index % 4],
                care_date=d.first_care_date,
                act_code=act,
                act_label=label,
                category="Soins courants",
                frais_reels=Decimal(fr),
                base_remboursement=Decimal(fr),
                ss_paid=Decimal(ss),
                complementary_paid=Decimal(comp),
                computed_complementary=Decimal(comp),
                reste_a_charge=Decimal("0.00"),
                rule_label=f"Base conventionnelle - {label} : 100 % de la BR",
                rule_source="Notice 004, ligne 771",
            )
            for index, d in enumerate(decomptes)
            for number, (act, label, fr, ss, comp) in enumerate(
                [
                    ("consultation-generaliste", "Consultations et visites de généralistes", "45.00", "19.00", "26.00"),
                    ("pharmacie", "Frais pharmaceutiques prescrits remboursés par la SS", "12.40", "8.06", "4.34"),
                ],
                start=1,
            )
        ],
        batch_size=2000,
    )
    # Care that fills a yearly ceiling or starts a period, one décompte in 40 ("Mes droits
    # restants" replays these): about 50 lines over the 20 years, a few this year.
    limited = [
        ("acupuncture", "Acupuncture", {}),
        ("lentilles", "Lentilles correctrices", {}),
        ("verres-unifocaux", "Verres unifocaux", {"sphere": "1.00"}),
        ("prothese-non-remboursee", "Prothèses dentaires non remboursées par la SS", {}),
    ]
    DecompteLine.objects.bulk_create(
        [
            DecompteLine(
                decompte=d,
                line_number=3,
                beneficiary=household[index % 4],
                care_date=d.first_care_date,
                act_code=limited[index // 40 % 4][0],
                act_label=limited[index // 40 % 4][1],
                category="Soins courants",
                frais_reels=Decimal("80.00"),
                base_remboursement=Decimal("0.00"),
                ss_paid=Decimal("0.00"),
                complementary_paid=Decimal("80.00"),
                computed_complementary=Decimal("80.00"),
                reste_a_charge=Decimal("0.00"),
                rule_label="",
                rule_source="",
                engine_details=limited[index // 40 % 4][2],
            )
            for index, d in enumerate(decomptes)
            if index % 40 == 0 or index >= SMALL_DECOMPTES - 30
        ]
    )
    topics = list(Topic.objects.filter(active=True)[:10])
    if topics:
        threads = Thread.objects.bulk_create(
            [
                Thread(
                    member=member,
                    beneficiary=household[index % 4],
                    category_id=topics[index % len(topics)].category_id,
                    topic=topics[index % len(topics)],
                    status="repondu" if index % 3 else "envoye",
                )
                for index in range(60)
            ]
        )
        Message.objects.bulk_create(
            [
                Message(
                    thread=thread,
                    author=member.user if position != 1 else None,
                    from_member=position != 1,
                    body="Bonjour, je n'ai pas reçu mon remboursement.",
                )
                for thread in threads
                for position in range(3)
            ]
        )
    return Subject(
        member, _gestionnaire(), members[250].number, "Dubois", "SMALL, run generate_scale for insurer scale"
    )


@dataclass
class Page:
    label: str
    url: str
    bare_url: str
    member_page: bool
    client: Client | None = None
    bare_label: str = ""


def _pages(subject: Subject, member_client: Client, gestionnaire_client: Client) -> list[Page]:
    from claims.models import Decompte
    from claims.selectors import PAGE_SIZE

    member = subject.member
    paid = Decompte.objects.filter(member=member, status="paye").order_by("-payment_date", "-id")
    total = paid.count()
    deep = min(DEEP_PAGE, max(1, (total - 1) // PAGE_SIZE))
    anchor = paid[deep * PAGE_SIZE - 1 : deep * PAGE_SIZE].get()  # the last row of the page before
    cursor = f"{anchor.payment_date:%Y-%m-%d}_{anchor.pk}"
    detail = (
        Decompte.objects.filter(member=member)
        .annotate(n=Count("lines"))
        .order_by("-n", "-payment_date")
        .values_list("pk", flat=True)
        .first()
    )
    pages = [
        Page("dashboard (home:home)", "/", "/bench/bare/home/", True),
        Page("reimbursements list, first page", "/remboursements/", "/bench/bare/decomptes/", True),
        Page(
            f"reimbursements list, page {deep + 1} of {(total + PAGE_SIZE - 1) // PAGE_SIZE}",
            f"/remboursements/?apres={cursor}",
            f"/bench/bare/decomptes/?apres={cursor}",
            True,
        ),
        Page("décompte detail", f"/remboursements/{detail}/", f"/bench/bare/decomptes/{detail}/", True),
        Page("health spending (Mes dépenses de santé)", "/remboursements/depenses/", "/bench/bare/decomptes/", True),
        Page("messaging inbox", "/messagerie/", "/bench/bare/threads/", True),
        Page("mes droits restants", "/remboursements/droits-restants/", "/bench/bare/rights/", True),
        Page("gestionnaire queue (admin thread changelist)", "/gestion/messaging/thread/", "/bench/bare/queue/", False),
        Page(
            "admin member search by number",
            f"/gestion/members/member/?q={subject.search_number}",
            f"/bench/bare/member-number/?q={subject.search_number}",
            False,
        ),
        Page(
            "admin member search by name",
            f"/gestion/members/member/?q={subject.search_name}",
            f"/bench/bare/member-name/?q={subject.search_name}",
            False,
        ),
    ]
    for page in pages:
        page.client = member_client if page.member_page else gestionnaire_client
    return pages


def _query_count(client: Client, url: str) -> int:
    """Queries of a request once the process is warm (caches of reference data filled)."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    return len(queries)


def measure_pages(subject: Subject, repeat: int = REPEAT) -> list[Figure]:
    member_client = verified_client(subject.member.user)
    gestionnaire_client = verified_client(subject.gestionnaire)
    pages = _pages(subject, member_client, gestionnaire_client)
    counts = {
        page.label: (_query_count(page.client, page.url), _query_count(page.client, page.bare_url)) for page in pages
    }
    durations: dict[str, tuple[list[float], list[float]]] = {page.label: ([], []) for page in pages}
    for round_number in range(WARMUP + repeat):
        for page in pages:
            for index, url in enumerate((page.url, page.bare_url)):
                started = time.perf_counter()
                page.client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
                if round_number >= WARMUP:
                    durations[page.label][index].append(elapsed)
    figures = []
    for page in pages:
        timings, bare = durations[page.label]
        queries, bare_queries = counts[page.label]
        target = "ratio <= 2" if page.member_page else "(reported)"
        figures += [
            Figure(
                f"pages: {page.label} p50",
                median(timings),
                "ms",
                baseline=median(bare),
                baseline_name="bare view, one indexed query on the same table, same client and middleware",
                target=target,
            ),
            Figure(
                f"pages: {page.label} p95", percentile(timings, 95), "ms", baseline=percentile(bare, 95), target=target
            ),
            Figure(
                f"pages: {page.label} queries",
                queries,
                "queries",
                baseline=bare_queries,
                target="constant (tests/core/test_query_counts.py)",
            ),
        ]
    return figures


def bench_pages() -> list[Figure]:
    figures: list[Figure] = []
    try:
        with transaction.atomic(), override_settings(ROOT_URLCONF="tools.bench.portal"):
            subject = _scale_subject() or _small_subject()
            figures = measure_pages(subject)
            figures.insert(0, Figure(f"pages: data set: {subject.scale}", 0, "-"))
            raise _Rollback
    except _Rollback:
        pass
    return figures


BENCHMARKS = [bench_pages]
