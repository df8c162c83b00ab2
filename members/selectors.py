"""Reads on the members domain, always scoped to one member's household."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from core.sql import columns, fetch_all, fetch_instances
from members.models import Affiliation, AffiliationRole, Beneficiary, Contract, Formula, Member, Organisme, Relationship


def member_with_household(member_id: int) -> Member:
    return (
        Member.objects.select_related("contract__organisme", "user")
        .prefetch_related(
            Prefetch("beneficiaries", queryset=Beneficiary.objects.order_by("rank", "birth_date")),
            Prefetch("affiliations", queryset=Affiliation.objects.select_related("formula").order_by("start_date")),
        )
        .get(pk=member_id)
    )


def household(member: Member) -> QuerySet[Beneficiary]:
    return member.beneficiaries.order_by("rank", "birth_date")


def household_names(member_id: int) -> list[tuple[int, str]]:
    """(id, "first name last name") of each person of the household in rank order: the
    choices of a filter, read in plain SQL on a page that is in the benchmarks."""
    rows = fetch_all("SELECT id, first_name, last_name FROM members_beneficiary WHERE member_id = %s "
                     "ORDER BY rank, birth_date, id", [member_id])
    return [(pk, f"{first_name} {last_name}") for pk, first_name, last_name in rows]


def _household_rows(member: Member) -> list[Beneficiary]:
    """The household in rank order, from ``member_with_household``'s prefetch when there
    is one (no second query on the same rows)."""
    prefetched = getattr(member, "_prefetched_objects_cache", {}).get("beneficiaries")
    if prefetched is not None:
        return sorted(prefetched, key=lambda person: (person.rank, person.birth_date))
    return list(household(member))


def covered_beneficiaries(member: Member, day: dt.date | None = None) -> list[Beneficiary]:
    day = day or timezone.localdate()
    return [person for person in _household_rows(member) if person.is_covered_on(day)]


def affiliations_on(member: Member, day: dt.date | None = None) -> list[Affiliation]:
    """The formulas in force on ``day``: base level first, then the optional level."""
    day = day or timezone.localdate()
    current = [a for a in member.affiliations.all() if a.overlaps(day, day)]
    return sorted(current, key=lambda a: (a.role != AffiliationRole.PRINCIPAL, a.formula.rank))


@dataclass(frozen=True)
class Household:
    """What a member's documents are made of: the member (contract and organisme loaded),
    every person of the household in rank order, the affiliations with their formulas."""

    member: Member
    people: list[Beneficiary]
    affiliations: list[Affiliation]

    @property
    def holder(self) -> Beneficiary | None:
        """The member as a covered person (relationship "assuré")."""
        return next((person for person in self.people if person.relationship == Relationship.MEMBER), None)

    def covered_on(self, day: dt.date) -> list[Beneficiary]:
        return [person for person in self.people if person.is_covered_on(day)]


def household_of(member: Member) -> Household:
    """The household of a member from ``member_with_household`` (no query then)."""
    return Household(member=member, people=_household_rows(member), affiliations=list(member.affiliations.all()))


def affiliations_in_force(affiliations: list[Affiliation], day: dt.date) -> list[Affiliation]:
    """``affiliations_on`` over rows already loaded: base level first, then the optional level."""
    current = [a for a in affiliations if a.overlaps(day, day)]
    return sorted(current, key=lambda a: (a.role != AffiliationRole.PRINCIPAL, a.formula.rank))


def load_household(member_id: int, *, member: Member | None = None) -> Household:
    """The household that ``member_with_household`` gives (the login account left out), in
    three plain SQL queries: the home page, and the read of a card that is rendered, or
    checked again after a change. ``member``, when the request already loaded it, is used
    as it is.

    Compiling ``member_with_household``'s three ORM queries (a select_related and two
    prefetches) cost more than running them: here the member comes with its contract and
    organisme, the affiliations with their formulas, every column converted as the ORM does."""
    contract_join = (f"{columns(Contract, 'c')}, {columns(Organisme, 'o')} FROM members_contract c "
                     "JOIN members_organisme o ON o.id = c.organisme_id")
    if member is None:
        rows = fetch_instances(
            f"SELECT {columns(Member, 'm')}, {contract_join} JOIN members_member m ON m.contract_id = c.id "  # noqa: S608
            "WHERE m.id = %s", [member_id], (Member, Contract, Organisme))
    else:
        rows = [(member, *found) for found in fetch_instances(
            f"SELECT {contract_join} WHERE c.id = %s", [member.contract_id], (Contract, Organisme))]  # noqa: S608
    if not rows:
        raise Member.DoesNotExist(f"No member {member_id}.")
    member, contract, organisme = rows[0]
    people = list(
        Beneficiary.objects.raw(
            "SELECT * FROM members_beneficiary WHERE member_id = %s ORDER BY rank, birth_date, id", [member_id]
        )
    )
    affiliations = []
    for affiliation, formula in fetch_instances(
        f"SELECT {columns(Affiliation, 'a')}, {columns(Formula, 'f')} FROM members_affiliation a "  # noqa: S608
        "JOIN members_formula f ON f.id = a.formula_id WHERE a.member_id = %s ORDER BY a.start_date, a.id",
        [member_id], (Affiliation, Formula),
    ):
        affiliation.formula = formula
        affiliations.append(affiliation)
    contract.organisme = organisme
    member.contract = contract
    for row in (*people, *affiliations):
        row.member = member
    return Household(member=member, people=people, affiliations=affiliations)
