"""Reads of a member's reimbursements, always scoped to the member's household."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Set
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404

from claims.models import ClaimsVersion, Decompte, DecompteLine, YearTotal
from claims.rights import PersonRights, person_rights
from core.caching import cached, source_digest
from core.sql import amount, fetch_all
from guarantees import catalogue
from guarantees.engine import CareLine, EngineError
from guarantees.engine.rights import history_acts, rights
from guarantees.selectors import engine_layers_from, engine_request_for
from members.models import Beneficiary, Member
from members.selectors import Household

PAGE_SIZE = 20


@dataclass(frozen=True)
class DecompteFilters:
    beneficiary_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    category: str = ""

    def paid(self, member_id: int) -> QuerySet[Decompte]:
        """The member's paid décomptes that match these filters."""
        decomptes = Decompte.objects.filter(member_id=member_id, status=Decompte.Status.PAID)
        line_filters: dict[str, object] = {}
        if self.beneficiary_id:
            line_filters["beneficiary_id"] = self.beneficiary_id
        if self.category:
            line_filters["category"] = self.category
        if line_filters:
            decomptes = decomptes.filter(pk__in=DecompteLine.objects.filter(**line_filters).values("decompte_id"))
        if self.start:
            decomptes = decomptes.filter(payment_date__gte=self.start)
        if self.end:
            decomptes = decomptes.filter(payment_date__lte=self.end)
        return decomptes


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


_ROW_FIELDS = (
    "pk",
    "external_id",
    "payment_date",
    "origin",
    "payee",
    "payee_name",
    "iban_masked",
    "total_frais_reels",
    "total_ss",
    "total_complementary",
    "total_rac",
)
_LINE_FIELDS = ("lines__care_date", "lines__beneficiary__first_name", "lines__act_label", "lines__complementary_paid")

DECOMPTE_PAGE_SQL = """
SELECT d.id, d.external_id, d.payment_date, d.origin, d.payee, d.payee_name, d.iban_masked,
       d.total_frais_reels, d.total_ss, d.total_complementary, d.total_rac,
       l.care_date, b.first_name, l.act_label, l.complementary_paid
FROM claims_decompte d
LEFT JOIN claims_decompteline l ON l.decompte_id = d.id
LEFT JOIN members_beneficiary b ON b.id = l.beneficiary_id
WHERE d.id IN (SELECT id FROM claims_decompte WHERE member_id = %s AND status = %s{keyset}
               ORDER BY payment_date {order}, id {order} LIMIT %s)
ORDER BY d.payment_date DESC, d.id DESC, l.line_number
"""
"""The unfiltered reimbursements list page (the page members open most, first or deep): the
page's décomptes (plus one, to know whether there is more), on the index
``decompte_member_recent``, joined to their lines, in one query. Plain SQL because the ORM
equivalent (``_orm_page_rows``) measured about 1.5 ms more per page on SQLite, most of it
converting the rows' amounts, which put the page past twice its bare view
(docs/bench.md). ``{keyset}`` and ``{order}`` take only the fixed fragments of
``_KEYSET``; values are parameters. Rows: the décompte's columns, then its line's."""

# (keyset condition, order of the subquery) by direction; the bound on payment_date alone is
# what lets the index range start at the cursor, the OR only breaks ties.
_KEYSET = {
    "first": ("", "DESC"),
    "after": (" AND payment_date <= %s AND (payment_date < %s OR id < %s)", "DESC"),
    "before": (" AND payment_date >= %s AND (payment_date > %s OR id > %s)", "ASC"),
}


def decompte_page_sql(direction: str) -> str:
    """``DECOMPTE_PAGE_SQL`` for ``direction`` (first, after or before a cursor)."""
    keyset, order = _KEYSET[direction]
    return DECOMPTE_PAGE_SQL.format(keyset=keyset, order=order)


def decompte_page(member_id: int, filters: DecompteFilters, *, after: str = "", before: str = "") -> Page:
    """Keyset pagination on (payment_date, id), newest first: a deep page costs an index
    seek, not a scan of every earlier row. One query; unfiltered, ``DECOMPTE_PAGE_SQL``."""
    backward = (position := parse_cursor(before)) is not None
    if not backward:
        position = parse_cursor(after)
    direction = "before" if backward else "after" if position is not None else "first"
    if filters == DecompteFilters():
        keyset = [position[0], position[0], position[1]] if position is not None else []
        rows = fetch_all(decompte_page_sql(direction), [member_id, Decompte.Status.PAID.value, *keyset, PAGE_SIZE + 1])
        items = _decompte_rows(rows, convert=True)
    else:
        items = _decompte_rows(_orm_page_rows(filters.paid(member_id), direction, position))
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


def _orm_page_rows(
    decomptes: QuerySet[Decompte], direction: str, position: tuple[dt.date, int] | None
) -> QuerySet[Decompte, tuple[Any, ...]]:
    """The rows of ``DECOMPTE_PAGE_SQL`` for a filtered list, through the ORM."""
    if position is not None:
        day, pk = position
        if direction == "before":
            decomptes = decomptes.filter(Q(payment_date__gt=day) | Q(pk__gt=pk), payment_date__gte=day)
        else:
            decomptes = decomptes.filter(Q(payment_date__lt=day) | Q(pk__lt=pk), payment_date__lte=day)
    order = ("payment_date", "pk") if direction == "before" else ("-payment_date", "-pk")
    return (
        Decompte.objects.filter(pk__in=decomptes.order_by(*order).values("pk")[: PAGE_SIZE + 1])
        .order_by("-payment_date", "-pk", "lines__line_number")
        .values_list(*_ROW_FIELDS, *_LINE_FIELDS)
    )


def _decompte_rows(rows: Iterable[tuple[Any, ...]], *, convert: bool = False) -> list[DecompteRow]:
    """Rows of (décompte columns, line columns), newest décompte first, grouped per décompte;
    ``convert``: amounts as the driver gives them (plain SQL), converted as the ORM does."""
    items: list[DecompteRow] = []
    width = len(_ROW_FIELDS)
    money = amount if convert else _same
    for row in rows:
        if not items or items[-1].pk != row[0]:
            items.append(DecompteRow._make([*row[:7], *map(money, row[7:width]), []]))
        care_date, first_name, act_label, paid = row[width:]
        if care_date is not None:  # a décompte without lines still has its card
            items[-1].lines.append(LineRow(care_date, first_name, act_label, money(paid)))
    return items


_T = TypeVar("_T")


def _same(value: _T) -> _T:
    return value


class YearTotals(NamedTuple):
    year: int
    frais_reels: Decimal
    ss: Decimal
    complementary: Decimal
    reste_a_charge: Decimal


def totals_per_year(member_id: int, filters: DecompteFilters) -> list[YearTotals]:
    """Unfiltered, the stored yearly totals (one indexed read); filtered, summed live."""
    rows: Iterable[tuple[int, Decimal, Decimal, Decimal, Decimal]]
    if filters == DecompteFilters():
        rows = (
            YearTotal.objects.filter(member_id=member_id)
            .order_by("-year")
            .values_list("year", "frais_reels", "ss", "complementary", "reste_a_charge")
        )
    else:
        rows = (
            filters.paid(member_id)
            .annotate(year=ExtractYear("payment_date"))
            .values("year")
            .annotate(Sum("total_frais_reels"), Sum("total_ss"), Sum("total_complementary"), Sum("total_rac"))
            .order_by("-year")
            .values_list(
                "year", "total_frais_reels__sum", "total_ss__sum", "total_complementary__sum", "total_rac__sum"
            )
        )
    return [YearTotals(*row) for row in rows]


def categories_of(household: Household) -> list[str]:
    """The care categories of the member's guarantee tables (no scan of their history)."""
    return list(_categories_of_formulas(household.formula_codes()))


@functools.cache
def _categories_of_formulas(codes: frozenset[str]) -> tuple[str, ...]:
    """Reference data (the guarantee tables never change while the process runs)."""
    categories: set[str] = set()
    for code in codes:
        rules = catalogue.formula_rules(code)
        categories.update(rows[0].category.capitalize() for rows in rules.rows_by_act.values())
    return tuple(sorted(categories))


@dataclass(frozen=True)
class DecompteDetail:
    decompte: Decompte
    lines: list[DecompteLine]  # in file order, each with its beneficiary


def decompte_for_member(member_id: int, pk: int) -> DecompteDetail:
    """The member's own décompte with its lines, or 404 for anyone else's (the detail page
    and its PDF): two queries."""
    decompte = Decompte.objects.filter(pk=pk, member_id=member_id).first()
    if decompte is None:
        raise Http404("Aucun décompte ne correspond.")
    return DecompteDetail(decompte, list(decompte.lines.select_related("beneficiary").order_by("line_number", "id")))


LIST_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class ListOverview:
    """What the reimbursements list shows without filters: its first page, the yearly
    totals and how many décomptes await payment; ``stamp`` names them (None: not cached),
    for the page's fragment cache."""

    first_page: Page
    totals: list[YearTotals]
    pending_count: int
    stamp: str | None


def list_overview(household: Household) -> ListOverview:
    """The unfiltered list's reads, cached under the member's ``ClaimsVersion`` (bumped by
    database triggers on every write to their décomptes and yearly totals) and household
    version (the lines show first names): one indexed read while nothing changed, instead
    of three. The version is read before the rows, so what is cached under it is at least
    as recent (the reasoning of ``members.selectors.household_of``)."""
    member_id = household.member.pk
    stamp = household_claims_stamp(household)

    def read() -> ListOverview:
        unfiltered = DecompteFilters()
        return ListOverview(
            first_page=decompte_page(member_id, unfiltered),
            totals=totals_per_year(member_id, unfiltered),
            pending_count=pending_count(member_id),
            stamp=stamp,
        )

    return read() if stamp is None else cached(f"claims:list:{stamp}", read, LIST_CACHE_SECONDS)


def household_claims_stamp(household: Household, *asked: str) -> str | None:
    """What names a cached read of the household's reimbursements: this module's source,
    the member, the household version (first names) and the ``ClaimsVersion``, then what
    the caller asked. None when the household has no version row yet (nothing cached)."""
    if household.version is None:
        return None
    parts = (source_digest(__name__), household.member.pk, household.version, claims_version(household.member), *asked)
    return ":".join(map(str, parts))


def claims_version(member: Member) -> int:
    """The member's ``ClaimsVersion``: bumped by the database on every write to their
    décomptes, lines and yearly totals (0 before the first). Read once per member
    instance (the ORM keeps a one-to-one on it): the pages that key several caches on it
    in one request (the home page's alerts and rights block) read it once."""
    try:
        return member.claims_version.version
    except ClaimsVersion.DoesNotExist:
        return 0


def pending_count(member_id: int) -> int:
    return Decompte.objects.filter(member_id=member_id, status=Decompte.Status.PENDING).count()


def pending_decomptes(member_id: int) -> QuerySet[Decompte]:
    lines = DecompteLine.objects.select_related("beneficiary").order_by("line_number")
    return (
        Decompte.objects.filter(member_id=member_id, status=Decompte.Status.PENDING)
        .order_by("first_care_date")
        .prefetch_related(Prefetch("lines", queryset=lines))
    )


def year_lines(member_id: int, year: int) -> QuerySet[DecompteLine]:
    return (
        DecompteLine.objects.filter(
            decompte__member_id=member_id, decompte__status=Decompte.Status.PAID, decompte__payment_date__year=year
        )
        .select_related("decompte", "beneficiary")
        .order_by("decompte__payment_date", "decompte_id", "line_number")
    )


DECIMAL_DETAILS = {"sphere", "cylinder", "addition", "frame_amount", "price_limit"}


def engine_details_from_json(details: dict[str, Any] | None) -> dict[str, Any]:
    return {k: (Decimal(v) if k in DECIMAL_DETAILS and v is not None else v) for k, v in (details or {}).items()}


def engine_history(
    beneficiary_ids: set[int], *, exclude_decomptes: Set[str] = frozenset(), only: Q | None = None
) -> dict[int, list[CareLine]]:
    """Care already reimbursed, per beneficiary, as engine history lines (care-date order):
    it consumes annual counters and starts periodicity periods. ``only``: the lines a
    reader needs (``household_rights``: those that touch a counter or a period)."""
    history: dict[int, list[CareLine]] = defaultdict(list)
    lines = DecompteLine.objects.filter(beneficiary_id__in=beneficiary_ids)
    if only is not None:
        lines = lines.filter(only)
    rows = (
        lines.exclude(decompte__external_id__in=exclude_decomptes)
        .values_list(
            "beneficiary_id",
            "act_code",
            "care_date",
            "frais_reels",
            "base_remboursement",
            "ss_paid",
            "quantity",
            "engine_details",
        )
        .order_by("care_date", "id")
    )
    for beneficiary_id, act, care_date, fr, br, ss, quantity, details in rows:
        history[beneficiary_id].append(
            CareLine(
                act=act,
                care_date=care_date,
                frais_reels=fr,
                base_remboursement=br,
                ss_paid=ss,
                quantity=quantity,
                **engine_details_from_json(details),
            )
        )
    return history


# --------------------------------------------------------------------------- "Mes dépenses de santé"


class Spending(NamedTuple):
    """Amounts of paid care lines summed: frais réels = Sécurité sociale + complémentaire +
    reste à charge (each line's reste à charge is stored as that difference)."""

    frais_reels: Decimal
    ss: Decimal
    complementary: Decimal
    reste_a_charge: Decimal

    def __add__(self, other: object) -> Spending:
        if not isinstance(other, Spending):
            return NotImplemented
        return Spending(*(mine + theirs for mine, theirs in zip(self, other, strict=True)))


NO_SPENDING = Spending(Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))


@dataclass(frozen=True)
class SpendingFilters:
    """Ids and codes only; kept in the session, never in a URL (a category may tell a
    member's health)."""

    beneficiary_id: int | None = None
    category: str = ""


@dataclass(frozen=True)
class SpendingSummary:
    """The household's paid care summed by year of payment (as the reimbursements list's
    yearly totals), and for one year by category and by person."""

    years: list[tuple[int, Spending]]  # newest first
    year: int | None  # the year broken down below (None: nothing paid yet)
    by_category: list[tuple[str, Spending]]  # largest frais réels first
    by_person: list[tuple[int, Spending]]  # by beneficiary id (the page orders them by rank)

    @property
    def year_total(self) -> Spending:
        return dict(self.years).get(self.year, NO_SPENDING) if self.year is not None else NO_SPENDING


def spending_overview(
    household: Household, filters: SpendingFilters, *, year: int | None, today: dt.date
) -> tuple[SpendingSummary, str | None]:
    """``spending_summary`` cached under what it depends on: the member's ``ClaimsVersion``
    and household version, the filters (hashed: a category may tell a member's health,
    and cache keys are seen by whoever runs Redis), the year asked and this year. Returns
    the stamp too (None: not cached), for the page's fragment cache."""
    asked = hashlib.sha256(repr((filters, year, today.year)).encode()).hexdigest()[:16]
    stamp = household_claims_stamp(household, asked)

    def read() -> SpendingSummary:
        return spending_summary(household.member.pk, filters, year=year, today=today)

    summary = read() if stamp is None else cached(f"claims:spending:{stamp}", read, LIST_CACHE_SECONDS)
    return summary, stamp


def spending_summary(member_id: int, filters: SpendingFilters, *, year: int | None, today: dt.date) -> SpendingSummary:
    """Two queries, exact ``Decimal`` sums from the database. The years: unfiltered, the
    stored yearly totals (``totals_per_year``, one indexed read, the list page's figures);
    filtered, the matching lines grouped by year of payment. Then one year's lines grouped
    by person and category (a range of the member's décomptes on their index, whatever
    the length of the history), folded here. ``year``: the year to break down, else this
    year, else the last year with payments."""
    lines = DecompteLine.objects.filter(decompte__member_id=member_id, decompte__status=Decompte.Status.PAID)
    if filters.beneficiary_id:
        lines = lines.filter(beneficiary_id=filters.beneficiary_id)
    if filters.category:
        lines = lines.filter(category=filters.category)
    years: list[tuple[int, Spending]]
    if filters == SpendingFilters():
        years = [(row.year, Spending(*row[1:])) for row in totals_per_year(member_id, DecompteFilters())]
    else:
        rows = (
            lines.annotate(year=ExtractYear("decompte__payment_date"))
            .values("year")
            .annotate(
                fr=Sum("frais_reels"), ss=Sum("ss_paid"), comp=Sum("complementary_paid"), rac=Sum("reste_a_charge")
            )
            .order_by("-year")
            .values_list("year", "fr", "ss", "comp", "rac")
        )
        years = [(row_year, Spending(*amounts)) for row_year, *amounts in rows]
    known = dict(years)
    if year not in known:
        year = today.year if today.year in known else (years[0][0] if years else None)
    if year is None:
        return SpendingSummary(years=[], year=None, by_category=[], by_person=[])
    groups = (
        lines.filter(decompte__payment_date__gte=dt.date(year, 1, 1), decompte__payment_date__lte=dt.date(year, 12, 31))
        .values("beneficiary_id", "category")
        .annotate(fr=Sum("frais_reels"), ss=Sum("ss_paid"), comp=Sum("complementary_paid"), rac=Sum("reste_a_charge"))
        .order_by()
        .values_list("beneficiary_id", "category", "fr", "ss", "comp", "rac")
    )
    per_category: dict[str, Spending] = defaultdict(lambda: NO_SPENDING)
    per_person: dict[int, Spending] = defaultdict(lambda: NO_SPENDING)
    for person, category, *amounts in groups:
        spent = Spending(*amounts)
        per_category[category] += spent
        per_person[person] += spent
    return SpendingSummary(
        years=years,
        year=year,
        by_category=sorted(per_category.items(), key=lambda item: (-item[1].frais_reels, item[0])),
        by_person=sorted(per_person.items()),
    )


# --- "Mes droits restants": the engine's counters after the household's reimbursed care -----


# Answers kept in this process, newest last: unpickling a shared cache's copy would cost
# about as much as the page itself (a hundred small dataclasses); the key says everything
# the answer depends on, so processes never disagree, they only compute it once each.
RIGHTS_CACHE_SIZE = 2000
_rights_cache: OrderedDict[str, list[tuple[int, PersonRights]]] = OrderedDict()


def household_rights(household: Household, today: dt.date, *, almost_percent: int = 80) -> list[PersonRights]:
    """For each person covered on ``today``: every yearly ceiling of the levels in force,
    what this calendar year has used and what is left, and when an optical equipment or
    a hearing aid is covered again. The same engine run as the simulator's and the devis
    estimate's (``engine_history`` then ``engine_request_for``), so what is "left" is what
    the next care would be paid.

    The answer is cached under what it depends on: the day, the household's people and
    affiliations (as loaded), and the décomptes history, stamped by the member's
    ``ClaimsVersion`` (bumped by the database on any write to it, whatever the write
    path). A hit costs that one query; a miss adds one query for the whole household's
    history. The cached entries are shared:
    callers read them, never change them."""
    people = household.covered_on(today)
    if not people:
        return []
    key = _rights_cache_key(household, people, today, almost_percent, claims_version(household.member))
    cached = _rights_cache.get(key)
    if cached is None:
        cached = _household_rights(household, people, today, almost_percent)
        _rights_cache[key] = cached
        while len(_rights_cache) > RIGHTS_CACHE_SIZE:
            _rights_cache.popitem(last=False)
    else:
        _rights_cache.move_to_end(key)
    by_pk = {person.pk: person for person in people}
    return [replace(entry, person=by_pk[pk]) for pk, entry in cached]


def rights_cache_clear() -> None:
    """Forget the answers (tests: a rolled-back database may give the next test the same
    ids, hence the same keys)."""
    _rights_cache.clear()


def _rights_cache_key(
    household: Household, people: list[Beneficiary], today: dt.date, almost_percent: int, version: int
) -> str:
    parts = [(person.pk, person.birth_date, person.cover_start, person.cover_end) for person in people] + [
        (a.formula.code, a.role, a.start_date, a.end_date) for a in household.affiliations
    ]
    digest = hashlib.sha256(repr((parts, household.member.cover_end_date)).encode()).hexdigest()[:24]
    return f"claims:rights:{household.member.pk}:{today}:{almost_percent}:{version}:{digest}"


def _household_rights(
    household: Household, people: list[Beneficiary], today: dt.date, almost_percent: int
) -> list[tuple[int, PersonRights]]:
    """Worded per person, without the person (cached: the caller puts its own back)."""
    layers = engine_layers_from(household.affiliations)
    limited, periodic = history_acts(layers)
    only = Q(act_code__in=limited, care_date__gte=dt.date(today.year, 1, 1)) | Q(act_code__in=periodic)
    history = engine_history({person.pk for person in people}, only=only)
    result = []
    for person in people:
        request = engine_request_for(
            person, lines=(), history=history.get(person.pk, ()), claim_date=today, layers=layers
        )
        try:
            answer = person_rights(None, rights(request, today), almost_percent)
        except EngineError as error:  # a history the engine refuses: say so, do not fail the page
            answer = PersonRights(None, error=error.message)
        result.append((person.pk, answer))
    return result
