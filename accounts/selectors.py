"""Reads: a user's second-factor devices, trusted browsers and lock state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import EmailCodeDevice, RecoveryCodeDevice, SecondFactorThrottle, TOTPDevice, TrustedBrowser
from members.models import Contract


class _HasContract(Protocol):
    """A member, or anything that carries a contract the way a member does."""

    @property
    def contract(self) -> Contract: ...


@dataclass
class UserDevices:
    email: EmailCodeDevice | None
    totp: TOTPDevice | None
    recovery: RecoveryCodeDevice | None

    @property
    def primary(self) -> list[EmailCodeDevice | TOTPDevice]:
        """The factors a member can log in with every day (recovery codes are a fallback)."""
        return [d for d in (self.email, self.totp) if d is not None]

    @property
    def recovery_codes_left(self) -> int:
        return self.recovery.codes.count() if self.recovery else 0


def user_devices(user: User) -> UserDevices:
    return UserDevices(
        email=EmailCodeDevice.objects.filter(user=user, confirmed=True).first(),
        totp=TOTPDevice.objects.filter(user=user, confirmed=True).first(),
        recovery=RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first(),
    )


def has_second_factor(user: User) -> bool:
    return bool(user_devices(user).primary)


def second_factor_locked_until(user: User) -> datetime | None:
    throttle = SecondFactorThrottle.objects.filter(user=user).first()
    return throttle.locked_until if throttle is not None and throttle.is_locked() else None


def active_trusted_browsers(user: User) -> QuerySet[TrustedBrowser]:
    since = timezone.now() - timedelta(days=settings.ACCOUNTS_TRUSTED_BROWSER_DAYS)
    return TrustedBrowser.objects.filter(user=user, revoked_at__isnull=True, last_used_at__gt=since)


def organisme_contact(member: _HasContract) -> dict[str, str]:
    """How a member reaches the management centre: the contract's, else the organisme's."""
    contract = member.contract
    organisme = contract.organisme
    return {
        "name": contract.management_name or organisme.name,
        "phone": contract.management_phone or organisme.phone,
        "hours": contract.management_hours or organisme.phone_hours,
        "phone_note": organisme.phone_note,
        "address": contract.management_address or organisme.postal_address,
    }


def management_contacts() -> list[dict[str, Any]]:
    """Every management centre's phone, once each, with the contracts it manages: the
    first-connection answer shows them to everyone, as it cannot tell who is asking."""
    contacts: dict[str, dict[str, Any]] = {}
    for contract in Contract.objects.select_related("organisme").order_by("name"):
        contact = organisme_contact(SimpleNamespace(contract=contract))  # it reads only the member's contract
        entry = contacts.setdefault(contact["phone"], {**contact, "contracts": []})
        entry["contracts"].append(contract.name)
    return list(contacts.values())
