"""Confirming a new IBAN with the second factor: the step of the Profil's bank change
(members.profile) that needs accounts' devices and throttled code check. The change
itself (its states, audit row and e-mail) stays members' business."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.models import Device

from accounts.services import CodeCheck, second_factor_check
from members.models import BankChangeStatus, BankDetailsChange
from members.profile import bank_change_submit


@transaction.atomic
def bank_change_confirm(*, change: BankDetailsChange, actor: User, device: Device, code: str) -> CodeCheck:
    """Step 2 of a bank change: a fresh code of the member's second factor (throttled as
    at login). Passed, the change waits for a gestionnaire (``bank_change_submit``)."""
    change = BankDetailsChange.objects.select_for_update().get(pk=change.pk)
    # Checked before the code, so a code is not spent on a change that cannot move.
    if change.status != BankChangeStatus.AWAITING_SECOND_FACTOR:
        raise ValidationError("Cette demande a déjà été confirmée ou annulée.")
    check = second_factor_check(user=actor, device=device, code=code)
    if check.ok:
        bank_change_submit(change=change, actor=actor)
    return check
