"""A new member enrols an authenticator app: the QR code they scan must be an image the
browser draws, at desktop and phone widths, not only a tag."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django_otp.oath import totp

from accounts.models import TOTPDevice
from tests.browser.conftest import screenshot
from tests.factories import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _activate_until_the_factor_choice(page, member) -> None:
    page.goto("/compte/premiere-connexion/")
    page.get_by_label("Numéro d'adhérent").fill(member.number)
    page.get_by_label("Date de naissance").fill(member.holder.birth_date.isoformat())
    page.get_by_label("Numéro de sécurité sociale").fill(member.holder.nir)
    page.get_by_role("button", name="Vérifier mon identité").click()
    page.wait_for_load_state()
    link = re.search(r"https?://\S+/premiere-connexion/lien/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link[link.index("/compte/") :])
    page.locator("#id_password1").fill("Un-Mot-de-passe-solide-42")
    page.locator("#id_password2").fill("Un-Mot-de-passe-solide-42")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    page.wait_for_url("**/double-authentification/activer/**")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_qr_code_is_drawn_and_the_app_code_completes_the_first_connection(browser, live_server, width):
    member = make_member(
        formulas=("IDCC1412-BASE",), with_user=False, birth_date=dt.date(1979, 6, 3), email=f"app.{width}@example.fr"
    )
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    _activate_until_the_factor_choice(page, member)
    page.get_by_role("link", name="Utiliser une application").click()
    qr = page.get_by_role("img", name=re.compile("QR code"))
    qr.wait_for()
    # A data URI the browser cannot decode leaves an image of width 0 (the alt text shows).
    assert page.evaluate("(img) => img.complete && img.naturalWidth", qr.element_handle()) > 0
    box = qr.bounding_box()
    assert box["width"] > 100 and box["x"] >= 0 and box["x"] + box["width"] <= width
    screenshot(page, f"authenticator-qr-{width}")
    device = TOTPDevice.objects.get(user__username=member.number)
    page.get_by_label(re.compile("Code", re.I)).first.fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name=re.compile("Confirmer|Valider|Activer")).first.click()
    page.wait_for_load_state()
    assert "codes de secours" in page.content().lower()
    context.close()
