"""Encryption of the TOTP seeds at rest.

Every other secret of the accounts app is stored as a keyed hash; a TOTP seed cannot be,
since codes are computed from it. It is encrypted with Fernet (AES-128-CBC + HMAC-SHA256)
under keys of its own, ``TOTP_ENCRYPTION_KEYS``: a copy of the database, or a leak of
``SECRET_KEY``, gives no seed. The first key encrypts, every listed key decrypts, so keys
rotate without downtime: put a new key first, restart, run ``manage.py rotate_totp_keys``
(re-encrypts every seed with it), then drop the old key.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

SEED_BYTES = 20  # RFC 4226's recommended 160 bits, as django-otp's default


class SeedUnreadable(Exception):
    """No key of TOTP_ENCRYPTION_KEYS decrypts this seed (a key was dropped too early)."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("Set TOTP_ENCRYPTION_KEYS (comma-separated Fernet keys).")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        # The message never repeats the keys.
        raise ImproperlyConfigured(
            "TOTP_ENCRYPTION_KEYS: each key must be 32 url-safe base64-encoded bytes "
            '(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())").'
        ) from None


def _cipher() -> MultiFernet:
    return _fernet(tuple(settings.TOTP_ENCRYPTION_KEYS))


def seed_encrypt(seed: bytes) -> str:
    return _cipher().encrypt(seed).decode("ascii")


def seed_decrypt(token: str) -> bytes:
    try:
        return _cipher().decrypt(token.encode("ascii"))
    except InvalidToken:
        raise SeedUnreadable from None


def seed_reencrypt(token: str) -> str:
    """The same seed encrypted with the first key (``MultiFernet.rotate``)."""
    try:
        return _cipher().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise SeedUnreadable from None


def new_encrypted_seed() -> str:
    """A random seed, encrypted: the default of a new TOTP device."""
    return seed_encrypt(secrets.token_bytes(SEED_BYTES))


@checks.register(checks.Tags.security)
def check_keys(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``manage.py check`` (and every start) refuses keys that are not Fernet keys."""
    try:
        _cipher()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="accounts.E001")]
    return []
