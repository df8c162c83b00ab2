"""'Faire confiance à ce navigateur': skipped on return, asked again on a new browser,
after revocation, after 90 days without login, and after a password change."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import TrustedBrowser
from tests.accounts.helpers import (
    REAUTH_URL,
    SECOND_FACTOR_URL,
    enrol_email_device,
    pass_second_factor,
    reauthenticate,
    travel,
)
from tests.factories import PASSWORD

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"


def log_in(client, user):
    response = client.post("/compte/login/", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client.get("/")


@pytest.fixture
def trusted(alice):
    """Alice's Firefox, trusted at her first login."""
    client = Client(HTTP_USER_AGENT=FIREFOX)
    client.post("/compte/login/", {"login": alice.number, "password": PASSWORD})
    pass_second_factor(client, alice.user, trust=True)
    client.post("/compte/logout/")
    return client


def test_trusting_a_browser_is_emailed_and_listed(client, alice):
    firefox = Client(HTTP_USER_AGENT=FIREFOX)
    enrol_email_device(alice.user)
    firefox.post("/compte/login/", {"login": alice.number, "password": PASSWORD})
    firefox.get(SECOND_FACTOR_URL)
    from tests.accounts.helpers import code_from_outbox

    firefox.post(SECOND_FACTOR_URL, {"methode": "email", "code": code_from_outbox(alice.email), "trust": "oui"})
    notice = [m for m in mail.outbox if "navigateur de confiance" in m.subject]
    assert notice and "Firefox sur Windows" in notice[0].body
    record = TrustedBrowser.objects.get(user=alice.user)
    cookie = firefox.cookies["espace_navigateur"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert record.token_hash not in cookie.value
    page = firefox.get("/compte/securite/").content.decode()
    assert "Firefox" in page and "Windows" in page and "ce navigateur" in page


def test_a_trusted_browser_skips_the_code_on_return(trusted, alice):
    mail.outbox.clear()
    assert log_in(trusted, alice.user).status_code == 200
    assert mail.outbox == []  # no code sent
    record = TrustedBrowser.objects.get(user=alice.user)
    assert record.last_used_at > record.created_at


def test_another_browser_is_asked_for_the_code(trusted, alice):
    other = Client(HTTP_USER_AGENT=SAFARI)
    assert log_in(other, alice.user)["Location"].startswith(SECOND_FACTOR_URL)


def test_a_stolen_cookie_does_not_help_another_account(trusted, alice, bob):
    enrol_email_device(bob.user)
    trusted.post("/compte/login/", {"login": bob.number, "password": PASSWORD})
    assert trusted.get("/")["Location"].startswith(SECOND_FACTOR_URL)


def test_a_revoked_browser_is_asked_again(trusted, alice):
    record = TrustedBrowser.objects.get(user=alice.user)
    safari = Client(HTTP_USER_AGENT=SAFARI)
    log_in(safari, alice.user)
    pass_second_factor(safari, alice.user)
    safari.post(f"/compte/securite/navigateurs/{record.pk}/revoquer/")
    assert log_in(trusted, alice.user)["Location"].startswith(SECOND_FACTOR_URL)


def test_revoking_all_browsers(trusted, alice):
    assert log_in(trusted, alice.user).status_code == 200
    trusted.post("/compte/securite/navigateurs/revoquer-tout/")
    trusted.post("/compte/logout/")
    assert log_in(trusted, alice.user)["Location"].startswith(SECOND_FACTOR_URL)


def test_a_stranger_cannot_revoke_someone_elses_browser(trusted, alice, bob):
    record = TrustedBrowser.objects.get(user=alice.user)
    stranger = Client()
    log_in(stranger, bob.user)
    pass_second_factor(stranger, bob.user)
    assert stranger.post(f"/compte/securite/navigateurs/{record.pk}/revoquer/").status_code == 404
    assert TrustedBrowser.objects.get(pk=record.pk).revoked_at is None


def test_trust_ends_after_90_days_without_login(trusted, alice):
    with travel(timezone.now() + dt.timedelta(days=89)):
        assert log_in(trusted, alice.user).status_code == 200  # and the 90 days start again
        trusted.post("/compte/logout/")
    with travel(timezone.now() + dt.timedelta(days=89 + 89)):
        assert log_in(trusted, alice.user).status_code == 200
        trusted.post("/compte/logout/")
    with travel(timezone.now() + dt.timedelta(days=89 + 89 + 91)):
        assert log_in(trusted, alice.user)["Location"].startswith(SECOND_FACTOR_URL)


def test_a_password_change_revokes_every_browser_and_ends_other_sessions(trusted, alice):
    elsewhere = Client(HTTP_USER_AGENT=SAFARI)
    log_in(elsewhere, alice.user)
    pass_second_factor(elsewhere, alice.user)
    assert elsewhere.get("/").status_code == 200

    assert log_in(trusted, alice.user).status_code == 200
    # A trusted browser typed no code: changing the password asks for one (and the password).
    assert trusted.get("/compte/password/change/")["Location"].startswith(REAUTH_URL)
    reauthenticate(trusted, alice.user, next_url="/compte/password/change/")
    new = "Un-Autre-Mot-de-passe-77"
    response = trusted.post("/compte/password/change/", {"oldpassword": PASSWORD, "password1": new, "password2": new})
    assert response.status_code == 302
    assert trusted.get("/").status_code == 200  # this session goes on
    assert elsewhere.get("/")["Location"].startswith("/compte/login/")  # the other one ended
    assert not TrustedBrowser.objects.filter(user=alice.user, revoked_at__isnull=True).exists()
    assert any("mot de passe a été modifié" in m.subject for m in mail.outbox)

    trusted.post("/compte/logout/")
    trusted.post("/compte/login/", {"login": alice.number, "password": new})
    assert trusted.get("/")["Location"].startswith(SECOND_FACTOR_URL)


# --- issue 20: the guide's behaviour by default, and a new network asks again ----------

HOME = "192.0.2.17"  # the member's box
HOME_AGAIN = "192.0.2.200"  # the same box, another address of its /24
CAFE = "198.51.100.8"  # another network


def code_page(client):
    return client.get(SECOND_FACTOR_URL).content.decode()


def test_the_code_page_trusts_a_personal_device_by_default_and_offers_a_shared_computer(alice):
    browser = Client(HTTP_USER_AGENT=FIREFOX)
    enrol_email_device(alice.user)
    browser.post("/compte/login/", {"login": alice.number, "password": PASSWORD})
    page = code_page(browser)
    assert 'type="radio" name="trust" value="oui" id="id_trust_0" checked' in page
    assert 'value="non" id="id_trust_1" aria' in page  # not checked
    assert "Un ordinateur partagé ou public : me demander un code à chaque connexion" in page
    assert "depuis un autre réseau (box, wifi) ou après 3 mois sans connexion" in page


@pytest.fixture
def at_home(alice):
    """Alice's Firefox at home, trusted as the page proposes it."""
    client = Client(HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR=HOME)
    client.post("/compte/login/", {"login": alice.number, "password": PASSWORD})
    pass_second_factor(client, alice.user, trust=True)
    client.post("/compte/logout/")
    return client


def test_same_browser_same_network_is_not_asked(at_home, alice):
    at_home.defaults["REMOTE_ADDR"] = HOME_AGAIN
    mail.outbox.clear()
    assert log_in(at_home, alice.user).status_code == 200
    assert mail.outbox == []


def test_the_network_is_stored_as_a_keyed_hash_only(at_home, alice):
    from django.utils.crypto import salted_hmac

    record = TrustedBrowser.objects.get(user=alice.user)
    assert (
        record.network_hash == salted_hmac("accounts.trusted-network", "192.0.2.0/24", algorithm="sha256").hexdigest()
    )
    assert "192.0.2" not in record.network_hash


def test_a_new_network_is_asked_then_trusted_in_place_of_the_old_one(at_home, alice):
    at_home.defaults["REMOTE_ADDR"] = CAFE
    assert log_in(at_home, alice.user)["Location"].startswith(SECOND_FACTOR_URL)
    assert "depuis un autre réseau (box, wifi) que d'habitude" in code_page(at_home)
    pass_second_factor(at_home, alice.user, trust=True)
    assert TrustedBrowser.objects.filter(user=alice.user, revoked_at__isnull=True).count() == 1  # one browser
    at_home.post("/compte/logout/")
    assert log_in(at_home, alice.user).status_code == 200  # the café is known now
    at_home.post("/compte/logout/")
    at_home.defaults["REMOTE_ADDR"] = HOME
    assert log_in(at_home, alice.user)["Location"].startswith(SECOND_FACTOR_URL)


def test_after_three_months_without_connection_the_code_is_asked(at_home, alice):
    with travel(timezone.now() + dt.timedelta(days=91)):
        assert log_in(at_home, alice.user)["Location"].startswith(SECOND_FACTOR_URL)


def test_a_shared_computer_is_asked_next_time(alice):
    library = Client(HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR=CAFE)
    log_in(library, alice.user)
    pass_second_factor(library, alice.user, trust=False)
    assert not TrustedBrowser.objects.filter(user=alice.user).exists()
    assert "espace_navigateur" not in library.cookies or not library.cookies["espace_navigateur"].value
    library.post("/compte/logout/")
    assert log_in(library, alice.user)["Location"].startswith(SECOND_FACTOR_URL)


def test_choosing_shared_computer_on_a_trusted_browser_forgets_it(at_home, alice):
    at_home.defaults["REMOTE_ADDR"] = CAFE  # asked: a new network
    log_in(at_home, alice.user)
    pass_second_factor(at_home, alice.user, trust=False)
    assert not TrustedBrowser.objects.filter(user=alice.user, revoked_at__isnull=True).exists()
    at_home.post("/compte/logout/")
    at_home.defaults["REMOTE_ADDR"] = HOME
    assert log_in(at_home, alice.user)["Location"].startswith(SECOND_FACTOR_URL)


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("192.0.2.17", "192.0.2.0/24"),
        ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
        ("::ffff:192.0.2.17", "192.0.2.0/24"),
        ("not an address", ""),
    ],
)
def test_the_network_prefix(address, network):
    from core.client_ip import network_prefix

    assert network_prefix(address) == network
