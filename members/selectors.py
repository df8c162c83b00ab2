"""Reads on the members domain, always scoped to one member's household."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.utils import timezone

from core.caching import cached, source_digest
from members.models import Affiliation, AffiliationRole, Beneficiary, Contract, HouseholdVersion, Member, holder_among

# A cached household lives at most this long: its key changes with every write anyway (see
# household_of); the bound only limits what a database restored from a backup could meet.
HOUSEHOLD_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Household:
    """A member's household: the member (contract and organisme loaded), every person of
    the household in rank order, the affiliations in start order with their formulas.
    What the home page, the Situation pages, the cards and the reimbursements read."""

    member: Member
    people: tuple[Beneficiary, ...]
    affiliations: tuple[Affiliation, ...]
    # The HouseholdVersion the rows were read at (None: the member has no version row yet),
    # for other caches of what shows the household's names.
    version: int | None = None

    @property
    def holder(self) -> Beneficiary | None:
        return holder_among(self.people)

    def covered_on(self, day: dt.date | None = None) -> list[Beneficiary]:
        day = day or timezone.localdate()
        return [person for person in self.people if person.is_covered_on(day)]

    def affiliations_on(self, day: dt.date | None = None) -> list[Affiliation]:
        """The formulas in force on ``day``: base level first, then the optional level."""
        day = day or timezone.localdate()
        current = [a for a in self.affiliations if a.overlaps(day, day)]
        return sorted(current, key=lambda a: (a.role != AffiliationRole.PRINCIPAL, a.formula.rank))

    def names(self) -> list[tuple[int, str]]:
        """(id, "first name last name") of each person, in rank order (a filter's choices)."""
        return [(person.pk, person.full_name) for person in self.people]

    def formula_codes(self) -> frozenset[str]:
        """The codes of every formula the member was ever affiliated to."""
        return frozenset(affiliation.formula.code for affiliation in self.affiliations)


def household_of(member: Member) -> Household:
    """The one reader of a member's household. ``member`` is used as it is (the request's).

    The rows are cached under the member's ``HouseholdVersion``, which database triggers
    bump on every write to the member, the household, the affiliations and the contract,
    organisme and formulas they use: a visit reads that one row, and the household from the
    cache while nothing changed (three ORM queries otherwise). The version is read before
    the rows, so what is cached under it is at least as recent.

    Writers do not read through here inside their transaction: rolled back, it would leave
    under the next version number rows that the next committed write does not have."""
    version = HouseholdVersion.objects.filter(member_id=member.pk).values_list("version", flat=True).first()
    key = f"members:household:{source_digest(__name__)}:{member.pk}:{version}"
    read = functools.partial(_household_rows, member)
    contract, people, affiliations = read() if version is None else cached(key, read, HOUSEHOLD_CACHE_SECONDS)
    member.contract = contract
    for person in people:
        person.member = member
    for affiliation in affiliations:
        affiliation.member = member
    return Household(member=member, people=people, affiliations=affiliations, version=version)


def _household_rows(member: Member) -> tuple[Contract, tuple[Beneficiary, ...], tuple[Affiliation, ...]]:
    contract = Contract.objects.select_related("organisme").get(pk=member.contract_id)
    people = tuple(Beneficiary.objects.filter(member_id=member.pk).order_by("rank", "birth_date", "id"))
    affiliations = tuple(
        Affiliation.objects.filter(member_id=member.pk).select_related("formula").order_by("start_date", "id")
    )
    return contract, people, affiliations
