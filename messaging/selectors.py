"""Reads on secure messaging. Member reads are always scoped to the member's threads and
never touch internal notes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from core.sql import aware, fetch_all, fetch_value
from core.text import fold
from members.models import Beneficiary, Member
from members.selectors import household_of
from messaging.models import Category, Message, Thread, ThreadStatus, Topic


def categories_with_topics() -> list[Category]:
    """Active categories that have at least one active objet, with those objets."""
    topics = Topic.objects.filter(active=True).order_by("position", "label")
    categories = Category.objects.filter(active=True).prefetch_related(Prefetch("topics", queryset=topics))
    return [category for category in categories if category.topics.all()]


SEARCH_CHOICES_KEY = "messaging:search-choices"


def search_choices() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """The categories and objets of the inbox search, as (code, label), inactive ones
    included (old threads use them). Reference data: kept in the cache, dropped at any
    change (messaging.apps) and after ten minutes at most."""
    choices = cache.get(SEARCH_CHOICES_KEY)
    if choices is None:
        choices = (
            tuple(Category.objects.values_list("code", "label")),
            tuple(Topic.objects.values_list("code", "label")),
        )
        cache.set(SEARCH_CHOICES_KEY, choices, timeout=600)
    return choices


def forget_search_choices(**_signal_arguments) -> None:
    cache.delete(SEARCH_CHOICES_KEY)


def active_topics() -> QuerySet[Topic]:
    return Topic.objects.filter(active=True, category__active=True).select_related("category")


def compose_beneficiaries(member: Member) -> QuerySet[Beneficiary]:
    """The household persons a message can be about: those covered today."""
    return Beneficiary.objects.filter(pk__in=[person.pk for person in household_of(member).covered_on()]).order_by(
        "rank", "birth_date"
    )


def matching_threads(
    member_id: int,
    *,
    text: str = "",
    category_code: str = "",
    topic_code: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Thread]:
    """The member's threads that match a search.

    ``text`` searches the messages of both sides (internal notes are not messages) and
    the category and objet labels, accents and case aside ("remboursement" finds
    "Remboursé", "obseques" finds "obsèques"); dates bound the thread's messages."""
    threads = Thread.objects.filter(member_id=member_id)
    if text:
        threads = threads.filter(pk__in=_threads_containing(member_id, fold(text)))
    if category_code:
        threads = threads.filter(category__code=category_code)
    if topic_code:
        threads = threads.filter(topic__code=topic_code)
    if date_from is not None:
        threads = threads.filter(messages__created_at__date__gte=date_from)
    if date_to is not None:
        threads = threads.filter(messages__created_at__date__lte=date_to)
    return threads.order_by().distinct()


def _threads_containing(member_id: int, needle: str) -> set[int]:
    """The member's threads whose messages or labels contain ``needle`` once folded
    (core.text.fold). Folded in Python: no database folds accents the same way (SQLite's
    LIKE does not at all), and one member's messages are few enough to read."""
    found = {
        pk
        for pk, topic, category in Thread.objects.filter(member_id=member_id).values_list(
            "pk", "topic__label", "category__label"
        )
        if needle in fold(topic) or needle in fold(category)
    }
    bodies = Message.objects.filter(thread__member_id=member_id).exclude(thread_id__in=found)
    found.update(pk for pk, body in bodies.values_list("thread_id", "body").iterator() if needle in fold(body))
    return found


@dataclass(frozen=True)
class InboxRow:
    pk: int
    status: str
    last_message_at: dt.datetime
    topic_label: str
    category_label: str
    first_name: str
    last_name: str
    unread: int  # gestionnaire messages the member has not opened

    @property
    def status_label(self) -> str:
        return ThreadStatus(self.status).label


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    number: int
    count: int
    size: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


INBOX_PAGE_SQL = """
SELECT t.id, t.status, t.last_message_at, tp.label, c.label, b.first_name, b.last_name,
       (SELECT COUNT(*) FROM messaging_message m
         WHERE m.thread_id = t.id AND m.from_member = %s AND m.read_by_member_at IS NULL),
       COUNT(*) OVER ()
FROM messaging_thread t
JOIN messaging_topic tp ON tp.id = t.topic_id
JOIN messaging_category c ON c.id = t.category_id
JOIN members_beneficiary b ON b.id = t.beneficiary_id
WHERE t.member_id = %s
ORDER BY t.last_message_at DESC, t.id DESC
LIMIT %s OFFSET %s
"""
"""The member's inbox page without a search (the page members open most after the home
page): the page's threads with their labels, their unread count (a correlated count on
the message index, for the page's rows) and the number of threads in all (a window), in
one query on the indexes of the member's threads and of unread messages. Plain SQL because the ORM equivalent
(``_orm_inbox_rows``, which a search uses) measured about 1 ms more per page on SQLite,
past twice the bare view (docs/bench.md). Parameters: False (a gestionnaire's message),
the member's id, the page size, the offset. Rows: ``InboxRow``'s fields, then the count."""


def inbox_page(member_id: int, page: int = 1, *, size: int = 20, search: dict | None = None) -> InboxPage:
    """One page of the member's threads, newest activity first, in one query.
    ``search`` takes the arguments of ``matching_threads``; a page number out of range
    gives the nearest page (the view reads it with ``core.params.page_number``)."""
    threads = Thread.objects.filter(member_id=member_id)
    if search:
        threads = threads.filter(pk__in=matching_threads(member_id, **search).values("pk"))

    def read(number: int) -> list[tuple]:
        offset = (number - 1) * size
        if search:
            return list(_orm_inbox_rows(threads)[offset : offset + size])
        return [
            (*row[:2], aware(row[2]), *row[3:]) for row in fetch_all(INBOX_PAGE_SQL, [False, member_id, size, offset])
        ]

    number = max(1, page)
    found = read(number)
    if not found and number > 1:  # past the last page: show the last one
        number = max(1, -(-threads.count() // size))
        found = read(number)
    return InboxPage(
        rows=[InboxRow(*row[:-1]) for row in found],
        number=number,
        count=found[0][-1] if found else 0,
        size=size,
    )


def _orm_inbox_rows(threads: QuerySet[Thread]) -> QuerySet:
    """The rows of ``INBOX_PAGE_SQL`` for ``threads``, through the ORM."""
    unread = (
        Message.objects.filter(thread=OuterRef("pk"), from_member=False, read_by_member_at__isnull=True)
        .order_by()
        .values("thread")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        threads.annotate(unread=Coalesce(Subquery(unread), 0), total=Window(Count("pk")))
        .order_by("-last_message_at", "-pk")
        .values_list(
            "pk",
            "status",
            "last_message_at",
            "topic__label",
            "category__label",
            "beneficiary__first_name",
            "beneficiary__last_name",
            "unread",
            "total",
        )
    )


def member_thread_get(member: Member, thread_id: int) -> Thread:
    """The member's own thread, or 404 for anyone else's."""
    return get_object_or_404(
        Thread.objects.select_related("category", "topic", "beneficiary", "member"), pk=thread_id, member=member
    )


def thread_messages(thread: Thread) -> QuerySet[Message]:
    return thread.messages.select_related("author").prefetch_related("attachments").order_by("created_at", "pk")


UNREAD_COUNT_SQL = (
    "SELECT COUNT(DISTINCT m.thread_id) FROM messaging_message m "
    "JOIN messaging_thread t ON t.id = m.thread_id "
    "WHERE t.member_id = %s AND m.from_member = %s AND m.read_by_member_at IS NULL"
)
"""The header's envelope, on every member page: the member's threads with at least one
gestionnaire message the member has not opened. Plain SQL because compiling the ORM
equivalent measured about 0.5 ms, a quarter of a bare view, on every page (docs/bench.md).
Parameters: the member's id, False. One row, one column."""


def member_unread_count(member_id: int) -> int:
    """Threads with at least one gestionnaire message the member has not opened."""
    return fetch_value(UNREAD_COUNT_SQL, [member_id, False])
