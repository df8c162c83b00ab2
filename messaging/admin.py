"""Gestionnaire side of the messaging, in the back-office: an inbox of threads with the
service level (age of waiting threads), and a conversation page to assign, reply with
attachments, write internal notes and close."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property

from core.admin_mixins import PortalModelAdmin
from core.converters import IdConverter
from core.forms import form_error_from
from members.models import Beneficiary, Relationship
from messaging.forms import SERVICE_FIELDS, GestionnaireReplyForm, NoteForm
from messaging.models import Category, Thread, ThreadStatus, Topic
from messaging.selectors import thread_messages
from messaging.services import internal_note_add, thread_assign, thread_close, thread_reply_by_gestionnaire


class TopicInline(admin.TabularInline):
    model = Topic
    fields = ["code", "label", "justificatifs", "position", "active"]
    extra = 0


@admin.register(Category)
class CategoryAdmin(PortalModelAdmin):
    list_display = ["label", "code", "position", "active"]
    list_editable = ["position", "active"]
    inlines = [TopicInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # threads point at them: deactivate instead


@admin.register(Topic)
class TopicAdmin(PortalModelAdmin):
    list_display = ["label", "code", "category", "position", "active"]
    list_filter = ["category", "active"]
    search_fields = ["label", "code"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AssignmentFilter(admin.SimpleListFilter):
    title = "attribution"
    parameter_name = "attribution"

    def lookups(self, request, model_admin):
        return [("aucune", "Non attribuées"), ("moi", "Attribuées à moi"), ("autres", "Attribuées")]

    def queryset(self, request, queryset):
        if self.value() == "aucune":
            return queryset.filter(assigned_to__isnull=True)
        if self.value() == "moi":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "autres":
            return queryset.filter(assigned_to__isnull=False)
        return queryset


class WaitingAgeFilter(admin.SimpleListFilter):
    title = "attente de réponse"
    parameter_name = "attente"
    BOUNDS = {"1j": (0, 1), "1-3j": (1, 3), "3-7j": (3, 7), "7j+": (7, None)}

    def lookups(self, request, model_admin):
        return [("1j", "Moins de 24 h"), ("1-3j", "1 à 3 jours"), ("3-7j", "3 à 7 jours"), ("7j+", "Plus de 7 jours")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None or value not in self.BOUNDS:
            return queryset
        low, high = self.BOUNDS[value]
        now = timezone.now()
        queryset = queryset.filter(waiting_since__lte=now - dt.timedelta(days=low))
        if high is not None:
            queryset = queryset.filter(waiting_since__gt=now - dt.timedelta(days=high))
        return queryset


def waiting_label(since: dt.datetime | None) -> str:
    if since is None:
        return "—"
    minutes = int((timezone.now() - since).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} j {hours} h"
    return f"{hours} h {minutes:02d}" if hours else f"{minutes} min"


class QueuePaginator(Paginator):
    """Counting every thread of the insurer (hundreds of thousands) costs tens of
    milliseconds on each page of the queue; unfiltered, PostgreSQL's own estimate of the
    table's size is precise enough for "page 1 of N". Filtered queues count exactly."""

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if connection.vendor == "postgresql" and query is not None and not query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [Thread._meta.db_table]
                )
                row = cursor.fetchone()
            if row and row[0] > 10_000:
                return row[0]
        return super().count


@admin.register(Thread)
class ThreadAdmin(PortalModelAdmin):
    list_display = [
        "reference",
        "member",
        "beneficiary",
        "category",
        "topic",
        "status",
        "assigned_to",
        "waiting",
        "last_message_at",
    ]
    list_display_links = ["reference", "topic"]
    list_filter = [AssignmentFilter, "status", WaitingAgeFilter, "category", "topic"]
    search_fields = ["=id", "member__number", "beneficiary__last_name"]
    # Category and objet are small reference tables: fetched apart (two cheap queries)
    # rather than joined, which makes PostgreSQL plan a 6-table join on every page.
    list_select_related = ["member", "beneficiary", "assigned_to"]
    ordering = ["-last_message_at"]
    list_per_page = 50
    paginator = QueuePaginator
    show_full_result_count = False  # a second count of the whole table on every filtered page

    def get_queryset(self, request):
        # The "assuré" column prints Member.__str__, which names the holder: one query for
        # the holders of the page instead of one per row.
        holders = Prefetch(
            "member__beneficiaries", queryset=Beneficiary.objects.filter(relationship=Relationship.MEMBER)
        )
        return super().get_queryset(request).prefetch_related(holders, "category", "topic")

    @admin.display(description="n°", ordering="pk")
    def reference(self, obj: Thread) -> str:
        return str(obj.pk)

    @admin.display(description="en attente depuis", ordering="waiting_since")
    def waiting(self, obj: Thread) -> str:
        return waiting_label(obj.waiting_since)

    def has_add_permission(self, request) -> bool:
        return False  # members open threads; gestionnaires answer them

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<id:pk>/attribuer/", wrap(self.assign_view), name="messaging_thread_assign"),
            path("<id:pk>/repondre/", wrap(self.reply_view), name="messaging_thread_reply"),
            path("<id:pk>/note/", wrap(self.note_view), name="messaging_thread_note"),
            path("<id:pk>/clore/", wrap(self.close_view), name="messaging_thread_close"),
            *super().get_urls(),
        ]

    # The change page is the conversation, with the forms of the gestionnaire's actions.
    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method != "GET":
            return redirect("admin:messaging_thread_change", object_id)
        thread = self._thread(request, object_id, change=False)
        return self._conversation(request, thread)

    def _thread(self, request, pk, *, change: bool = True) -> Thread:
        # The change page's id comes from Django's <path:object_id>: any text.
        if not IdConverter.regex_compiled.fullmatch(str(pk)):
            raise Http404("Aucune demande ne correspond.")
        thread = get_object_or_404(
            Thread.objects.select_related("member", "beneficiary", "category", "topic", "assigned_to"), pk=pk
        )
        allowed = self.has_change_permission(request, thread) if change else self.has_view_permission(request, thread)
        if not allowed:
            raise PermissionDenied
        return thread

    def _conversation(self, request, thread, reply_form=None, note_form=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(thread),
            "thread": thread,
            "thread_messages": thread_messages(thread),
            "notes": thread.internal_notes.select_related("author"),
            "waiting": waiting_label(thread.waiting_since),
            "can_change": self.has_change_permission(request, thread),
            "reply_form": reply_form or GestionnaireReplyForm(),
            "note_form": note_form or NoteForm(),
            "is_open": thread.status != ThreadStatus.CLOSED,
        }
        return TemplateResponse(request, "admin/messaging/thread/conversation.html", context)

    def _back(self, thread):
        return redirect(reverse("admin:messaging_thread_change", args=[thread.pk]))

    def assign_view(self, request, pk):
        thread = self._thread(request, pk)
        if request.method == "POST":
            try:
                thread_assign(thread=thread, gestionnaire=request.user)
                messages.success(request, "La demande vous est attribuée.")
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        return self._back(thread)

    def reply_view(self, request, pk):
        thread = self._thread(request, pk)
        if request.method != "POST":
            return self._back(thread)
        form = GestionnaireReplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                thread_reply_by_gestionnaire(
                    thread=thread,
                    author=request.user,
                    body=form.cleaned_data["texte"],
                    files=form.cleaned_data["pieces_jointes"],
                )
            except ValidationError as error:
                form_error_from(form, error, fields=SERVICE_FIELDS)
            else:
                messages.success(request, "Votre réponse est envoyée ; l'assuré est prévenu par e-mail.")
                return self._back(thread)
        return self._conversation(request, thread, reply_form=form)

    def note_view(self, request, pk):
        thread = self._thread(request, pk)
        if request.method != "POST":
            return self._back(thread)
        form = NoteForm(request.POST)
        if form.is_valid():
            internal_note_add(thread=thread, author=request.user, body=form.cleaned_data["note"])
            messages.success(request, "Note interne enregistrée.")
            return self._back(thread)
        return self._conversation(request, thread, note_form=form)

    def close_view(self, request, pk):
        thread = self._thread(request, pk)
        if request.method == "POST":
            thread_close(thread=thread)
            messages.success(request, "La demande est close.")
        return self._back(thread)
