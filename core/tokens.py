"""The portal's secret tokens (activation and e-mail confirmation links, e-mailed and
recovery codes, trusted browsers): random when handed out, stored only as a keyed hash
(HMAC-SHA256 with the SECRET_KEY), so a copy of the database alone gives nothing usable."""

from __future__ import annotations

import secrets

from django.utils.crypto import salted_hmac


def secret_hash(purpose: str, value: str) -> str:
    """Keyed hash of a secret: a database dump alone cannot be used to guess or replay it."""
    # The "accounts." prefix of the salt predates this module: changing it would void
    # every hash already stored (pending links, codes, trusted browsers).
    return salted_hmac(f"accounts.{purpose}", value, algorithm="sha256").hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)
