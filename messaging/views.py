"""Member pages of the secure messaging ("Messagerie"). Thin: form, service, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.access import member_required
from core.forms import form_error_from
from core.params import page_number
from core.write_limits import WriteLimitReached
from messaging.forms import SERVICE_FIELDS, ComposeForm, ReplyForm, SearchForm
from messaging.prefill import prefill_get
from messaging.selectors import categories_with_topics, inbox_page, member_thread_get, thread_messages
from messaging.services import thread_close, thread_create, thread_mark_read, thread_reply_by_member

PAGE_SIZE = 20


SEARCH_SESSION_KEY = "messaging_search"


@member_required
@require_http_methods(["GET", "POST"])
def inbox(request):
    """The member's threads. The search form posts: the text searched for stays in the
    session, and the URL of the results only says ``?recherche=1`` (and a page number)."""
    number = 1
    if request.method == "POST":
        if "effacer" in request.POST:
            request.session.pop(SEARCH_SESSION_KEY, None)
            return redirect("messaging:inbox")
        search = SearchForm(request.POST)
        if search.is_valid():
            request.session[SEARCH_SESSION_KEY] = search.kept()
            return redirect(f"{reverse('messaging:inbox')}?recherche=1")
        searching, filters = True, None
    else:
        number = page_number(request.GET.get("page"))
        kept = request.session.get(SEARCH_SESSION_KEY) if "recherche" in request.GET else None
        searching = kept is not None
        search = SearchForm(kept if searching else None)
        filters = search.filters() if searching and search.is_valid() else None
    page = inbox_page(request.member.pk, number, size=PAGE_SIZE, search=filters)
    return render(
        request,
        "messaging/inbox.html",
        {"search": search, "page": page, "searching": searching, "query": "recherche=1" if searching else ""},
    )


@member_required
@require_http_methods(["GET", "POST"])
def compose(request):
    member, status = request.member, 200
    if request.method == "POST" and "afficher_objets" in request.POST:
        # Without JavaScript, "Afficher les objets de cette catégorie" posts what is typed
        # (never a GET: the text would be in the URL) and gets the form back, unvalidated.
        form = ComposeForm(initial=ComposeForm.initial_from(request.POST, member=member), member=member)
    elif request.method == "POST":
        form = ComposeForm(request.POST, request.FILES, member=member)
        if form.is_valid():
            data = form.cleaned_data
            try:
                thread = thread_create(
                    member=member,
                    author=request.user,
                    beneficiary=data["beneficiaire"],
                    topic=data["objet"],
                    body=data["texte"],
                    files=data["pieces_jointes"],
                )
            except ValidationError as error:
                form_error_from(form, error, fields=SERVICE_FIELDS)
                status = 429 if isinstance(error, WriteLimitReached) else 200
            else:
                messages.success(
                    request, "Votre message a bien été envoyé. Vous serez prévenu par e-mail de notre réponse."
                )
                return redirect("messaging:thread", pk=thread.pk)
    else:
        # Links give codes and an id; a text comes only from a pre-fill kept in the session.
        values = {name: request.GET.get(name, "") for name in ("categorie", "objet", "beneficiaire")}
        values |= prefill_get(request, request.GET.get("brouillon", ""))
        form = ComposeForm(initial=ComposeForm.initial_from(values, member=member), member=member)
    return render(request, "messaging/compose.html", _compose_context(form), status=status)


def _compose_context(form: ComposeForm) -> dict:
    categories = categories_with_topics()
    selected_category = _selected_code(form, "categorie")
    selected_topic = _selected_code(form, "objet")
    return {
        "form": form,
        "categories": categories,
        "selected_category": selected_category,
        "selected_topic": selected_topic,
        # Without JavaScript, the objet list shows the chosen category's objets only.
        "shown_categories": [c for c in categories if c.code == selected_category] or categories,
    }


def _selected_code(form, name: str) -> str:
    value = form[name].value()
    return getattr(value, "code", value) or ""


@member_required
def thread_detail(request, pk: int):
    thread = member_thread_get(request.member, pk)
    return _thread_page(request, thread, ReplyForm())


def _thread_page(request, thread, reply_form, *, status: int = 200):
    response = render(
        request,
        "messaging/thread.html",
        {"thread": thread, "thread_messages": thread_messages(thread), "reply_form": reply_form},
        status=status,
    )
    thread_mark_read(thread=thread)
    return response


@member_required
@require_POST
def thread_reply(request, pk: int):
    thread = member_thread_get(request.member, pk)
    if not thread.is_open:
        messages.error(request, "Cette demande est close : écrivez un nouveau message pour une nouvelle demande.")
        return redirect("messaging:thread", pk=thread.pk)
    form = ReplyForm(request.POST, request.FILES)
    status = 200
    if form.is_valid():
        try:
            thread_reply_by_member(
                thread=thread,
                author=request.user,
                body=form.cleaned_data["texte"],
                files=form.cleaned_data["pieces_jointes"],
            )
        except ValidationError as error:
            form_error_from(form, error, fields=SERVICE_FIELDS)
            status = 429 if isinstance(error, WriteLimitReached) else 200
        else:
            messages.success(request, "Votre réponse a bien été envoyée.")
            return redirect("messaging:thread", pk=thread.pk)
    return _thread_page(request, thread, form, status=status)


@member_required
@require_POST
def thread_close_view(request, pk: int):
    thread = member_thread_get(request.member, pk)
    thread_close(thread=thread)
    messages.success(request, "Votre demande est close.")
    return redirect("messaging:thread", pk=thread.pk)
