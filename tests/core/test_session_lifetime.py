"""However active, a session ends 12 hours after its login: the member logs in again."""

from __future__ import annotations

import time

import pytest

from core.middleware import SessionLifetimeMiddleware

pytestmark = pytest.mark.django_db

KEY = SessionLifetimeMiddleware.KEY


def _logged_in_since(client, seconds: int) -> None:
    """As if the login happened ``seconds`` ago (the idle expiry is kept fresh)."""
    session = client.session
    session[KEY] = int(time.time()) - seconds
    session.save()


def test_logging_in_starts_the_clock(alice_client):
    assert abs(alice_client.session[KEY] - time.time()) < 60


def test_a_session_ends_twelve_hours_after_the_login_however_active(alice_client, settings):
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    _logged_in_since(alice_client, 12 * 60 * 60 - 60)
    assert alice_client.get("/remboursements/").status_code == 200

    _logged_in_since(alice_client, 12 * 60 * 60 + 1)
    response = alice_client.get("/remboursements/")
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
    page = alice_client.get(response["Location"]).content.decode()
    assert "votre session a pris fin 12 heures après votre connexion" in page
    # Logged out for good: the next page asks for the login again, without the message.
    response = alice_client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
    assert KEY not in alice_client.session


def test_a_session_from_before_the_rule_gets_its_clock_started(alice_client):
    session = alice_client.session
    del session[KEY]
    session.save()
    assert alice_client.get("/").status_code == 200
    assert abs(alice_client.session[KEY] - time.time()) < 60


def test_the_back_office_session_ends_too(client, gestionnaire, settings):
    from tests.conftest import login

    login(client, gestionnaire)
    assert client.get("/gestion/").status_code == 200
    _logged_in_since(client, settings.SESSION_ABSOLUTE_SECONDS)
    page = client.get("/gestion/", follow=True)
    assert page.request["PATH_INFO"] == "/compte/login/"
    assert "votre session a pris fin" in page.content.decode()
