"""Writes of the accounts app: first connection, second-factor enrolment and checks,
trusted browsers, and what follows a password change."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp.models import Device

from accounts import emails, selectors
from accounts.encryption import SeedUnreadable, seed_reencrypt
from accounts.models import (
    ActivationAttempt,
    ActivationLink,
    EmailCodeDevice,
    RecoveryCodeDevice,
    SecondFactorThrottle,
    TOTPDevice,
    TrustedBrowser,
)
from accounts.useragent import describe
from core.client_ip import network_prefix
from core.tokens import new_token, secret_hash
from members.models import Beneficiary, Member, MemberStatus, Relationship
from members.services import audit_record
from members.validators import normalize_nir

EMAIL_FACTOR_LABEL = "code par e-mail"
TOTP_FACTOR_LABEL = "application d'authentification"
RECOVERY_FACTOR_LABEL = "codes de secours"
RESEND_COOLDOWN = timedelta(seconds=60)
SECOND_FACTOR_AUDIT_FIELD = "double authentification"


def _audit(*, user: User, action: str, field: str, new: str = "") -> None:
    """Account security events join the member's audit trail (staff accounts have none)."""
    member = getattr(user, "member", None)
    if member is not None:
        audit_record(actor=user, member=member, action=action, field=field, new=new)


logger = logging.getLogger(__name__)


# --- first connection ---------------------------------------------------------------


@dataclass(frozen=True)
class ActivationOutcome:
    """``checked``: the one answer of a first-connection request ("if it matches, we wrote
    to you"), whatever the member's situation or whether the number exists at all."""

    kind: str  # checked | throttled
    retry_minutes: int = 0


class ActivationError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # invalid | expired | used | terminated


def _activation_throttled(*, number: str, ip: str) -> int:
    """Record this attempt; return the minutes to wait if a limit is exceeded, else 0."""
    now = timezone.now()
    longest = max(minutes for _, minutes in settings.ACCOUNTS_ACTIVATION_LIMITS.values())
    ActivationAttempt.objects.filter(created_at__lt=now - timedelta(minutes=longest)).delete()
    wait = 0
    for scope, value in ((ActivationAttempt.Scope.NUMBER, number), (ActivationAttempt.Scope.IP, ip)):
        count, minutes = settings.ACCOUNTS_ACTIVATION_LIMITS[scope.value]
        key = secret_hash(f"activation-{scope.value}", value)
        ActivationAttempt.objects.create(scope=scope, key_hash=key, created_at=now)
        recent = ActivationAttempt.objects.filter(
            scope=scope, key_hash=key, created_at__gte=now - timedelta(minutes=minutes)
        ).order_by("created_at")
        total = recent.count()
        if total > count:
            # The next request is allowed once enough of these attempts leave the window.
            freeing = recent.values_list("created_at", flat=True)[total - count]
            wait = max(wait, int((freeing + timedelta(minutes=minutes) - now).total_seconds() // 60) + 1)
    return wait


@transaction.atomic
def activation_request(*, number: str, birth_date: dt.date, nir: str, ip: str) -> ActivationOutcome:
    """A member proves who they are (number, birth date, NIR); the e-mail that follows is
    sent by a task (``activation_email_send``), so the answer never waits for SMTP and is
    the same page for everyone. Its time does not tell whether a number exists: the same
    queries for any number (the throttle's, then one lookup) and constant-time
    comparisons. Only a full match adds work, handing the member's id (no identity data)
    to the broker after commit, about a millisecond; whoever sees it knew all three."""
    number = "".join(number.split())
    wait = _activation_throttled(number=number, ip=ip)
    if wait:
        return ActivationOutcome("throttled", retry_minutes=wait)

    holder = (
        Beneficiary.objects.filter(member__number=number, relationship=Relationship.MEMBER)
        .only("birth_date", "nir", "member_id")
        .first()
    )
    expected_birth = holder.birth_date.isoformat() if holder else "0000-00-00"
    expected_nir = holder.nir if holder and holder.nir else "#" * 15
    birth_ok = constant_time_compare(birth_date.isoformat(), expected_birth)
    nir_ok = constant_time_compare(normalize_nir(nir), expected_nir)
    if holder is not None and birth_ok and nir_ok:
        transaction.on_commit(partial(_activation_email_publish, holder.member_id), robust=True)
    return ActivationOutcome("checked")


def _activation_email_publish(member_id: int) -> None:
    """Bounded by the broker timeouts of the settings; if the broker is down the member
    gets no e-mail and asks again (nothing was written)."""
    from kombu.exceptions import OperationalError

    from accounts.tasks import send_activation_email

    try:
        send_activation_email.apply_async(args=(member_id,), retry=False)
    except (OperationalError, OSError) as error:
        logger.warning("Broker unreachable, first-connection e-mail of member %s not sent: %s", member_id, error)


@transaction.atomic
def activation_email_send(*, member_id: int) -> str:
    """The e-mail a matched first-connection request gets, chosen when it is sent: the
    single-use link, "already activated", or "adhésion terminée" with the organisme's
    contact. A member without an address on file gets nothing (the answer page gives
    everyone the phone numbers). Returns what was sent."""
    member = Member.objects.select_related("contract__organisme").filter(pk=member_id).first()
    if member is None or not member.email:
        return "nothing"
    if member.status == MemberStatus.TERMINATED:
        emails.send_activation_terminated(member=member, contact=selectors.organisme_contact(member))
        return "terminated"
    if member.user_id:
        emails.send_already_active(member=member)
        return "already_active"
    token = new_token()
    now = timezone.now()
    ActivationLink.objects.create(
        member=member,
        token_hash=secret_hash("activation", token),
        created_at=now,
        expires_at=now + timedelta(hours=settings.ACCOUNTS_ACTIVATION_LINK_HOURS),
    )
    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("accounts:activation_link", args=[token])
    emails.send_activation_link(member=member, url=url)
    return "link"


def activation_link_get(*, token: str, for_update: bool = False) -> ActivationLink:
    """The link behind ``token`` if it can still activate an account, else ActivationError."""
    links = ActivationLink.objects.select_related("member")
    if for_update:
        links = links.select_for_update()
    link = links.filter(token_hash=secret_hash("activation", token or "")).first()
    if link is None:
        raise ActivationError("invalid")
    if link.used_at is not None or link.member.user_id is not None:
        raise ActivationError("used")
    if link.member.status == MemberStatus.TERMINATED:
        raise ActivationError("terminated")
    if timezone.now() >= link.expires_at:
        raise ActivationError("expired")
    return link


@transaction.atomic
def account_activate(*, token: str, password: str) -> User:
    """Create the member's login (username = member number) with their password. Every
    link of the member becomes unusable: a link never outlives the activation."""
    link = activation_link_get(token=token, for_update=True)
    member = link.member
    holder = member.holder
    first_name, last_name = (holder.first_name, holder.last_name) if holder else ("", "")
    User = get_user_model()
    user = User(username=member.number, email=member.email, first_name=first_name, last_name=last_name)
    password_validation.validate_password(password, user=user)
    if User.objects.filter(username__iexact=member.number).exists():
        raise ActivationError("used")
    user.set_password(password)
    user.full_clean()
    user.save()
    # The link reached this address: it is verified, so allauth can log in and reset by it.
    EmailAddress.objects.create(user=user, email=member.email, verified=True, primary=True)
    member.user = user
    member.save(update_fields=["user"])
    ActivationLink.objects.filter(member=member, used_at__isnull=True).update(used_at=timezone.now())
    return user


# --- second factor: codes -----------------------------------------------------------


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    attempts_left: int = 0
    locked_until: dt.datetime | None = None


def email_code_send(*, device: EmailCodeDevice, purpose: str, **context: str) -> bool:
    """E-mail a new code worded for ``purpose`` (login, enrol, reauth, bank: see
    accounts.emails.CODE_EMAILS); the previous code stops working. False during the cooldown."""
    if device.sent_at and timezone.now() - device.sent_at < RESEND_COOLDOWN and device.has_pending_code():
        return False
    code = device.issue_code()
    emails.send_code(user=device.user, to=device.email_address, code=code, purpose=purpose, **context)
    return True


def login_code_send(*, device: EmailCodeDevice) -> bool:
    return email_code_send(device=device, purpose="login")


def _throttle_open(user: User) -> tuple[SecondFactorThrottle, CodeCheck | None]:
    """The account's locked throttle row, and the refusal to return if it is locked."""
    throttle, _ = SecondFactorThrottle.objects.select_for_update().get_or_create(user=user)
    if throttle.is_locked():
        return throttle, CodeCheck(False, locked_until=throttle.locked_until)
    if throttle.locked_until is not None:  # a lock that has run out starts a fresh count
        throttle.locked_until = None
        throttle.failures = 0
    return throttle, None


def _throttle_passed(throttle: SecondFactorThrottle) -> CodeCheck:
    throttle.failures = 0
    throttle.save()
    return CodeCheck(True)


def _throttle_failed(throttle: SecondFactorThrottle) -> CodeCheck:
    throttle.failures += 1
    limit = settings.ACCOUNTS_OTP_FAILURE_LIMIT
    if throttle.failures >= limit:
        throttle.locked_until = timezone.now() + timedelta(minutes=settings.ACCOUNTS_OTP_LOCK_MINUTES)
        throttle.failures = 0
        throttle.save()
        return CodeCheck(False, locked_until=throttle.locked_until)
    throttle.save()
    return CodeCheck(False, attempts_left=limit - throttle.failures)


def _device_verify(*, user: User, device: Device, code: str) -> bool:
    # Locked row: two concurrent requests cannot both consume the same code.
    device = type(device).objects.select_for_update().get(pk=device.pk, user=user)
    return bool(device.verify_token(code))


@transaction.atomic
def second_factor_check(*, user: User, device: Device, code: str) -> CodeCheck:
    """Check a code against one of the user's devices, counting failures: after
    ACCOUNTS_OTP_FAILURE_LIMIT wrong codes the step is locked for ACCOUNTS_OTP_LOCK_MINUTES."""
    throttle, refused = _throttle_open(user)
    if refused:
        return refused
    if _device_verify(user=user, device=device, code=code):
        return _throttle_passed(throttle)
    return _throttle_failed(throttle)


@transaction.atomic
def reauthentication_check(*, user: User, password: str, device: Device, code: str) -> CodeCheck:
    """The password and a fresh second-factor code, typed together before a sensitive
    change (core.reauth). A wrong password or code counts toward the same per-account
    lock as the login's second factor: a stolen session cannot guess either."""
    throttle, refused = _throttle_open(user)
    if refused:
        return refused
    # The password first: a wrong one leaves the e-mailed code unspent, to be typed again.
    if not user.check_password(password):
        return _throttle_failed(throttle)
    if not _device_verify(user=user, device=device, code=code):
        return _throttle_failed(throttle)
    return _throttle_passed(throttle)


# --- second factor: enrolment -------------------------------------------------------


def factor_label(device: Device) -> str:
    if isinstance(device, EmailCodeDevice):
        return EMAIL_FACTOR_LABEL
    if isinstance(device, TOTPDevice):
        return TOTP_FACTOR_LABEL
    return RECOVERY_FACTOR_LABEL


@transaction.atomic
def email_device_enrol_start(*, user: User) -> EmailCodeDevice:
    """An unconfirmed e-mail device for the account's address, and a code to confirm it."""
    if not user.email:
        raise ValidationError("Aucune adresse e-mail n'est enregistrée pour votre compte.")
    if EmailCodeDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError("Le code par e-mail est déjà activé sur votre compte.")
    device = EmailCodeDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = EmailCodeDevice.objects.create(user=user, name=EMAIL_FACTOR_LABEL, confirmed=False)
    email_code_send(device=device, purpose="enrol")
    return device


@transaction.atomic
def totp_device_enrol_start(*, user: User) -> TOTPDevice:
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError("Une application d'authentification est déjà associée à votre compte.")
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_FACTOR_LABEL, confirmed=False)


@dataclass(frozen=True)
class Enrolment:
    check: CodeCheck
    recovery_codes: list[str] = field(default_factory=list)


@transaction.atomic
def device_enrol_confirm(*, user: User, device: Device, code: str) -> Enrolment:
    """Confirm a new device with a code it produced. The first factor of an account also
    issues its recovery codes."""
    check = second_factor_check(user=user, device=device, code=code)
    if not check.ok:
        return Enrolment(check)
    first = not selectors.has_second_factor(user)
    type(device).objects.filter(pk=device.pk).update(confirmed=True)
    device.confirmed = True
    codes = recovery_codes_regenerate(user=user, notify=False) if first else []
    _audit(
        user=user,
        action="ajout d'une méthode de double authentification",
        field=SECOND_FACTOR_AUDIT_FIELD,
        new=factor_label(device),
    )
    emails.send_factor_added(user=user, label=factor_label(device))
    return Enrolment(check, codes)


@transaction.atomic
def recovery_codes_regenerate(*, user: User, notify: bool = True) -> list[str]:
    """New recovery codes; the previous ones stop working. Returned once, stored hashed."""
    device, _ = RecoveryCodeDevice.objects.get_or_create(user=user, defaults={"name": RECOVERY_FACTOR_LABEL})
    codes = device.replace_codes(settings.ACCOUNTS_RECOVERY_CODES)
    if notify:
        _audit(
            user=user, action="nouveaux codes de secours", field=SECOND_FACTOR_AUDIT_FIELD, new=RECOVERY_FACTOR_LABEL
        )
        emails.send_factor_added(user=user, label="nouveaux " + RECOVERY_FACTOR_LABEL)
    return codes


@transaction.atomic
def factor_remove(*, user: User, device: Device) -> None:
    """Remove a factor; the last one used to log in every day cannot be removed."""
    devices = selectors.user_devices(user)
    if isinstance(device, (EmailCodeDevice, TOTPDevice)) and len(devices.primary) <= 1:
        raise ValidationError(
            "C'est votre seule méthode de double authentification : ajoutez-en une autre avant de la retirer."
        )
    label = factor_label(device)
    TrustedBrowser.objects.filter(user=user, device_id=device.persistent_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    device.delete()
    _audit(
        user=user, action="retrait d'une méthode de double authentification", field=SECOND_FACTOR_AUDIT_FIELD, new=label
    )
    emails.send_factor_removed(user=user, label=label)


# --- trusted browsers ---------------------------------------------------------------


def network_fingerprint(address: str) -> str:
    """A keyed hash (HMAC with SECRET_KEY) of the network ``address`` belongs to: enough
    to notice a new network, useless to find where the member connects from."""
    return salted_hmac("accounts.trusted-network", network_prefix(address), algorithm="sha256").hexdigest()


@transaction.atomic
def trusted_browser_create(
    *, user: User, device: Device, user_agent: str, network: str = ""
) -> tuple[TrustedBrowser, str]:
    """Remember this browser on this network (``network``: network_fingerprint); returns
    the record and the token for its cookie (only its hash is kept)."""
    token = new_token()
    browser, system = describe(user_agent)
    record = TrustedBrowser.objects.create(
        user=user,
        token_hash=secret_hash("trusted-browser", token),
        device_id=device.persistent_id,
        browser=browser,
        system=system,
        network_hash=network,
    )
    emails.send_trusted_browser_added(user=user, browser=record)
    return record, token


def _trusted_record(user: User, token: str, *, for_update: bool = False) -> TrustedBrowser | None:
    records = TrustedBrowser.objects.select_for_update() if for_update else TrustedBrowser.objects
    return records.filter(user=user, token_hash=secret_hash("trusted-browser", token)).first()


@transaction.atomic
def trusted_browser_use(*, user: User, token: str, network: str = "") -> tuple[TrustedBrowser, Device] | None:
    """The record and the device that verified it, if ``token`` still lets this browser
    skip the second factor on ``network``; its last use becomes now (90 days from each
    login). On another network than the one it was trusted on, the code is asked again."""
    record = _trusted_record(user, token, for_update=True)
    if record is None or not record.is_active():
        return None
    if record.network_hash and network and not constant_time_compare(record.network_hash, network):
        return None
    device = Device.from_persistent_id(record.device_id)
    if device is None or device.user_id != user.pk or not device.confirmed:
        return None
    record.last_used_at = timezone.now()
    # A browser trusted before networks were noted adopts the one it is used on.
    record.network_hash = record.network_hash or network
    record.save(update_fields=["last_used_at", "network_hash"])
    return record, device


def trusted_browser_network_changed(*, user: User, token: str, network: str) -> bool:
    """Is this a trusted browser that only lacks its network? (The code page says why it is
    asked.)"""
    record = _trusted_record(user, token)
    return bool(
        record is not None
        and record.is_active()
        and record.network_hash
        and not constant_time_compare(record.network_hash, network)
    )


@transaction.atomic
def trusted_browser_renew(*, user: User, token: str, network: str) -> TrustedBrowser | None:
    """The code typed again on a browser already trusted (a new network): the same record
    now trusts this network, rather than a second record for the same browser."""
    record = _trusted_record(user, token, for_update=True)
    if record is None or not record.is_active():
        return None
    record.network_hash, record.last_used_at = network, timezone.now()
    record.save(update_fields=["network_hash", "last_used_at"])
    return record


@transaction.atomic
def trusted_browser_forget(*, user: User, token: str) -> int:
    """The "ordinateur partagé" choice: this browser is no longer trusted, if it was."""
    return TrustedBrowser.objects.filter(
        user=user, token_hash=secret_hash("trusted-browser", token), revoked_at__isnull=True
    ).update(revoked_at=timezone.now())


@transaction.atomic
def trusted_browser_revoke(*, user: User, pk: int) -> int:
    return TrustedBrowser.objects.filter(user=user, pk=pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def trusted_browsers_revoke_all(*, user: User) -> int:
    return TrustedBrowser.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def password_changed_after(*, user: User, reset: bool = False) -> None:
    """A new password forgets every trusted browser, is audited and tells the member.
    Other sessions end by themselves: Django ties each session to a hash of the password."""
    trusted_browsers_revoke_all(user=user)
    _audit(
        user=user,
        action="réinitialisation du mot de passe" if reset else "changement du mot de passe",
        field="mot de passe",
    )
    if user.email:
        emails.send_password_changed(user=user)


# --- TOTP seeds at rest -------------------------------------------------------------


@dataclass(frozen=True)
class SeedRotation:
    reencrypted: int
    unreadable: list[int]  # device ids no configured key decrypts, left unchanged


def totp_seeds_reencrypt() -> SeedRotation:
    """Encrypt every TOTP seed with the first key of TOTP_ENCRYPTION_KEYS (once a new key
    was put first). One short update per device rather than one long transaction: logins
    go on meanwhile, and a code check never writes the seed back (TOTPDevice.verify_token)."""
    done, unreadable = 0, []
    for pk, token in TOTPDevice.objects.order_by("pk").values_list("pk", "encrypted_key").iterator():
        try:
            fresh = seed_reencrypt(token)
        except SeedUnreadable:
            unreadable.append(pk)
            continue
        done += TOTPDevice.objects.filter(pk=pk, encrypted_key=token).update(encrypted_key=fresh)
    return SeedRotation(done, unreadable)
