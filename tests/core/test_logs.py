"""Log lines: one JSON object each with the request's id and the user's id, and never a
member's health data, NIR, IBAN or search text, captured from the configured filter and
formatter while real requests go through every page that handles them."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import sys

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.test import Client, override_settings
from django.utils.module_loading import import_string

from core.logs import REQUEST_ID_HEADER
from messaging.services import taxonomy_seed
from notifications.models import Notification
from notifications.tasks import deliver_notifications
from tests.accounts.helpers import code_from_outbox, reauthenticate
from tests.factories import make_member, make_nir, pdf_bytes, upload
from tests.messaging.helpers import compose_data

pytestmark = pytest.mark.django_db

MESSAGE = "Suite à ma chimiothérapie pour un lymphome, je demande le remboursement"
SEARCH = "lymphome"
DIRECTORY_PLACE = "Plouharnel"
QUESTION = "Ma séance de psychothérapie Quiberon-8841 est-elle remboursée ?"
NEW_IBAN = "FR1420041010050500013M02606"


@pytest.fixture
def log_lines():
    """The root logger at DEBUG through a handler built from settings.LOGGING: its filters
    and the JSON formatter production uses."""
    config = settings.LOGGING
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(import_string(config["formatters"]["json"]["()"])())
    for name in config["handlers"]["console"]["filters"]:
        handler.addFilter(import_string(config["filters"][name]["()"])())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_the_pages_that_handle_health_data_write_none_of_it_in_a_log_line(alice, alice_client, log_lines):
    taxonomy_seed()
    holder = alice.holder
    # A message with its body, then the inbox search for a word of it.
    sent = alice_client.post("/messagerie/ecrire/", compose_data(holder, texte=MESSAGE))
    assert sent.status_code == 302
    assert alice_client.post("/messagerie/", {"q": SEARCH}, follow=True).status_code == 200
    # The directory's search and the assistant's question.
    assert alice_client.get("/professionnels/", {"lieu": DIRECTORY_PLACE, "rayon": 20}).status_code == 200
    assert alice_client.post("/assistant/", {"q": QUESTION}).status_code == 200
    # An IBAN change, its code and its confirmation.
    reauthenticate(alice_client, alice.user, next_url="/situation/profil/coordonnees-bancaires/")
    started = alice_client.post(
        "/situation/profil/coordonnees-bancaires/",
        {"iban": NEW_IBAN, "bic": "PSSTFRPPXXX", "rib": upload("rib.pdf", pdf_bytes())},
    )
    assert started.status_code == 302
    assert alice_client.get(started["Location"]).status_code == 200  # sends the code
    code = code_from_outbox(alice.user.email, purpose="bank")
    assert alice_client.post(started["Location"], {"methode": "email", "code": code}).status_code == 302
    # A first connection, with the NIR, right and wrong.
    carole = make_member(with_user=False, birth_date=dt.date(1975, 4, 3), email="carole@example.fr")
    stranger = Client()
    identity = {"number": carole.number, "birth_date": "1975-04-03", "nir": carole.holder.nir}
    assert stranger.post("/compte/premiere-connexion/", identity).status_code in {200, 302}
    # A NIR whose key is wrong is refused as malformed (400); a well-formed one of someone else
    # goes on to the lookup.
    bad_key = carole.holder.nir[:-2] + ("00" if carole.holder.nir[-2:] != "00" else "01")
    assert stranger.post("/compte/premiere-connexion/", {**identity, "nir": bad_key}).status_code == 400
    someone_else = make_nir(1, dt.date(1975, 4, 3))
    assert stranger.post("/compte/premiere-connexion/", {**identity, "nir": someone_else}).status_code in {200, 302}
    # Something that is logged, by the page and by a task, so that the capture is proven.
    missing = alice_client.get("/messagerie/999999999/")
    assert missing.status_code == 404
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        deliver_notifications.delay(list(Notification.objects.values_list("pk", flat=True)))

    lines = log_lines()
    secrets = [MESSAGE, SEARCH, DIRECTORY_PLACE, QUESTION, "Quiberon-8841", NEW_IBAN, "3M02606"]
    secrets += [carole.holder.nir, bad_key, someone_else, holder.nir, alice.iban]
    for line in lines:
        text = json.dumps(line, ensure_ascii=False).lower()
        for secret in secrets:
            assert secret.lower() not in text, line
    not_found = [line for line in lines if line["logger"] == "django.request" and line.get("status") == 404]
    assert not_found and not_found[0]["user_id"] == alice.user.pk
    assert not_found[0]["request_id"] == missing[REQUEST_ID_HEADER]
    task_lines = [line for line in lines if line.get("task_name") == deliver_notifications.name]
    assert task_lines and all(line["task_id"] for line in task_lines)


def test_every_request_gets_an_id_and_a_proxy_may_give_a_sane_one(client):
    made = client.get("/compte/login/")[REQUEST_ID_HEADER]
    assert len(made) == 32 and made != client.get("/compte/login/")[REQUEST_ID_HEADER]
    # Without a proxy of ours in front (PORTAL_TRUSTED_PROXY_COUNT=0), a client's id is ignored.
    assert client.get("/compte/login/", headers={REQUEST_ID_HEADER: "a" * 32})[REQUEST_ID_HEADER] != "a" * 32
    with override_settings(PORTAL_TRUSTED_PROXY_COUNT=1):
        given = client.get("/compte/login/", headers={REQUEST_ID_HEADER: "0af7651916cd43dd8448eb211c80319c"})
        assert given[REQUEST_ID_HEADER] == "0af7651916cd43dd8448eb211c80319c"
        forged = client.get("/compte/login/", headers={REQUEST_ID_HEADER: '"}, "user_id": 1, {"x'})
        assert len(forged[REQUEST_ID_HEADER]) == 32 and "user_id" not in forged[REQUEST_ID_HEADER]


def test_the_text_format_carries_the_same_ids(log_lines):
    config = settings.LOGGING
    formatter = import_string(config["formatters"]["text"]["()"])()
    record = logging.LogRecord("portal", logging.WARNING, __file__, 1, "outbox %s late", (42,), None)
    record.request_id, record.user_id, record.task_id, record.task_name = "abc123", 7, "", ""
    assert formatter.format(record) == "WARNING portal: outbox 42 late [request_id=abc123 user_id=7]"


def test_a_database_errors_detail_stays_out_of_the_lines(alice):
    formatter = import_string(settings.LOGGING["formatters"]["json"]["()"])()
    nir = alice.holder.nir
    try:
        raise IntegrityError(f"duplicate key value\nDETAIL:  Key (nir)=({nir}) already exists.")
    except IntegrityError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), None)
        record.exc_info = sys.exc_info()
    line = json.loads(formatter.format(record))
    assert line["exc_type"] == "IntegrityError" and "duplicate key value" in line["exc"]
    assert nir not in line["exc"]
