"""Sessions end after 30 minutes without activity, and browsing keeps them alive,
without a write of the session at every page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.middleware import SessionActivityMiddleware

pytestmark = pytest.mark.django_db


def _session_row(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def _age_activity(client, seconds: int) -> None:
    """As if the last push of the expiry happened ``seconds`` earlier."""
    session = client.session
    session[SessionActivityMiddleware.KEY] -= seconds
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - seconds)
    )


def test_pages_within_a_minute_do_not_write_the_session(alice_client):
    alice_client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert alice_client.get("/remboursements/").status_code == 200
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
    ]
    assert writes == []


def test_browsing_pushes_the_expiry_back(alice_client):
    alice_client.get("/")
    _age_activity(alice_client, 20 * 60)
    before = _session_row(alice_client).expire_date
    assert alice_client.get("/remboursements/").status_code == 200
    after = _session_row(alice_client).expire_date
    assert after - before > dt.timedelta(minutes=19)
    assert after > timezone.now() + dt.timedelta(minutes=29)


def test_thirty_minutes_without_activity_end_the_session(alice_client):
    alice_client.get("/")
    Session.objects.filter(session_key=alice_client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = alice_client.get("/remboursements/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")
