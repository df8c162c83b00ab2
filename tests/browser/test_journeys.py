"""The member's and the gestionnaire's journeys in Debian's Chromium."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from django.core import mail

from tests.browser.conftest import browser_login, last_code, screenshot, serious_violations
from tests.factories import PASSWORD, image_bytes, make_member, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check_page(page, name: str, mobile_page=None) -> None:
    """Every member page: no serious or critical axe violation, and a screenshot."""
    assert serious_violations(page) == [], name
    screenshot(page, f"{name}-desktop")


def test_first_connection_to_the_end(page):
    member = make_member(
        formulas=("IDCC1412-BASE",),
        with_user=False,
        birth_date=dt.date(1984, 2, 29),
        email="premiere.connexion@example.fr",
    )
    holder = member.holder
    page.goto("/compte/login/")
    page.get_by_role("link", name="Activer mon Espace Assuré").click()
    check_page(page, "activation")
    page.get_by_label("Numéro d'adhérent").fill(member.number)
    page.get_by_label("Date de naissance").fill("1984-02-29")
    page.get_by_label("Numéro de sécurité sociale").fill(holder.nir)
    page.get_by_role("button", name="Vérifier mon identité").click()
    page.wait_for_load_state()
    link = re.search(r"https?://\S+/premiere-connexion/lien/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link[link.index("/compte/") :])
    page.locator("#id_password1").fill("Un-Mot-de-passe-solide-42")
    page.locator("#id_password2").fill("Un-Mot-de-passe-solide-42")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    page.wait_for_url("**/double-authentification/activer/**")
    page.get_by_role("link", name="Recevoir les codes par e-mail").click()
    if page.get_by_role("button", name="Envoyer le code").count():
        page.get_by_role("button", name="Envoyer le code").click()
    page.get_by_label(re.compile("Code", re.I)).first.fill(last_code(member.email))
    page.get_by_role("button", name="Confirmer").click()
    page.wait_for_load_state()
    assert "codes de secours" in page.content().lower()
    screenshot(page, "recovery-codes")
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    page.wait_for_load_state()
    assert f"Bonjour {holder.first_name}" in page.content()


def test_a_trusted_browser_is_not_asked_again_but_a_new_one_is(browser, live_server, alice):
    first = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = first.new_page()
    browser_login(page, alice.user, trust=True)
    assert "Bonjour" in page.content()
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto("/compte/login/")
    page.get_by_label("Identifiant").fill(alice.user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    assert "Double authentification" not in page.content() and "Bonjour" in page.content()
    first.close()
    other = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = other.new_page()
    page.goto("/compte/login/")
    page.get_by_label("Identifiant").fill(alice.user.username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/double-authentification/**")
    other.close()


def test_download_the_tiers_payant_card(page, alice, tmp_path):
    browser_login(page, alice.user)
    page.goto("/situation/carte-tiers-payant/")
    check_page(page, "card")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Télécharger", re.I)).first.click()
    path = tmp_path / "carte.pdf"
    download_info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert alice.number in text and "Léo" in text


def test_browse_reimbursements_filter_and_open_one(page, alice):
    from claims.services import decomptes_import
    from tests.claims.conftest import consultation, csv_file

    decomptes_import(content=csv_file(consultation("J1", alice), consultation("J2", alice, rank=3)), file_name="j.csv")
    browser_login(page, alice.user)
    page.goto("/remboursements/")
    check_page(page, "reimbursements")
    page.get_by_label("Bénéficiaire").select_option(label="Léo " + alice.holder.last_name)
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_load_state()
    assert "n° J2" in page.content() and "n° J1" not in page.content()
    page.get_by_role("link", name=re.compile("Décompte du")).first.click()
    page.wait_for_load_state()
    assert "400 % de la BR" in page.content()
    check_page(page, "decompte-detail")


def test_simulate_a_reimbursement(page, alice):
    browser_login(page, alice.user)
    page.goto("/remboursements/simulation/")
    check_page(page, "simulation")
    page.get_by_label("Bénéficiaire des soins").select_option(index=1)
    page.get_by_label("Acte ou soin").select_option("consultation-generaliste")
    page.get_by_label("Date des soins").fill((dt.date.today() - dt.timedelta(days=3)).isoformat())
    page.get_by_label("Frais réels (montant payé)").fill("60,00")
    page.get_by_label("Base de remboursement SS").fill("30,00")
    page.get_by_label("Remboursement de la Sécurité sociale").fill("21,00")
    page.get_by_label("Médecin adhérent OPTAM / OPTAM-CO").select_option("oui")
    page.get_by_role("button", name="Simuler").click()
    page.wait_for_load_state()
    assert "39,00" in page.content()


def test_send_a_devis_and_see_the_instant_estimate(page, alice, tmp_path):
    devis = tmp_path / "devis.pdf"
    devis.write_bytes(pdf_bytes())
    browser_login(page, alice.user)
    page.goto("/remboursements/devis/nouveau/")
    page.get_by_role("link", name="Dentaire").click()
    check_page(page, "devis-form")
    page.get_by_label("Bénéficiaire des soins").select_option(index=1)
    page.get_by_label("Devis et pièces complémentaires").set_input_files(str(devis))
    line = page.locator("fieldset").first
    line.get_by_label("Acte").select_option("prothese-couronne-bridge")
    line.get_by_label("Montant du devis").fill("800,00")
    line.get_by_label("Base de remboursement SS").fill("120,00")
    line.get_by_label("Code CCAM").fill("HBLD036")
    line.get_by_label("N° de dent").fill("36")
    page.get_by_role("button", name="Envoyer et obtenir l'estimation").click()
    page.wait_for_load_state()
    assert "Estimation immédiate" in page.content() and "Ceci est une estimation" in page.content()
    check_page(page, "devis-estimate")


def test_message_with_attachment_answered_by_a_gestionnaire(browser, live_server, alice, gestionnaire, tmp_path):
    scan = tmp_path / "ordonnance.png"
    scan.write_bytes(image_bytes())
    member_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = member_context.new_page()
    browser_login(page, alice.user)
    page.goto("/messagerie/ecrire/")
    check_page(page, "compose")
    page.get_by_label("Bénéficiaire concerné").select_option(index=1)
    page.get_by_label("Catégorie").select_option("remboursements")
    page.get_by_label("Objet").select_option("remboursement-non-recu")
    page.get_by_label("Votre message").fill("Bonjour, je n'ai pas reçu le remboursement de ma consultation.")
    page.locator("input[type=file]").set_input_files(str(scan))
    page.get_by_role("button", name=re.compile("Envoyer", re.I)).click()
    page.wait_for_load_state()
    assert "je n'ai pas reçu le remboursement" in page.content()
    thread_url = page.url

    gestion_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    admin = gestion_context.new_page()
    browser_login(admin, gestionnaire)
    admin.goto("/gestion/messaging/thread/")
    thread_id = re.search(r"/messagerie/(\d+)/", thread_url).group(1)
    assert admin.get_by_role("link", name=thread_id, exact=True).count() == 1  # in the gestionnaire's queue
    admin.goto(f"/gestion/messaging/thread/{thread_id}/change/")
    admin.locator("textarea").first.fill("Votre remboursement a été effectué ce matin.")
    admin.get_by_role("button", name="Envoyer la réponse").click()
    admin.wait_for_load_state()
    gestion_context.close()

    page.goto(thread_url)
    assert "Votre remboursement a été effectué ce matin." in page.content()
    check_page(page, "thread")
    member_context.close()


def test_mobile_login_reimbursements_and_messaging(mobile_page, alice):
    browser_login(mobile_page, alice.user)
    for url, name in (("/", "home"), ("/remboursements/", "reimbursements"), ("/messagerie/", "inbox")):
        mobile_page.goto(url)
        assert mobile_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
        assert serious_violations(mobile_page) == [], name
        screenshot(mobile_page, f"{name}-mobile")


MEMBER_PAGES = [
    ("/", "home"),
    ("/situation/contrats/", "contracts"),
    ("/situation/beneficiaires/", "beneficiaries"),
    ("/situation/noemie/", "noemie"),
    ("/situation/documents/", "documents"),
    ("/remboursements/", "reimbursements"),
    ("/remboursements/suivi/", "follow-up"),
    ("/remboursements/devis/", "quotes"),
    ("/garanties/modalites/", "guarantees"),
    ("/messagerie/", "inbox"),
    ("/professionnels/", "directory"),
    ("/services/", "services"),
    ("/contacts/", "contacts"),
    ("/compte/securite/", "security"),
    ("/situation/profil/", "profile"),
    ("/situation/profil/portabilite/", "portability"),
    ("/remboursements/simulation/", "simulation"),
    ("/remboursements/devis/nouveau/?type=optique", "devis-optique"),
    ("/messagerie/ecrire/", "compose"),
]


def test_every_member_page_has_no_serious_accessibility_violation(page, mobile_page, alice):
    failures = {}
    for current, width in ((page, "desktop"), (mobile_page, "mobile")):
        browser_login(current, alice.user)
        for url, name in MEMBER_PAGES:
            response = current.goto(url)
            assert response.status == 200, url
            found = serious_violations(current)
            if found:
                failures[f"{width} {url}"] = found
            screenshot(current, f"page-{name}-{width}")
    assert failures == {}


def test_messaging_form_with_the_keyboard_only(page, alice):
    browser_login(page, alice.user)
    page.goto("/messagerie/ecrire/")
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        name, outline = page.evaluate("""() => { const e = document.activeElement;
            return [e.name || e.id || e.textContent.trim().slice(0, 30), getComputedStyle(e).outlineStyle]; }""")
        seen.append((name, outline))
        if name in {"beneficiaire", "categorie"}:
            page.keyboard.press("ArrowDown")  # choose the first option, as a keyboard user does
        if name == "texte":
            page.keyboard.type("Question posée au clavier.")
            break
    names = [name for name, _ in seen]
    assert names.index("beneficiaire") < names.index("categorie") < names.index("objet") < names.index("texte")
    assert all(outline != "none" for name, outline in seen if name in {"beneficiaire", "categorie", "objet", "texte"})


def test_portability_request_through_the_messaging(page, alice, tmp_path):
    from members.models import PortabilityFile

    certificate = tmp_path / "attestation-france-travail.pdf"
    certificate.write_bytes(pdf_bytes())
    bulletin = tmp_path / "bulletin-signe.pdf"
    bulletin.write_bytes(pdf_bytes())
    browser_login(page, alice.user)
    page.goto("/situation/profil/")
    page.get_by_role("link", name="Je souhaite bénéficier du maintien de mes garanties").click()
    page.wait_for_url("**/profil/portabilite/")  # the bulletin and the list of justificatifs first
    page.get_by_role("link", name="Je souhaite bénéficier du maintien de mes garanties").click()
    page.wait_for_load_state()
    assert page.get_by_label("Catégorie").input_value() == "je-quitte-mon-entreprise"
    assert page.get_by_label("Objet").input_value() == "maintien-des-garanties"
    page.get_by_label("Bénéficiaire concerné").select_option(index=1)
    page.get_by_label("Votre message").fill("Mon contrat de travail a pris fin le 31 octobre.")
    page.locator("input[type=file]").set_input_files([str(certificate), str(bulletin)])
    page.get_by_role("button", name=re.compile("Envoyer", re.I)).click()
    page.wait_for_load_state()
    assert PortabilityFile.objects.filter(member=alice).count() == 1
    page.goto("/situation/profil/portabilite/")
    check_page(page, "portability")


def test_profile_change_is_saved_and_confirmed(page, alice):
    browser_login(page, alice.user)
    page.goto("/situation/profil/")
    check_page(page, "profile")
    page.locator("#id_phone").fill("0611223344")
    page.get_by_role("button", name="Enregistrer mes coordonnées").click()
    page.wait_for_load_state()
    alice.refresh_from_db()
    assert alice.phone == "0611223344"
    assert [m.subject for m in mail.outbox if alice.email in m.to][-1] == "Vos coordonnées ont été modifiées"
    assert "Vos coordonnées sont enregistrées" in page.content() or "0611223344" in page.content()
