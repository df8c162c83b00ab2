"""The card in the pocket, in Chromium: after a first visit the tiers-payant card (page
and PDF) opens without a connection, says when it was refreshed, and nothing else does;
logging out leaves no card in the browser."""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser_login, screenshot, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CARD = "/situation/carte-tiers-payant/"

CARD_CACHES = "caches.keys().then(names => names.filter(name => name.startsWith('carte-tiers-payant-')))"
CACHED_URLS = """caches.keys().then(names => Promise.all(names.map(name => caches.open(name)
    .then(cache => cache.keys()).then(requests => requests.map(request => new URL(request.url).pathname)))))
    .then(lists => lists.flat().sort())"""


def test_the_card_opens_offline_after_a_first_visit_and_is_gone_after_logout(mobile_page, alice):
    page = mobile_page
    browser_login(page, alice.user)
    page.goto(CARD)
    page.locator("#carte-hors-ligne[data-kept]").wait_for(state="attached")
    assert serious_violations(page) == []
    with page.expect_download() as online_download:
        page.get_by_role("link", name="Télécharger ma carte (PDF à imprimer)").click()
    assert online_download.value.suggested_filename.startswith("carte-tiers-payant-")
    # Only the card (its page, its PDF) and static files are kept, in one versioned cache.
    cached = page.evaluate(CACHED_URLS)
    assert CARD in cached and f"{CARD}carte.pdf" in cached
    assert all(url.startswith(("/static/", CARD)) for url in cached), cached
    assert len(page.evaluate(CARD_CACHES)) == 1

    page.context.set_offline(True)
    page.goto(CARD)
    assert page.get_by_role("heading", name="Ma carte de tiers payant").is_visible()
    assert page.get_by_text("Vous êtes hors connexion : voici la carte enregistrée sur cet appareil.").is_visible()
    assert page.get_by_text("Carte mise à jour le").is_visible()
    assert page.get_by_text(alice.number).first.is_visible()
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor") != "rgba(0, 0, 0, 0)"
    )
    screenshot(page, "card-offline-mobile")
    with page.expect_download() as offline_download:
        page.get_by_role("link", name="Télécharger ma carte (PDF à imprimer)").click()
    assert offline_download.value.path().read_bytes().startswith(b"%PDF")
    # Any other page needs the network: none is kept.
    with pytest.raises(Exception, match="ERR_INTERNET_DISCONNECTED"):
        page.goto("/remboursements/")

    page.context.set_offline(False)
    page.goto(CARD)
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/compte/login/**")
    assert page.evaluate(CARD_CACHES) == []
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(found => found.length)") == 0


def test_a_new_card_replaces_the_one_kept(page, alice):
    browser_login(page, alice.user)
    page.goto(CARD)
    page.locator("#carte-hors-ligne[data-kept]").wait_for(state="attached")
    first = page.evaluate(CARD_CACHES)
    assert serious_violations(page) == []
    alice.beneficiaries.filter(first_name="Léo").update(first_name="Léon")
    page.goto(CARD)
    page.locator("#carte-hors-ligne[data-kept]").wait_for(state="attached")
    second = page.evaluate(CARD_CACHES)
    assert len(first) == len(second) == 1 and first != second
    page.context.set_offline(True)
    page.goto(CARD)
    assert page.get_by_text("Léon").first.is_visible()
