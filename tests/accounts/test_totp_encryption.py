"""TOTP seeds are encrypted at rest with keys of their own; apps keep working, and keys
rotate without locking anyone out."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from base64 import b32decode, b32encode
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django_otp.oath import totp

from accounts import services
from accounts.encryption import SeedUnreadable, check_keys
from accounts.models import TOTPDevice, TrustedBrowser
from tests.accounts.helpers import SECOND_FACTOR_URL
from tests.factories import PASSWORD

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def app_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows after scanning the enrolment QR code."""
    secret = parse_qs(urlsplit(device.config_url).query)["secret"][0]
    return f"{totp(b32decode(secret), step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrolled_app(user) -> TOTPDevice:
    device = services.totp_device_enrol_start(user=user)
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    device.refresh_from_db()
    return device


def stored_row(device) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_totpdevice WHERE id = %s", [device.pk])
        return " ".join(str(value) for value in cursor.fetchone())


def log_in_with_the_app(client, user, code: str):
    assert client.post("/compte/login/", {"login": user.username, "password": PASSWORD}).status_code == 302
    return client.post(SECOND_FACTOR_URL, {"methode": "application", "code": code})


def test_the_database_row_never_holds_the_seed_in_clear(alice):
    device = enrolled_app(alice.user)
    seed = device.bin_key
    assert len(seed) == 20
    row = stored_row(device)
    for clear in (seed.hex(), seed.hex().upper(), b32encode(seed).decode(), b32encode(seed).decode().rstrip("=")):
        assert clear not in row
    assert device.encrypted_key in row


def test_a_seed_is_unreadable_without_its_key(alice, settings):
    device = enrolled_app(alice.user)
    settings.TOTP_ENCRYPTION_KEYS = [NEW_KEY]
    device.refresh_from_db()
    with pytest.raises(SeedUnreadable):
        device.bin_key  # noqa: B018
    # The member is refused (and can use another factor), the server does not fail.
    assert device.verify_token("123456") is False


def test_the_app_scanned_at_enrolment_logs_the_member_in_once_per_code(client, alice):
    device = enrolled_app(alice.user)
    code = app_code(device)
    response = log_in_with_the_app(client, alice.user, code)
    assert response.status_code == 302 and client.get("/").status_code == 200
    client.logout()
    # The same code a second time is a replay.
    response = log_in_with_the_app(client, alice.user, code)
    assert response.status_code == 200 and "Code incorrect" in response.content.decode()


def test_rotation_re_encrypts_every_seed_and_keeps_apps_working(client, alice, bob, settings):
    settings.TOTP_ENCRYPTION_KEYS = [OLD_KEY]
    devices = [enrolled_app(alice.user), enrolled_app(bob.user)]
    seeds = [device.bin_key for device in devices]
    before = [device.encrypted_key for device in devices]

    settings.TOTP_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("rotate_totp_keys", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.TOTP_ENCRYPTION_KEYS = [NEW_KEY]  # the old key is gone

    for device, seed, old_token in zip(devices, seeds, before, strict=True):
        device.refresh_from_db()
        assert device.encrypted_key != old_token and device.bin_key == seed
    response = log_in_with_the_app(client, alice.user, app_code(devices[0]))
    assert response.status_code == 302


def test_rotation_names_the_seeds_no_key_opens_and_leaves_them_alone(alice, settings):
    settings.TOTP_ENCRYPTION_KEYS = [OLD_KEY]
    device = enrolled_app(alice.user)
    settings.TOTP_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(CommandError, match=f"devices {device.pk}"):
        call_command("rotate_totp_keys", stdout=open(os.devnull, "w"))  # noqa: SIM115
    token = device.encrypted_key
    device.refresh_from_db()
    assert device.encrypted_key == token


def test_a_malformed_key_is_reported_by_the_system_check(settings):
    settings.TOTP_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    errors = check_keys(None)
    assert [error.id for error in errors] == ["accounts.E001"]
    assert "not-a-fernet-key" not in errors[0].msg


def test_production_refuses_to_start_without_the_keys(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "assure.example.fr",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and "TOTP_ENCRYPTION_KEYS" in result.stderr


def test_the_migration_encrypts_django_otps_seeds_and_keeps_trusted_browsers(alice):
    """A database from before: django-otp's table with a seed in clear and a browser
    trusted after a code of that device."""
    migration = importlib.import_module("accounts.migrations.0002_totp_device_encrypted")
    seed = bytes(range(20))
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE otp_totp_totpdevice (id integer PRIMARY KEY, user_id integer, name varchar(64), "
            "confirmed boolean, key varchar(80), step smallint, t0 bigint, digits smallint, tolerance smallint, "
            "drift smallint, last_t bigint, throttling_failure_timestamp timestamp with time zone NULL, "
            "throttling_failure_count integer, created_at timestamp with time zone NULL, "
            "last_used_at timestamp with time zone NULL)"
        )
        cursor.execute(
            "INSERT INTO otp_totp_totpdevice VALUES (7, %s, 'app', %s, %s, 30, 0, 6, 1, 0, 41, NULL, 0, "
            "'2025-03-01 08:00:00+00:00', NULL)",
            [alice.user.pk, True, seed.hex()],
        )
    browser = TrustedBrowser.objects.create(
        user=alice.user, token_hash="h" * 64, device_id="otp_totp.totpdevice/7", browser="Firefox", system="Linux"
    )
    try:
        # The step reads and writes through the schema editor's connection only.
        migration.move_seeds_from_django_otp(apps, SimpleNamespace(connection=connection))
        device = TOTPDevice.objects.get(user=alice.user)
        assert device.bin_key == seed and device.confirmed and device.last_t == 41
        assert device.created_at.isoformat().startswith("2025-03-01T08:00:00")
        assert seed.hex() not in stored_row(device)
        browser.refresh_from_db()
        assert browser.device_id == device.persistent_id
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM otp_totp_totpdevice")
            assert cursor.fetchone()[0] == 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE otp_totp_totpdevice")
