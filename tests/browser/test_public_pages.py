import pytest

from tests.browser.conftest import screenshot, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_is_accessible_on_desktop_and_mobile(page, mobile_page):
    for current, width in ((page, "desktop"), (mobile_page, "mobile")):
        current.goto("/compte/login/")
        assert current.get_by_role("heading", name="Connexion à votre Espace Assuré").is_visible()
        assert serious_violations(current) == []
        screenshot(current, f"login-{width}")


def test_login_form_is_usable_with_the_keyboard_only(page):
    page.goto("/compte/login/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    page.keyboard.press("Enter")
    focused = []
    for _ in range(4):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.name || document.activeElement.textContent.trim()"))
    assert focused[:3] == ["login", "password", "Se connecter"] or focused[:2] == ["login", "password"]
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # visible focus
