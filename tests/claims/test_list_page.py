"""The reimbursements list ("Consulter mes remboursements"): its rows come from plain SQL,
so these tests pin what the page shows against the data."""

import datetime as dt
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix

from claims import selectors
from claims.models import Decompte, DecompteLine, ImportBatch, YearTotal
from claims.services import decomptes_import
from core.navigation import url_builder
from members.models import Beneficiary
from tests.claims.conftest import consultation, csv_file
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _import(*rows):
    batch = decomptes_import(content=csv_file(*rows), file_name="history.csv")
    assert batch.status == "accepte", batch.errors
    return batch


def _decomptes(member, count, *, day, lines=1, payee_name=""):
    """``count`` paid décomptes of ``member`` on the same payment day (ties for the cursor)."""
    batch = ImportBatch.objects.create(file_name="t", sha256="0", status="accepte")
    holder = member.holder
    created = Decompte.objects.bulk_create(
        [
            Decompte(
                external_id=f"T{member.pk}-{day:%Y%m%d}-{index}",
                member=member,
                batch=batch,
                origin="papier",
                payee="professionnel" if payee_name else "assure",
                payee_name=payee_name,
                payment_date=day,
                first_care_date=day,
                total_frais_reels=Decimal("10.00"),
                total_ss=Decimal("6.00"),
                total_complementary=Decimal("4.00"),
                total_rac=Decimal("0.00"),
                content_hash="x",
            )
            for index in range(count)
        ]
    )
    DecompteLine.objects.bulk_create(
        [
            DecompteLine(
                decompte=decompte,
                line_number=number,
                beneficiary=holder,
                care_date=day,
                act_code="lentilles",
                act_label="Lentilles",
                category="Optique",
                frais_reels=Decimal("10.00"),
                base_remboursement=Decimal("10.00"),
                ss_paid=Decimal("6.00"),
                complementary_paid=Decimal("4.00"),
                computed_complementary=Decimal("4.00"),
                reste_a_charge=Decimal("0.00"),
            )
            for decompte in created
            for number in range(1, lines + 1)
        ]
    )
    return created


def _ids(response):
    return [row.external_id for row in response.context["page"].items]


# --------------------------------------------------------------------------- cards


def test_it_shows_each_line_of_a_decompte_in_file_order(alice_client, alice):
    paul = alice.beneficiaries.get(first_name="Paul")
    _import(
        consultation("C01", alice, rank=2, care="02/03/2024", paid="20/03/2024", origin="papier"),
        consultation("C01", alice, rank=1, care="03/03/2024", paid="20/03/2024", origin="papier"),
    )
    decompte = Decompte.objects.get(external_id="C01")
    html = alice_client.get(reverse("claims:list")).content.decode()
    assert f'<a href="{reverse("claims:detail", args=[decompte.pk])}">Décompte du 20/03/2024</a>' in html
    assert "Envoi papier - payé à vous (FR76 **** **** 0189)" in html
    first = (
        f"<li>02/03/2024 - {paul.first_name} - Consultations et visites de généralistes : <strong>39,00\u00a0€</strong>"
    )
    second = f"<li>03/03/2024 - {alice.holder.first_name} - Consultations"
    assert first in html and second in html and html.index(first) < html.index(second)
    assert (
        "Frais réels 120,00\u00a0€ · Sécurité sociale 42,00\u00a0€ · Complémentaire <strong>78,00\u00a0€</strong>"
        in html
    )


def test_a_decompte_without_lines_still_has_its_card(alice_client, alice):
    decompte = _decomptes(alice, 1, day=dt.date(2025, 5, 2))[0]
    decompte.lines.all().delete()
    page = alice_client.get(reverse("claims:list"))
    assert [(row.external_id, row.lines) for row in page.context["page"].items] == [(decompte.external_id, [])]
    assert "Décompte du 02/05/2025" in page.content.decode()


def test_it_escapes_what_comes_from_the_file(alice_client, alice):
    _decomptes(alice, 1, day=dt.date(2025, 5, 2), payee_name="<script>alert(1)</script> & fils")
    DecompteLine.objects.update(act_label='Verres "progressifs" <b>')
    html = alice_client.get(reverse("claims:list")).content.decode()
    assert "<script>alert(1)" not in html and "payé à &lt;script&gt;alert(1)&lt;/script&gt; &amp; fils" in html
    assert "Verres &#34;progressifs&#34; &lt;b&gt; :" in html


def test_the_detail_page_escapes_a_hostile_practitioner_name(alice_client, alice):
    decompte = _decomptes(alice, 1, day=dt.date(2025, 5, 2))[0]
    DecompteLine.objects.update(practitioner="<script>alert('dr')</script>", explanation="Ligne 1\n<b>Ligne 2</b>")
    html = alice_client.get(reverse("claims:detail", args=[decompte.pk])).content.decode()
    assert "<script>alert(" not in html and "&lt;script&gt;alert(&#39;dr&#39;)&lt;/script&gt;" in html
    assert "Ligne 1<br>&lt;b&gt;Ligne 2&lt;/b&gt;" in html  # line breaks kept, markup escaped


def test_each_year_shows_its_totals_and_its_csv_export(alice_client, alice):
    YearTotal.objects.create(
        member=alice,
        year=2025,
        frais_reels=Decimal("3000.00"),
        ss=Decimal("1800.00"),
        complementary=Decimal("1200.00"),
        reste_a_charge=Decimal("0.00"),
    )
    YearTotal.objects.create(
        member=alice,
        year=2024,
        frais_reels=Decimal("10.00"),
        ss=Decimal("6.00"),
        complementary=Decimal("4.00"),
        reste_a_charge=Decimal("0.00"),
    )
    html = alice_client.get(reverse("claims:list")).content.decode()
    row_2025 = re.search(r'<tr><th scope="row">2025</th>.*?</tr>', html, re.S).group(0)
    assert re.findall(r'<td class="num"[^>]*>([^<]*)</td>', row_2025) == [
        "3\u202f000,00\u00a0€",
        "1\u202f800,00\u00a0€",
        "1\u202f200,00\u00a0€",
        "0,00\u00a0€",
    ]
    assert f'<a href="{reverse("claims:export", args=[2025])}">CSV 2025</a>' in row_2025
    assert html.index('<th scope="row">2025</th>') < html.index('<th scope="row">2024</th>')


# --------------------------------------------------------------------------- keyset pages


def test_pages_break_ties_on_the_same_payment_day(alice_client, alice):
    _decomptes(alice, 25, day=dt.date(2025, 6, 30))
    _decomptes(alice, 3, day=dt.date(2025, 7, 1))
    url = reverse("claims:list")
    first = alice_client.get(url)
    second = alice_client.get(url, {"apres": first.context["page"].next_cursor})
    everything = _ids(first) + _ids(second)
    assert len(_ids(first)) == 20 and len(_ids(second)) == 8
    assert sorted(everything) == sorted(Decompte.objects.values_list("external_id", flat=True))
    assert second.context["page"].next_cursor is None
    back = alice_client.get(url, {"avant": second.context["page"].previous_cursor})
    assert _ids(back) == _ids(first) and back.context["page"].previous_cursor is None


def test_pages_keep_the_filters(alice_client, alice):
    leo = alice.beneficiaries.get(first_name="Léo")
    _import(
        *[
            consultation(
                f"L{month:02d}",
                alice,
                rank=3 if month % 2 else 1,
                care=f"02/{month:02d}/2025",
                paid=f"20/{month:02d}/2025",
            )
            for month in range(1, 13)
        ]
    )
    url = reverse("claims:list")
    with mock.patch("claims.selectors.PAGE_SIZE", 2):
        response = alice_client.get(url, {"beneficiaire": leo.pk})
        seen = _ids(response)
        while (link := re.search(r'href="\?([^"]*apres=[^"]*)"', response.content.decode())) is not None:
            response = alice_client.get(f"{url}?{link.group(1).replace('&amp;', '&')}")
            seen += _ids(response)
    assert seen == ["L11", "L09", "L07", "L05", "L03", "L01"]


def test_a_deep_page_starts_its_index_range_at_the_cursor(alice):
    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plan")
    _decomptes(alice, 30, day=dt.date(2025, 6, 30))
    with CaptureQueriesContext(connection) as captured:
        selectors.decompte_page(alice.pk, selectors.DecompteFilters(), after=f"2025-06-30_{10**9}")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + captured.captured_queries[-1]["sql"])
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "decompte_member_recent (member_id=? AND payment_date<?)" in plan


# --------------------------------------------------------------------------- totals, pending


def test_filtered_totals_are_summed_from_the_matching_decomptes(alice_client, alice):
    _import(
        *[
            consultation(f"A{month:02d}", alice, care=f"02/{month:02d}/2025", paid=f"20/{month:02d}/2025")
            for month in range(1, 13)
        ],
        consultation("B01", alice, rank=3, care="02/03/2026", paid="20/03/2026"),
    )
    _decomptes(alice, 2, day=dt.date(2026, 4, 1))  # Optique, 4 € each, not in the stored totals
    unfiltered = alice_client.get(reverse("claims:list")).context["totals"]
    assert [(row.year, row.complementary) for row in unfiltered] == [
        (2026, Decimal("39.00")),
        (2025, Decimal("468.00")),
    ]
    period = alice_client.get(reverse("claims:list"), {"du": "2025-06-01", "au": "2026-03-31"}).context["totals"]
    assert [(row.year, row.frais_reels, row.complementary) for row in period] == [
        (2026, Decimal("60.00"), Decimal("39.00")),
        (2025, Decimal("420.00"), Decimal("273.00")),
    ]
    category = alice_client.get(reverse("claims:list"), {"categorie": "Optique"}).context["totals"]
    assert category == [
        selectors.YearTotals(2026, Decimal("20.00"), Decimal("12.00"), Decimal("8.00"), Decimal("0.00"))
    ]


def test_a_new_import_shows_at_once(alice_client, alice):
    """The unfiltered page is cached between visits (claims.selectors.list_overview), never
    past a write: a new file's décomptes, totals and pending payments appear on the next visit."""
    _import(consultation("A01", alice, care="02/01/2025", paid="20/01/2025"))
    url = reverse("claims:list")
    before = alice_client.get(url)
    assert _ids(before) == ["A01"] and "en attente de remboursement" not in before.content.decode()
    _import(
        consultation("A02", alice, care="02/02/2025", paid="20/02/2025"),
        consultation("P01", alice, care="03/02/2025", paid=""),
    )
    after = alice_client.get(url)
    assert _ids(after) == ["A02", "A01"]
    assert after.context["totals"] == [
        selectors.YearTotals(2025, Decimal("120.00"), Decimal("42.00"), Decimal("78.00"), Decimal("0.00"))
    ]
    assert YearTotal.objects.get(member=alice, year=2025).complementary == Decimal("78.00")
    assert "1 soin en attente de remboursement" in after.content.decode()


def test_every_write_to_what_the_list_shows_shows_on_the_next_visit(alice_client, alice):
    """Whatever the write path (queryset updates, bulk inserts, a renamed beneficiary),
    the cached first page, totals and pending count never outlive it."""
    url = reverse("claims:list")
    first = _decomptes(alice, 1, day=dt.date(2025, 5, 2))[0]
    assert _ids(alice_client.get(url)) == [first.external_id]

    second = _decomptes(alice, 1, day=dt.date(2025, 6, 2))[0]
    assert _ids(alice_client.get(url)) == [second.external_id, first.external_id]

    Decompte.objects.filter(pk=second.pk).update(status=Decompte.Status.PENDING)
    page = alice_client.get(url)
    assert _ids(page) == [first.external_id] and "1 soin en attente de remboursement" in page.content.decode()

    DecompteLine.objects.filter(decompte=first).update(complementary_paid=Decimal("3.50"))
    assert "<strong>3,50\u00a0€</strong> remboursés" in alice_client.get(url).content.decode()

    YearTotal.objects.create(
        member=alice,
        year=2025,
        frais_reels=Decimal("10"),
        ss=Decimal("6"),
        complementary=Decimal("4"),
        reste_a_charge=Decimal("0"),
    )
    assert [row.year for row in alice_client.get(url).context["totals"]] == [2025]
    YearTotal.objects.filter(member=alice).update(complementary=Decimal("9.99"))
    assert alice_client.get(url).context["totals"][0].complementary == Decimal("9.99")

    Beneficiary.objects.filter(pk=alice.holder.pk).update(first_name="Alicia")
    assert "02/05/2025 - Alicia - Lentilles" in alice_client.get(url).content.decode()

    Decompte.objects.filter(pk=first.pk).delete()
    assert _ids(alice_client.get(url)) == []


def test_a_member_never_sees_another_households_cached_list(alice_client, alice, bob, client):
    _decomptes(alice, 1, day=dt.date(2025, 5, 2))
    _decomptes(bob, 2, day=dt.date(2025, 5, 3))
    alice_ids = _ids(alice_client.get(reverse("claims:list")))
    bob_client = login(client.__class__(), bob.user)
    bob_ids = _ids(bob_client.get(reverse("claims:list")))
    assert len(alice_ids) == 1 and len(bob_ids) == 2 and not set(alice_ids) & set(bob_ids)
    assert _ids(alice_client.get(reverse("claims:list"))) == alice_ids


# --------------------------------------------------------------------------- URLs


def test_row_urls_are_reversed_urls_under_any_script_prefix():
    assert url_builder("claims:detail")(42) == reverse("claims:detail", args=[42])
    assert url_builder("claims:export")(2025) == reverse("claims:export", args=[2025])
    set_script_prefix("/portail/")
    try:
        assert url_builder("claims:detail")(42) == "/portail/remboursements/42/" == reverse("claims:detail", args=[42])
    finally:
        set_script_prefix("/")


def test_a_refused_filter_shows_its_error_even_after_a_cached_visit(alice_client, alice):
    _decomptes(alice, 1, day=dt.date(2025, 5, 2))
    url = reverse("claims:list")
    assert alice_client.get(url).status_code == 200  # the unfiltered page, now cached
    page = alice_client.get(url, {"du": "pas une date"}).content.decode()
    assert "date valide" in page
