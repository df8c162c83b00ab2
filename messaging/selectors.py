"""Reads on secure messaging. Member reads are always scoped to the member's threads and
never touch internal notes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from members.models import Beneficiary, Member
from members.selectors import covered_beneficiaries
from messaging.models import Category, Message, Thread, Topic


def categories_with_topics() -> list[Category]:
    """Active categories that have at least one active objet, with those objets."""
    topics = Topic.objects.filter(active=True).order_by("position", "label")
    categories = Category.objects.filter(active=True).prefetch_related(Prefetch("topics", queryset=topics))
    return [category for category in categories if category.topics.all()]


def active_topics() -> QuerySet[Topic]:
    return Topic.objects.filter(active=True, category__active=True).select_related("category")


def compose_beneficiaries(member: Member) -> QuerySet[Beneficiary]:
    """The household persons a message can be about: those covered today."""
    return Beneficiary.objects.filter(pk__in=[person.pk for person in covered_beneficiaries(member)]).order_by(
        "rank", "birth_date"
    )


def member_threads(
    member: Member,
    *,
    text: str = "",
    category: Category | None = None,
    topic: Topic | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Thread]:
    """The member's threads, newest activity first, with their unread count.

    ``text`` searches the messages of both sides (internal notes are not messages) and
    the category and objet labels; dates bound the thread's messages."""
    threads = Thread.objects.filter(member=member)
    if text:
        threads = threads.filter(
            Q(messages__body__icontains=text) | Q(topic__label__icontains=text) | Q(category__label__icontains=text)
        )
    if category is not None:
        threads = threads.filter(category=category)
    if topic is not None:
        threads = threads.filter(topic=topic)
    if date_from is not None:
        threads = threads.filter(messages__created_at__date__gte=date_from)
    if date_to is not None:
        threads = threads.filter(messages__created_at__date__lte=date_to)
    if text or date_from is not None or date_to is not None:
        threads = Thread.objects.filter(pk__in=threads.values("pk"))  # those filters join messages: no duplicates
    # The unread count as a correlated subquery rather than a join on every message and a
    # GROUP BY over whole rows: PostgreSQL plans it several times faster.
    unread = (
        Message.objects.filter(thread=OuterRef("pk"), from_member=False, read_by_member_at__isnull=True)
        .order_by().values("thread").annotate(count=Count("pk")).values("count")
    )
    return (
        threads.select_related("category", "topic", "beneficiary")
        .annotate(unread=Coalesce(Subquery(unread), 0))
        .order_by("-last_message_at", "-pk")
    )


def member_thread_get(member: Member, thread_id: int) -> Thread:
    """The member's own thread, or 404 for anyone else's."""
    return get_object_or_404(
        Thread.objects.select_related("category", "topic", "beneficiary", "member"), pk=thread_id, member=member
    )


def thread_messages(thread: Thread) -> QuerySet[Message]:
    return thread.messages.select_related("author").prefetch_related("attachments").order_by("created_at", "pk")


def member_unread_count(member: Member) -> int:
    """Threads with at least one gestionnaire message the member has not opened."""
    return (
        Message.objects.filter(thread__member=member, from_member=False, read_by_member_at__isnull=True)
        .values("thread_id")
        .distinct()
        .count()
    )
