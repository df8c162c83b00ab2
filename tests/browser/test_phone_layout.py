"""Every member page at 1280 px and on a 390 px phone (issue 20): nothing scrolls sideways,
the amounts are on screen, "Une question ?" covers nothing, and axe finds no serious
violation. Screenshots in test-artifacts/screenshots/phone-layout-*."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from tests.browser.conftest import browser_login, screenshot, serious_violations
from tests.directory.helpers import make_pro

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Text nodes that show an amount in euros ("1 121,90 €", with the formatter's narrow spaces).
AMOUNTS_OFF_SCREEN = r"""() => {
  const amount = /\d,\d\d\s*€/;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let seen = 0;
  const off = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!amount.test(node.textContent) || parent.closest(".assistant") || !parent.checkVisibility()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    seen += 1;
    if (box.left < 0 || box.right > window.innerWidth + 1) off.push(node.textContent.trim());
  }
  return [seen, off];
}"""

# What "Une question ?" would cover: interactive elements (their boxes) and any text (its
# line boxes), outside the assistant itself.
UNDER_THE_ASSISTANT = r"""() => {
  const toggle = document.querySelector(".assistant__toggle");
  if (!toggle) return ["no assistant"];
  const t = toggle.getBoundingClientRect();
  const hits = (box) => box.width > 0 && box.height > 0 &&
    box.left < t.right && box.right > t.left && box.top < t.bottom && box.bottom > t.top;
  const found = [];
  const interactive = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex='0']";
  for (const el of document.querySelectorAll(interactive)) {
    if (el.closest(".assistant") || !el.checkVisibility({ visibilityProperty: true })) continue;
    if (hits(el.getBoundingClientRect())) found.push(el.outerHTML.slice(0, 80));
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!node.textContent.trim() || parent.closest(".assistant") || !parent.checkVisibility()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    if ([...range.getClientRects()].some(hits)) found.push(node.textContent.trim().slice(0, 60));
  }
  return found;
}"""


@pytest.fixture
def household(alice):
    """Alice with something on every page: two décomptes, a dental devis, a message, and
    professionals near her home (Paris), but no Itelis optician within 5 km."""
    from claims.services import decomptes_import
    from claims.services.quotes import QuoteLineInput, quote_request_create
    from directory.models import Kind
    from tests.claims.conftest import consultation, csv_file
    from tests.messaging.helpers import new_thread

    batch = decomptes_import(
        content=csv_file(consultation("P1", alice), consultation("P2", alice, rank=3, care="05/10/2026")),
        file_name="phone.csv",
    )
    assert batch.status == "accepte", batch.errors
    quote = quote_request_create(
        member=alice,
        beneficiary=alice.holder,
        kind="dentaire",
        files=[],
        user=alice.user,
        lines=[
            QuoteLineInput(
                act="prothese-couronne-bridge",
                frais_reels=Decimal("800.00"),
                base_remboursement=Decimal("120.00"),
                ss_expected=None,
            )
        ],
    )
    thread = new_thread(alice, topic="remboursement-non-recu", body="Je n'ai pas reçu le remboursement de mai.")
    paris = {"postcode": "75002", "city": "Paris"}
    make_pro("PH1", 48.8680, 2.3430, name="Pharmacie de la Bourse", kind=Kind.PHARMACIE, tiers_payant=True, **paris)
    make_pro("PH2", 48.8670, 2.3410, name="Pharmacie du Sentier", kind=Kind.PHARMACIE, **paris)
    # About 17 km away: the search at 5 km finds nothing and offers 20 km.
    versailles = {"postcode": "78000", "city": "Versailles"}
    make_pro("OP1", 48.8040, 2.1300, name="Optique de Versailles", kind=Kind.OPTICIEN, itelis=True, **versailles)
    return {"decompte": alice.decomptes.order_by("pk").first(), "quote": quote, "thread": thread}


def member_pages(household) -> list[tuple[str, str, bool]]:
    """(url, name, shows amounts that must be on screen)."""
    return [
        ("/", "home", False),
        ("/remboursements/", "reimbursements", True),
        (f"/remboursements/{household['decompte'].pk}/", "decompte", True),
        ("/remboursements/simulation/", "simulation", False),
        ("/remboursements/suivi/", "follow-up", False),
        ("/remboursements/depenses/", "spending", True),
        ("/remboursements/droits-restants/", "rights", True),
        ("/remboursements/devis/", "quotes", False),
        ("/remboursements/devis/nouveau/", "quote-kind", False),
        ("/remboursements/devis/nouveau/?type=dentaire", "quote-new", False),
        (f"/remboursements/devis/{household['quote'].pk}/", "quote-estimate", True),
        ("/messagerie/", "inbox", False),
        ("/messagerie/ecrire/", "compose", False),
        (f"/messagerie/{household['thread'].pk}/", "thread", False),
        ("/situation/documents/", "documents", False),
        ("/situation/carte-tiers-payant/", "card", False),
        ("/garanties/modalites/", "guarantees", False),
        ("/situation/contrats/", "contracts", False),
        ("/situation/profil/", "profile", False),
        ("/compte/securite/", "security", False),
        ("/situation/beneficiaires/", "beneficiaries", False),
        ("/situation/noemie/", "noemie", False),
        ("/situation/profil/portabilite/", "portability", False),
        ("/professionnels/?lieu=Paris&kind=pharmacie", "directory-results", False),
        ("/professionnels/?lieu=Paris&kind=opticien&itelis=on&rayon=5", "directory-empty", False),
        ("/assistant/", "assistant", False),
    ]


def page_problems(page, amounts: bool) -> list[str]:
    problems = []
    width, viewport = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    if width > viewport:
        problems.append(f"scrolls sideways: {width} px > {viewport} px")
    seen, off = page.evaluate(AMOUNTS_OFF_SCREEN)
    if amounts and not seen:
        problems.append("no amount on screen")
    if off:
        problems.append(f"amounts off screen: {off[:4]}")
    for where in ("top", "bottom"):
        page.evaluate("window.scrollTo(0, 0)" if where == "top" else "window.scrollTo(0, document.body.scrollHeight)")
        covered = page.evaluate(UNDER_THE_ASSISTANT)
        if covered:
            problems.append(f"'Une question ?' covers ({where}): {covered[:4]}")
    page.evaluate("window.scrollTo(0, 0)")
    problems += serious_violations(page)
    return problems


@pytest.mark.parametrize("width", ["desktop", "mobile"])
def test_every_member_page_fits_shows_its_amounts_and_is_not_covered(request, width, alice, household):
    current = request.getfixturevalue("page" if width == "desktop" else "mobile_page")
    browser_login(current, alice.user, trust=True)  # a trusted browser: the Sécurité page lists it
    failures = {}
    for url, name, amounts in member_pages(household):
        response = current.goto(url)
        assert response.status == 200, url
        problems = page_problems(current, amounts)
        if problems:
            failures[url] = problems
        screenshot(current, f"phone-layout-{name}-{width}")
    assert failures == {}


def test_on_a_phone_a_decompte_line_is_a_card_with_its_amounts_labelled(mobile_page, alice, household):
    browser_login(mobile_page, alice.user)
    mobile_page.goto(f"/remboursements/{household['decompte'].pk}/")
    row = mobile_page.locator("tbody tr").first
    for label, amount in (("Complémentaire", "39,00"), ("Reste à charge", "0,00"), ("Sécurité sociale", "21,00")):
        cell = row.locator(f"td[data-label='{label}']")
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, label
        assert amount in cell.inner_text()
        # The label is drawn by CSS before the amount, on the same card line.
        assert mobile_page.evaluate("(td) => getComputedStyle(td, '::before').content", cell.element_handle()) == (
            f'"{label}"'
        )
    mobile_page.goto(f"/remboursements/devis/{household['quote'].pk}/")
    cell = mobile_page.locator("tbody tr").first.locator("td[data-label='Reste à charge']")
    box = cell.bounding_box()
    assert box["x"] + box["width"] <= 390 and "€" in cell.inner_text()
    screenshot(mobile_page, "phone-layout-quote-estimate-card")


def test_an_empty_directory_search_offers_a_wider_radius_that_finds(mobile_page, alice, household):
    browser_login(mobile_page, alice.user)
    mobile_page.goto("/professionnels/")
    mobile_page.get_by_label("Type de professionnel").select_option("opticien")
    mobile_page.get_by_label("Dans un rayon de").select_option("5")
    mobile_page.get_by_label("Membre du réseau Itelis").check()
    mobile_page.get_by_role("button", name="Rechercher").click()
    mobile_page.wait_for_load_state()
    text = mobile_page.locator("main").inner_text()
    assert "Aucun professionnel trouvé autour de 75002" in text
    assert "Vous avez cherché : Opticien, « Membre du réseau Itelis », dans un rayon de 5 km" in text
    screenshot(mobile_page, "phone-layout-directory-empty-offer")
    mobile_page.get_by_role("link", name=re.compile(r"Dans un rayon de 20 km : 1 résultat")).click()
    mobile_page.wait_for_load_state()
    assert mobile_page.get_by_role("heading", name="Optique de Versailles").is_visible()
    assert mobile_page.get_by_label("Dans un rayon de").input_value() == "20"


def test_write_a_message_from_the_header(page, alice):
    browser_login(page, alice.user)
    page.goto("/situation/beneficiaires/")
    page.locator(".header-tools").get_by_role("link", name="Écrire un message").click()
    page.wait_for_url("**/messagerie/ecrire/")
    assert page.get_by_label("Votre message").is_visible()
    icon = page.evaluate("fetch('/favicon.ico').then((r) => [r.status, r.headers.get('content-type')])")
    assert icon[0] == 200 and "icon" in icon[1], icon  # /favicon.ico, redirected to the static file


def test_on_a_phone_a_simulation_result_shows_its_amounts(mobile_page, alice):
    browser_login(mobile_page, alice.user)
    mobile_page.goto("/remboursements/simulation/")
    mobile_page.get_by_label("Bénéficiaire des soins").select_option(index=1)
    mobile_page.get_by_label("Acte ou soin").select_option("consultation-generaliste")
    mobile_page.get_by_label("Date des soins").fill((dt.date.today() - dt.timedelta(days=3)).isoformat())
    mobile_page.get_by_label("Frais réels (montant payé)").fill("60,00")
    mobile_page.get_by_label("Base de remboursement SS").fill("30,00")
    mobile_page.get_by_label("Remboursement de la Sécurité sociale").fill("21,00")
    mobile_page.get_by_label("Médecin adhérent OPTAM / OPTAM-CO").select_option("oui")
    mobile_page.get_by_role("button", name="Simuler").click()
    mobile_page.wait_for_load_state()
    assert "39,00" in mobile_page.locator(".guarantees-result").inner_text()
    assert page_problems(mobile_page, amounts=True) == []
    screenshot(mobile_page, "phone-layout-simulation-result-mobile")


def test_on_a_wide_screen_the_assistant_floats_beside_the_page_and_covers_nothing(
    browser, live_server, alice, household
):
    context = browser.new_context(viewport={"width": 1700, "height": 900}, locale="fr-FR", base_url=live_server.url)
    wide = context.new_page()
    browser_login(wide, alice.user)
    for url in ("/remboursements/", f"/remboursements/{household['decompte'].pk}/", "/messagerie/ecrire/"):
        wide.goto(url)
        assert wide.evaluate("getComputedStyle(document.querySelector('.assistant')).position") == "fixed"
        assert wide.evaluate(UNDER_THE_ASSISTANT) == [], url
    screenshot(wide, "phone-layout-wide-compose")
    context.close()
