"""The member's alerts on the home page: "un nouveau remboursement", and the guide's
"message d'alerte vous concernant ou concernant l'un de vos bénéficiaires".

Alerts are derived from the current state (nothing to keep in sync). Each app contributes
its own (``<app>/alerts.py``, core.alerts): members the portability and NOEMIE ones,
claims the devis, late and recent reimbursements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from core.alerts import Alert
from core.registry import app_modules
from members.models import Beneficiary, Member

__all__ = ["Alert", "alerts_for"]


def alerts_for(
    member: Member, today: dt.date | None = None, *, people: Sequence[Beneficiary] | None = None
) -> list[Alert]:
    """The alerts of ``member`` on ``today``; ``people``, the household when already loaded."""
    today = today or timezone.localdate()
    if people is None:
        people = list(member.beneficiaries.all())
    alerts: list[Alert] = []
    for module in app_modules("alerts"):
        # core.alerts (the type) and this module share the name and contribute nothing.
        if hasattr(module, "member_alerts"):
            alerts.extend(module.member_alerts(member, today, people=people))
    return alerts
