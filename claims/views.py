from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from claims import selectors
from claims.forms import (
    DecompteFilterForm,
    QuoteDocumentsForm,
    QuoteLineFormSet,
    QuoteRequestForm,
    needs_prior_agreement,
)
from claims.models import QuoteKind, QuoteRequest, QuoteStatus
from claims.prefill import late_report_url, simulation_prefill_get
from claims.services import (
    EstimateError,
    acts_for_kind,
    hundred_percent_sante_alternative,
    quote_documents_add,
    quote_request_create,
)
from core.access import member_required
from core.errors import InvalidParameter
from core.pdf import render_pdf
from core.write_limits import WriteLimitReached
from documents.downloads import attachment, csv_response, safe_filename
from guarantees import catalogue
from guarantees.engine import CareLine, EngineError
from guarantees.forms import SimulationForm
from guarantees.selectors import simulate_for
from members.models import Beneficiary
from members.requests import MemberRequest
from members.selectors import household_of


@require_GET
@member_required
def decompte_list(request: MemberRequest) -> HttpResponse:
    member = request.member
    household = household_of(member)
    # Only the cursor in the query string: nothing to validate, the form shows unfilled.
    filtering = any(name in request.GET for name in DecompteFilterForm.base_fields)
    form = DecompteFilterForm(
        request.GET if filtering else None, people=household.names(), categories=selectors.categories_of(household)
    )
    filters = selectors.DecompteFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.DecompteFilters(
            beneficiary_id=form.cleaned_data["beneficiaire"],
            start=form.cleaned_data["du"],
            end=form.cleaned_data["au"],
            category=form.cleaned_data["categorie"],
        )
    after, before = request.GET.get("apres", ""), request.GET.get("avant", "")
    if any(cursor and selectors.parse_cursor(cursor) is None for cursor in (after, before)):
        raise InvalidParameter(
            "Ce lien vers une page de vos remboursements n'est pas valide. Revenez à la première page."
        )
    # Unfiltered, what the page shows is named by the overview's stamp: its first page's
    # markup is served from the fragment cache while that stamp holds.
    stamp = None
    if filters == selectors.DecompteFilters():
        overview = selectors.list_overview(household)
        totals, pending_count = overview.totals, overview.pending_count
        if after or before:
            page = selectors.decompte_page(member.pk, filters, after=after, before=before)
        else:
            page = overview.first_page
            # A bound form (filters refused) shows its errors: never from the cache.
            stamp = None if form.is_bound else overview.stamp
    else:
        page = selectors.decompte_page(member.pk, filters, after=after, before=before)
        totals, pending_count = selectors.totals_per_year(member.pk, filters), selectors.pending_count(member.pk)
    query = request.GET.copy()
    query.pop("apres", None)
    query.pop("avant", None)
    return render(
        request,
        "claims/decompte_list.html",
        {
            "form": form,
            "page": page,
            "totals": totals,
            "filter_query": query.urlencode(),
            "pending_count": pending_count,
            "first_page_stamp": stamp,
        },
    )


@require_GET
@member_required
def decompte_detail(request: MemberRequest, pk: int) -> HttpResponse:
    detail = selectors.decompte_for_member(request.member.pk, pk)
    return render(request, "claims/decompte_detail.html", {"decompte": detail.decompte, "lines": detail.lines})


@require_GET
@member_required
def decompte_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    detail = selectors.decompte_for_member(request.member.pk, pk)
    decompte, household = detail.decompte, household_of(request.member)
    pdf = render_pdf(
        "pdf/decompte.html",
        {
            "decompte": decompte,
            "lines": detail.lines,
            "member": household.member,
            "holder": household.holder,
            "organisme": household.member.contract.organisme,
        },
        title=f"Décompte de remboursement n° {decompte.external_id}",
    )
    # The number comes from the insurer's files: only a safe ASCII form of it names the file.
    return attachment(
        HttpResponse(pdf, content_type="application/pdf"),
        safe_filename(f"decompte-{decompte.external_id}", extension="pdf"),
    )


@require_GET
@member_required
def follow_up(request: MemberRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = []
    for decompte in selectors.pending_decomptes(request.member.pk):
        late = decompte.is_late(today)
        rows.append((decompte, late, late_report_url(request, decompte) if late else None))
    return render(request, "claims/follow_up.html", {"pending": rows, "today": today})


@require_GET
@member_required
def year_export(request: MemberRequest, year: int) -> HttpResponse:
    # Text cells come from imported files and back-office input: csv_response neutralises
    # those a spreadsheet would run; dates and amounts stay typed.
    rows = (
        (
            line.decompte.external_id,
            line.decompte.payment_date,
            line.beneficiary.full_name,
            line.care_date,
            line.act_label,
            line.practitioner,
            line.frais_reels,
            line.ss_paid,
            line.complementary_paid,
            line.reste_a_charge,
        )
        for line in selectors.year_lines(request.member.pk, year)
    )
    return csv_response(
        filename=safe_filename(f"remboursements-{year}", extension="csv"),
        header=[
            "Décompte",
            "Date de paiement",
            "Bénéficiaire",
            "Date des soins",
            "Acte",
            "Professionnel",
            "Frais réels",
            "Remboursement SS",
            "Remboursement complémentaire",
            "Reste à charge",
        ],
        rows=rows,
    )


# --------------------------------------------------------------------------- devis


@require_GET
@member_required
def quote_list(request: MemberRequest) -> HttpResponse:
    quotes = QuoteRequest.objects.filter(member=request.member).select_related("beneficiary").order_by("-created_at")
    return render(request, "claims/quote_list.html", {"quotes": quotes, "kinds": QuoteKind.choices})


@member_required
def quote_new(request: MemberRequest) -> HttpResponse:
    member = request.member
    kind = request.GET.get("type", "")
    if kind not in QuoteKind.values:
        return render(request, "claims/quote_kind.html", {"kinds": QuoteKind.choices})
    acts = acts_for_kind(member, kind)
    people = member.beneficiaries.filter(pk__in=[p.pk for p in household_of(member).covered_on()])
    form = QuoteRequestForm(request.POST or None, request.FILES or None, beneficiaries=people)
    lines = QuoteLineFormSet(request.POST or None, prefix="lignes", form_kwargs={"acts": acts})
    status = 200
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        inputs = lines.filled_inputs()
        try:
            quote = quote_request_create(
                member=member,
                beneficiary=form.cleaned_data["beneficiaire"],
                kind=kind,
                lines=inputs,
                files=form.cleaned_data["pieces"],
                user=request.user,
            )
        except EstimateError as error:
            lines.forms[min(error.index, len(lines.forms) - 1)].add_error(None, error.message)
        except WriteLimitReached as refusal:
            form.add_error(None, refusal)
            status = 429
        except ValidationError as error:  # a file the storage refused (quota)
            form.add_error("pieces", error)
        else:
            messages.success(
                request, "Votre demande a été envoyée. Voici l'estimation immédiate de vos remboursements."
            )
            return redirect("claims:quote_detail", pk=quote.pk)
    return render(
        request,
        "claims/quote_new.html",
        {
            "form": form,
            "lines": lines,
            "kind": kind,
            "kind_label": QuoteKind(kind).label,
            "alternative": hundred_percent_sante_alternative(member, kind),
        },
        status=status,
    )


def _quote_for_member(request: MemberRequest, pk: int) -> QuoteRequest:
    return get_object_or_404(
        QuoteRequest.objects.select_related("beneficiary", "member__contract__organisme").prefetch_related(
            "lines", "documents__file", "events"
        ),
        pk=pk,
        member=request.member,
    )


@member_required
def quote_detail(request: MemberRequest, pk: int) -> HttpResponse:
    quote = _quote_for_member(request, pk)
    documents_form = QuoteDocumentsForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not quote.member_can_add_documents:
            messages.error(request, "Aucune pièce n'est demandée pour cette demande.")
            return redirect("claims:quote_detail", pk=quote.pk)
        if documents_form.is_valid():
            try:
                quote_documents_add(request=quote, files=documents_form.cleaned_data["pieces"], user=request.user)
            except ValidationError as error:  # a file the storage refused (quota)
                documents_form.add_error("pieces", error)
            else:
                messages.success(request, "Merci, vos pièces ont été ajoutées à votre demande.")
                return redirect("claims:quote_detail", pk=quote.pk)
    lines = list(quote.lines.all())
    return render(
        request,
        "claims/quote_detail.html",
        {
            "quote": quote,
            "lines": lines,
            "documents_form": documents_form,
            "alternative": hundred_percent_sante_alternative(request.member, quote.kind),
            "prior_agreement": needs_prior_agreement(quote.kind, quote.total_amount),
        },
    )


@require_GET
@member_required
def quote_answer_pdf(request: MemberRequest, pk: int) -> HttpResponse:
    quote = _quote_for_member(request, pk)
    if quote.status != QuoteStatus.ANSWERED:
        raise Http404
    pdf = render_pdf(
        "pdf/quote_answer.html",
        {"quote": quote, "lines": list(quote.lines.all()), "organisme": quote.member.contract.organisme},
        title=f"Estimation de remboursement - devis n° {quote.pk}",
    )
    return attachment(
        HttpResponse(pdf, content_type="application/pdf"),
        safe_filename(f"estimation-devis-{quote.pk}", extension="pdf"),
    )


# --- "Simuler un remboursement": the engine after the beneficiary's reimbursed care -----

# Engine errors of the simulator that belong to one field of the form; the others are shown above it.
ERROR_FIELDS = {
    "missing_sphere": "sphere",
    "missing_eye": "eye",
    "missing_optam": "optam",
    "ss_paid_above_fr": "ss_paid",
    "care_before_cover": "care_date",
    "care_after_cover": "care_date",
    "care_outside_cover": "care_date",
    "care_before_birth": "care_date",
    "care_date_in_future": "care_date",
    "unknown_act": "act",
    "frame_above_fr": "frame_amount",
    "invalid_quantity": "quantity",
}


def _reimbursed_care(beneficiary: Beneficiary) -> list[CareLine]:
    """Care already reimbursed: it consumes annual forfaits and starts optical periods."""
    return selectors.engine_history({beneficiary.pk}).get(beneficiary.pk, [])


@member_required
def simulate(request: MemberRequest) -> HttpResponse:
    member = request.member
    current = household_of(member).affiliations_on()
    if not current:
        return render(request, "claims/simulate.html", {"form": None})
    form_kwargs: dict[str, Any] = {  # SimulationForm's keyword arguments
        "beneficiaries": member.beneficiaries.order_by("rank", "birth_date", "id"),
        "formula_code": current[0].formula.code,
    }
    results = None
    if request.method == "POST":
        form = SimulationForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                beneficiary = form.cleaned_data["beneficiary"]
                results = simulate_for(beneficiary, lines=[form.care_line()], history=_reimbursed_care(beneficiary))
            except EngineError as error:
                form.add_error(ERROR_FIELDS.get(error.key), error.message)
    else:
        # A simulation offered by the assistant starts on its act (kept in the session).
        initial = simulation_prefill_get(request, request.GET.get("brouillon", ""))
        form = SimulationForm(initial=initial, **form_kwargs)
    return render(
        request,
        "claims/simulate.html",
        # rules are cited by their notice's title and heading, never by line (catalogue.citation)
        {"form": form, "results": results, "affiliations": current, "citation": catalogue.citation},
    )


@member_required
def rights(request: MemberRequest) -> HttpResponse:
    """ "Mes droits restants": each covered person's yearly ceilings and renewal dates."""
    household = household_of(request.member)
    today = timezone.localdate()
    people = selectors.household_rights(household, today, almost_percent=settings.CLAIMS_RIGHTS_ALMOST_USED_PERCENT)
    return render(request, "claims/rights.html", {"people": people, "today": today})
