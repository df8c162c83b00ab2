"""members.HouseholdVersion: the database bumps it on every write to what a member's
documents print, whatever the write path (save, queryset update, bulk, delete)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from members.models import (
    Affiliation,
    AffiliationRole,
    Beneficiary,
    ChildSituation,
    Contract,
    Formula,
    HouseholdVersion,
    Member,
    Organisme,
    Relationship,
)
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def version(member) -> int:
    return HouseholdVersion.objects.get(member=member).version


def bumps(member, write) -> int:
    before = version(member)
    write()
    return version(member) - before


def test_a_new_member_starts_with_a_version(alice):
    assert version(make_member()) >= 1
    assert HouseholdVersion.objects.filter(member=alice).exists()


def test_every_write_to_a_beneficiary_bumps_the_members_version(alice, bob):
    people = Beneficiary.objects.filter(member=alice)
    child = dict(
        member=alice,
        relationship=Relationship.CHILD,
        child_situation=ChildSituation.DEPENDENT,
        first_name="Zoé",
        last_name="X",
        birth_date=dt.date(2019, 7, 7),
        rank=4,
        cover_start=dt.date(2026, 1, 1),
    )
    zoe = Beneficiary(**child)
    assert bumps(alice, zoe.save) == 1
    zoe.first_name = "Zoë"
    assert bumps(alice, zoe.save) == 1
    assert bumps(alice, lambda: people.filter(first_name="Paul").update(cover_end=dt.date(2026, 5, 31))) == 1
    assert bumps(alice, lambda: people.update(caisse="CPAM de Paris")) == people.count()
    assert bumps(alice, lambda: Beneficiary.objects.bulk_create([Beneficiary(**{**child, "rank": 5})])) == 1
    assert bumps(alice, zoe.delete) == 1
    assert bumps(alice, lambda: people.filter(rank=5).delete()) == 1
    # Nobody else's household moved.
    assert bumps(bob, lambda: people.update(caisse="CPAM de Lyon")) == 0


def test_moving_a_beneficiary_to_another_member_bumps_both(alice, bob):
    before = version(alice), version(bob)
    Beneficiary.objects.filter(member=alice, first_name="Léo").update(member=bob)
    assert (version(alice), version(bob)) == (before[0] + 1, before[1] + 1)


def test_every_write_to_an_affiliation_bumps_the_members_version(alice):
    celsius = Affiliation.objects.get(member=alice, formula__code="IDCC1412-CELSIUS")
    celsius.end_date = dt.date(2026, 6, 30)
    assert bumps(alice, celsius.save) == 1
    assert bumps(alice, lambda: Affiliation.objects.filter(pk=celsius.pk).update(end_date=None)) == 1
    assert bumps(alice, celsius.delete) == 1
    again = Affiliation(
        member=alice,
        formula=Formula.objects.get(code="IDCC1412-CELSIUS"),
        role=AffiliationRole.OPTIONAL,
        start_date=dt.date(2026, 1, 1),
    )
    assert bumps(alice, again.save) == 1


def test_every_write_to_the_member_bumps_its_version(alice):
    alice.city = "Lyon"
    assert bumps(alice, alice.save) == 1
    assert bumps(alice, lambda: Member.objects.filter(pk=alice.pk).update(cover_end_date=dt.date(2026, 6, 30))) == 1


def test_a_change_of_reference_data_bumps_the_members_who_print_it(alice, bob):
    bob_before = version(bob)
    assert bumps(alice, lambda: Contract.objects.filter(number="T331").update(name="Santé IDCC 1412")) == 1
    assert (
        bumps(
            alice,
            lambda: Organisme.objects.filter(contracts__number="T331").update(practitioner_phone="01 02 03 04 05"),
        )
        == 1
    )
    assert bumps(alice, lambda: Formula.objects.filter(code="IDCC1412-CELSIUS").update(name="Celsius +")) == 1
    # Bob is on another contract, organisme and formula.
    assert version(bob) == bob_before


def test_a_deleted_members_version_goes_with_it(alice):
    member_id = alice.pk
    alice.delete()
    assert not HouseholdVersion.objects.filter(member_id=member_id).exists()


def test_the_triggers_are_in_the_database():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'members_%_hv_%'")
            assert cursor.fetchone()[0] == 11
        else:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'members_%_hv_%'")
            assert cursor.fetchone()[0] == 9
