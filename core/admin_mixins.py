import datetime as dt
import re

from django.contrib import admin, messages
from django.contrib.admin.views.main import (  # type: ignore[attr-defined]  # 2 constants not in django-stubs
    ERROR_FLAG,
    IS_FACETS_VAR,
    IS_POPUP_VAR,
    ORDER_VAR,
    PAGE_VAR,
    SEARCH_VAR,
)
from django.db import DataError, models
from django.http import HttpResponseRedirect
from django.template.response import SimpleTemplateResponse

from core.converters import FIRST_YEAR, ID_DIGITS, LAST_YEAR


class ReadOnlyMixin:
    """Rows written only by the portal's services (imports, audit, reference data):
    browsed in the back-office, never added, edited or deleted by hand. For a ModelAdmin
    (``ReadOnlyAdmin``) or an inline."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# Parameters the changelist reads as text, not as lookups on a column.
_TEXT_PARAMETERS = {
    SEARCH_VAR,
    ORDER_VAR,
    PAGE_VAR,
    ERROR_FLAG,
    IS_POPUP_VAR,
    IS_FACETS_VAR,
    "_to_field",
    "_changelist_filters",
}
_NUMBER = re.compile(r"-?[0-9]+", re.ASCII)
# Date parts Django turns into a date (year) or compares as they are (month, day...).
_DATE_PART_RANGES = {
    "year": (FIRST_YEAR, LAST_YEAR),
    "iso_year": (FIRST_YEAR, LAST_YEAR),
    "month": (1, 12),
    "day": (1, 31),
    "week": (1, 53),
    "week_day": (1, 7),
    "iso_week_day": (1, 7),
    "quarter": (1, 4),
}
PERIOD_PROBLEM = "Cette période n'existe pas : choisissez une année, un mois et un jour dans le calendrier de la liste."


def changelist_parameter_problem(model_admin, query) -> str:
    """What the changelist's query string holds that Django would turn into a 500, in
    French, or "" when nothing. Django itself answers unknown lookups and unreadable
    values (its "?e=1" page); not a date-hierarchy year at its calendar's edge (9999
    overflows when it computes the next year), a year Python's dates do not have in a
    ``__year`` lookup, nor a number too long for a 64-bit integer where it does not bound
    it (``__in``, ``__range``: OverflowError on SQLite)."""
    hierarchy = model_admin.date_hierarchy
    if hierarchy:
        parts = [query.get(f"{hierarchy}__{part}") for part in ("year", "month", "day")]
        if any(value is not None for value in parts):
            year, month, day = (value if value is not None else "1" for value in parts)
            if not all(re.fullmatch(r"[0-9]{1,4}", value, re.ASCII) for value in (year, month, day)):
                return PERIOD_PROBLEM
            if not FIRST_YEAR <= int(year) <= LAST_YEAR:
                return f"Choisissez une année entre {FIRST_YEAR} et {LAST_YEAR}."
            try:
                dt.date(int(year), int(month), int(day))
            except ValueError:
                return PERIOD_PROBLEM
    for name, values in query.lists():
        if name in _TEXT_PARAMETERS:
            continue
        bounds = _DATE_PART_RANGES.get(name.rsplit("__", 1)[-1]) if "__" in name else None
        for value in values:
            if bounds and not (re.fullmatch(r"[0-9]{1,4}", value, re.ASCII) and bounds[0] <= int(value) <= bounds[1]):
                return PERIOD_PROBLEM if bounds[0] == 1 else f"Choisissez une année entre {FIRST_YEAR} et {LAST_YEAR}."
            for item in value.split(","):
                if _NUMBER.fullmatch(item.strip()) and len(item.strip().lstrip("-")) > ID_DIGITS:
                    return f"Le filtre « {name} » contient un nombre trop grand."
    return ""


class StrictChangeListMixin(admin.ModelAdmin):
    """A changelist whose query string cannot make a 500: a bad parameter takes the
    gestionnaire back to the list, with a French message saying what was wrong."""

    def changelist_view(self, request, extra_context=None):
        problem = changelist_parameter_problem(self, request.GET)
        if not problem:
            try:
                response = super().changelist_view(request, extra_context)
                # Rendered here, so that a value the database refuses while the rows are
                # read (a date it cannot convert...) is caught below, not a 500 later.
                if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                    response.render()
                return response
            except (OverflowError, ValueError, DataError):
                if not set(request.GET) - {PAGE_VAR, ORDER_VAR}:
                    raise  # no filter to blame: a real defect, let it be seen
                problem = (
                    "Un des filtres de la liste contient une valeur impossible : la liste est affichée sans filtre."
                )
        messages.error(request, problem)
        return HttpResponseRedirect(request.path)


class PortalModelAdmin(StrictChangeListMixin, admin.ModelAdmin):
    """The base of every ModelAdmin of the portal."""

    # Django 6's behaviour already: a web address typed without a scheme is taken as https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class ReadOnlyAdmin(ReadOnlyMixin, PortalModelAdmin):
    pass
