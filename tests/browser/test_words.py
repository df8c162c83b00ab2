"""The words members and gestionnaires read, in Chromium: a décompte cites its rule by the
notice's title (no line number) and its capped arithmetic adds up; the gestionnaire's
vue d'ensemble of a member. Screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import pytest

from claims.models import Decompte
from claims.services import decomptes_import
from tests.browser.conftest import browser_login, screenshot, serious_violations
from tests.claims.conftest import consultation, csv_file
from tests.messaging.helpers import new_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTICE_004 = "KLESIA Prévoyance - IDCC 1412 - régimes obligatoires et options facultatives"


def test_a_decompte_reads_without_line_numbers_and_its_cap_adds_up(page, alice):
    decomptes_import(content=csv_file(consultation("A01", alice)), file_name="a.csv")
    decompte = Decompte.objects.get(external_id="A01")
    browser_login(page, alice.user)
    page.goto(f"/remboursements/{decompte.pk}/")
    text = page.locator("main").inner_text()
    assert f"(notice « {NOTICE_004} », rubrique « Soins courants »)" in text
    assert ", ligne" not in text and "Notice 004" not in text
    # 120,00 - 21,00 - 9,00 = 90,00, then cut to the 30,00 left to pay
    assert "moins SS 21,00 € et niveaux inférieurs 9,00 € = 90,00 €, ramené à 30,00 €" in text
    assert serious_violations(page) == []
    screenshot(page, "words-decompte-detail-desktop")


def test_the_gestionnaire_reads_a_members_vue_d_ensemble(page, alice, gestionnaire):
    new_thread(alice, topic="remboursement-non-recu", body="Je n'ai pas reçu mon remboursement.")
    decomptes_import(content=csv_file(consultation("A01", alice)), file_name="a.csv")
    browser_login(page, gestionnaire)
    page.goto("/gestion/members/member/")
    page.get_by_role("link", name="Vue d'ensemble").first.click()
    page.wait_for_load_state()
    text = page.locator("#content").inner_text()
    assert f"Vue d'ensemble - {alice}" in text
    for heading in ("Messages (1)", "Devis en cours (0)", "Portabilité (0)", "Paiements en attente (0)", "Foyer"):
        assert heading in text, heading
    assert "Demande n°" in text and "Décompte A01" in text
    screenshot(page, "words-admin-member-overview-desktop")
    page.get_by_role("link", name="Modifier la fiche").click()
    page.wait_for_load_state()
    assert "Fiche de l'assuré" in page.title()
    page.goto("/gestion/members/member/add/")
    assert "Ajout d'un assuré" in page.locator("#content h1").inner_text()
