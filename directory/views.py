from django.core.paginator import Paginator
from django.shortcuts import render

from assistant.knowledge import entry
from core.access import member_required
from directory.forms import AROUND_ME, RADIUS_CHOICES, SearchForm
from directory.models import Kind
from directory.selectors import professionals_near, search_alternatives

PAGE_SIZE = 20
SEARCH_FIELDS = ("lieu", "lat", "lon")


@member_required
def search(request):
    member = request.member
    home = f"{member.postcode} {member.city}"
    data = None
    if "kind" in request.GET or any(request.GET.get(name) for name in SEARCH_FIELDS):
        data = request.GET.copy()
        if not any(data.get(name) for name in SEARCH_FIELDS):
            data["lieu"] = home  # a link such as "?kind=opticien": around the member's home
    form = SearchForm(data, initial={"lieu": home, "rayon": 20})
    page = place = radius = None
    criteria: dict[str, str] = {}
    alternatives = []
    query = request.GET.copy()
    query.pop("page", None)
    if form.is_bound and form.is_valid():
        place = form.cleaned_data["place"]
        search_kwargs = form.search_kwargs()
        radius = search_kwargs["radius_km"]
        page = Paginator(professionals_near(**search_kwargs), PAGE_SIZE).get_page(request.GET.get("page"))
        criteria = form.criteria()
        if not page.paginator.count:
            alternatives = [
                (alternative, _changed_query(query, alternative.changes))
                for alternative in search_alternatives(
                    search=search_kwargs, radius_choices=[km for km, _label in RADIUS_CHOICES], labels=criteria
                )
            ]
    has_itelis = member.contract.care_network.lower() == "itelis"
    shows_opticians = page is not None and (
        form.cleaned_data.get("kind") == Kind.OPTICIEN or any(p.kind == Kind.OPTICIEN for p in page)
    )
    return render(
        request,
        "directory/search.html",
        {
            "form": form,
            "page": page,
            "place": place,
            "around_me": place is not None and place.label == AROUND_ME,
            "query": query.urlencode(),
            "criteria": criteria,
            "radius": radius,
            "alternatives": alternatives,
            "itelis": entry("itelis-avantages") if has_itelis and shows_opticians else None,
        },
    )


def _changed_query(query, changes: dict[str, str | None]) -> str:
    """The search's own query string with ``changes`` applied: the link redoes the search."""
    changed = query.copy()
    for name, value in changes.items():
        if value is None:
            changed.pop(name, None)
        else:
            changed[name] = value
    return changed.urlencode()
