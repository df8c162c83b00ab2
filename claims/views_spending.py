""" "Mes dépenses de santé": what the household's care cost, what the Sécurité sociale
and the complémentaire paid and what was left, per year, category and person, as charts
drawn on the server (SVG) with the same figures in tables."""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from claims import charts, selectors
from claims.forms import SpendingFilterForm
from core.access import member_required
from members.requests import MemberRequest
from members.selectors import household_of

FILTERS_SESSION_KEY = "claims_spending_filters"
_YEAR = re.compile(r"[0-9]{4}", re.ASCII)


@member_required
@require_http_methods(["GET", "POST"])
def spending(request: MemberRequest) -> HttpResponse:
    """The filter form posts; the page's URL says only ``?filtre=1`` and the year shown."""
    household = household_of(request.member)
    people, categories = household.names(), selectors.categories_of(household)
    year_value = request.GET.get("annee", "")
    year = int(year_value) if _YEAR.fullmatch(year_value) else None
    if request.method == "POST":
        if "effacer" in request.POST:
            request.session.pop(FILTERS_SESSION_KEY, None)
            return redirect(_page_url(year, filtering=False))
        form = SpendingFilterForm(request.POST, people=people, categories=categories)
        if form.is_valid():
            request.session[FILTERS_SESSION_KEY] = form.kept()
            return redirect(_page_url(year, filtering=True))
    else:
        kept = request.session.get(FILTERS_SESSION_KEY) if "filtre" in request.GET else None
        form = SpendingFilterForm(kept, people=people, categories=categories)
    filters = selectors.SpendingFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.SpendingFilters(
            beneficiary_id=form.cleaned_data["beneficiaire"], category=form.cleaned_data["categorie"]
        )
    summary, stamp = selectors.spending_overview(household, filters, year=year, today=timezone.localdate())
    names = dict(people)
    rank = {pk: index for index, (pk, _) in enumerate(people)}  # the household's order
    by_person = sorted(summary.by_person, key=lambda row: rank.get(row[0], len(rank)))
    person_rows = [(names.get(pk, "Ancien bénéficiaire"), spent) for pk, spent in by_person]
    filtering = filters != selectors.SpendingFilters()
    return render(
        request,
        "claims/spending.html",
        {
            "form": form,
            "summary": summary,
            # Everything below the form is named by the stamp (fragment cache); a refused
            # form (its errors above) leaves the figures unchanged.
            "figures_stamp": stamp,
            "filtering": filtering,
            "filter_labels": _filter_labels(filters, names),
            "year_chart": charts.stacked_bars([(str(y), spent) for y, spent in summary.years]),
            "category_chart": charts.stacked_bars(summary.by_category),
            "person_chart": charts.stacked_bars(person_rows),
            "person_rows": person_rows,
            "year_urls": {y: _page_url(y, filtering=filtering) for y, _ in summary.years},
        },
    )


def _page_url(year: int | None, *, filtering: bool) -> str:
    query = "&".join(part for part in ("filtre=1" if filtering else "", f"annee={year}" if year else "") if part)
    return f"{reverse('claims:spending')}{'?' if query else ''}{query}"


def _filter_labels(filters: selectors.SpendingFilters, names: dict[int, str]) -> list[str]:
    labels = []
    if filters.beneficiary_id:
        labels.append(names.get(filters.beneficiary_id, ""))
    if filters.category:
        labels.append(filters.category.capitalize())
    return labels
