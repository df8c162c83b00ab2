"""Every change of e-mail, password, second factor or IBAN asks for a recent
re-authentication: the password AND a fresh second-factor code, valid a few minutes."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import EmailCodeDevice, RecoveryCodeDevice, SecondFactorThrottle, TOTPDevice
from members.models import AuditEntry, BankDetailsChange
from tests.accounts.helpers import REAUTH_URL, code_from_outbox, reauthenticate, travel
from tests.factories import PASSWORD, pdf_bytes, upload

NEW_PASSWORD = "Un-Autre-Mot-de-passe-77"


def other_factor(user):
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def prepare(change, alice) -> None:
    if change.__name__ == "remove_factor":  # the e-mail code stays: the app can go
        other_factor(alice.user)


# Each sensitive change: (method, URL, data) and what proves it was done.
def change_email(client, alice):
    return client.post("/situation/profil/e-mail/", {"email": "alice.nouvelle@example.fr"})


def change_password(client, alice):
    return client.post(
        "/compte/password/change/", {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


def add_app(client, alice):
    return client.get("/compte/double-authentification/activer/application/")


def remove_factor(client, alice):
    return client.post(f"/compte/securite/methodes/application/{alice.user.totpdevice_set.get().pk}/retirer/")


def new_recovery_codes(client, alice):
    return client.post("/compte/securite/codes-de-secours/")


def change_iban(client, alice):
    return client.post(
        "/situation/profil/coordonnees-bancaires/",
        {"iban": "FR1420041010050500013M02606", "bic": "", "rib": upload("rib.pdf", pdf_bytes())},
    )


def done(name, alice) -> bool:
    alice.refresh_from_db()
    alice.user.refresh_from_db()
    return {
        "change_email": alice.email_changes.exists(),
        "change_password": alice.user.check_password(NEW_PASSWORD),
        "add_app": TOTPDevice.objects.filter(user=alice.user, confirmed=False).exists(),
        "remove_factor": not TOTPDevice.objects.filter(user=alice.user).exists(),
        "new_recovery_codes": RecoveryCodeDevice.objects.filter(user=alice.user).exists(),
        "change_iban": BankDetailsChange.objects.filter(member=alice).exists(),
    }[name]


CHANGES = [change_email, change_password, add_app, remove_factor, new_recovery_codes, change_iban]


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__)
def test_it_refuses_each_sensitive_change_without_a_recent_reauthentication(alice_client, alice, change):
    prepare(change, alice)
    response = change(alice_client, alice)
    assert response.status_code == 302 and response["Location"].startswith(REAUTH_URL)
    assert not done(change.__name__, alice)

    reauthenticate(alice_client, alice.user)
    response = change(alice_client, alice)
    assert response.status_code in (200, 302), response.status_code
    assert done(change.__name__, alice)


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__)
def test_a_reauthentication_lasts_only_a_few_minutes(alice_client, alice, change, settings):
    prepare(change, alice)
    reauthenticate(alice_client, alice.user)
    with travel(timezone.now() + dt.timedelta(minutes=settings.ACCOUNTS_REAUTH_MINUTES, seconds=5)):
        response = change(alice_client, alice)
    assert response.status_code == 302 and response["Location"].startswith(REAUTH_URL)
    assert not done(change.__name__, alice)


def test_the_iban_confirmation_step_also_needs_it(alice_client, alice, settings):
    reauthenticate(alice_client, alice.user)
    response = change_iban(alice_client, alice)
    confirm_url = response["Location"]
    with travel(timezone.now() + dt.timedelta(minutes=settings.ACCOUNTS_REAUTH_MINUTES + 1)):
        refused = alice_client.get(confirm_url)
    assert refused["Location"].startswith(REAUTH_URL)


def test_it_needs_the_password_and_a_fresh_code_together(alice_client, alice):
    page = alice_client.get(REAUTH_URL, {"next": "/compte/securite/"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Confirmer mon identité" in text and "Mot de passe" in text
    code = code_from_outbox(alice.email, purpose="reauth")
    wrong_password = alice_client.post(REAUTH_URL, {"methode": "email", "password": "Pas-le-bon-1", "code": code})
    assert wrong_password.status_code == 400 and "Mot de passe ou code incorrect" in wrong_password.content.decode()
    wrong_code = alice_client.post(
        REAUTH_URL, {"methode": "email", "password": PASSWORD, "code": "000000" if code != "000000" else "111111"}
    )
    assert wrong_code.status_code == 400
    assert new_recovery_codes(alice_client, alice)["Location"].startswith(REAUTH_URL)
    # The code survived the wrong password (it is checked only with the right one), but not its own use.
    ok = alice_client.post(
        REAUTH_URL, {"methode": "email", "password": PASSWORD, "code": code, "next": "/compte/securite/"}
    )
    assert ok.status_code == 302 and ok["Location"] == "/compte/securite/"
    assert new_recovery_codes(alice_client, alice).status_code == 200


def test_wrong_passwords_or_codes_lock_it_like_the_login_step(alice_client, alice):
    alice_client.get(REAUTH_URL)
    for _ in range(4):
        alice_client.post(REAUTH_URL, {"methode": "email", "password": "Pas-le-bon-1", "code": "123456"})
    locked = alice_client.post(REAUTH_URL, {"methode": "email", "password": "Pas-le-bon-1", "code": "123456"})
    assert locked.status_code == 429 and "bloquée" in locked.content.decode()
    assert SecondFactorThrottle.objects.get(user=alice.user).is_locked()
    code = code_from_outbox(alice.email, purpose="reauth")
    assert alice_client.post(REAUTH_URL, {"methode": "email", "password": PASSWORD, "code": code}).status_code == 429


def test_an_authenticator_app_or_a_recovery_code_also_confirms(alice_client, alice):
    from django_otp.oath import totp

    from accounts.services import recovery_codes_regenerate

    app = other_factor(alice.user)
    code = f"{totp(app.bin_key, step=app.step, t0=app.t0, digits=app.digits):06d}"
    mail.outbox.clear()
    assert alice_client.get(REAUTH_URL, {"methode": "application"}).status_code == 200
    assert mail.outbox == []  # no e-mail when the app is chosen
    response = alice_client.post(REAUTH_URL, {"methode": "application", "password": PASSWORD, "code": code})
    assert response.status_code == 302

    recovery = recovery_codes_regenerate(user=alice.user, notify=False)
    alice_client.post("/compte/logout/")
    from tests.conftest import login

    login(alice_client, alice.user)
    response = alice_client.post(REAUTH_URL, {"methode": "secours", "password": PASSWORD, "code": recovery[0]})
    assert response.status_code == 302


def test_it_is_not_offered_to_a_session_without_second_factor(client, alice):
    EmailCodeDevice.objects.create(user=alice.user, name="code par e-mail", confirmed=True)
    client.post("/compte/login/", {"login": alice.number, "password": PASSWORD})
    response = client.get(REAUTH_URL)
    assert response.status_code == 302 and response["Location"].startswith("/compte/double-authentification/")


@pytest.mark.parametrize(
    ("change", "action"),
    [
        (change_password, "changement du mot de passe"),
        (add_app, None),
        (remove_factor, "retrait d'une méthode de double authentification"),
        (new_recovery_codes, "nouveaux codes de secours"),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_security_changes_join_the_members_audit_trail_and_tell_the_address(alice_client, alice, change, action):
    prepare(change, alice)
    reauthenticate(alice_client, alice.user)
    mail.outbox.clear()
    change(alice_client, alice)
    if action is None:  # adding an app: audited once its first code confirms it
        from django_otp.oath import totp

        device = TOTPDevice.objects.get(user=alice.user, confirmed=False)
        alice_client.post(
            "/compte/double-authentification/activer/application/",
            {"code": f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"},
        )
        action = "ajout d'une méthode de double authentification"
    entry = AuditEntry.objects.get(member=alice, action=action)
    assert entry.actor == alice.user
    assert [m.to for m in mail.outbox] == [[alice.email]]
