"""Writes on secure messaging. Each function is one business operation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from core.registry import app_modules
from core.write_limits import write_limit_check
from documents.services import private_file_store, private_files_atomic
from members.models import Beneficiary, Member
from messaging.models import Category, InternalNote, Message, Thread, ThreadStatus, Topic
from notifications.models import NotificationKind
from notifications.services import notification_enqueue

TAXONOMY_FILE = Path(__file__).resolve().parent / "data" / "taxonomy.json"
ATTACHMENT_PURPOSE = "message"


@transaction.atomic
def taxonomy_seed(path: Path = TAXONOMY_FILE) -> dict[str, int]:
    """Create the categories and objets of the seed file that do not exist yet.

    Gestionnaires edit them in the back-office afterwards: an existing code is never
    overwritten, so running it at every deployment (load_reference) is safe."""
    data = json.loads(path.read_text(encoding="utf-8"))
    created = {"categories": 0, "topics": 0}
    for category_position, row in enumerate(data["categories"], start=1):
        category, new = Category.objects.get_or_create(
            code=row["code"], defaults={"label": row["label"], "position": category_position * 10}
        )
        created["categories"] += new
        for topic_position, topic_row in enumerate(row["topics"], start=1):
            _, new = Topic.objects.get_or_create(
                code=topic_row["code"],
                defaults={
                    "category": category,
                    "label": topic_row["label"],
                    "justificatifs": "\n".join(topic_row["justificatifs"]),
                    "position": topic_position * 10,
                },
            )
            created["topics"] += new
    return created


def _attach(*, message: Message, files, member: Member, uploaded_by) -> None:
    for uploaded in files or []:
        message.attachments.add(
            private_file_store(member=member, uploaded=uploaded, purpose=ATTACHMENT_PURPOSE, uploaded_by=uploaded_by)
        )


def _message_add(*, thread: Thread, author, from_member: bool, body: str, files) -> Message:
    message = Message(thread=thread, author=author, from_member=from_member, body=body.strip())
    message.full_clean()
    message.save()
    _attach(message=message, files=files, member=thread.member, uploaded_by=author)
    return message


@private_files_atomic()
def thread_create(*, member: Member, author, beneficiary: Beneficiary, topic: Topic, body: str, files=()) -> Thread:
    """A member's new request. At most MESSAGING_NEW_THREADS_PER_HOUR per member."""
    write_limit_check(
        owner=member,
        recent=Thread.objects.filter(member=member),
        limit=settings.MESSAGING_NEW_THREADS_PER_HOUR,
        period=dt.timedelta(hours=1),
        message="Vous avez déjà écrit {limit} nouveaux messages au cours de la dernière heure. "
        "Vous pourrez en écrire un autre {retry} ; vous pouvez aussi répondre dans une demande en cours.",
    )
    now = timezone.now()
    if not topic.active or not topic.category.active:
        raise ValidationError({"topic": "Cet objet n'est plus proposé. Choisissez-en un autre."})
    thread = Thread(
        member=member,
        beneficiary=beneficiary,
        category=topic.category,
        topic=topic,
        status=ThreadStatus.SENT,
        created_at=now,
        last_message_at=now,
        waiting_since=now,
    )
    thread.full_clean()
    thread.save()
    _message_add(thread=thread, author=author, from_member=True, body=body, files=files)
    # Apps below messaging act on a new thread through <app>/messaging_hooks.py (members:
    # "Je souhaite bénéficier du maintien de mes garanties" opens the portability file, or
    # says which justificatifs are missing).
    for module in app_modules("messaging_hooks"):
        _auto_reply(thread, module.thread_created(thread=thread))
    return thread


def _auto_reply(thread: Thread, body: str | None) -> None:
    """A hook's answer, posted at once as an automatic message of the portal (no author),
    unread for the member; the thread stays in the gestionnaires' queue."""
    if body:
        message = Message(thread=thread, author=None, from_member=False, body=body.strip())
        message.full_clean(exclude=["author"])  # the portal's own message has no author
        message.save()


def _ensure_open(thread: Thread) -> None:
    if not thread.is_open:
        raise ValidationError("Cette demande est close : écrivez un nouveau message pour une nouvelle demande.")


def _member_replies(member: Member) -> QuerySet[Message]:
    """The member's messages other than the first one of each thread (counted as new threads)."""
    first = Message.objects.filter(thread=OuterRef("thread")).order_by("created_at", "pk").values("pk")[:1]
    return Message.objects.filter(thread__member=member, from_member=True).exclude(pk=Subquery(first))


@private_files_atomic()
def thread_reply_by_member(*, thread: Thread, author, body: str, files=()) -> Message:
    """A member's answer in an open thread. At most MESSAGING_REPLIES_PER_HOUR per member,
    checked before any attachment is stored."""
    write_limit_check(
        owner=thread.member,
        recent=_member_replies(thread.member),
        limit=settings.MESSAGING_REPLIES_PER_HOUR,
        period=dt.timedelta(hours=1),
        message="Vous avez envoyé {limit} réponses au cours de la dernière heure. "
        "Vous pourrez en envoyer une nouvelle {retry} : votre texte est conservé ci-dessous.",
    )
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    _ensure_open(thread)
    message = _message_add(thread=thread, author=author, from_member=True, body=body, files=files)
    for module in app_modules("messaging_hooks"):
        replied = getattr(module, "member_replied", None)
        if replied is not None:
            _auto_reply(thread, replied(thread=thread, message=message))
    thread.status = ThreadStatus.IN_PROGRESS if thread.assigned_to_id else ThreadStatus.SENT
    thread.last_message_at = message.created_at
    thread.waiting_since = thread.waiting_since or message.created_at
    thread.save(update_fields=["status", "last_message_at", "waiting_since"])
    return message


@private_files_atomic()
def thread_reply_by_gestionnaire(*, thread: Thread, author, body: str, files=()) -> Message:
    """A gestionnaire's answer; the member gets an e-mail (without its content)."""
    thread = Thread.objects.select_for_update().select_related("member").get(pk=thread.pk)
    _ensure_open(thread)
    message = _message_add(thread=thread, author=author, from_member=False, body=body, files=files)
    thread.status = ThreadStatus.ANSWERED
    thread.assigned_to = thread.assigned_to or author
    thread.last_message_at = message.created_at
    thread.waiting_since = None
    thread.save(update_fields=["status", "assigned_to", "last_message_at", "waiting_since"])
    notification_enqueue(
        member=thread.member,
        kind=NotificationKind.MESSAGE_REPLY,
        key=f"message-reply:{message.pk}",
        template="messaging-reply",
        context={"thread_path": reverse("messaging:thread", args=[thread.pk])},
    )
    return message


@transaction.atomic
def thread_assign(*, thread: Thread, gestionnaire) -> Thread:
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    _ensure_open(thread)
    thread.assigned_to = gestionnaire
    if thread.status == ThreadStatus.SENT:
        thread.status = ThreadStatus.IN_PROGRESS
    thread.save(update_fields=["assigned_to", "status"])
    return thread


@transaction.atomic
def internal_note_add(*, thread: Thread, author, body: str) -> InternalNote:
    note = InternalNote(thread=thread, author=author, body=body.strip())
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def thread_close(*, thread: Thread) -> Thread:
    """Either side closes a request; nothing more can be written in it."""
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if thread.is_open:
        thread.status = ThreadStatus.CLOSED
        thread.closed_at = timezone.now()
        thread.waiting_since = None
        thread.save(update_fields=["status", "closed_at", "waiting_since"])
    return thread


def thread_mark_read(*, thread: Thread) -> int:
    """The member opened the thread: the gestionnaires' messages are read."""
    return Message.objects.filter(thread=thread, from_member=False, read_by_member_at__isnull=True).update(
        read_by_member_at=timezone.now()
    )
