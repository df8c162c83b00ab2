"""Activation links, second-factor devices, trusted browsers and the throttles around them.

Every secret the portal hands out (activation link, e-mail code, recovery code, trusted
browser token) is stored only as a keyed hash (``core.tokens.secret_hash``: HMAC-SHA256 with the SECRET_KEY), so a
copy of the database alone gives nothing usable. django-otp's own devices keep their
secrets in clear, which is why all three devices below are our own ``Device`` subclasses.
A TOTP seed must stay readable to compute codes: it is encrypted under keys of its own
(``accounts.encryption``) instead of hashed.
"""

from __future__ import annotations

import logging
import secrets
import time
from base64 import b32encode
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp.models import Device, TimestampMixin
from django_otp.oath import TOTP

from accounts.encryption import SeedUnreadable, new_encrypted_seed, seed_decrypt, seed_encrypt
from core.tokens import secret_hash

logger = logging.getLogger(__name__)

EMAIL_CODE_DIGITS = 6
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or copied by hand
RECOVERY_CODE_LENGTH = 10


def normalize_code(value: str) -> str:
    return "".join(ch for ch in (value or "").lower() if ch.isalnum())


class EmailCodeDevice(TimestampMixin, Device):
    """Second factor by e-mail: a 6-digit code valid ``ACCOUNTS_EMAIL_CODE_MINUTES``,
    single use, sent to the account's e-mail address."""

    code_hash = models.CharField(max_length=64, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "code par e-mail"
        verbose_name_plural = "codes par e-mail"

    @property
    def email_address(self) -> str:
        return self.user.email

    @property
    def masked_email(self) -> str:
        """c***@example.fr: enough to recognise the address, not to learn it."""
        local, _, domain = self.email_address.partition("@")
        return f"{local[:1]}***@{domain}"

    def _hash(self, code: str) -> str:
        return secret_hash("email-code", f"{self.pk}:{code}")

    def issue_code(self) -> str:
        """A new code replaces the previous one; only its hash is kept."""
        code = f"{secrets.randbelow(10**EMAIL_CODE_DIGITS):0{EMAIL_CODE_DIGITS}d}"
        now = timezone.now()
        self.code_hash = self._hash(code)
        self.sent_at = now
        self.valid_until = now + timedelta(minutes=settings.ACCOUNTS_EMAIL_CODE_MINUTES)
        self.save(update_fields=["code_hash", "sent_at", "valid_until"])
        return code

    def has_pending_code(self) -> bool:
        return bool(self.code_hash and self.valid_until and timezone.now() <= self.valid_until)

    def verify_token(self, token: str) -> bool:
        code = normalize_code(str(token))
        if not self.has_pending_code() or not constant_time_compare(self._hash(code), self.code_hash):
            return False
        # Single use: the hash is wiped at once, so the same code cannot be accepted twice.
        self.code_hash = ""
        self.valid_until = None
        self.set_last_used_timestamp(commit=False)  # type: ignore[no-untyped-call]  # django-otp is unannotated
        self.save()
        return True

    def generate_challenge(self) -> str:
        from accounts.services import login_code_send

        login_code_send(device=self)
        return "Code envoyé par e-mail"


class TOTPDevice(TimestampMixin, Device):
    """Second factor by an authenticator app (RFC 6238 codes). django-otp's ``TOTPDevice``
    with its seed encrypted at rest; the same fields otherwise, and the same checks:
    ``tolerance`` steps either side, ``drift`` learnt from the app's clock, and ``last_t``,
    which refuses a code already used (or an older one). Wrong codes are counted per
    account by ``SecondFactorThrottle``, not here."""

    encrypted_key = models.TextField("secret (chiffré)", default=new_encrypted_seed, editable=False)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta:
        verbose_name = "application d'authentification"
        verbose_name_plural = "applications d'authentification"

    @property
    def bin_key(self) -> bytes:
        """The seed, decrypted (raises SeedUnreadable if no configured key opens it)."""
        return seed_decrypt(self.encrypted_key)

    def set_seed(self, seed: bytes) -> None:
        self.encrypted_key = seed_encrypt(seed)

    def verify_token(self, token: str | int) -> bool:
        try:
            token = int(token)
            key = self.bin_key
        except (TypeError, ValueError):
            return False
        except SeedUnreadable:
            # Never a code in clear nor a seed in the log; the member can still use another factor.
            logger.error("TOTP device %s: no key of TOTP_ENCRYPTION_KEYS decrypts its seed", self.pk)
            return False
        totp = TOTP(key, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        if not totp.verify(token, self.tolerance, self.last_t + 1):
            return False
        self.last_t = totp.t()
        if getattr(settings, "OTP_TOTP_SYNC", True):
            self.drift = totp.drift
        self.set_last_used_timestamp(commit=False)  # type: ignore[no-untyped-call]  # django-otp is unannotated
        # Never the key: a key rotation running meanwhile must not be undone.
        self.save(update_fields=["last_t", "drift", "last_used_at"])
        return True

    @property
    def config_url(self) -> str:
        """The otpauth:// URL of the QR code shown once, at enrolment (Key Uri Format)."""
        label = self.user.get_username()
        params = urlencode(
            {"secret": b32encode(self.bin_key), "algorithm": "SHA1", "digits": self.digits, "period": self.step}
        )
        issuer = (settings.OTP_TOTP_ISSUER or "").replace(":", "")
        if issuer:
            label = f"{issuer}:{label}"
            params += f"&issuer={quote(issuer)}"
        return f"otpauth://totp/{quote(label)}?{params}"


class RecoveryCodeDevice(TimestampMixin, Device):
    """One-time recovery codes (codes de secours), issued at enrolment and regenerable."""

    class Meta:
        verbose_name = "jeu de codes de secours"
        verbose_name_plural = "jeux de codes de secours"

    def hash_code(self, code: str) -> str:
        return secret_hash("recovery-code", f"{self.pk}:{normalize_code(code)}")

    def replace_codes(self, count: int) -> list[str]:
        self.codes.all().delete()
        plain = [
            "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH)) for _ in range(count)
        ]
        RecoveryCode.objects.bulk_create([RecoveryCode(device=self, code_hash=self.hash_code(code)) for code in plain])
        return [f"{code[:5]}-{code[5:]}" for code in plain]

    def verify_token(self, token: str) -> bool:
        match = self.codes.filter(code_hash=self.hash_code(str(token))).first()
        if match is None:
            return False
        match.delete()  # single use
        self.set_last_used_timestamp(commit=True)  # type: ignore[no-untyped-call]  # django-otp is unannotated
        return True


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = "code de secours"
        verbose_name_plural = "codes de secours"

    def __str__(self) -> str:
        return "code de secours (haché)"


class SecondFactorThrottle(models.Model):
    """Wrong second-factor codes per account: after ``ACCOUNTS_OTP_FAILURE_LIMIT`` the
    step is locked for ``ACCOUNTS_OTP_LOCK_MINUTES``. Per account rather than per IP: at
    this step the password is already known, so rotating addresses must not help."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="second_factor_throttle"
    )
    failures = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "blocage de la double authentification"
        verbose_name_plural = "blocages de la double authentification"

    def __str__(self) -> str:
        return f"{self.user}: {self.failures} échec(s)"

    def is_locked(self) -> bool:
        return bool(self.locked_until and timezone.now() < self.locked_until)


class TrustedBrowser(models.Model):
    """A browser where the member chose "Faire confiance à ce navigateur". The browser
    holds a signed cookie with a random token; only the token's hash is stored here."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trusted_browsers")
    token_hash = models.CharField(max_length=64, unique=True)
    device_id = models.CharField("facteur utilisé", max_length=120)
    browser = models.CharField("navigateur", max_length=60)
    system = models.CharField("système", max_length=60)
    created_at = models.DateTimeField("première utilisation", default=timezone.now)
    last_used_at = models.DateTimeField("dernière utilisation", default=timezone.now)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    # The member guide: the code is asked again on a new network (box, wifi). A keyed hash
    # of the network prefix (core.client_ip.network_prefix), never the address itself.
    network_hash = models.CharField("réseau (empreinte)", max_length=64, blank=True)

    class Meta:
        verbose_name = "navigateur de confiance"
        verbose_name_plural = "navigateurs de confiance"
        ordering = ["-last_used_at"]

    def __str__(self) -> str:
        return f"{self.browser} sur {self.system}"

    @property
    def expires_at(self) -> datetime:
        return self.last_used_at + timedelta(days=settings.ACCOUNTS_TRUSTED_BROWSER_DAYS)

    def is_active(self) -> bool:
        return self.revoked_at is None and timezone.now() < self.expires_at


class ActivationLink(models.Model):
    """The e-mailed link of a first connection: random, single use, 24 hours."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="activation_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "lien d'activation"
        verbose_name_plural = "liens d'activation"

    def __str__(self) -> str:
        return f"lien d'activation du {self.created_at:%d/%m/%Y %H:%M}"


class ActivationAttempt(models.Model):
    """One first-connection request, counted per member number and per IP address
    (both stored hashed). In the database rather than a local-memory cache so that the
    limit holds across gunicorn workers without needing Redis."""

    class Scope(models.TextChoices):
        NUMBER = "number", "numéro d'adhérent"
        IP = "ip", "adresse IP"

    scope = models.CharField(max_length=8, choices=Scope.choices)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["scope", "key_hash", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.created_at:%d/%m/%Y %H:%M}"
