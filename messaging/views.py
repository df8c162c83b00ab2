"""Member pages of the secure messaging ("Messagerie"). Thin: form, service, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from messaging.forms import ComposeForm, ReplyForm, SearchForm
from messaging.selectors import categories_with_topics, inbox_page, member_thread_get, thread_messages
from messaging.services import thread_close, thread_create, thread_mark_read, thread_reply_by_member
from portal.access import member_required

PAGE_SIZE = 20


def _form_error(form, error: ValidationError) -> None:
    """A service refusal shown on the form, which keeps everything typed."""
    if hasattr(error, "error_dict"):
        fields = {"topic": "objet", "beneficiary": "beneficiaire", "body": "texte"}
        for field, field_errors in error.error_dict.items():
            form.add_error(fields.get(field) if fields.get(field) in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


@member_required
def inbox(request):
    # Only a page number in the query string: nothing to search, the form shows unfilled.
    searching = any(name in request.GET for name in SearchForm.base_fields)
    search = SearchForm(request.GET if searching else None)
    filters = search.filters() if searching and search.is_valid() else None
    page = inbox_page(request.member.pk, request.GET.get("page"), size=PAGE_SIZE, search=filters)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "messaging/inbox.html",
        {"search": search, "page": page, "searching": searching, "query": query.urlencode()},
    )


@member_required
@require_http_methods(["GET", "POST"])
def compose(request):
    member = request.member
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES, member=member)
        if form.is_valid():
            data = form.cleaned_data
            try:
                thread = thread_create(
                    member=member, author=request.user, beneficiary=data["beneficiaire"], topic=data["objet"],
                    body=data["texte"], files=data["pieces_jointes"],
                )
            except ValidationError as error:
                _form_error(form, error)
            else:
                messages.success(request, "Votre message a bien été envoyé. Vous serez prévenu par e-mail de notre réponse.")
                return redirect("messaging:thread", pk=thread.pk)
    else:
        form = ComposeForm(initial=ComposeForm.initial_from_query(request.GET, member=member), member=member)
    return render(request, "messaging/compose.html", _compose_context(form))


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


def _thread_page(request, thread, reply_form):
    response = render(
        request,
        "messaging/thread.html",
        {"thread": thread, "thread_messages": thread_messages(thread), "reply_form": reply_form},
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
    if form.is_valid():
        try:
            thread_reply_by_member(
                thread=thread, author=request.user, body=form.cleaned_data["texte"],
                files=form.cleaned_data["pieces_jointes"],
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Votre réponse a bien été envoyée.")
            return redirect("messaging:thread", pk=thread.pk)
    return _thread_page(request, thread, form)


@member_required
@require_POST
def thread_close_view(request, pk: int):
    thread = member_thread_get(request.member, pk)
    thread_close(thread=thread)
    messages.success(request, "Votre demande est close.")
    return redirect("messaging:thread", pk=thread.pk)
