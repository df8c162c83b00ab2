"""The account takeover found by the security test: from a verified session, add an
address through allauth's /compte/email/, confirm it from outside, make it primary,
remove the member's own, then reset the password there. Every step is now refused, and a
password reset goes only to the account's verified primary address."""

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail
from django.urls import reverse

from accounts.models import EmailCodeDevice
from members.models import AuditEntry
from tests.factories import PASSWORD

THIEF = "voleur@example.net"
RESET_URL = "/compte/password/reset/"


def verified_primary(user):
    """As after a first connection (accounts.services.account_activate)."""
    return EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


def reset_links(address):
    return [m for m in mail.outbox if address in m.to and "/compte/password/reset/key/" in m.body]


def test_the_whole_takeover_chain_is_refused(alice_client, alice):
    verified_primary(alice.user)
    # 1. Add an address from the verified session.
    assert alice_client.get("/compte/email/").status_code == 404
    assert alice_client.post("/compte/email/", {"action_add": "", "email": THIEF}).status_code == 404
    assert not EmailAddress.objects.filter(email=THIEF).exists()

    # 2. Confirm it from outside (an address left unconfirmed by the old URL set, say).
    planted = EmailAddress.objects.create(user=alice.user, email=THIEF, verified=False, primary=False)
    key = EmailConfirmationHMAC(planted).key
    outside = alice_client.__class__()
    assert outside.get(f"/compte/confirm-email/{key}/").status_code == 404
    assert outside.post(f"/compte/confirm-email/{key}/").status_code == 404
    planted.refresh_from_db()
    assert not planted.verified

    # 3. Make it primary, 4. remove the member's own.
    assert alice_client.post("/compte/email/", {"action_primary": "", "email": THIEF}).status_code == 404
    assert alice_client.post("/compte/email/", {"action_remove": "", "email": alice.email}).status_code == 404

    # 5. Reset the password there: the answer is the usual one, but no link goes to it,
    # even once it were verified.
    for verified in (False, True):
        EmailAddress.objects.filter(pk=planted.pk).update(verified=verified)
        response = outside.post(RESET_URL, {"email": THIEF})
        assert response.status_code == 302 and response["Location"] == "/compte/password/reset/done/"
        assert reset_links(THIEF) == []

    alice.refresh_from_db()
    alice.user.refresh_from_db()
    assert alice.email == alice.user.email != THIEF
    assert EmailAddress.objects.get(user=alice.user, primary=True).email == alice.email
    assert EmailCodeDevice.objects.get(user=alice.user).email_address == alice.email
    assert alice.user.check_password(PASSWORD)


@pytest.mark.parametrize(
    "url",
    [
        "/compte/email/",
        "/compte/signup/",
        "/compte/confirm-email/",
        "/compte/password/set/",
        "/compte/reauthenticate/",
        "/compte/login/code/confirm/",
    ],
)
def test_allauth_views_the_portal_does_not_use_are_not_served(alice_client, url):
    assert alice_client.get(url).status_code == 404
    assert alice_client.post(url, {"email": THIEF}).status_code == 404


def test_the_views_it_uses_keep_their_names():
    assert [
        reverse(name)
        for name in (
            "account_login",
            "account_logout",
            "account_reset_password",
            "account_reset_password_done",
            "account_change_password",
            "account_reset_password_from_key_done",
        )
    ] == [
        "/compte/login/",
        "/compte/logout/",
        "/compte/password/reset/",
        "/compte/password/reset/done/",
        "/compte/password/change/",
        "/compte/password/reset/key/done/",
    ]


def test_a_reset_link_goes_to_the_verified_primary_address_and_works(client, alice, settings):
    verified_primary(alice.user)
    response = client.post(RESET_URL, {"email": alice.email.upper()})
    assert response["Location"] == "/compte/password/reset/done/"
    [message] = mail.outbox
    assert message.to == [alice.email]
    assert message.subject == "Réinitialisation du mot de passe de votre Espace Assuré"
    # The portal's own e-mail: French, signed by the organisme, links on PORTAL_BASE_URL.
    for text in (message.subject, message.body, message.alternatives[0][0]):
        assert "testserver" not in text and "example.com" not in text
    assert alice.contract.organisme.name in message.body and alice.number in message.body
    link = re.search(r"(https?://\S+/compte/password/reset/key/\S+/)", message.body).group(1)
    assert link.startswith(settings.PORTAL_BASE_URL)

    form = client.get(link[len(settings.PORTAL_BASE_URL) :])
    new = "Un-Autre-Mot-de-passe-77"
    done = client.post(form["Location"], {"password1": new, "password2": new})
    assert done.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.check_password(new)
    assert AuditEntry.objects.filter(member=alice, action="réinitialisation du mot de passe").exists()
    assert any(m.subject == "Votre mot de passe a été modifié" and m.to == [alice.email] for m in mail.outbox)


def test_an_address_not_verified_as_primary_gets_no_link(client, alice):
    # The login's address, never verified through the portal (no allauth row): no link.
    response = client.post(RESET_URL, {"email": alice.email})
    assert response["Location"] == "/compte/password/reset/done/"
    assert reset_links(alice.email) == []


def test_an_unknown_address_gets_the_same_answer_and_the_portals_own_email(client, alice):
    verified_primary(alice.user)
    known = client.post(RESET_URL, {"email": alice.email})
    unknown = client.post(RESET_URL, {"email": "personne@example.net"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    [notice] = [m for m in mail.outbox if m.to == ["personne@example.net"]]
    assert "aucun Espace Assuré activé" in notice.body and "/compte/premiere-connexion/" in notice.body
    assert "/compte/password/reset/key/" not in notice.body and "signup" not in notice.body
    assert "testserver" not in notice.body + notice.subject


def test_the_pages_it_keeps_answer_in_french(alice_client, alice):
    from django.test import Client

    from tests.accounts.helpers import reauthenticate

    client = Client()
    for url in (
        "/compte/login/",
        RESET_URL,
        "/compte/password/reset/done/",
        "/compte/password/reset/key/done/",
        "/compte/inactive/",
    ):
        page = client.get(url)
        assert page.status_code == 200 and '<html lang="fr"' in page.content.decode(), url
    reauthenticate(alice_client, alice.user)
    page = alice_client.get("/compte/password/change/")
    assert page.status_code == 200 and "Mot de passe actuel" in page.content.decode()
