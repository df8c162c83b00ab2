"""In Chromium: the "Une question ?" panel answers in place and the inbox search finds,
and no URL the browser requests (pages, scripts' fetches) carries the member's words."""

from __future__ import annotations

from urllib.parse import unquote_plus

import pytest

from tests.browser.conftest import browser_login
from tests.messaging.helpers import new_thread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MARKER = "Kerguelen"


def watch_urls(page) -> list[str]:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(unquote_plus(request.url)))
    return requested


def test_the_assistant_panel_answers_and_hands_off_without_the_question_in_a_url(page, alice):
    browser_login(page, alice.user)
    requested = watch_urls(page)
    page.goto("/contacts/")
    page.locator("summary.assistant__toggle").click()
    page.locator("#assistant-q").fill(f"Comment télécharger ma carte de tiers payant pour {MARKER} ?")
    page.locator(".assistant__form button[type=submit]").click()
    answers = page.locator(".assistant__answers")
    answers.get_by_text("Ma carte de tiers payant", exact=True).wait_for()
    answers.get_by_role("button", name="Oui").first.click()
    answers.get_by_text("Merci pour votre avis.").wait_for()
    answers.get_by_role("link", name="Écrire à un conseiller").click()
    page.wait_for_url("**/messagerie/ecrire/**")
    assert MARKER in page.get_by_label("Votre message").input_value()
    assert page.url.endswith("/messagerie/ecrire/?brouillon=assistant")
    assert [url for url in requested if MARKER in url] == []


def test_the_inbox_search_finds_without_the_words_in_a_url(page, alice):
    found = new_thread(alice, body=f"Mes lunettes achetées à {MARKER}")
    new_thread(alice, body="Autre chose")
    browser_login(page, alice.user)
    requested = watch_urls(page)
    page.goto("/messagerie/")
    page.get_by_text("Rechercher dans mes messages").click()
    page.get_by_label("Texte").fill(MARKER)
    page.get_by_role("button", name="Rechercher", exact=True).click()
    page.wait_for_url("**/messagerie/?recherche=1")
    assert page.locator(f'a[href="/messagerie/{found.pk}/"]').count() == 1
    assert page.locator("table tbody tr").count() == 1
    assert [url for url in requested if MARKER in url] == []
