"""Issue 20, rules members meet, as they see them at 1280 and 390 px: the second factor
trusting a personal device by default, the first connection saying which field is wrong,
the portability page with its bulletin, a contract without guarantee table."""

from __future__ import annotations

import datetime as dt

import pytest

from members.models import Contract
from tests.browser.conftest import browser_login, last_code, screenshot, serious_violations
from tests.factories import PASSWORD, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _seen(page, name: str) -> None:
    assert serious_violations(page) == [], name
    assert no_overflow(page), name
    screenshot(page, name)


def _password_step(page, member) -> None:
    from tests.accounts.helpers import enrol_email_device

    enrol_email_device(member.user)
    page.goto("/compte/login/")
    page.get_by_label("Identifiant").fill(member.user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/double-authentification/**")


@pytest.mark.parametrize("fixture", ["page", "mobile_page"])
def test_the_code_is_asked_once_on_a_personal_device(request, fixture):
    page = request.getfixturevalue(fixture)
    member = make_member(email=f"deux.facteurs.{fixture}@example.fr")
    _password_step(page, member)
    personal = page.get_by_label("Mon appareil personnel")
    assert personal.is_checked()  # the guide's behaviour is the default
    assert not page.get_by_label("Un ordinateur partagé").is_checked()
    _seen(page, f"second-factor-default-{fixture}")
    page.locator("#id_code").fill(last_code(member.email, "code de connexion"))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/")
    page.get_by_role("button", name="Se déconnecter").first.click()
    page.wait_for_load_state()
    page.goto("/compte/login/")
    page.get_by_label("Identifiant").fill(member.user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    assert "double-authentification" not in page.url  # same browser, same network: not asked


@pytest.mark.parametrize("fixture", ["page", "mobile_page"])
def test_first_connection_says_which_field_is_wrong(request, fixture, live_server):
    page = request.getfixturevalue(fixture)
    member = make_member(with_user=False, birth_date=dt.date(1979, 6, 3))
    page.goto("/compte/premiere-connexion/")
    page.get_by_label("Numéro d'adhérent").fill("12AB")
    page.get_by_label("Date de naissance").fill("2999-01-01")
    page.get_by_label("Numéro de sécurité sociale").fill("123")
    page.get_by_role("button", name="Vérifier mon identité").click()
    page.wait_for_load_state()
    assert "premiere-connexion/demande-envoyee" not in page.url
    text = page.locator("main").inner_text()
    assert "10 chiffres, sans lettre" in text
    assert "ne peut pas être dans le futur" in text
    assert "15 caractères" in text
    assert page.get_by_role("link", name="01 70 91 39 00").is_visible()  # for who has no card
    _seen(page, f"first-connection-errors-{fixture}")
    # Corrected, it goes on to "vérifiez votre messagerie".
    page.get_by_label("Numéro d'adhérent").fill(member.number)
    page.get_by_label("Date de naissance").fill(member.holder.birth_date.isoformat())
    page.get_by_label("Numéro de sécurité sociale").fill(member.holder.nir)
    page.get_by_role("button", name="Vérifier mon identité").click()
    page.wait_for_url("**/demande-envoyee/")


@pytest.mark.parametrize("fixture", ["page", "mobile_page"])
def test_the_portability_page_offers_the_bulletin(request, fixture):
    page = request.getfixturevalue(fixture)
    member = make_member(email=f"portabilite.{fixture}@example.fr")
    browser_login(page, member.user)
    page.goto("/situation/profil/portabilite/")
    link = page.get_by_role("link", name="Téléchargez votre bulletin de demande de portabilité")
    assert link.is_visible()
    assert "chaque trimestre" in page.locator("main").inner_text()
    _seen(page, f"portability-page-{fixture}")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "bulletin-demande-portabilite.pdf"


@pytest.mark.parametrize("fixture", ["page", "mobile_page"])
def test_a_ccn_immobilier_member_is_told_whom_to_call(request, fixture):
    page = request.getfixturevalue(fixture)
    member = make_member(
        contract=Contract.objects.get(number="KP-CCN-IMMOBILIER"), formulas=(), email=f"immo.{fixture}@example.fr"
    )
    browser_login(page, member.user)
    for url, name in (("/", "home"), ("/situation/carte-tiers-payant/", "card")):
        page.goto(url)
        notice = page.locator(".no-formula")
        assert notice.is_visible()
        assert "01 70 91 39 00" in notice.inner_text()
        _seen(page, f"no-formula-{name}-{fixture}")
