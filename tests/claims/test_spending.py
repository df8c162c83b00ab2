""" "Mes dépenses de santé": every figure equal to the décomptes summed by hand, to the cent;
filters posted into the session (a care category never in a URL); the charts drawn on the
server without inline style or script."""

import datetime as dt
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from claims import charts
from claims.selectors import Spending, SpendingFilters, spending_summary
from claims.services import decomptes_import
from tests.claims.conftest import csv_file
from tests.core.test_no_health_data_in_urls import assert_not_in_any_url

pytestmark = pytest.mark.django_db

URL = "/remboursements/depenses/"
TODAY = dt.date(2026, 11, 22)


def line(decompte_id, member, *, rank, act, fr, br, ss, comp, paid, care=None):
    care = care or paid
    optam = "oui" if act.startswith("consultation") else ""
    return (
        f"{decompte_id};{member.number};{rank};{care};{act};Dr Martin;1;{fr};{br};{ss};{comp};{paid};noemie;assure;;;"
        f"{optam}"
    )


@pytest.fixture
def history(alice):
    """By hand (FR / SS / complémentaire / reste à charge = FR - SS - complémentaire):
    2026, Alice (rank 1): consultation 60,00 / 21,00 / 39,00 / 0,00; pharmacie 17,33 / 11,26 / 6,07 / 0,00
          Léo (rank 3):   soins dentaires 85,47 / 23,10 / 40,01 / 22,36; lentilles 120,00 / 0,00 / 100,00 / 20,00
          total 282,80 / 55,36 / 185,08 / 42,36 (Soins courants 77,33 / 32,26 / 45,07 / 0,00)
    2025, Paul (rank 2):  consultation 60,00 / 21,00 / 30,99 / 8,01"""
    rows = [
        line(
            "S1",
            alice,
            rank=1,
            act="consultation-generaliste",
            fr="60,00",
            br="30,00",
            ss="21,00",
            comp="39,00",
            paid="15/01/2026",
        ),
        line("S1", alice, rank=1, act="pharmacie", fr="17,33", br="17,33", ss="11,26", comp="6,07", paid="15/01/2026"),
        line(
            "S2",
            alice,
            rank=3,
            act="soins-dentaires",
            fr="85,47",
            br="33,00",
            ss="23,10",
            comp="40,01",
            paid="03/06/2026",
        ),
        line("S3", alice, rank=3, act="lentilles", fr="120,00", br="0,00", ss="0,00", comp="100,00", paid="10/09/2026"),
        line(
            "S4",
            alice,
            rank=2,
            act="consultation-generaliste",
            fr="60,00",
            br="30,00",
            ss="21,00",
            comp="30,99",
            paid="20/12/2025",
            care="10/12/2025",
        ),
    ]
    batch = decomptes_import(content=csv_file(*rows), file_name="depenses.csv")
    assert batch.status == "accepte", batch.errors
    return alice


def money(*values):
    return Spending(*(Decimal(value) for value in values))


def test_the_summary_equals_the_hand_summed_decomptes(history):
    summary = spending_summary(history.pk, SpendingFilters(), year=None, today=TODAY)
    assert summary.years == [
        (2026, money("282.80", "55.36", "185.08", "42.36")),
        (2025, money("60.00", "21.00", "30.99", "8.01")),
    ]
    assert summary.year == 2026 and summary.year_total == money("282.80", "55.36", "185.08", "42.36")
    assert dict(summary.by_category) == {
        "Optique": money("120.00", "0.00", "100.00", "20.00"),
        "Dentaire": money("85.47", "23.10", "40.01", "22.36"),
        "Soins courants": money("77.33", "32.26", "45.07", "0.00"),
    }
    assert [category for category, _ in summary.by_category] == ["Optique", "Dentaire", "Soins courants"]
    people = {history.beneficiaries.get(pk=pk).first_name: spent for pk, spent in summary.by_person}
    assert people == {
        history.holder.first_name: money("77.33", "32.26", "45.07", "0.00"),
        "Léo": money("205.47", "23.10", "140.01", "42.36"),
    }


def test_the_yearly_totals_are_those_of_the_reimbursements_list(alice_client, history):
    listed = {row.year: tuple(row[1:]) for row in alice_client.get(reverse("claims:list")).context["totals"]}
    summary = spending_summary(history.pk, SpendingFilters(), year=None, today=TODAY)
    assert {year: tuple(spent) for year, spent in summary.years} == listed


def test_a_year_without_payments_falls_back_to_the_last_one(history):
    assert spending_summary(history.pk, SpendingFilters(), year=None, today=dt.date(2027, 2, 1)).year == 2026
    summary = spending_summary(history.pk, SpendingFilters(), year=2025, today=TODAY)
    assert summary.year == 2025 and [name for name, _ in summary.by_category] == ["Soins courants"]


def test_filters_by_person_and_category(history):
    leo = history.beneficiaries.get(first_name="Léo")
    by_leo = spending_summary(history.pk, SpendingFilters(beneficiary_id=leo.pk), year=None, today=TODAY)
    assert by_leo.years == [(2026, money("205.47", "23.10", "140.01", "42.36"))]
    care = spending_summary(history.pk, SpendingFilters(category="Soins courants"), year=None, today=TODAY)
    assert care.years == [
        (2026, money("77.33", "32.26", "45.07", "0.00")),
        (2025, money("60.00", "21.00", "30.99", "8.01")),
    ]


def test_the_page_answers_at_a_glance_with_charts_and_tables(alice_client, history):
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        page = alice_client.get(URL)
    body = page.content.decode()
    assert page.status_code == 200
    assert re.search(r"Votre complémentaire a remboursé <strong[^>]*>185,08\xa0€</strong> pour votre foyer", body)
    assert body.count('<svg class="chart"') == 3 and body.count('<table class="table--cards" aria-labelledby=') == 3
    assert "url(#motif-complementary)" in body and "Complémentaire (hachures)" in body
    # SVG numbers with a dot (the pages print floats with a French comma).
    assert '<rect x="78.3" y="22" width="261.78" height="20" fill="url(#motif-complementary)"' in body
    assert " style=" not in body and "<script>" not in body  # the CSP allows neither
    # The year table links each year to its breakdown: years only in the URL.
    assert 'href="/remboursements/depenses/?annee=2025"' in body
    older = alice_client.get(URL, {"annee": "2025"})
    assert "En 2025" in older.content.decode() and older.context["summary"].year == 2025


def test_the_filter_is_posted_kept_in_the_session_and_never_in_a_url(alice_client, history):
    leo = history.beneficiaries.get(first_name="Léo")
    posted = alice_client.post(URL, {"beneficiaire": leo.pk, "categorie": "Optique"})
    assert posted.status_code == 302 and posted["Location"] == f"{URL}?filtre=1"
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        page = alice_client.get(posted["Location"])
    assert page.context["summary"].years == [(2026, money("120.00", "0.00", "100.00", "20.00"))]
    assert "En 2026 (Léo" in page.content.decode()
    assert_not_in_any_url(page, "optique")
    # Without ?filtre=1 the page is unfiltered; "Effacer les filtres" forgets them.
    assert alice_client.get(URL).context["summary"].year_total.complementary == Decimal("185.08")
    cleared = alice_client.post(URL, {"effacer": "1"})
    assert cleared["Location"] == URL
    assert alice_client.get(f"{URL}?filtre=1").context["filtering"] is False


def test_another_households_person_does_not_filter(alice_client, history, bob):
    page = alice_client.post(URL, {"beneficiaire": bob.holder.pk})
    assert page.status_code == 200 and "Sélectionnez un choix valide" in page.content.decode()


def test_a_member_without_reimbursements_is_told_so(alice_client):
    page = alice_client.get(URL)
    assert page.status_code == 200 and "aucun remboursement payé" in page.content.decode()


def test_the_page_is_in_the_menu_and_linked_from_the_reimbursements(alice_client, history):
    body = alice_client.get(reverse("claims:list")).content.decode()
    assert body.count(f'href="{URL}"') == 2  # the menu and the yearly totals


def test_the_page_needs_a_member(client):
    assert client.get(URL).status_code == 302


def test_bars_share_one_scale_and_stay_in_the_chart():
    chart = charts.stacked_bars(
        [("2026", money("200.00", "50.00", "100.00", "50.00")), ("2025", money("100.00", "60.00", "50.00", "-10.00"))]
    )
    first, second = chart.bars
    assert [(s.part, s.x, s.width) for s in first.segments] == [
        ("ss", "0", "100"),
        ("complementary", "100", "200"),
        ("reste_a_charge", "300", "100"),
    ]
    # A negative reste à charge draws nothing; the bar is as long as what it draws.
    assert [(s.part, s.width) for s in second.segments] == [("ss", "120"), ("complementary", "100")]
    assert second.top == charts.ROW_HEIGHT and chart.height == 2 * charts.ROW_HEIGHT


def test_the_page_queries_do_not_grow_with_history(alice_client, alice):
    from tests.core.test_query_counts import (
        MEMBER_PAGE_CEILING,
        add_children,
        add_decomptes,
        assert_same_count,
        queries_of,
    )

    add_decomptes(alice, 1, lines=1)
    few = queries_of(alice_client, URL)
    add_decomptes(alice, 120, first_day=dt.date(2012, 1, 2))
    add_children(alice, 2)
    assert_same_count(few, queries_of(alice_client, URL), MEMBER_PAGE_CEILING)


def test_a_reimbursement_paid_after_a_visit_shows_on_the_next_one(history, alice_client):
    """The figures and their charts are cached between visits, never past a new décompte."""
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        before = alice_client.get(URL).content.decode()
        assert "185,08" in before
        row = line(
            "S9", history, rank=1, act="pharmacie", fr="10,00", br="10,00", ss="6,50", comp="3,50", paid="20/11/2026"
        )
        assert decomptes_import(content=csv_file(row), file_name="s9.csv").status == "accepte"
        after = alice_client.get(URL).content.decode()
    assert "188,58" in after and "185,08" not in after
