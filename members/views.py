"""The member's situation pages: contracts, beneficiaries, NOEMIE, useful documents, and
the tiers-payant card. Every view shows the requester's own household (no ids in URLs)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.access import member_required
from documents import pdf_cache
from documents.downloads import attachment, safe_filename
from members import cards
from members.models import AffiliationRole
from members.notices import notice_blocks
from members.selectors import household_of
from members.situation import noemie_situation


def _household_member(request):
    return household_of(request.member).member


@require_GET
@member_required
def contracts(request):
    household = household_of(request.member)
    member = household.member
    today = timezone.localdate()
    history = sorted(household.affiliations, key=lambda a: (a.start_date, a.role != AffiliationRole.PRINCIPAL))
    return render(
        request,
        "members/contracts.html",
        {
            "member": member,
            "contract": member.contract,
            "organisme": member.contract.organisme,
            "current": household.affiliations_on(today),
            "history": history,
            "today": today,
        },
    )


@require_GET
@member_required
def beneficiaries(request):
    household = household_of(request.member)
    today = timezone.localdate()
    rows = [(person, person.is_covered_on(today), noemie_situation(person)) for person in household.people]
    return render(request, "members/beneficiaries.html", {"member": household.member, "rows": rows})


@require_GET
@member_required
def noemie(request):
    household = household_of(request.member)
    situations = [noemie_situation(person) for person in household.people]
    return render(
        request,
        "members/noemie.html",
        {"member": household.member, "situations": situations, "all_active": all(s.active for s in situations)},
    )


def _availability(member):
    try:
        cards.card_validity(member, timezone.localdate())
    except cards.DocumentUnavailable as refusal:
        return str(refusal)
    return ""


@require_GET
@member_required
def documents(request):
    member = _household_member(request)
    return render(
        request,
        "members/documents.html",
        {
            "member": member,
            "unavailable": _availability(member),
            "has_notice": bool(notice_blocks(member.contract.notice_file)),
            "downloads": pdf_cache.document_downloads_of(member),
        },
    )


@require_GET
@member_required
def notice(request):
    member = _household_member(request)
    blocks = notice_blocks(member.contract.notice_file)
    if not blocks:
        raise Http404("Pas de notice pour ce contrat.")
    return render(request, "members/notice.html", {"contract": member.contract, "blocks": blocks})


@require_GET
@member_required
def card(request):
    member = _household_member(request)
    try:
        content = cards.card_content(member)
    except cards.DocumentUnavailable as refusal:
        return render(request, "members/card.html", {"member": member, "unavailable": str(refusal)})
    version = cards.card_version(content)
    response = render(
        request,
        "members/card.html",
        {"member": member, "card": content, "version": version, "refreshed_at": timezone.localtime()},
    )
    # The mark of the card: the service worker keeps this page offline (home.pwa).
    response[cards.CARD_VERSION_HEADER] = version
    return response


def _pdf_response(request, member, document, name: str) -> HttpResponse:
    pdf_cache.document_download_record(member=member, user=request.user, document=document)
    response = HttpResponse(pdf_cache.rendered_document_read(document), content_type="application/pdf")
    attachment(response, safe_filename(name, extension="pdf"))
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@member_required
def card_pdf(request):
    try:
        document, day = cards.card_download(request.member.pk)
    except cards.DocumentUnavailable:
        # The card page explains why there is no card.
        return redirect("members:card")
    response = _pdf_response(request, request.member, document, f"carte-tiers-payant-{day:%Y}")
    response[cards.CARD_VERSION_HEADER] = document.content_key
    return response


@require_GET
@member_required
def attestation_pdf(request):
    member = _household_member(request)
    try:
        document, content = cards.attestation_document(member)
    except cards.DocumentUnavailable:
        return redirect("members:documents")
    return _pdf_response(request, member, document, f"attestation-affiliation-{content['issued_on']:%Y-%m-%d}")
