"""The named plain SQL queries (the only ones left: the reimbursements list page, the inbox
page, the header's unread count) give what their ORM equivalents give, and on PostgreSQL
use the index they were written for."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from claims import selectors as claims_selectors
from claims.models import Decompte
from core.sql import amount, aware, fetch_all, fetch_value
from messaging import selectors as messaging_selectors
from messaging.models import Message, Thread
from tests.claims.test_pages import alice_history  # noqa: F401 - fixture
from tests.messaging.helpers import new_thread

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's (CI's second run)"
)


def test_aware_reads_every_driver_form():
    utc = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    assert aware(utc) == aware(utc.replace(tzinfo=None)) == aware("2026-03-01 23:30:00") == utc


def test_amount_reads_every_driver_form():
    assert amount(39.0) == amount(39) == amount(Decimal("39.00")) == Decimal("39.00")
    assert str(amount(0.1 + 0.2)) == "0.30"


def _orm_page(member, direction="first", position=None):
    rows = claims_selectors._orm_page_rows(claims_selectors.DecompteFilters().paid(member.pk), direction, position)
    return claims_selectors._decompte_rows(rows)


def _sql_page(member, direction="first", position=None):
    keyset = [position[0], position[0], position[1]] if position else []
    rows = fetch_all(
        claims_selectors.decompte_page_sql(direction),
        [member.pk, Decompte.Status.PAID.value, *keyset, claims_selectors.PAGE_SIZE + 1],
    )
    return claims_selectors._decompte_rows(rows, convert=True)


def test_the_list_page_query_gives_the_orms_rows(alice_history):  # noqa: F811
    alice = alice_history
    first = _sql_page(alice)
    assert first == _orm_page(alice) and first and first[0].lines
    assert isinstance(first[0].total_complementary, Decimal) and isinstance(first[0].payment_date, dt.date)
    middle = first[len(first) // 2]
    for direction in ("after", "before"):
        position = (middle.payment_date, middle.pk)
        assert _sql_page(alice, direction, position) == _orm_page(alice, direction, position)


def test_the_inbox_query_and_the_unread_count_give_the_orms_values(alice):
    threads = [new_thread(alice, body=f"Question {index}") for index in range(3)]
    Message.objects.create(thread=threads[1], from_member=False, body="Réponse")
    sql_rows = [
        (*row[:2], aware(row[2]), *row[3:])
        for row in fetch_all(messaging_selectors.INBOX_PAGE_SQL, [False, alice.pk, 20, 0])
    ]
    orm_rows = list(messaging_selectors._orm_inbox_rows(Thread.objects.filter(member_id=alice.pk)))
    assert sql_rows == orm_rows and len(sql_rows) == 3
    orm_unread = (
        Message.objects.filter(thread__member=alice, from_member=False, read_by_member_at__isnull=True)
        .values("thread_id")
        .distinct()
        .count()
    )
    assert fetch_value(messaging_selectors.UNREAD_COUNT_SQL, [alice.pk, False]) == orm_unread == 1


def _plan(sql: str, params: list, *, ordered_by_index: bool = False) -> str:
    # The test database is tiny: with sequential scans allowed the planner reads small
    # tables whole whatever the indexes. Forbidding them shows whether the intended index
    # can serve the query at all (a query it does not fit still gets a Seq Scan).
    # ``ordered_by_index``: a page read in index order; on a few rows, sorting what the
    # foreign-key index finds costs the planner as little, so sorts are priced out too.
    settings = ["enable_seqscan"] + (["enable_sort"] if ordered_by_index else [])
    with connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting} = on")
    return plan


@postgresql_only
@pytest.mark.parametrize("direction", ["first", "after", "before"])
def test_the_list_page_query_reads_the_members_recent_index(alice_history, direction):  # noqa: F811
    keyset = [dt.date(2025, 6, 20), dt.date(2025, 6, 20), 10**6] if direction != "first" else []
    plan = _plan(
        claims_selectors.decompte_page_sql(direction),
        [alice_history.pk, Decompte.Status.PAID.value, *keyset, claims_selectors.PAGE_SIZE + 1],
        ordered_by_index=True,
    )
    assert "decompte_member_recent" in plan, plan
    assert "Seq Scan on claims_decompte" not in plan and "Seq Scan on claims_decompteline" not in plan, plan


@postgresql_only
def test_the_inbox_query_reads_the_members_threads_by_index(alice):
    new_thread(alice)
    plan = _plan(messaging_selectors.INBOX_PAGE_SQL, [False, alice.pk, 20, 0])
    # The window counts every thread of the member: either index on member_id serves it.
    assert "Index Cond: (member_id = " in plan and "message_unread_idx" in plan, plan
    assert "Seq Scan on messaging_thread" not in plan and "Seq Scan on messaging_message" not in plan, plan


@postgresql_only
def test_the_unread_count_reads_the_unread_messages_index(alice):
    new_thread(alice)
    plan = _plan(messaging_selectors.UNREAD_COUNT_SQL, [alice.pk, False])
    assert "message_unread_idx" in plan, plan
    assert "Seq Scan on messaging_message" not in plan and "Seq Scan on messaging_thread" not in plan, plan
