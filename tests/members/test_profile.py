"""Profil: contact details, e-mail re-verification, the gated IBAN change, e-mail
preferences, the RGPD export and the closure request."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.bank import bank_change_confirm
from accounts.models import EmailCodeDevice, SecondFactorThrottle
from members.models import AuditEntry, BankChangeStatus, BankDetailsChange
from members.profile import bank_change_validate
from messaging.models import Thread
from messaging.services import taxonomy_seed
from notifications.models import NotificationPreference
from tests.accounts.helpers import REAUTH_URL, code_from_outbox, reauthenticate
from tests.conftest import login
from tests.factories import pdf_bytes, upload

PROFILE_URL = "/situation/profil/"
EMAIL_URL = "/situation/profil/e-mail/"
BANK_URL = "/situation/profil/coordonnees-bancaires/"
NEW_IBAN = "FR1420041010050500013M02606"


@pytest.fixture(autouse=True)
def taxonomy(db):
    taxonomy_seed()


@pytest.fixture
def bob_client(bob):
    return login(Client(), bob.user)


def contact_data(**overrides):
    return {
        "address_line1": "3 place du Marché",
        "address_line2": "Bâtiment B",
        "postcode": "69002",
        "city": "Lyon",
        "phone": "06 12 34 56 78",
        **overrides,
    }


# --- the page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_the_members_own_data_and_links_to_security(alice_client, alice, bob, bob_client):
    page = alice_client.get(PROFILE_URL).content.decode()
    assert alice.email in page and alice.masked_iban in page
    assert "/compte/securite/" in page
    assert "Nouveau remboursement" in page  # one e-mail preference per kind
    other = bob_client.get(PROFILE_URL).content.decode()
    assert bob.email in other and alice.email not in other


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(PROFILE_URL)
    assert response.status_code == 302 and "/compte/login/" in response["Location"]


# --- contact details ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_change_of_address_is_recorded_and_confirmed(alice_client, alice, django_capture_on_commit_callbacks):
    old_city = alice.city
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post("/situation/profil/coordonnees/", contact_data())
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.city, alice.postcode, alice.phone) == ("Lyon", "69002", "06 12 34 56 78")
    entry = AuditEntry.objects.get(member=alice, field="city")
    assert (entry.old_value, entry.new_value, entry.actor) == (old_city, "Lyon", alice.user)
    sent = [m for m in mail.outbox if m.subject == "Vos coordonnées ont été modifiées"]
    assert len(sent) == 1 and sent[0].to == [alice.email] and "ville" in sent[0].body


@pytest.mark.django_db
def test_a_bad_postcode_is_explained_and_nothing_typed_is_lost(alice_client, alice):
    response = alice_client.post("/situation/profil/coordonnees/", contact_data(postcode="6900"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Le code postal compte 5 chiffres" in page
    assert 'value="3 place du Marché"' in page and 'value="Lyon"' in page
    alice.refresh_from_db()
    assert alice.city == "Paris"


# --- e-mail address ------------------------------------------------------------------------


def link_from(address: str) -> str:
    message = next(m for m in reversed(mail.outbox) if address in m.to and "Confirmez" in m.subject)
    return re.search(r"https?://[^/]+(/\S+/)", message.body).group(1)


@pytest.mark.django_db
def test_a_new_address_is_used_only_once_verified_and_the_old_one_is_told(
    alice_client, alice, bob_client, django_capture_on_commit_callbacks
):
    from allauth.account.models import EmailAddress

    from accounts.models import EmailCodeDevice

    old = alice.email
    reauthenticate(alice_client, alice.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post("/situation/profil/e-mail/", {"email": "alice.nouvelle@example.fr"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.email == old
    link = link_from("alice.nouvelle@example.fr")
    # Someone else holding the link cannot use it.
    bob_client.get(link)
    alice.refresh_from_db()
    assert alice.email == old
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.get(link)
    alice.refresh_from_db()
    alice.user.refresh_from_db()
    assert alice.email == alice.user.email == "alice.nouvelle@example.fr"
    # One address for the account: allauth's and the e-mail second factor's follow.
    assert list(EmailAddress.objects.filter(user=alice.user).values_list("email", "primary", "verified")) == [
        ("alice.nouvelle@example.fr", True, True)
    ]
    assert EmailCodeDevice.objects.get(user=alice.user).email_address == "alice.nouvelle@example.fr"
    told = [m for m in mail.outbox if m.subject == "Votre adresse e-mail a été modifiée"]
    assert [old] in [m.to for m in told]
    entry = AuditEntry.objects.get(member=alice, action="changement d'e-mail vérifié")
    assert (entry.old_value, entry.new_value) == (old, "alice.nouvelle@example.fr")
    # The link works once.
    alice_client.get(link)
    assert AuditEntry.objects.filter(member=alice, action="changement d'e-mail vérifié").count() == 1


@pytest.mark.django_db
def test_an_invalid_address_is_refused_and_kept(alice_client, alice):
    reauthenticate(alice_client, alice.user)
    response = alice_client.post(EMAIL_URL, {"email": "pas-une-adresse"})
    assert response.status_code == 400
    assert "Saisissez une adresse e-mail valide" in response.content.decode()
    assert 'value="pas-une-adresse"' in response.content.decode()


@pytest.mark.django_db
def test_it_asks_a_recent_reauthentication_before_an_email_change(alice_client, alice):
    response = alice_client.get(EMAIL_URL)
    assert response.status_code == 302 and response["Location"].startswith(REAUTH_URL)
    # A POST without it changes nothing, and the typed address waits for the form.
    response = alice_client.post(EMAIL_URL, {"email": "alice.nouvelle@example.fr"})
    assert response.status_code == 302 and response["Location"].startswith(REAUTH_URL)
    assert not alice.email_changes.exists() and mail.outbox == []
    reauthenticate(alice_client, alice.user, next_url=EMAIL_URL)
    assert 'value="alice.nouvelle@example.fr"' in alice_client.get(EMAIL_URL).content.decode()
    assert alice_client.post(EMAIL_URL, {"email": "alice.nouvelle@example.fr"}).status_code == 302
    assert alice.email_changes.get().new_email == "alice.nouvelle@example.fr"


def email_change_trace(client, member, address, capture):
    """What the member sees and what the database and outbox hold after asking for ``address``."""
    mail.outbox.clear()
    with capture(execute=True):
        response = client.post(EMAIL_URL, {"email": address}, follow=True)
    page = re.sub(r'(nonce|value)="[^"]*"', "", response.content.decode()).replace(address, "ADDRESS")
    change = member.email_changes.order_by("-pk").first()
    audit = AuditEntry.objects.filter(member=member, field="email").order_by("-pk").first()
    return (
        response.status_code,
        page,
        (change.new_email, change.is_pending),
        (audit.action, audit.new_value),
        [m.to for m in mail.outbox],
    )


@pytest.mark.django_db
def test_a_taken_address_gets_the_same_answer_as_a_free_one(
    alice_client, alice, bob, django_capture_on_commit_callbacks
):
    reauthenticate(alice_client, alice.user)
    free = email_change_trace(alice_client, alice, "libre@example.fr", django_capture_on_commit_callbacks)
    taken = email_change_trace(alice_client, alice, bob.email, django_capture_on_commit_callbacks)
    assert free[0] == taken[0] == 200 and free[1] == taken[1]
    assert free[2] == ("libre@example.fr", True) and taken[2] == (bob.email, True)
    assert free[3][0] == taken[3][0] and free[4] == [["libre@example.fr"]] and taken[4] == [[bob.email]]
    # The free address gets the link; the taken one is only told, and holds no link.
    notice = mail.outbox[0]
    assert "un autre Espace Assuré" in notice.body and "/confirmer/" not in notice.body
    bob.refresh_from_db()
    assert bob.email == notice.to[0]
    alice.refresh_from_db()
    assert alice.email != bob.email


@pytest.mark.django_db
def test_email_confirmations_are_rate_limited_per_member(alice_client, alice, bob_client, bob, settings):
    from unittest import mock

    settings.PROFILE_EMAIL_CHANGE_LIMITS = [(3, 3600), (5, 86400)]
    reauthenticate(alice_client, alice.user)
    for n in range(3):
        assert alice_client.post(EMAIL_URL, {"email": f"essai{n}@example.fr"}).status_code == 302
    refused = alice_client.post(EMAIL_URL, {"email": "essai3@example.fr"})
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "réessayez dans une heure" in page and 'value="essai3@example.fr"' in page
    # Nothing already saved is lost: the last link sent still waits, and works.
    assert alice.email_changes.filter(confirmed_at=None, cancelled_at=None).get().new_email == "essai2@example.fr"
    # Another member is not limited by Alice's requests.
    reauthenticate(bob_client, bob.user)
    assert bob_client.post(EMAIL_URL, {"email": "bob.nouveau@example.fr"}).status_code == 302

    import time

    later = time.time() + 3600
    with mock.patch("core.ratelimit.time.time", return_value=later):
        reauthenticate(alice_client, alice.user)
        assert alice_client.post(EMAIL_URL, {"email": "essai4@example.fr"}).status_code == 302
        refused = alice_client.post(EMAIL_URL, {"email": "essai5@example.fr"})
    assert refused.status_code == 429 and "réessayez demain" in refused.content.decode()


# --- bank details ------------------------------------------------------------------------------


def start_bank_change(client, user):
    reauthenticate(client, user, next_url=BANK_URL)
    response = client.post(
        BANK_URL,
        {"iban": "fr14 2004 1010 0505 0001 3M02 606", "bic": "PSSTFRPPXXX", "rib": upload("rib.pdf", pdf_bytes())},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


@pytest.mark.django_db
def test_an_iban_change_needs_a_fresh_code_and_waits_for_a_gestionnaire(
    alice_client, alice, gestionnaire, django_capture_on_commit_callbacks
):
    old_iban = alice.iban
    confirm_url = start_bank_change(alice_client, alice.user)
    change = BankDetailsChange.objects.get(member=alice)
    assert change.status == BankChangeStatus.AWAITING_SECOND_FACTOR
    # accounts' page (the second factor), at the Profil's address.
    assert confirm_url == f"{BANK_URL}{change.pk}/confirmer/" == reverse("profile_bank_confirm", args=[change.pk])
    assert f'href="{confirm_url}"' in alice_client.get("/situation/profil/").content.decode()  # until it is confirmed
    # Without the fresh code (the session's own second factor is not enough), nothing moves.
    with pytest.raises(Exception, match="confirmée par l'assuré"):
        bank_change_validate(change=change, actor=gestionnaire)
    assert alice_client.get(confirm_url).status_code == 200
    wrong = alice_client.post(confirm_url, {"methode": "email", "code": "000000"})
    assert wrong.status_code == 400 and "Code incorrect" in wrong.content.decode()
    change.refresh_from_db()
    assert change.status == BankChangeStatus.AWAITING_SECOND_FACTOR
    code = code_from_outbox(alice.user.email, purpose="bank")
    with django_capture_on_commit_callbacks(execute=True):
        assert alice_client.post(confirm_url, {"methode": "email", "code": code}).status_code == 302
    change.refresh_from_db()
    alice.refresh_from_db()
    assert change.status == BankChangeStatus.PENDING
    assert alice.iban == old_iban  # pending until validated
    assert alice_client.get(confirm_url).status_code == 404  # confirmed once: nothing left to confirm
    assert any(m.subject == "Votre demande de changement de coordonnées bancaires" for m in mail.outbox)
    entry = AuditEntry.objects.get(member=alice, field="iban")
    assert NEW_IBAN not in entry.new_value and entry.new_value == "FR14 **** **** 2606"
    with django_capture_on_commit_callbacks(execute=True):
        bank_change_validate(change=change, actor=gestionnaire)
    alice.refresh_from_db()
    assert alice.iban == NEW_IBAN and alice.bic == "PSSTFRPPXXX"
    assert any(m.subject == "Vos coordonnées bancaires sont modifiées" for m in mail.outbox)


@pytest.mark.django_db
def test_the_gestionnaire_validates_the_iban_in_the_back_office(alice_client, alice, gestionnaire):
    confirm_url = start_bank_change(alice_client, alice.user)
    alice_client.get(confirm_url)
    alice_client.post(confirm_url, {"methode": "email", "code": code_from_outbox(alice.user.email, purpose="bank")})
    change = BankDetailsChange.objects.get(member=alice)
    staff = login(Client(), gestionnaire)
    page = staff.get(f"/gestion/members/bankdetailschange/{change.pk}/change/")
    assert page.status_code == 200 and "rib.pdf" in page.content.decode()
    refused = staff.post(f"/gestion/members/bankdetailschange/{change.pk}/change/", {"decision": "refuser"})
    assert "Indiquez le motif du refus" in refused.content.decode()
    staff.post(f"/gestion/members/bankdetailschange/{change.pk}/change/", {"decision": "valider", "refusal_reason": ""})
    alice.refresh_from_db()
    assert alice.iban == NEW_IBAN
    assert AuditEntry.objects.filter(
        member=alice, action="validation du changement d'IBAN", actor=gestionnaire
    ).exists()


@pytest.mark.django_db
def test_a_wrong_rib_or_iban_is_refused_and_the_typed_iban_kept(alice_client, alice):
    reauthenticate(alice_client, alice.user, next_url=BANK_URL)
    fake = alice_client.post(BANK_URL, {"iban": NEW_IBAN, "bic": "", "rib": upload("rib.pdf", b"%PDF-1.4 not really")})
    assert fake.status_code == 400
    assert f'value="{NEW_IBAN}"' in fake.content.decode()
    assert "rib" in fake.context["form"].errors
    bad = alice_client.post(
        BANK_URL, {"iban": "FR7630006000011234567890100", "bic": "", "rib": upload("rib.pdf", pdf_bytes())}
    )
    assert bad.context["form"].errors["iban"] == [
        "Cet IBAN n'est pas valide : vérifiez les caractères saisis et la clé de contrôle."
    ]
    missing = alice_client.post(BANK_URL, {"iban": NEW_IBAN, "bic": ""})
    assert "Joignez un fichier" in missing.content.decode()
    assert not BankDetailsChange.objects.exists()


@pytest.mark.django_db
def test_a_cancelled_bank_change_cannot_be_confirmed_and_spends_no_code(alice_client, alice):
    start_bank_change(alice_client, alice.user)
    change = BankDetailsChange.objects.get(member=alice)
    change.status = BankChangeStatus.CANCELLED
    change.save(update_fields=["status"])
    device = EmailCodeDevice.objects.get(user=alice.user, confirmed=True)
    with pytest.raises(ValidationError, match="déjà été confirmée ou annulée"):
        bank_change_confirm(change=change, actor=alice.user, device=device, code="000000")
    assert not SecondFactorThrottle.objects.filter(user=alice.user, failures__gt=0).exists()


@pytest.mark.django_db
def test_a_stranger_cannot_confirm_alices_bank_change(alice_client, alice, bob_client, bob):
    confirm_url = start_bank_change(alice_client, alice.user)
    reauthenticate(bob_client, bob.user)
    assert bob_client.get(confirm_url).status_code == 404
    assert bob_client.post(confirm_url, {"methode": "email", "code": "123456"}).status_code == 404


# --- preferences, export, closure ---------------------------------------------------------------


@pytest.mark.django_db
def test_e_mail_preferences_are_saved_per_kind_and_recorded(alice_client, alice):
    response = alice_client.post("/situation/profil/notifications/", {"message_reply": "on", "alerte": "on"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(member=alice, kind="decompte").email_enabled is False
    assert AuditEntry.objects.filter(member=alice, action="préférence d'e-mail", field="decompte").exists()


@pytest.mark.django_db
def test_the_export_holds_the_members_data_and_no_one_elses(alice_client, alice, bob, bob_client):
    from messaging.models import Topic
    from messaging.services import thread_create

    thread_create(
        member=alice,
        author=alice.user,
        beneficiary=alice.holder,
        topic=Topic.objects.get(code="garanties"),
        body="Question d'Alice",
        files=[upload("ordonnance-alice.pdf", pdf_bytes())],
    )
    thread_create(
        member=bob,
        author=bob.user,
        beneficiary=bob.holder,
        topic=Topic.objects.get(code="garanties"),
        body="Question de Bob",
        files=[upload("ordonnance-bob.pdf", pdf_bytes())],
    )
    bob_client.post("/situation/profil/coordonnees/", contact_data(city="Marseille"))
    response = alice_client.post("/situation/profil/mes-donnees.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("donnees.json"))
    # French keys: the member reads this file
    assert data["assure"]["numero_d_adherent"] == alice.number
    assert {p["prenom"] for p in data["foyer"]} == {alice.holder.first_name, "Paul", "Léo"}
    assert {"date_de_naissance", "lien", "civilite"} <= set(data["foyer"][0])
    english = {"number", "first_name", "birth_date", "status", "created_at", "frais_reels", "cover_end_date"}
    assert not english & {key for section in ("assure", "foyer", "affiliations") for key in _keys(data[section])}
    assert data["messages"][0]["messages"][0]["texte"] == "Question d'Alice"
    files = [name for name in archive.namelist() if name.startswith("fichiers/")]
    assert len(files) == 1 and files[0].endswith("ordonnance-alice.pdf")
    assert archive.read(files[0]).startswith(b"%PDF")
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode("latin-1")
    for foreign in (bob.number, bob.holder.last_name, "Question de Bob", "ordonnance-bob", "Marseille", bob.email):
        assert foreign not in everything
    assert AuditEntry.objects.filter(member=alice, action="export des données personnelles").exists()


def _keys(section) -> set[str]:
    rows = section if isinstance(section, list) else [section]
    return {key for row in rows for key in row}


@pytest.mark.django_db
def test_the_closure_request_reaches_the_gestionnaires(alice_client, alice):
    refused = alice_client.post("/situation/profil/cloture/", {"reason": "Je change de mutuelle"})
    assert refused.status_code == 400
    assert "Cochez la case pour confirmer" in refused.content.decode()
    assert "Je change de mutuelle" in refused.content.decode()
    response = alice_client.post("/situation/profil/cloture/", {"confirm": "on", "reason": "Je change de mutuelle"})
    thread = Thread.objects.get(member=alice)
    assert response.status_code == 302 and response["Location"] == f"/messagerie/{thread.pk}/"
    assert thread.topic.code == "droits-rgpd"
    assert "clôture de mon compte" in thread.messages.get().body
    assert AuditEntry.objects.filter(member=alice, action="demande de clôture du compte").exists()
