from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from assistant.facts import facts_for
from assistant.forms import FeedbackForm, QuestionForm
from assistant.knowledge import answers_for
from assistant.selectors import contact_phone
from assistant.services import feedback_record
from core.access import member_required
from core.write_limits import WriteLimitReached
from messaging.prefill import compose_prefill_url

# Questions are posted, never sent in a URL: a member's question is often about their
# health, and URLs end up in logs, the browser's history and the Referer of the next page.


def _reply(request, form):
    question = form.cleaned_data["q"]
    answers = answers_for(question)
    return {
        "question": question,
        "answers": answers,
        # The member's own figures for the answers that have some (entry id -> Facts).
        "facts": {a.entry.id: facts_for(a.entry.facts, request) for a in answers if a.entry.facts},
        # The hand-off link names a pre-fill kept in the session, not the question.
        "handoff_url": compose_prefill_url(request, "assistant", texte=question),
        "phone": contact_phone(request.member),
    }


@member_required
@require_http_methods(["GET", "POST"])
def ask(request):
    """The assistant as a page: works without JavaScript."""
    form = QuestionForm(request.POST if request.method == "POST" else None)
    context = {"form": form}
    if form.is_bound and form.is_valid():
        context |= _reply(request, form)
    return render(request, "assistant/ask.html", context)


@member_required
@require_POST
def api(request):
    """The same answers as JSON for the "Une question ?" panel's script."""
    form = QuestionForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": form.errors["q"][0]}, status=400)
    reply = _reply(request, form)
    phone = reply["phone"]
    return JsonResponse(
        {
            "question": reply["question"],
            "answers": [
                {
                    "id": a.entry.id,
                    "title": a.entry.title,
                    "text": a.entry.text,
                    "points": list(a.entry.points),
                    "url": a.entry.url,
                    "link_label": a.entry.link_label if a.entry.url else "",
                    "source": a.entry.source,
                    "facts": reply["facts"][a.entry.id].as_dict() if reply["facts"].get(a.entry.id) else None,
                }
                for a in reply["answers"]
            ],
            "handoff_url": reply["handoff_url"],
            "phone": {"number": phone.number, "hours": phone.hours, "note": phone.note},
        }
    )


@member_required
@require_POST
def feedback(request):
    form = FeedbackForm(request.POST)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"error": "Avis non enregistré : réponse inconnue."}, status=400)
        messages.error(request, "Votre avis n'a pas pu être enregistré.")
        return redirect("assistant:ask")
    data = form.cleaned_data
    try:
        feedback_record(user=request.user, question=data["question"], answer_id=data["answer"], helpful=data["helpful"])
    except WriteLimitReached as refusal:
        if wants_json:
            return JsonResponse({"error": refusal.message}, status=429)
        messages.error(request, refusal.message)
        return redirect("assistant:ask")
    if wants_json:
        return JsonResponse({"message": "Merci pour votre avis."})
    messages.success(request, "Merci pour votre avis.")
    target = "assistant:ask"
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = back
    return redirect(target)
