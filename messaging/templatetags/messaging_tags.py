"""Markup of the messaging: the header's envelope, the status badge and the inbox rows.

The inbox rows are written in Python (20 rows of six values, a link and a badge each):
through the template engine they were most of the page's time. The markup is what the
templates wrote (tests/messaging/test_inbox_page.py keeps that template and compares);
every text goes through ``escape``."""

from __future__ import annotations

from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from messaging.models import ThreadStatus
from messaging.selectors import member_unread_count
from portal.navigation import url_builder

register = template.Library()


@register.inclusion_tag("messaging/snippets/envelope.html", takes_context=True)
def messaging_envelope(context):
    """The header's envelope: a link to the messagerie with the unread count."""
    member = context.get("current_member")
    return {"unread": member_unread_count(member.pk) if member is not None else 0, "show": member is not None}


_BADGE_CLASS = {ThreadStatus.ANSWERED: "badge--ok", ThreadStatus.CLOSED: ""}


def _status_badge(status: str) -> str:
    label = ThreadStatus(status).label
    return f'<span class="badge {_BADGE_CLASS.get(status, "badge--warn")}">{escape(label)}</span>'


@register.simple_tag
def thread_status_badge(status: str) -> SafeString:
    """A thread's state: answered in green, waiting for the insurer in orange, closed plain."""
    return mark_safe(_status_badge(status))  # noqa: S308 - built from escaped parts


_ROW = (
    '<tr class="{row_class}">\n'
    '  <td><a href="{url}">{topic}</a></td>\n'
    "  <td>{category}</td>\n"
    "  <td>{first_name} {last_name}</td>\n"
    "  <td>{last_message_at}</td>\n"
    "  <td>{badge}</td>\n"
    "</tr>\n"
)


def _topic_cell(row) -> str:
    if not row.unread:
        return escape(row.topic_label)
    plural = "s" if row.unread != 1 else ""
    return (f'<strong>{escape(row.topic_label)}</strong> '
            f'<span class="badge badge--warn">{int(row.unread)} non lu{plural}</span>')


@register.simple_tag
def inbox_rows(rows) -> SafeString:
    """One table row per ``messaging.selectors.InboxRow``: objet (bold with the unread
    count when a reply waits), category, person, last message, state."""
    thread_url = url_builder("messaging:thread")
    return mark_safe("".join(  # noqa: S308 - built from escaped parts
        _ROW.format(
            row_class="is-unread" if row.unread else "", url=thread_url(row.pk), topic=_topic_cell(row),
            category=escape(row.category_label), first_name=escape(row.first_name), last_name=escape(row.last_name),
            last_message_at=f"{timezone.localtime(row.last_message_at):%d/%m/%Y %H:%M}", badge=_status_badge(row.status),
        )
        for row in rows
    ))
