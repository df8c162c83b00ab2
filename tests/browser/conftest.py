"""Browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium,
never a downloaded browser) against the portal served by pytest-django's live server.
Screenshots go to test-artifacts/screenshots/ for reviewers."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make there (creating personas) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(
        reason=f"Debian's Chromium is not installed at {CHROMIUM} (scripts/install-system-deps.sh browser)"
    )
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def mobile_page(browser, live_server):
    context = browser.new_context(
        viewport=MOBILE, locale="fr-FR", base_url=live_server.url, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_violations(page) -> list[str]:
    """axe-core (shipped by the axe-playwright-python package) on the current page:
    the serious and critical violations, each as 'rule: target'."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    )
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in {"serious", "critical"}:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


def last_code(address: str, subject_word: str = "code") -> str:
    """The newest 6-digit code e-mailed to ``address`` (the live server shares the
    test process, so its e-mails land in django.core.mail.outbox)."""
    import re as _re

    from django.core import mail

    for message in reversed(mail.outbox):
        if address in message.to and subject_word in message.subject.lower():
            return _re.search(r"\b(\d{6})\b", message.body).group(1)
    raise AssertionError(f"no code e-mailed to {address}")


def browser_login(page, user, *, password: str | None = None, trust: bool = False) -> None:
    """Password, then the e-mail code, as a member does it."""
    from tests.accounts.helpers import enrol_email_device
    from tests.factories import PASSWORD

    enrol_email_device(user)
    page.goto("/compte/login/")
    page.get_by_label("Identifiant").fill(user.username)
    page.get_by_label("Mot de passe").fill(password or PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/double-authentification/**")
    page.locator("#id_code").fill(last_code(user.email, "code de connexion"))
    # Trust is the default (a personal device); the suite says "ordinateur partagé" unless asked.
    page.get_by_label("Mon appareil personnel" if trust else "Un ordinateur partagé").check()
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state()
