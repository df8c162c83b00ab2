"""members.selectors.household_of, the one reader of a member's household: what it gives,
and its cache under the household version (one query while nothing changed, the new rows
at once after any write)."""

from __future__ import annotations

import datetime as dt

import pytest

from members.models import Affiliation, Beneficiary, Member, Relationship
from members.selectors import household_of

pytestmark = pytest.mark.django_db


def _fresh(member: Member) -> Member:
    return Member.objects.get(pk=member.pk)


def test_it_gives_the_household_in_rank_order_with_contract_and_formulas(alice, django_assert_num_queries):
    household = household_of(_fresh(alice))
    assert [p.pk for p in household.people] == list(
        Beneficiary.objects.filter(member=alice).order_by("rank", "birth_date", "id").values_list("pk", flat=True)
    )
    assert household.holder.relationship == Relationship.MEMBER and household.holder == alice.holder
    assert [a.pk for a in household.affiliations] == list(
        Affiliation.objects.filter(member=alice).order_by("start_date", "id").values_list("pk", flat=True)
    )
    with django_assert_num_queries(0):  # everything a page prints is loaded
        household.member.contract.organisme.name  # noqa: B018
        [(a.formula.name, a.member.number) for a in household.affiliations]
        [p.member.number for p in household.people]
    assert household.names() == [(p.pk, p.full_name) for p in household.people]


def test_an_unchanged_household_is_read_in_one_query(alice, django_assert_num_queries):
    first = household_of(_fresh(alice))
    member = _fresh(alice)
    with django_assert_num_queries(1):
        again = household_of(member)
    assert [p.pk for p in again.people] == [p.pk for p in first.people]
    assert again.member is member and all(p.member is member for p in again.people)


def test_a_write_by_a_queryset_update_is_read_at_once(alice):
    household_of(_fresh(alice))
    Beneficiary.objects.filter(member=alice, first_name="Léo").update(first_name="Léon")
    assert "Léon" in [p.first_name for p in household_of(_fresh(alice)).people]
    alice.contract.__class__.objects.filter(pk=alice.contract_id).update(name="Contrat renommé")
    assert household_of(_fresh(alice)).member.contract.name == "Contrat renommé"


def test_the_households_of_two_members_never_mix(alice, bob):
    household_of(_fresh(alice))
    assert {p.member_id for p in household_of(_fresh(bob)).people} == {bob.pk}


def test_who_is_covered_and_what_is_in_force_depend_on_the_day(alice):
    household = household_of(_fresh(alice))
    person = household.people[-1]
    Beneficiary.objects.filter(pk=person.pk).update(cover_end=dt.date(2020, 1, 1))
    household = household_of(_fresh(alice))
    assert person.pk not in [p.pk for p in household.covered_on(dt.date(2026, 6, 1))]
    assert household.affiliations_on(dt.date(1900, 1, 1)) == []
    in_force = household.affiliations_on(dt.date.today())
    assert in_force == sorted(in_force, key=lambda a: (a.role != "principal", a.formula.rank))
