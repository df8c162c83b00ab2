"""'Autour de moi' in Debian's Chromium with an emulated position (no real location).

Chromium is driven from a child process: tests/browser keeps one Playwright (sync API)
alive for the whole run, and a second one cannot start in the same process."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.conftest import login
from tests.directory.helpers import make_pro

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = """
import json, sys
from playwright.sync_api import sync_playwright
base, cookie_name, cookie, chromium, shot = sys.argv[1:6]
out = {}
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
    context = browser.new_context(locale="fr-FR", base_url=base, geolocation={"latitude": 45.5255, "longitude": 4.8745})
    context.add_cookies([{"name": cookie_name, "value": cookie, "url": base}])
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto("/professionnels/")
    page.get_by_role("button", name="Autour de moi").click()
    page.wait_for_selector("#around-me-error:not([hidden])")
    out["refused"] = page.locator("#around-me-error").inner_text()
    context.grant_permissions(["geolocation"])
    page.get_by_label("Dans un rayon de").select_option("50")
    page.get_by_role("button", name="Autour de moi").click()
    page.wait_for_url("**lat=45.526**")
    out["url"] = page.url
    out["names"] = page.locator(".directory-result h3").all_inner_texts()
    out["title"] = page.locator("#results-title").inner_text()
    page.screenshot(path=shot, full_page=True)
    browser.close()
print(json.dumps(out))
"""


def test_around_me_asks_the_position_on_click_and_sorts_by_distance(live_server, client, alice):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    make_pro("A", 45.7500, 4.8480, name="Dr Lyon")
    make_pro("C", 45.5260, 4.8750, name="Dr Vienne", postcode="38200", city="Vienne")
    login(client, alice.user)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT,
            live_server.url,
            settings.SESSION_COOKIE_NAME,
            cookie,
            CHROMIUM,
            str(ARTIFACTS / "directory-around-me.png"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    # Without permission the browser refuses and the page says so in French.
    assert "pas autorisé l'accès à votre position" in result["refused"]
    # With the emulated position: rounded coordinates in this one request, nearest first.
    assert "lat=45.526&lon=4.87" in result["url"] and "lieu=&" in result["url"]
    assert result["names"] == ["Dr Vienne", "Dr Lyon"]
    assert "autour de vous" in result["title"]
