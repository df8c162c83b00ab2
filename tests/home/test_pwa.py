"""The installable portal and the card kept offline, server side: the manifest and its
icons, the service worker's script, the card's version on its page and PDF (the only
responses the worker keeps), and the logout that clears the browser's storage."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from members.models import Member

pytestmark = pytest.mark.django_db

CARD = "/situation/carte-tiers-payant/"
CARD_PDF = "/situation/carte-tiers-payant/carte.pdf"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2026, 3, 16))


def test_the_manifest_makes_the_portal_installable_and_opens_on_the_card(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Espace Assuré santé" and manifest["display"] == "standalone"
    assert manifest["start_url"] == CARD and manifest["scope"] == "/" and manifest["theme_color"] == "#0b4f8a"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/pwa/") and icon["type"] == "image/png"
        with Image.open(finders.find(icon["src"].removeprefix("/static/"))) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"] and image.format == "PNG"


def test_every_portal_page_links_the_manifest(alice_client):
    assert '<link rel="manifest" href="/manifest.webmanifest">' in alice_client.get("/").content.decode()


def test_the_service_worker_is_public_fresh_and_knows_only_the_cards_urls(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    assert f'const CARD_URLS = ["{CARD}", "{CARD_PDF}"];' in source
    assert 'const VERSION_HEADER = "X-Card-Version";' in source and "&#34;" not in source


def test_the_card_page_and_pdf_carry_the_same_version_and_say_when_refreshed(alice_client):
    page = alice_client.get(CARD)
    version = page["X-Card-Version"]
    assert len(version) == 64 and f'data-version="{version}"' in page.content.decode()
    assert "Carte mise à jour le " in page.content.decode()
    assert 'src="/static/js/card-offline.js"' in page.content.decode()
    assert alice_client.get(CARD_PDF)["X-Card-Version"] == version


def test_the_version_changes_with_the_card(alice_client, alice):
    before = alice_client.get(CARD)["X-Card-Version"]
    assert alice_client.get(CARD)["X-Card-Version"] == before
    alice.beneficiaries.filter(first_name="Léo").update(first_name="Léon")
    after = alice_client.get(CARD)["X-Card-Version"]
    assert after != before and alice_client.get(CARD_PDF)["X-Card-Version"] == after


def test_no_card_no_version(alice_client, alice):
    Member.objects.filter(pk=alice.pk).update(cover_end_date=dt.date(2026, 1, 31))
    page = alice_client.get(CARD)
    assert page.status_code == 200 and not page.has_header("X-Card-Version")
    assert "carte-hors-ligne" not in page.content.decode()


@pytest.mark.parametrize("path", ["/", "/remboursements/", "/situation/documents/", "/situation/contrats/"])
def test_no_other_page_is_marked_for_the_offline_cache(alice_client, path):
    assert not alice_client.get(path).has_header("X-Card-Version")


def test_logging_out_clears_the_site_data(alice_client):
    assert alice_client.get("/compte/logout/").status_code == 200  # a confirmation page: no logout, no clearing
    assert not alice_client.get("/compte/logout/").has_header("Clear-Site-Data")
    response = alice_client.post("/compte/logout/")
    assert response.status_code == 302 and response["Clear-Site-Data"] == '"cache", "storage"'
    assert alice_client.get(CARD).status_code == 302  # logged out indeed
