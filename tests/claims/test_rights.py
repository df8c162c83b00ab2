""" "Mes droits restants": the page, the home block, and the opt-in e-mails of the daily sweep."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from claims.models import RightsEvent
from claims.selectors import household_rights
from claims.services import decomptes_import
from claims.services.rights import rights_notifications_sweep
from claims.tasks import rights_notifications_daily
from members.models import Member
from members.selectors import household_of
from notifications.models import Notification, NotificationKind
from notifications.selectors import notification_email_enabled
from notifications.services import notification_preference_set
from tests.claims.conftest import csv_file
from tests.conftest import login

TODAY = dt.date(2026, 11, 22)


def _row(number, member, rank, care, act, fr, *, br="0,00", ss="0,00", paid="", quantity=1):
    paid = paid or care
    return f"{number};{member.number};{rank};{care};{act};Cabinet;{quantity};{fr};{br};{ss};;{paid};papier;assure;;;"


@pytest.fixture
def alice_history(alice):
    """Alice (Base + Celsius): acupuncture 100 € in 2026 (Celsius médecine douce forfait 125 €:
    25 € left, 80 % used); Léo (rank 3, born 2012): lenses 60 € (Base 100 €: 40 € left)."""
    rows = [
        _row("R1", alice, 1, "10/03/2026", "acupuncture", "100,00"),
        _row("R2", alice, 3, "12/04/2026", "lentilles", "60,00"),
        _row("R3", alice, 1, "05/02/2025", "acupuncture", "100,00"),  # 2025: not this year's
    ]
    assert decomptes_import(content=csv_file(*rows), file_name="droits.csv").status == "accepte"
    return alice


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _today():
    return mock.patch("django.utils.timezone.localdate", return_value=TODAY)


def test_the_page_shows_each_persons_ceilings_used_and_left(alice_history, alice_client):
    with _today():
        response = alice_client.get(reverse("claims:rights"))
    assert response.status_code == 200
    people = response.context["people"]
    assert [entry.person.first_name for entry in people][2] == "Léo"
    holder = people[0]
    celsius = next(level for level in holder.levels if level.formula_name == "Celsius")
    douce = next(row for row in celsius.rows if "acupuncture" in row.allowance.acts)
    assert (douce.allowance.used, douce.allowance.left) == (Decimal("100.00"), Decimal("25.00"))
    assert douce.nearly_used and douce.percent_used == 80
    leo_base = people[2].levels[0]
    lenses = next(row for row in leo_base.rows if "lentilles" in row.allowance.acts)
    assert lenses.allowance.left == Decimal("40.00")
    text = _text(response)
    assert "Forfait global médecine douce" in text and "25,00 €" in text and "sous déduction" in text
    assert "Périodicité" in text and "Pris en charge dès maintenant" in text
    assert not re.search(r"ligne\s+\d", text), "member pages cite the notice by title, never by line"


def test_the_page_figures_are_what_the_simulator_pays_next(alice_history, alice_client):
    """One code path: Léo's lenses, 60 € used, leave 40 € of the Base's 100 € and 240 € of
    Celsius' 300 €, which counts what the Base paid: the simulator pays the higher, 240 €
    (Base 40 €, Celsius 200 € sous déduction)."""
    with _today():
        people = alice_client.get(reverse("claims:rights")).context["people"]
        leo = people[2]
        lefts = {
            level.formula_name: next(r for r in level.rows if "lentilles" in r.allowance.acts) for level in leo.levels
        }
        assert lefts["Base conventionnelle"].allowance.left == Decimal("40.00")
        assert lefts["Celsius"].allowance.left == Decimal("240.00")
        response = alice_client.post(
            reverse("claims:simulate"),
            {
                "beneficiary": leo.person.pk,
                "act": "lentilles",
                "care_date": "2026-11-20",
                "frais_reels": "300,00",
                "base_remboursement": "0",
                "ss_paid": "0",
                "quantity": "1",
                "conventionne": "on",
            },
        )
    [result] = response.context["results"]
    assert [layer.amount for layer in result.layers] == [Decimal("40.00"), Decimal("200.00")]
    assert result.complementary == Decimal("240.00")


def test_the_page_reads_the_household_in_few_queries(alice_history, alice_client, django_assert_max_num_queries):
    alice_client.get(reverse("claims:rights"))  # warms the household cache and the session
    with _today(), django_assert_max_num_queries(8):
        alice_client.get(reverse("claims:rights"))


def test_another_member_sees_only_their_own_household(alice_history, bob):
    client = login(Client(), bob.user)
    with _today():
        response = client.get(reverse("claims:rights"))
    assert [entry.person.member_id for entry in response.context["people"]] == [bob.pk]
    assert "Léo" not in _text(response)


def test_the_page_needs_a_login(client):
    response = client.get(reverse("claims:rights"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_menu_links_the_page(alice_client):
    assert reverse("claims:rights") in alice_client.get(reverse("home:home")).content.decode()


def test_the_home_page_block_sums_up_and_links_the_page(alice_history, alice_client):
    with _today():
        response = alice_client.get(reverse("home:home"))
    text = _text(response)
    assert "Mes droits restants" in text and "Voir le détail de mes droits restants" in text
    assert "Forfait global médecine douce (Celsius) : 80 % utilisé, reste 25,00 €" in text


def test_a_member_without_cover_today_has_no_block_and_a_plain_page(alice, alice_client):
    alice.beneficiaries.update(cover_end=dt.date(2025, 12, 31))
    with _today():
        assert "droits-titre" not in alice_client.get(reverse("home:home")).content.decode()
        assert "Aucune personne n'est couverte" in _text(alice_client.get(reverse("claims:rights")))


# --------------------------------------------------------------------------- opt-in e-mails


def test_the_rights_emails_are_off_until_the_member_turns_them_on(alice):
    assert not notification_email_enabled(alice, NotificationKind.RIGHTS)
    assert notification_email_enabled(alice, NotificationKind.DECOMPTE)
    notification_preference_set(member=alice, kind=NotificationKind.RIGHTS, email_enabled=True)
    assert notification_email_enabled(alice, NotificationKind.RIGHTS)


def test_the_profile_offers_the_rights_emails(alice_client):
    assert "Évolution de mes droits" in alice_client.get(reverse("members:profile")).content.decode()


def test_no_email_for_a_member_who_did_not_opt_in(alice_history, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert rights_notifications_sweep(today=TODAY) == {"members": 0, "events": 0}
    assert not mail.outbox and not RightsEvent.objects.exists()


def test_a_forfait_almost_used_is_told_once_without_health_detail(alice_history, django_capture_on_commit_callbacks):
    notification_preference_set(member=alice_history, kind=NotificationKind.RIGHTS, email_enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert rights_notifications_sweep(today=TODAY) == {"members": 1, "events": 1}
    [message] = mail.outbox
    assert message.to == [alice_history.email]
    assert message.subject == "Un de vos droits a évolué"
    body = message.body + message.alternatives[0][0]
    assert "Un de vos droits a évolué" in body and reverse("claims:rights") in body
    for detail in ("acupuncture", "Acupuncture", "médecine", "25,00", "80 %", "Celsius", "Léo", "lentilles"):
        assert detail not in body
    notification = Notification.objects.get(kind=NotificationKind.RIGHTS)
    assert set(notification.context) == {"path"}

    with django_capture_on_commit_callbacks(execute=True):  # the next days: nothing new, nothing sent
        assert rights_notifications_sweep(today=TODAY) == {"members": 0, "events": 0}
        assert rights_notifications_daily.apply().get() == {"members": 0, "events": 0}
    assert len(mail.outbox) == 1


def test_an_equipment_covered_again_is_told_on_that_day(alice, django_capture_on_commit_callbacks):
    """Léo (born 01/03/2012, a minor): glasses on 20/11/2025, covered again one year later,
    on 20/11/2026 (notice 004: "tous les ans pour les mineurs"); told within the week."""
    row = f"O1;{alice.number};3;20/11/2025;verres-unifocaux;Opticien;1;300,00;0,00;0,00;;30/11/2025;papier;assure;;;"
    assert decomptes_import(content=csv_file(row), file_name="o.csv").status == "accepte"
    notification_preference_set(member=alice, kind=NotificationKind.RIGHTS, email_enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert rights_notifications_sweep(today=dt.date(2026, 11, 19))["events"] == 0  # not yet
        assert rights_notifications_sweep(today=dt.date(2026, 11, 20))["events"] == 1
        assert rights_notifications_sweep(today=dt.date(2026, 11, 21))["events"] == 0  # told already
        assert rights_notifications_sweep(today=dt.date(2026, 12, 30))["events"] == 0
    assert len(mail.outbox) == 1


def test_household_rights_reads_the_history_once_then_from_the_cache(alice_history, django_assert_num_queries):
    household = household_of(alice_history)
    with django_assert_num_queries(2):  # the history stamp, the household's history
        people = household_rights(household, TODAY)
    assert len(people) == 3
    with django_assert_num_queries(0):  # same request: the stamp was read on this member
        assert household_rights(household, TODAY) == people
    next_visit = household_of(Member.objects.get(pk=alice_history.pk))
    with django_assert_num_queries(1):  # another request: the stamp, unchanged, the cached answer
        assert household_rights(next_visit, TODAY) == people


def test_a_new_import_is_seen_at_once(alice_history, alice_client):
    with _today():
        first = alice_client.get(reverse("claims:rights")).context["people"][0]
        row = _row("R9", alice_history, 1, "20/11/2026", "acupuncture", "10,00")
        assert decomptes_import(content=csv_file(row), file_name="n.csv").status == "accepte"
        again = alice_client.get(reverse("claims:rights")).context["people"][0]

    def left(entry):
        return next(r for lv in entry.levels for r in lv.rows if "acupuncture" in r.allowance.acts).allowance.left

    assert (left(first), left(again)) == (Decimal("25.00"), Decimal("15.00"))
