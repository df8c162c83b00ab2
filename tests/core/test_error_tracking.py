"""Error tracking (Sentry, optional): a report of a real failing request, captured at the
SDK's transport, carries the error and the request's path but none of the member's data."""

from __future__ import annotations

import json

import pytest
import sentry_sdk
from django.db import IntegrityError
from django.test import override_settings
from django.urls import path
from sentry_sdk.transport import Transport

from core.error_tracking import error_tracking_init, scrub_event

NIR = "282057512345622"
WORDS = "lymphome"


class CapturingTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope.serialize().decode("utf-8", errors="replace"))


@pytest.fixture
def sentry(monkeypatch):
    transport = CapturingTransport()
    real_init = sentry_sdk.init
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: real_init(transport=transport, **options))
    error_tracking_init(dsn="https://public@o0.ingest.example.invalid/1", environment="test")
    yield transport
    sentry_sdk.get_client().close()
    real_init()  # a client that sends nothing, for the tests that follow


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_reported_error_carries_no_member_data(alice, alice_client, sentry):
    alice_client.raise_request_exception = False
    response = alice_client.post(
        f"/boom/?recherche={WORDS}",
        {"nir": NIR, "texte": f"Mon {WORDS} est revenu"},
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Firefox",
    )
    assert response.status_code == 500
    sentry_sdk.get_client().flush()
    assert len(sentry.envelopes) == 1
    report = sentry.envelopes[0]
    assert "IntegrityError" in report and "beneficiary_nir" in report and "/boom/" in report
    for secret in (
        NIR,
        WORDS,
        alice.email,
        alice.user.username,
        "203.0.113.9",
        alice_client.cookies["sessionid"].value,
    ):
        assert secret not in report, report[max(0, report.find(secret) - 300) : report.find(secret) + 100]
    event = json.loads(report.splitlines()[-1])
    assert set(event.get("user", {})) <= {"id"}  # at most the user's id


def test_the_scrubber_keeps_the_error_and_drops_what_may_hold_data():
    event = {
        "request": {
            "method": "POST",
            "url": f"https://assure.example.fr/messagerie/?q={WORDS}",
            "query_string": f"q={WORDS}",
            "data": {"texte": WORDS},
            "cookies": {"sessionid": "abc"},
            "headers": {
                "Cookie": "sessionid=abc",
                "Referer": f"/?q={WORDS}",
                "X-Request-ID": "r1",
                "Content-Type": "x",
            },
            "env": {"REMOTE_ADDR": "203.0.113.9"},
        },
        "user": {"id": 7, "email": "alice@example.fr", "ip_address": "203.0.113.9", "username": "1412000001"},
        "breadcrumbs": {"values": [{"category": "query", "message": "SELECT 1", "data": {"db.params": [NIR]}}]},
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": f"duplicate key\nDETAIL:  Key (nir)=({NIR}) already exists.",
                    "stacktrace": {"frames": [{"function": "view", "vars": {"nir": NIR}}]},
                }
            ]
        },
        "extra": {"form": WORDS},
    }
    scrubbed = scrub_event(event, {})
    assert scrubbed["request"] == {
        "method": "POST",
        "url": "https://assure.example.fr/messagerie/",
        "headers": {"X-Request-ID": "r1", "Content-Type": "x"},
    }
    assert scrubbed["user"] == {"id": 7}
    assert scrubbed["exception"]["values"][0]["value"] == "duplicate key\nDETAIL: (removed)"
    assert scrubbed["exception"]["values"][0]["stacktrace"]["frames"] == [{"function": "view"}]
    assert scrubbed["breadcrumbs"]["values"] == [{"category": "query", "message": "SELECT 1"}]
    assert "extra" not in scrubbed


# The views, away from the constants above: a report shows the lines around the failing one.
def failing_view(request):
    nir = request.POST.get("nir", "")  # a local variable holding member data
    raise IntegrityError(
        f'duplicate key value violates unique constraint "beneficiary_nir"\nDETAIL:  Key (nir)=({nir}) already exists.'
    )


urlpatterns = [path("boom/", failing_view)]
