"""No page issues more queries when the data grows (issue 11).

Each test counts the queries of a page with a little data, adds much more of what the page
lists (décomptes and their lines, beneficiaries, threads and messages, members), counts
again and asserts the same number, plus a fixed ceiling. Timings live in
``manage.py bench`` (tools/bench/portal.py), not here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Decompte, DecompteLine, ImportBatch
from members.models import Beneficiary, ChildSituation, Relationship
from messaging.models import Message, Thread, ThreadStatus, Topic
from messaging.services import taxonomy_seed
from tests.factories import make_member

pytestmark = pytest.mark.django_db

MEMBER_PAGE_CEILING = 20
ADMIN_PAGE_CEILING = 20


@pytest.fixture(autouse=True)
def taxonomy(db):
    taxonomy_seed()


def queries_of(client, url: str) -> list[str]:
    client.get(url)  # first call: anything done once per session is not the page's cost
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    return [query["sql"] for query in captured.captured_queries]


def _listing(queries: list[str]) -> str:
    return "\n".join(f"  {sql[:160]}" for sql in queries)


def assert_same_count(few: list[str], many: list[str], ceiling: int) -> None:
    assert len(many) == len(few), (
        f"{len(few)} queries with little data:\n{_listing(few)}\n{len(many)} with more:\n{_listing(many)}"
    )
    assert len(many) <= ceiling, _listing(many)


def add_decomptes(member, count: int, *, lines: int = 3, first_day=dt.date(2010, 1, 4)) -> list[Decompte]:
    batch = ImportBatch.objects.create(file_name=f"test-{member.number}-{count}", sha256="0", status="accepte")
    people = list(member.beneficiaries.all())
    start = Decompte.objects.count()
    decomptes = Decompte.objects.bulk_create(
        [
            Decompte(
                external_id=f"Q{member.number}-{start + index}",
                member=member,
                batch=batch,
                origin="noemie",
                payee="assure",
                payment_date=first_day + dt.timedelta(days=7 * index + 5),
                first_care_date=first_day + dt.timedelta(days=7 * index),
                total_frais_reels=Decimal("90.00"),
                total_ss=Decimal("57.00"),
                total_complementary=Decimal("33.00"),
                total_rac=Decimal("0.00"),
                content_hash="x",
            )
            for index in range(count)
        ]
    )
    categories = ["Soins courants", "Dentaire", "Optique", "Hospitalisation"]
    DecompteLine.objects.bulk_create(
        [
            DecompteLine(
                decompte=decompte,
                line_number=number,
                beneficiary=people[(index + number) % len(people)],
                care_date=decompte.first_care_date,
                act_code="consultation-generaliste",
                act_label="Consultations et visites de généralistes",
                category=categories[(index + number) % len(categories)],
                frais_reels=Decimal("30.00"),
                base_remboursement=Decimal("30.00"),
                ss_paid=Decimal("19.00"),
                complementary_paid=Decimal("11.00"),
                computed_complementary=Decimal("11.00"),
                reste_a_charge=Decimal("0.00"),
                rule_label="Base - consultation : 100 % de la BR",
                rule_source="Notice 004, ligne 771",
            )
            for index, decompte in enumerate(decomptes)
            for number in range(1, lines + 1)
        ]
    )
    return decomptes


def add_children(member, count: int) -> None:
    holder = member.holder
    for index in range(count):
        Beneficiary.objects.create(
            member=member,
            relationship=Relationship.CHILD,
            child_situation=ChildSituation.DEPENDENT,
            first_name=f"Enfant{index}",
            last_name=holder.last_name,
            birth_date=dt.date(2012, 1, 1 + index),
            rank=10 + index,
            cover_start=member.status_since,
        )


def add_threads(member, count: int, *, messages: int = 3, unread: bool = True) -> list[Thread]:
    topics = list(Topic.objects.select_related("category")[:5])
    people = list(member.beneficiaries.all())
    threads = []
    for index in range(count):
        topic = topics[index % len(topics)]
        thread = Thread.objects.create(
            member=member,
            beneficiary=people[index % len(people)],
            category=topic.category,
            topic=topic,
            status=ThreadStatus.ANSWERED if index % 2 else ThreadStatus.SENT,
        )
        Message.objects.bulk_create(
            [
                Message(
                    thread=thread,
                    author=member.user if position % 2 == 0 else None,
                    from_member=position % 2 == 0,
                    body="Bonjour, je n'ai pas reçu mon remboursement.",
                    read_by_member_at=None if unread else thread.created_at,
                )
                for position in range(messages)
            ]
        )
        threads.append(thread)
    return threads


# --------------------------------------------------------------------------- member pages


def test_dashboard_queries_do_not_grow_with_decomptes_beneficiaries_and_threads(alice_client, alice):
    add_decomptes(alice, 1, lines=1, first_day=dt.date.today() - dt.timedelta(days=20))
    add_threads(alice, 1, messages=1)
    few = queries_of(alice_client, "/")
    add_decomptes(alice, 40, first_day=dt.date.today() - dt.timedelta(days=300))
    add_children(alice, 2)
    add_threads(alice, 15)
    assert_same_count(few, queries_of(alice_client, "/"), MEMBER_PAGE_CEILING)


def test_reimbursements_first_page_queries_do_not_grow_with_history(alice_client, alice):
    add_decomptes(alice, 1, lines=1)
    few = queries_of(alice_client, "/remboursements/")
    add_decomptes(alice, 120, first_day=dt.date(2012, 1, 2))
    add_children(alice, 2)
    assert_same_count(few, queries_of(alice_client, "/remboursements/"), MEMBER_PAGE_CEILING)


def test_reimbursements_deep_page_queries_do_not_grow_with_history(alice_client, alice):
    from claims.selectors import PAGE_SIZE

    def deep_url() -> str:
        rows = Decompte.objects.filter(member=alice).order_by("-payment_date", "-id")
        anchor = rows[PAGE_SIZE - 1]
        return f"/remboursements/?apres={anchor.payment_date:%Y-%m-%d}_{anchor.pk}"

    add_decomptes(alice, PAGE_SIZE + 1, lines=1)
    few = queries_of(alice_client, deep_url())
    add_decomptes(alice, 150, first_day=dt.date(2002, 1, 7))
    assert_same_count(few, queries_of(alice_client, deep_url()), MEMBER_PAGE_CEILING)


def test_decompte_detail_queries_do_not_grow_with_its_lines(alice_client, alice):
    small = add_decomptes(alice, 1, lines=1)[0]
    big = add_decomptes(alice, 1, lines=25, first_day=dt.date(2015, 1, 5))[0]
    add_children(alice, 3)
    assert_same_count(
        queries_of(alice_client, f"/remboursements/{small.pk}/"),
        queries_of(alice_client, f"/remboursements/{big.pk}/"),
        MEMBER_PAGE_CEILING,
    )


def test_inbox_queries_do_not_grow_with_threads_and_messages(alice_client, alice):
    add_threads(alice, 1, messages=1)
    few = queries_of(alice_client, "/messagerie/")
    add_threads(alice, 30, messages=5)
    assert_same_count(few, queries_of(alice_client, "/messagerie/"), MEMBER_PAGE_CEILING)


def test_rights_page_queries_do_not_grow_with_history_and_people(alice_client, alice):
    add_decomptes(alice, 1, lines=1, first_day=dt.date.today() - dt.timedelta(days=20))
    few = queries_of(alice_client, "/remboursements/droits-restants/")
    add_decomptes(alice, 60, first_day=dt.date.today() - dt.timedelta(days=700))
    add_children(alice, 2)
    assert_same_count(few, queries_of(alice_client, "/remboursements/droits-restants/"), MEMBER_PAGE_CEILING)


# --------------------------------------------------------------------------- back-office


def test_gestionnaire_queue_queries_do_not_grow_with_threads_of_many_members(gestionnaire_client, alice):
    add_threads(alice, 1, messages=1)
    few = queries_of(gestionnaire_client, "/gestion/messaging/thread/")
    for index in range(12):
        other = make_member(number=f"77{index:08d}")
        add_threads(other, 2, messages=2)
    assert_same_count(few, queries_of(gestionnaire_client, "/gestion/messaging/thread/"), ADMIN_PAGE_CEILING)


@pytest.mark.parametrize("search", ["number", "name"])
def test_admin_member_search_queries_do_not_grow_with_matches(gestionnaire_client, alice, search):
    holder = alice.holder
    term = alice.number if search == "number" else holder.last_name
    url = f"/gestion/members/member/?q={term}"
    few = queries_of(gestionnaire_client, url)
    for index in range(15):
        other = make_member(number=f"{alice.number}{index}" if search == "number" else f"66{index:08d}")
        if search == "name":
            other.beneficiaries.update(last_name=holder.last_name)
    many = queries_of(gestionnaire_client, url)
    assert "0 assuré" not in gestionnaire_client.get(url).content.decode()
    assert_same_count(few, many, ADMIN_PAGE_CEILING)
