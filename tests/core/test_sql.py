"""core.sql: plain SQL reads give the values the ORM gives (SQLite and PostgreSQL)."""

import datetime as dt
from decimal import Decimal

from claims.models import Decompte
from core.sql import aware, columns, fetch_instances, fetch_value
from members.models import Affiliation, Contract, Formula, Member, Organisme
from members.selectors import load_household, member_with_household
from messaging.models import Message
from tests.claims.test_pages import alice_history  # noqa: F401, F811 - fixture
from tests.messaging.helpers import new_thread


def _values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_instances_from_a_join_equal_the_orms(alice):
    rows = fetch_instances(
        f"SELECT {columns(Affiliation, 'a')}, {columns(Formula, 'f')} FROM members_affiliation a "
        "JOIN members_formula f ON f.id = a.formula_id WHERE a.member_id = %s ORDER BY a.id",
        [alice.pk], (Affiliation, Formula),
    )
    expected = list(Affiliation.objects.filter(member=alice).select_related("formula").order_by("id"))
    assert len(rows) == len(expected) > 0
    for (affiliation, formula), orm in zip(rows, expected, strict=True):
        assert _values(affiliation) == _values(orm) and _values(formula) == _values(orm.formula)
        assert isinstance(affiliation.start_date, dt.date) and not affiliation._state.adding


def test_timestamps_and_amounts_are_converted_as_the_orm_does(alice_history):  # noqa: F811
    alice = alice_history
    thread = new_thread(alice)
    message = Message.objects.get(thread=thread)
    (row,) = fetch_instances(f"SELECT {columns(Message, 'm')} FROM messaging_message m WHERE m.id = %s",
                             [message.pk], (Message,))
    assert row[0].created_at == message.created_at and row[0].created_at.tzinfo is not None
    assert aware(fetch_value("SELECT created_at FROM messaging_message WHERE id = %s", [message.pk])) == message.created_at
    decompte = Decompte.objects.filter(member=alice).order_by("pk").first()
    (found,) = fetch_instances(f"SELECT {columns(Decompte, 'd')} FROM claims_decompte d WHERE d.id = %s",
                               [decompte.pk], (Decompte,))
    assert _values(found[0]) == _values(decompte) and found[0].total_complementary == Decimal("39.00")
    assert str(found[0].total_complementary) == str(decompte.total_complementary)


def test_aware_reads_every_driver_form():
    utc = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    assert aware(utc) == aware(utc.replace(tzinfo=None)) == aware("2026-03-01 23:30:00") == utc


def test_the_household_in_plain_sql_is_the_orms_household(alice):
    orm = member_with_household(alice.pk)
    for household in (load_household(alice.pk), load_household(alice.pk, member=Member.objects.get(pk=alice.pk))):
        assert _values(household.member) == _values(orm)
        assert _values(household.member.contract) == _values(orm.contract)
        assert _values(household.member.contract.organisme) == _values(orm.contract.organisme)
        assert [_values(p) for p in household.people] == [_values(p) for p in orm.beneficiaries.all()]
        assert [(_values(a), _values(a.formula)) for a in household.affiliations] == [
            (_values(a), _values(a.formula)) for a in orm.affiliations.all()]
        assert household.holder.pk == orm.holder.pk


def test_an_unknown_member_has_no_household(db):
    import pytest

    with pytest.raises(Member.DoesNotExist):
        load_household(987654)
    assert Contract.objects.exists() and Organisme.objects.exists()


def test_household_names_are_the_full_names_in_rank_order(alice):
    from members.selectors import household, household_names

    assert household_names(alice.pk) == [(person.pk, person.full_name) for person in household(alice)]
    assert len(household_names(alice.pk)) >= 3
