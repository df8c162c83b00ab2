"""The "Une question ?" panel as members use it: by keyboard and screen reader (answers
in a live region, axe clean), on a phone, with the member's own figures."""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser_login, screenshot, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "combien par jour pour une chambre particuliere"


def ask_by_keyboard(page) -> None:
    page.locator("summary.assistant__toggle").focus()
    page.keyboard.press("Enter")  # a <details> summary opens with the keyboard
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "assistant-q"
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    page.locator(".assistant__answers").get_by_role(
        "heading", name="Chambre particulière : ce que rembourse votre formule"
    ).wait_for()


def test_the_panel_answers_by_keyboard_with_the_members_figures_and_is_axe_clean(page, alice):
    browser_login(page, alice.user)
    page.goto("/contacts/")
    ask_by_keyboard(page)
    answers = page.locator(".assistant__answers")
    assert answers.get_attribute("aria-live") == "polite"
    table = answers.locator("table").first
    assert table.locator("caption").inner_text() == "Chambre particulière : ce que rembourse votre formule"
    assert "140,95 €" in table.inner_text() and "Celsius" in table.inner_text()
    assert serious_violations(page) == []
    screenshot(page, "assistant-panel-desktop")
    answers.get_by_role("link", name="Simuler mon remboursement (acte prérempli)").click()
    page.wait_for_url("**/remboursements/simulation/?brouillon=assistant")
    assert page.get_by_label("Acte ou soin").input_value() == "chambre-particuliere"


def test_the_panel_is_usable_on_a_phone(mobile_page, alice):
    page = mobile_page
    browser_login(page, alice.user)
    page.goto("/contacts/")
    ask_by_keyboard(page)
    # Nothing wider than the phone: the figures' table scrolls inside the panel.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    panel = page.locator(".assistant__panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 390
    assert serious_violations(page) == []
    screenshot(page, "assistant-panel-mobile")


def test_the_page_version_without_javascript_is_axe_clean(page, alice):
    browser_login(page, alice.user)
    page.goto("/assistant/")
    page.locator("#id_q").fill("Quelle est la météo demain à Paris ?")
    page.get_by_role("button", name="Demander", exact=True).click()
    page.get_by_text("Je préfère ne pas vous répondre au hasard.").wait_for()
    assert serious_violations(page) == []
    page.locator("#id_q").fill(QUESTION)
    page.get_by_role("button", name="Demander", exact=True).click()
    page.locator("main").get_by_role("heading", name="Chambre particulière : ce que rembourse votre formule").wait_for()
    assert serious_violations(page) == []
    screenshot(page, "assistant-page-desktop")
