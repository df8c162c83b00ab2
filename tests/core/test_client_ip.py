"""Behind the reverse proxy every request comes from the proxy's address: the throttles
must key on the client's address, which only the proxy may tell (X-Forwarded-For)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from allauth.account.adapter import get_adapter
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.test import RequestFactory

from accounts.models import ActivationAttempt
from core.client_ip import client_ip
from members.validators import nir_with_key
from tests.accounts.helpers import enrol_email_device
from tests.factories import PASSWORD, make_member

PROXY = "127.0.0.1"  # what gunicorn sees behind nginx
WRONG = "Mauvais-mot-de-passe-1"


@pytest.fixture
def behind_one_proxy(settings):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def via_proxy(client_address: str, forged: str = "") -> dict:
    """What nginx's ``$proxy_add_x_forwarded_for`` passes on: whatever the client sent,
    then the address nginx received the request from."""
    header = f"{forged}, {client_address}" if forged else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": header}


def request_with(**meta):
    return RequestFactory().get("/", **meta)


def test_it_ignores_x_forwarded_for_when_no_proxy_is_configured(settings):
    assert settings.PORTAL_TRUSTED_PROXY_COUNT == 0  # runserver, tests
    request = request_with(REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "192.0.2.10"


def test_behind_one_proxy_it_takes_the_address_the_proxy_appended(behind_one_proxy):
    assert client_ip(request_with(**via_proxy("203.0.113.5"))) == "203.0.113.5"
    assert client_ip(request_with(**via_proxy("203.0.113.5", forged="198.51.100.1, 10.0.0.1"))) == "203.0.113.5"
    assert client_ip(request_with(**via_proxy("2001:db8::1"))) == "2001:db8::1"


def test_a_request_that_bypassed_the_proxy_or_a_garbled_header_keeps_the_peer_address(settings, behind_one_proxy):
    assert client_ip(request_with(REMOTE_ADDR="192.0.2.10")) == "192.0.2.10"
    assert client_ip(request_with(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address")) == PROXY
    settings.PORTAL_TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_with(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")) == PROXY
    assert client_ip(request_with(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1, 10.0.0.2")) == (
        "198.51.100.1"
    )


@pytest.mark.parametrize("proxies", [0, 1])
def test_axes_and_allauth_see_the_same_client_as_the_portal(settings, proxies):
    settings.PORTAL_TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxies
    for meta in (
        via_proxy("203.0.113.5"),
        via_proxy("203.0.113.5", forged="198.51.100.1"),
        {"REMOTE_ADDR": "192.0.2.3"},
    ):
        request = request_with(**meta)
        assert get_client_ip_address(request) == get_adapter().get_client_ip(request) == client_ip(request)


def password_step(client, login, password, **meta):
    return client.post("/compte/login/", {"login": login, "password": password}, **meta)


def test_one_clients_wrong_passwords_lock_that_client_only(client, alice, behind_one_proxy):
    enrol_email_device(alice.user)
    for _ in range(4):
        assert password_step(client, alice.number, WRONG, **via_proxy("203.0.113.5")).status_code == 200
    assert password_step(client, alice.number, WRONG, **via_proxy("203.0.113.5")).status_code == 429
    # Another client of the same proxy: the member herself, elsewhere.
    assert password_step(client, alice.number, PASSWORD, **via_proxy("198.51.100.7")).status_code == 302


def test_a_client_cannot_escape_its_lock_by_forging_x_forwarded_for(client, alice, behind_one_proxy):
    enrol_email_device(alice.user)
    for _ in range(5):
        password_step(client, alice.number, WRONG, **via_proxy("203.0.113.5"))
    forged = via_proxy("203.0.113.5", forged="198.51.100.7")
    assert password_step(client, alice.number, PASSWORD, **forged).status_code == 429
    # ...while the address it claimed is not locked either.
    assert password_step(client, alice.number, PASSWORD, **via_proxy("198.51.100.7")).status_code == 302


def test_the_first_connection_quota_counts_per_client(client, db, behind_one_proxy):
    members = [make_member(with_user=False) for _ in range(21)]

    def ask(member, address, forged=""):
        # Well formed (malformed input is refused before the quota), matching nobody.
        data = {
            "number": member.number,
            "birth_date": dt.date(1970, 1, 1).isoformat(),
            "nir": nir_with_key("1700175123456"),
        }
        return client.post("/compte/premiere-connexion/", data, **via_proxy(address, forged)).status_code

    statuses = [ask(member, "203.0.113.5", forged=f"10.0.0.{i}") for i, member in enumerate(members)]
    assert statuses[:20] == [302] * 20 and statuses[20] == 429
    assert ask(members[20], "198.51.100.7") == 302
    assert ActivationAttempt.objects.filter(scope=ActivationAttempt.Scope.IP).values("key_hash").distinct().count() == 2


def test_the_documented_nginx_config_lets_the_portal_answer_every_upload_itself():
    config = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text()
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", config).group(1))
    # Five files per form (documents.forms.MultiplePrivateFileField) and the form's fields.
    request_limit = getattr(settings, "PRIVATE_UPLOAD_MAX_REQUEST_BYTES", 5 * settings.PRIVATE_UPLOAD_MAX_BYTES + 2**20)
    assert megabytes * 2**20 >= request_limit
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in config
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in config
