"""Reads on the members domain, always scoped to one member's household."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from members.models import Affiliation, AffiliationRole, Beneficiary, Member


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
