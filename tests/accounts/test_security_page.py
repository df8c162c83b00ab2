"""The Sécurité page, the demo logins and the security e-mails."""

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import EmailCodeDevice
from accounts.useragent import describe
from tests.accounts.helpers import SECOND_FACTOR_URL, code_from_outbox
from tools.demo.members import DEMO_GESTIONNAIRE_USERNAME, DEMO_HOUSEHOLD_NUMBER, DEMO_MEMBER_PASSWORD, demo_data_create


def test_the_security_page_needs_a_verified_session(client, alice):
    assert client.get("/compte/securite/")["Location"].startswith("/compte/login/")


def test_the_header_links_to_the_security_page_once_verified(alice_client):
    page = alice_client.get("/compte/securite/").content.decode()
    assert 'href="/compte/securite/"' in page
    assert "Code par e-mail" in page and "activé" in page and "Changer mon mot de passe" in page


@pytest.mark.django_db
def test_demo_users_log_in_with_a_code_sent_by_email():
    demo_data_create()
    demo_data_create()  # idempotent: one device each
    assert EmailCodeDevice.objects.filter(user__username=DEMO_HOUSEHOLD_NUMBER, confirmed=True).count() == 1
    assert EmailCodeDevice.objects.filter(user__username=DEMO_GESTIONNAIRE_USERNAME, confirmed=True).count() == 1
    client = Client()
    client.post("/compte/login/", {"login": DEMO_HOUSEHOLD_NUMBER, "password": DEMO_MEMBER_PASSWORD})
    client.get(SECOND_FACTOR_URL)
    client.post(SECOND_FACTOR_URL, {"methode": "email", "code": code_from_outbox("camille.demo@example.fr")})
    assert client.get("/").status_code == 200


def test_security_emails_keep_apostrophes_readable_in_text(alice_client, alice, django_capture_on_commit_callbacks):
    from accounts.emails import send_factor_added

    with django_capture_on_commit_callbacks(execute=True):
        send_factor_added(user=alice.user, label="application d'authentification")
    message = mail.outbox[-1]
    assert "« application d'authentification »" in message.body
    assert "&#x27;" not in message.body and message.alternatives
    assert re.search(r"Le \d{1,2} \w+ \d{4} à \d{2}:\d{2}", message.body)


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0",
            ("Microsoft Edge", "Windows"),
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
            ("Safari", "macOS"),
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
            ("Chrome", "Android"),
        ),
        ("", ("Navigateur inconnu", "système inconnu")),
    ],
)
def test_browsers_are_named_for_the_member(agent, expected):
    assert describe(agent) == expected
