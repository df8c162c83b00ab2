""" "Mes droits restants" and its home block in Chromium: axe clean at 1280 and 390 px, no
horizontal overflow, screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt

import pytest

from claims.services import decomptes_import
from tests.browser.conftest import browser_login, screenshot, serious_violations
from tests.claims.conftest import csv_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _history(member) -> None:
    """This year's care filling ceilings (one almost used), and glasses for the child."""
    year = dt.date.today().year
    rows = [
        f"B1;{member.number};1;02/01/{year};acupuncture;Cabinet;1;100,00;0,00;0,00;;05/01/{year};papier;assure;;;",
        f"B2;{member.number};3;03/01/{year};lentilles;Opticien;1;60,00;0,00;0,00;;06/01/{year};papier;assure;;;",
        f"B3;{member.number};3;04/01/{year};verres-unifocaux;Opticien;1;250,00;0,00;0,00;;07/01/{year};papier;assure;;;",
    ]
    assert decomptes_import(content=csv_file(*rows), file_name="droits.csv").status == "accepte"


def test_rights_page_and_home_block_are_accessible_on_desktop_and_phone(page, mobile_page, alice):
    _history(alice)
    failures = {}
    for current, width in ((page, "desktop"), (mobile_page, "mobile")):
        browser_login(current, alice.user)
        for url, name in (("/remboursements/droits-restants/", "droits-restants"), ("/", "home-droits")):
            response = current.goto(url)
            assert response.status == 200, url
            found = serious_violations(current)
            if found:
                failures[f"{width} {url}"] = found
            assert current.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (width, url)
            screenshot(current, f"page-{name}-{width}")
        assert current.get_by_role("heading", name="Mes droits restants").count() == 1
    assert failures == {}
    page.goto("/remboursements/droits-restants/")
    assert page.get_by_role("heading", name="Forfait global médecine douce").count() == 3  # one per person
    assert page.get_by_text("Pris en charge à nouveau à partir du").count() >= 1
