"""Login: password (allauth + axes), then a second factor (e-mail code, app, recovery code)."""

import datetime as dt
import re

from django.core import mail
from django.utils import timezone
from django_otp.oath import totp

from accounts.models import EmailCodeDevice, RecoveryCodeDevice, TOTPDevice
from accounts.services import recovery_codes_regenerate
from tests.accounts.helpers import (
    REAUTH_URL,
    SECOND_FACTOR_URL,
    code_from_outbox,
    enrol_email_device,
    reauthenticate,
    travel,
)
from tests.factories import PASSWORD


def password_step(client, login, password=PASSWORD, **extra):
    return client.post("/compte/login/", {"login": login, "password": password}, **extra)


def totp_device(user):
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def current_totp(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def test_a_password_alone_reaches_no_member_page(client, alice):
    enrol_email_device(alice.user)
    assert password_step(client, alice.number).status_code == 302
    for url in ("/", "/contacts/", "/compte/securite/", "/compte/password/change/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(SECOND_FACTOR_URL), url


def test_the_code_step_shows_nothing_of_the_member_space(client, alice):
    """Before the code, the header has no member number, menu or message link: they lead
    nowhere yet, and the number is the member's."""
    enrol_email_device(alice.user)
    password_step(client, alice.number)
    page = client.get(SECOND_FACTOR_URL).content.decode()
    assert "Code" in page and "Se déconnecter" in page
    assert "header-tools__who" not in page and "Écrire un message" not in page and "Une question ?" not in page
    code = client.post(SECOND_FACTOR_URL, {"methode": "email", "code": code_from_outbox(alice.email), "next": "/"})
    home = client.get(code["Location"]).content.decode()
    assert f'<span class="header-tools__who">{alice.number}</span>' in home and "Écrire un message" in home


def test_login_with_the_email_code(client, alice):
    enrol_email_device(alice.user)
    response = password_step(client, alice.number)
    assert response["Location"] == "/"
    response = client.get("/")
    assert response["Location"] == SECOND_FACTOR_URL + "?next=%2F"
    page = client.get(response["Location"]).content.decode()
    assert "a***@example.fr" not in page and "***@example.fr" in page
    code = code_from_outbox(alice.email)
    response = client.post(SECOND_FACTOR_URL, {"methode": "email", "code": code, "next": "/"})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_login_by_email_address_also_works(client, alice):
    enrol_email_device(alice.user)
    assert password_step(client, alice.email).status_code == 302
    client.get(SECOND_FACTOR_URL)
    client.post(SECOND_FACTOR_URL, {"methode": "email", "code": code_from_outbox(alice.email)})
    assert client.get("/").status_code == 200


def test_an_email_code_is_single_use_hashed_and_expires_after_10_minutes(client, alice):
    device = enrol_email_device(alice.user)
    password_step(client, alice.number)
    client.get(SECOND_FACTOR_URL)
    code = code_from_outbox(alice.email)
    device.refresh_from_db()
    assert code not in device.code_hash and len(device.code_hash) == 64
    with travel(timezone.now() + dt.timedelta(minutes=10, seconds=5)):
        page = client.post(SECOND_FACTOR_URL, {"methode": "email", "code": code})
    assert page.status_code == 200 and "Code incorrect ou expiré" in page.content.decode()

    client.post("/compte/double-authentification/renvoyer/", {"next": "/"})
    code = code_from_outbox(alice.email)
    assert client.post(SECOND_FACTOR_URL, {"methode": "email", "code": code}).status_code == 302
    client.post("/compte/logout/")
    password_step(client, alice.number)
    client.get(SECOND_FACTOR_URL)  # a fresh code is sent; the old one is spent
    page = client.post(SECOND_FACTOR_URL, {"methode": "email", "code": code})
    assert page.status_code == 200 and "Code incorrect" in page.content.decode()


def test_login_with_an_authenticator_app_refuses_a_replayed_code(client, alice):
    device = totp_device(alice.user)
    password_step(client, alice.number)
    page = client.get(SECOND_FACTOR_URL).content.decode()
    assert "application d'authentification" in page
    assert mail.outbox == []  # no e-mail factor: nothing sent
    code = current_totp(device)
    assert client.post(SECOND_FACTOR_URL, {"methode": "application", "code": code}).status_code == 302
    assert client.get("/").status_code == 200

    client.post("/compte/logout/")
    password_step(client, alice.number)
    page = client.post(SECOND_FACTOR_URL, {"methode": "application", "code": code})
    assert page.status_code == 200 and "Code incorrect" in page.content.decode()


def test_a_recovery_code_works_once(client, alice):
    enrol_email_device(alice.user)
    codes = recovery_codes_regenerate(user=alice.user, notify=False)
    stored = set(RecoveryCodeDevice.objects.get(user=alice.user).codes.values_list("code_hash", flat=True))
    assert not {c.replace("-", "") for c in codes} & stored

    password_step(client, alice.number)
    response = client.post(SECOND_FACTOR_URL, {"methode": "secours", "code": codes[0].upper()})
    assert response.status_code == 302
    assert "il vous en reste 9" in client.get("/").content.decode()

    client.post("/compte/logout/")
    password_step(client, alice.number)
    page = client.post(SECOND_FACTOR_URL, {"methode": "secours", "code": codes[0]})
    assert page.status_code == 200 and "Code incorrect" in page.content.decode()
    assert client.post(SECOND_FACTOR_URL, {"methode": "secours", "code": codes[1]}).status_code == 302


def test_regenerating_recovery_codes_voids_the_old_ones(alice_client, alice):
    old = recovery_codes_regenerate(user=alice.user, notify=False)
    response = alice_client.post("/compte/securite/codes-de-secours/")
    assert response["Location"].startswith(REAUTH_URL)  # the password and a code first
    reauthenticate(alice_client, alice.user)
    page = alice_client.post("/compte/securite/codes-de-secours/").content.decode()
    new = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", page)
    assert len(new) == 10 and not set(new) & set(old)
    device = RecoveryCodeDevice.objects.get(user=alice.user)
    assert not device.verify_token(old[0]) and device.verify_token(new[0])


def test_five_wrong_codes_lock_the_step_for_15_minutes(client, alice):
    enrol_email_device(alice.user)
    password_step(client, alice.number)
    client.get(SECOND_FACTOR_URL)
    code = code_from_outbox(alice.email)
    for left in (4, 3, 2, 1):
        page = client.post(SECOND_FACTOR_URL, {"methode": "email", "code": "000000" if code != "000000" else "111111"})
        assert f"Il vous reste {left} essai" in page.content.decode()
    page = client.post(SECOND_FACTOR_URL, {"methode": "email", "code": "999999" if code != "999999" else "111111"})
    assert page.status_code == 429
    text = page.content.decode()
    assert "bloquée jusqu'à" in text and "15 minutes" in text
    # Even the right code is refused while locked, and from any browser.
    assert client.post(SECOND_FACTOR_URL, {"methode": "email", "code": code}).status_code == 429
    assert client.get("/").status_code == 302

    with travel(timezone.now() + dt.timedelta(minutes=15, seconds=1)):
        client.post("/compte/double-authentification/renvoyer/", {})
        fresh = code_from_outbox(alice.email)
        assert client.post(SECOND_FACTOR_URL, {"methode": "email", "code": fresh}).status_code == 302


def test_five_wrong_passwords_lock_the_login_ip_pair_for_15_minutes(client, alice):
    enrol_email_device(alice.user)
    for _ in range(4):
        page = password_step(client, alice.number, "Mauvais-mot-de-passe-1")
        assert page.status_code == 200
    page = password_step(client, alice.number.upper() + " ", "Mauvais-mot-de-passe-1")
    assert page.status_code == 429
    text = page.content.decode()
    assert "bloquée pendant 15 minutes" in text and "réessayer à partir de" in text
    assert password_step(client, alice.number).status_code == 429  # right password, still locked
    # The member is not locked out by an attacker elsewhere.
    assert password_step(client, alice.number, REMOTE_ADDR="192.0.2.7").status_code == 302
    client.logout()
    with travel(timezone.now() + dt.timedelta(minutes=15, seconds=30)):
        assert password_step(client, alice.number).status_code == 302


def test_a_lock_is_the_same_for_an_unknown_login(client, alice):
    for _ in range(5):
        unknown = password_step(client, "0000000000", "Mauvais-mot-de-passe-1", REMOTE_ADDR="198.51.100.1")
        known = password_step(client, alice.number, "Mauvais-mot-de-passe-1", REMOTE_ADDR="198.51.100.2")
    assert unknown.status_code == known.status_code == 429
    strip = lambda page: re.sub(r'(nonce|value)="[^"]*"', "", page.content.decode())  # noqa: E731
    assert strip(unknown) == strip(known)


def test_email_and_number_count_as_one_login_for_the_lock(client, alice):
    for login in (alice.number, alice.email, alice.number, alice.email.upper()):
        assert password_step(client, login, "Mauvais-mot-de-passe-1").status_code == 200
    assert password_step(client, alice.email, "Mauvais-mot-de-passe-1").status_code == 429


def test_an_account_without_a_factor_must_enrol_by_email_first(client, gestionnaire):
    assert password_step(client, gestionnaire.username, next="/gestion/").status_code == 302
    response = client.get("/gestion/")
    assert response["Location"] == "/compte/double-authentification/activer/?next=%2Fgestion%2F"
    assert "/activer/application/" not in client.get(response["Location"]).content.decode()
    # A password alone cannot enrol an authenticator app (the thief's phone).
    response = client.get("/compte/double-authentification/activer/application/")
    assert response["Location"].startswith("/compte/double-authentification/activer/email/")
    assert not TOTPDevice.objects.filter(user=gestionnaire).exists()
    client.post("/compte/double-authentification/activer/email/", {"action": "send", "next": "/gestion/"})
    code = code_from_outbox(gestionnaire.email, purpose="enrol")
    page = client.post(
        "/compte/double-authentification/activer/email/", {"action": "confirm", "code": code, "next": "/gestion/"}
    )
    assert page.status_code == 200 and "codes de secours" in page.content.decode()
    assert EmailCodeDevice.objects.get(user=gestionnaire).confirmed
    assert client.get("/gestion/").status_code == 200


def test_a_new_email_code_waits_a_minute(client, alice):
    enrol_email_device(alice.user)
    password_step(client, alice.number)
    client.get(SECOND_FACTOR_URL)
    sent = len(mail.outbox)
    response = client.post("/compte/double-authentification/renvoyer/", {}, follow=True)
    assert "patientez une minute" in response.content.decode()
    assert len(mail.outbox) == sent
    with travel(timezone.now() + dt.timedelta(seconds=61)):
        client.post("/compte/double-authentification/renvoyer/", {})
    assert len(mail.outbox) == sent + 1


def test_an_app_can_be_added_from_the_security_page_with_its_qr_code(alice_client, alice):
    assert alice_client.get("/compte/double-authentification/activer/application/")["Location"].startswith(REAUTH_URL)
    reauthenticate(alice_client, alice.user)
    page = alice_client.get("/compte/double-authentification/activer/application/").content.decode()
    assert 'src="data:image/svg+xml' in page and "xmlns%3D" in page  # an SVG document a browser draws
    device = TOTPDevice.objects.get(user=alice.user, confirmed=False)
    response = alice_client.post("/compte/double-authentification/activer/application/", {"code": current_totp(device)})
    assert response["Location"] == "/compte/securite/"
    device.refresh_from_db()
    assert device.confirmed
    assert any("ajoutée" in m.subject and "application" in m.body for m in mail.outbox)


def test_the_last_daily_factor_cannot_be_removed_but_another_can(alice_client, alice):
    email = EmailCodeDevice.objects.get(user=alice.user)
    reauthenticate(alice_client, alice.user)
    response = alice_client.post(f"/compte/securite/methodes/email/{email.pk}/retirer/", follow=True)
    assert "seule méthode" in response.content.decode()
    assert EmailCodeDevice.objects.filter(pk=email.pk).exists()
    app = totp_device(alice.user)
    alice_client.post(f"/compte/securite/methodes/application/{app.pk}/retirer/")
    assert not TOTPDevice.objects.filter(pk=app.pk).exists()
    assert any("retirée" in m.subject for m in mail.outbox)


def test_a_stranger_cannot_remove_someone_elses_factor(alice_client, alice, bob):
    bob_device = enrol_email_device(bob.user)
    totp_device(bob.user)
    reauthenticate(alice_client, alice.user)
    assert alice_client.post(f"/compte/securite/methodes/email/{bob_device.pk}/retirer/").status_code == 404
    assert EmailCodeDevice.objects.filter(pk=bob_device.pk).exists()


def test_a_wrong_password_costs_one_hash_whether_the_login_exists_or_not(client, alice):
    """E-mail enumeration by timing: the hash is the slow part (0.2 s with the production
    hasher, scripts/login_timing.py), so each attempt must hash exactly once."""
    from unittest import mock

    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import MD5PasswordHasher

    EmailAddress.objects.create(user=alice.user, email=alice.email, verified=True, primary=True)
    encode = MD5PasswordHasher.encode
    hashes = {}
    for n, login in enumerate((alice.number, "1412999999", alice.email, "inconnu@example.fr")):
        with mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=encode) as spy:
            page = password_step(client, login, "Mauvais-mot-de-passe-1", REMOTE_ADDR=f"203.0.113.{n}")
        assert page.status_code == 200
        hashes[login] = spy.call_count
    assert hashes == dict.fromkeys(hashes, 1)
