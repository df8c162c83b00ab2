"""Reads of a member's reimbursements, always scoped to the member's household."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from claims.models import Decompte, DecompteLine
from core.sql import amount, columns, fetch_all, fetch_instances, fetch_value
from guarantees import catalogue
from guarantees.engine import CareLine
from members.models import Beneficiary

PAGE_SIZE = 20


# The list page's reads (décomptes with their lines, yearly totals, pending count,
# categories) are plain SQL through Django's connection: compiling their ORM queries cost
# several times running them, and the page ran five. Values are always parameters; only
# the fixed condition fragments below are put together. Money columns are converted as the
# ORM does.
@dataclass(frozen=True)
class DecompteFilters:
    beneficiary_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    category: str = ""

    def paid_conditions(self, member_id: int) -> tuple[list[str], list]:
        """SQL conditions on the décompte table selecting the member's paid décomptes that
        match these filters, with their parameters."""
        conditions, params = ["member_id = %s", "status = %s"], [member_id, Decompte.Status.PAID.value]
        line_conditions = []
        if self.beneficiary_id:
            line_conditions.append("beneficiary_id = %s")
            params.append(self.beneficiary_id)
        if self.category:
            line_conditions.append("category = %s")
            params.append(self.category)
        if line_conditions:
            conditions.append(f"id IN (SELECT decompte_id FROM claims_decompteline WHERE {' AND '.join(line_conditions)})")  # noqa: S608
        if self.start:
            conditions.append("payment_date >= %s")
            params.append(self.start)
        if self.end:
            conditions.append("payment_date <= %s")
            params.append(self.end)
        return conditions, params


class LineRow(NamedTuple):
    """A care line as the list shows it."""

    care_date: dt.date
    first_name: str
    act_label: str
    complementary_paid: Decimal


class DecompteRow(NamedTuple):
    """A décompte as the list shows it, with its lines: plain values rather than model
    instances and a prefetch, which cost more than the rest of the page."""

    pk: int
    external_id: str
    payment_date: dt.date
    origin: str
    payee: str
    payee_name: str
    iban_masked: str
    total_frais_reels: Decimal
    total_ss: Decimal
    total_complementary: Decimal
    total_rac: Decimal
    lines: list[LineRow]

    @property
    def origin_label(self) -> str:
        return _ORIGIN_LABELS.get(self.origin, self.origin)

    @property
    def payee_label(self) -> str:
        if self.payee == Decompte.Payee.MEMBER:
            return f"vous ({self.iban_masked})" if self.iban_masked else "vous"
        return self.payee_name or "votre professionnel de santé"


_ORIGIN_LABELS = dict(Decompte.Origin.choices)


@dataclass(frozen=True)
class Page:
    items: list[DecompteRow]
    next_cursor: str | None
    previous_cursor: str | None


def _cursor(row: DecompteRow) -> str:
    return f"{row.payment_date:%Y-%m-%d}_{row.pk}"


_CURSOR = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})_([0-9]{1,18})", re.ASCII)


def parse_cursor(value: str) -> tuple[dt.date, int] | None:
    """``2024-03-01_123`` as written by ``_cursor``, or None (an id of at most 18 digits:
    a longer one overflows the database's integers)."""
    found = _CURSOR.fullmatch(value or "")
    if found is None:
        return None
    try:
        return dt.date.fromisoformat(found[1]), int(found[2])
    except ValueError:
        return None


# The page's ids (plus one, to know whether there is more) in a subquery, with their lines.
_PAGE_SQL = """
SELECT d.id, d.external_id, d.payment_date, d.origin, d.payee, d.payee_name, d.iban_masked,
       d.total_frais_reels, d.total_ss, d.total_complementary, d.total_rac,
       l.care_date, b.first_name, l.act_label, l.complementary_paid
FROM claims_decompte d
LEFT JOIN claims_decompteline l ON l.decompte_id = d.id
LEFT JOIN members_beneficiary b ON b.id = l.beneficiary_id
WHERE d.id IN (SELECT id FROM claims_decompte WHERE {where} ORDER BY payment_date {order}, id {order} LIMIT %s)
ORDER BY d.payment_date DESC, d.id DESC, l.line_number
"""
_ROW_WIDTH = 11  # décompte columns, then line columns


def decompte_page(member_id: int, filters: DecompteFilters, *, after: str = "", before: str = "") -> Page:
    """Keyset pagination on (payment_date, id), newest first: a deep page costs an index
    seek, not a scan of every earlier row (the bound on payment_date alone is what lets
    the index range start at the cursor; the OR only breaks ties). One query."""
    conditions, params = filters.paid_conditions(member_id)
    backward = (position := parse_cursor(before)) is not None
    if backward:
        day, pk = position
        conditions.append("payment_date >= %s AND (payment_date > %s OR id > %s)")
        params += [day, day, pk]
    elif (position := parse_cursor(after)) is not None:
        day, pk = position
        conditions.append("payment_date <= %s AND (payment_date < %s OR id < %s)")
        params += [day, day, pk]
    sql = _PAGE_SQL.format(where=" AND ".join(conditions), order="ASC" if backward else "DESC")
    items = _decompte_rows(fetch_all(sql, [*params, PAGE_SIZE + 1]))
    has_more = len(items) > PAGE_SIZE
    if backward:
        # Read oldest first from the cursor: the extra row, if any, is the newest.
        items = items[1:] if has_more else items
        has_newer, has_older = has_more, True
    else:
        items = items[:PAGE_SIZE]
        has_newer, has_older = position is not None, has_more
    return Page(
        items=items,
        next_cursor=_cursor(items[-1]) if items and has_older else None,
        previous_cursor=_cursor(items[0]) if items and has_newer else None,
    )


def _decompte_rows(rows: list[tuple]) -> list[DecompteRow]:
    """Rows of (décompte columns, line columns), newest décompte first, grouped per décompte."""
    items: list[DecompteRow] = []
    for row in rows:
        if not items or items[-1].pk != row[0]:
            items.append(DecompteRow(*row[:7], *map(amount, row[7:_ROW_WIDTH]), []))
        care_date, first_name, act_label, paid = row[_ROW_WIDTH:]
        if care_date is not None:  # a décompte without lines still has its card
            items[-1].lines.append(LineRow(care_date, first_name, act_label, amount(paid)))
    return items


def _attach_lines(decomptes: list[Decompte]) -> None:
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(
        decomptes, Prefetch("lines", queryset=DecompteLine.objects.select_related("beneficiary").order_by("line_number"))
    )


class YearTotals(NamedTuple):
    year: int
    frais_reels: Decimal
    ss: Decimal
    complementary: Decimal
    reste_a_charge: Decimal


def totals_per_year(member_id: int, filters: DecompteFilters) -> list[YearTotals]:
    """Unfiltered, the stored yearly totals (one indexed read); filtered, summed live."""
    if filters == DecompteFilters():
        rows = fetch_all("SELECT year, frais_reels, ss, complementary, reste_a_charge FROM claims_yeartotal "
                         "WHERE member_id = %s ORDER BY year DESC", [member_id])
    else:
        conditions, params = filters.paid_conditions(member_id)
        year, year_params = connection.ops.date_extract_sql("year", "payment_date", ())
        rows = fetch_all(
            f"SELECT {year}, SUM(total_frais_reels), SUM(total_ss), SUM(total_complementary), SUM(total_rac) "  # noqa: S608
            f"FROM claims_decompte WHERE {' AND '.join(conditions)} GROUP BY 1 ORDER BY 1 DESC",
            [*year_params, *params],
        )
    return [YearTotals(int(year), *map(amount, amounts)) for year, *amounts in rows]


def categories_of(member) -> list[str]:
    """The care categories of the member's guarantee tables (no scan of their history)."""
    codes = fetch_all(
        "SELECT DISTINCT f.code FROM members_affiliation a JOIN members_formula f ON f.id = a.formula_id "
        "WHERE a.member_id = %s",
        [member.pk],
    )
    return list(_categories_of_formulas(frozenset(code for (code,) in codes)))


@functools.cache
def _categories_of_formulas(codes: frozenset[str]) -> tuple[str, ...]:
    """Reference data (the guarantee tables never change while the process runs)."""
    categories = set()
    for code in codes:
        rules = catalogue.formula_rules(code)
        categories.update(rows[0].category.capitalize() for rows in rules.rows_by_act.values())
    return tuple(sorted(categories))


@dataclass(frozen=True)
class DecompteDetail:
    decompte: Decompte
    lines: list[DecompteLine]  # in file order, each with its beneficiary


def decompte_for_member(member_id: int, pk: int) -> DecompteDetail:
    """The member's own décompte with its lines, or 404 for anyone else's. Two plain SQL
    queries (the detail page and its PDF), every column converted as the ORM does."""
    found = fetch_instances(f"SELECT {columns(Decompte, 'd')} FROM claims_decompte d "  # noqa: S608
                            "WHERE d.id = %s AND d.member_id = %s", [pk, member_id], (Decompte,))
    if not found:
        raise Http404("Aucun décompte ne correspond.")
    (decompte,) = found[0]
    lines = []
    for line, person in fetch_instances(
        f"SELECT {columns(DecompteLine, 'l')}, {columns(Beneficiary, 'b')} FROM claims_decompteline l "  # noqa: S608
        "JOIN members_beneficiary b ON b.id = l.beneficiary_id WHERE l.decompte_id = %s ORDER BY l.line_number, l.id",
        [pk], (DecompteLine, Beneficiary),
    ):
        line.decompte, line.beneficiary = decompte, person
        lines.append(line)
    return DecompteDetail(decompte, lines)


def pending_count(member_id: int) -> int:
    return fetch_value("SELECT COUNT(*) FROM claims_decompte WHERE member_id = %s AND status = %s",
                       [member_id, Decompte.Status.PENDING.value])


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
