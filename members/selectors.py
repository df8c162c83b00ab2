"""Reads on the members domain, always scoped to one member's household."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from members.models import Affiliation, AffiliationRole, Beneficiary, Contract, Formula, Member, Organisme


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


def household_of(member: Member) -> Household:
    """The household of a member from ``member_with_household`` (no query then)."""
    return Household(member=member, people=_household_rows(member), affiliations=list(member.affiliations.all()))


def affiliations_in_force(affiliations: list[Affiliation], day: dt.date) -> list[Affiliation]:
    """``affiliations_on`` over rows already loaded: base level first, then the optional level."""
    current = [a for a in affiliations if a.overlaps(day, day)]
    return sorted(current, key=lambda a: (a.role != AffiliationRole.PRINCIPAL, a.formula.rank))


def household_for_documents(member_id: int) -> Household:
    """The household that ``member_with_household`` gives (the login account left out), in
    plain SQL: the read of a card that is rendered, or checked again after a change.

    Compiling ``member_with_household``'s three ORM queries (a select_related and two
    prefetches) costs about a sixth of the card's render; running them, a small fraction.
    Raw querysets skip the compilation and still convert every column as the ORM does."""
    member = _one(Member.objects.raw("SELECT * FROM members_member WHERE id = %s", [member_id]))
    contract = _one(Contract.objects.raw("SELECT * FROM members_contract WHERE id = %s", [member.contract_id]))
    organisme = _one(Organisme.objects.raw("SELECT * FROM members_organisme WHERE id = %s", [contract.organisme_id]))
    people = list(
        Beneficiary.objects.raw(
            "SELECT * FROM members_beneficiary WHERE member_id = %s ORDER BY rank, birth_date, id", [member_id]
        )
    )
    affiliations = list(
        Affiliation.objects.raw("SELECT * FROM members_affiliation WHERE member_id = %s ORDER BY start_date, id", [member_id])
    )
    formulas = Formula.objects.raw(
        "SELECT * FROM members_formula WHERE id IN (SELECT formula_id FROM members_affiliation WHERE member_id = %s)",
        [member_id],
    )
    by_id = {formula.pk: formula for formula in formulas}
    contract.organisme = organisme
    member.contract = contract
    for row in (*people, *affiliations):
        row.member = member
    for affiliation in affiliations:
        affiliation.formula = by_id[affiliation.formula_id]
    return Household(member=member, people=people, affiliations=affiliations)


def _one(rows):
    found = list(rows)
    if not found:
        raise rows.model.DoesNotExist(f"No {rows.model.__name__} matches the given query.")
    return found[0]
