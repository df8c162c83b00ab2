""" "Mes dépenses de santé" in Chromium: no serious axe violation and no horizontal
scrolling at 1280 and 390 px, the charts drawn under the strict CSP, the filter posted
without the category in any URL, and a print layout without the site's chrome."""

from __future__ import annotations

from urllib.parse import unquote_plus

import pytest

from claims.services import decomptes_import
from tests.browser.conftest import browser_login, screenshot, serious_violations
from tests.claims.conftest import csv_file
from tests.claims.test_spending import line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URL = "/remboursements/depenses/"


@pytest.fixture
def spending(alice):
    rows = [
        line("S1", alice, rank=1, act="consultation-generaliste", fr="60,00", br="30,00", ss="21,00", comp="39,00",
             paid="15/01/2026"),
        line("S2", alice, rank=3, act="soins-dentaires", fr="85,47", br="33,00", ss="23,10", comp="40,01",
             paid="03/06/2026"),
        line("S3", alice, rank=3, act="lentilles", fr="120,00", br="0,00", ss="0,00", comp="100,00",
             paid="10/09/2026"),
        line("S4", alice, rank=2, act="frais-sejour", fr="1500,00", br="1200,00", ss="960,00",
             comp="240,00", paid="20/12/2025"),
    ]  # fmt: skip
    batch = decomptes_import(content=csv_file(*rows), file_name="depenses.csv")
    assert batch.status == "accepte", batch.errors
    return alice


def test_the_spending_page_reads_at_both_widths_and_prints(page, mobile_page, spending):
    errors: list[str] = []
    for current, width in ((page, "desktop"), (mobile_page, "mobile")):
        current.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        browser_login(current, spending.user)
        current.goto(URL)
        assert current.locator("svg.chart").count() == 3
        assert current.locator("svg.chart rect[fill='url(#motif-complementary)']").count() >= 3
        assert current.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), width
        # Every amount of the tables on screen, "Reste à charge" included (no table clipped
        # inside its box on a desktop either).
        clipped = current.evaluate(
            """[...document.querySelectorAll('.spending__pair table')].filter(table => {
                const box = table.closest('.table-wrap') || table.parentElement;
                return box.scrollWidth > box.clientWidth + 1;
            }).length"""
        )
        assert clipped == 0, width
        serious = serious_violations(current)
        assert serious == [], width
        screenshot(current, f"spending-{width}")
    assert not [error for error in errors if "Content Security Policy" in error], errors
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible() and not page.locator(".spending__filters").is_visible()
    screenshot(page, "spending-print")
    page.emulate_media(media="screen")


def test_the_filter_keeps_the_category_out_of_urls(page, spending):
    browser_login(page, spending.user)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(unquote_plus(request.url)))
    page.goto(URL)
    page.get_by_label("Catégorie de soins", exact=True).select_option("Optique")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**/depenses/?filtre=1")
    assert page.locator(".spending__amount").inner_text() == "100,00\xa0€"
    assert [url for url in requested if "ptique" in url] == []
