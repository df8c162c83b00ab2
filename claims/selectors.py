"""Reads of a member's reimbursements, always scoped to the member's household."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.shortcuts import get_object_or_404

from claims.models import Decompte, DecompteLine
from guarantees.engine import CareLine

PAGE_SIZE = 20


@dataclass(frozen=True)
class DecompteFilters:
    beneficiary_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    category: str = ""

    def apply(self, queryset: QuerySet[Decompte]) -> QuerySet[Decompte]:
        line_conditions = {}
        if self.beneficiary_id:
            line_conditions["beneficiary_id"] = self.beneficiary_id
        if self.category:
            line_conditions["category"] = self.category
        if line_conditions:
            queryset = queryset.filter(pk__in=DecompteLine.objects.filter(**line_conditions).values("decompte_id"))
        if self.start:
            queryset = queryset.filter(payment_date__gte=self.start)
        if self.end:
            queryset = queryset.filter(payment_date__lte=self.end)
        return queryset


def paid_decomptes(member_id: int, filters: DecompteFilters) -> QuerySet[Decompte]:
    return filters.apply(Decompte.objects.filter(member_id=member_id, status=Decompte.Status.PAID))


@dataclass(frozen=True)
class Page:
    items: list[Decompte]
    next_cursor: str | None
    previous_cursor: str | None


def _cursor(decompte: Decompte) -> str:
    return f"{decompte.payment_date:%Y-%m-%d}_{decompte.pk}"


def parse_cursor(value: str) -> tuple[dt.date, int] | None:
    try:
        day, pk = value.split("_")
        return dt.date.fromisoformat(day), int(pk)
    except (ValueError, AttributeError):
        return None


def decompte_page(member_id: int, filters: DecompteFilters, *, after: str = "", before: str = "") -> Page:
    """Keyset pagination on (payment_date, id), newest first: a deep page costs an index
    seek, not a scan of every earlier row."""
    queryset = paid_decomptes(member_id, filters)
    if (position := parse_cursor(before)) is not None:
        day, pk = position
        rows = list(
            queryset.filter(Q(payment_date__gt=day) | Q(payment_date=day, pk__gt=pk))
            .order_by("payment_date", "id")[: PAGE_SIZE + 1]
        )
        has_more_newer = len(rows) > PAGE_SIZE
        items = list(reversed(rows[:PAGE_SIZE]))
        has_older = True
    else:
        if (position := parse_cursor(after)) is not None:
            day, pk = position
            queryset = queryset.filter(Q(payment_date__lt=day) | Q(payment_date=day, pk__lt=pk))
        rows = list(queryset.order_by("-payment_date", "-id")[: PAGE_SIZE + 1])
        items = rows[:PAGE_SIZE]
        has_older = len(rows) > PAGE_SIZE
        has_more_newer = position is not None
    _attach_lines(items)
    return Page(
        items=items,
        next_cursor=_cursor(items[-1]) if items and has_older else None,
        previous_cursor=_cursor(items[0]) if items and has_more_newer else None,
    )


def _attach_lines(decomptes: list[Decompte]) -> None:
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        decomptes, Prefetch("lines", queryset=DecompteLine.objects.select_related("beneficiary").order_by("line_number"))
    )


@dataclass(frozen=True)
class YearTotals:
    year: int
    frais_reels: Decimal
    ss: Decimal
    complementary: Decimal
    reste_a_charge: Decimal


def totals_per_year(member_id: int, filters: DecompteFilters) -> list[YearTotals]:
    """Unfiltered, the stored yearly totals (one indexed read); filtered, summed live."""
    if filters == DecompteFilters():
        from claims.models import YearTotal

        return [YearTotals(t.year, t.frais_reels, t.ss, t.complementary, t.reste_a_charge)
                for t in YearTotal.objects.filter(member_id=member_id).order_by("-year")]
    rows = (
        paid_decomptes(member_id, filters)
        .annotate(year=ExtractYear("payment_date"))
        .values("year")
        .annotate(
            fr=Sum("total_frais_reels"), ss=Sum("total_ss"), comp=Sum("total_complementary"), rac=Sum("total_rac")
        )
        .order_by("-year")
    )
    return [YearTotals(r["year"], r["fr"], r["ss"], r["comp"], r["rac"]) for r in rows]


def categories_of(member) -> list[str]:
    """The care categories of the member's guarantee tables (no scan of their history)."""
    codes = member.affiliations.values_list("formula__code", flat=True).distinct()
    return list(_categories_of_formulas(frozenset(codes)))


@functools.cache
def _categories_of_formulas(codes: frozenset[str]) -> tuple[str, ...]:
    """Reference data (the guarantee tables never change while the process runs)."""
    from guarantees import catalogue

    categories = set()
    for code in codes:
        rules = catalogue.formula_rules(code)
        categories.update(rows[0].category.capitalize() for rows in rules.rows_by_act.values())
    return tuple(sorted(categories))


def decompte_for_member(member_id: int, pk: int) -> Decompte:
    decompte = get_object_or_404(Decompte.objects.select_related("member"), pk=pk, member_id=member_id)
    _attach_lines([decompte])
    return decompte


def pending_count(member_id: int) -> int:
    return Decompte.objects.filter(member_id=member_id, status=Decompte.Status.PENDING).count()


def pending_decomptes(member_id: int) -> list[Decompte]:
    items = list(Decompte.objects.filter(member_id=member_id, status=Decompte.Status.PENDING).order_by("first_care_date"))
    _attach_lines(items)
    return items


def year_lines(member_id: int, year: int) -> QuerySet[DecompteLine]:
    return (
        DecompteLine.objects.filter(decompte__member_id=member_id, decompte__status=Decompte.Status.PAID,
                                    decompte__payment_date__year=year)
        .select_related("decompte", "beneficiary")
        .order_by("decompte__payment_date", "decompte_id", "line_number")
    )


DECIMAL_DETAILS = {"sphere", "cylinder", "addition", "frame_amount", "price_limit"}


def engine_details_from_json(details: dict) -> dict:
    return {k: (Decimal(v) if k in DECIMAL_DETAILS and v is not None else v) for k, v in (details or {}).items()}


def engine_history(beneficiary_ids: set[int], *, exclude_decomptes: set[str] = frozenset()) -> dict[int, list[CareLine]]:
    """Care already reimbursed, per beneficiary, as engine history lines (care-date order):
    it consumes annual counters and starts periodicity periods."""
    history: dict[int, list[CareLine]] = defaultdict(list)
    rows = (
        DecompteLine.objects.filter(beneficiary_id__in=beneficiary_ids)
        .exclude(decompte__external_id__in=exclude_decomptes)
        .values_list("beneficiary_id", "act_code", "care_date", "frais_reels", "base_remboursement", "ss_paid",
                     "quantity", "engine_details")
        .order_by("care_date", "id")
    )
    for beneficiary_id, act, care_date, fr, br, ss, quantity, details in rows:
        history[beneficiary_id].append(
            CareLine(act=act, care_date=care_date, frais_reels=fr, base_remboursement=br, ss_paid=ss,
                     quantity=quantity, **engine_details_from_json(details))
        )
    return history
