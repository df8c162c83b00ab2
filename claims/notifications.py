"""E-mail alerts about reimbursements, through the portal's one notification path."""

from __future__ import annotations

from django.urls import reverse

from claims.models import Decompte
from core.money import euros
from notifications.models import NotificationKind
from notifications.services import notifications_enqueue_many


def decompte_paid_notifications(decomptes: list[Decompte]) -> None:
    """ "Un nouveau remboursement est disponible": amount, date and a link; no act, no
    practitioner, no beneficiary in the e-mail (health data stays in the portal). A
    décompte paid to the professional (tiers payant) says so, without naming them: the
    member should not look for the amount on her account; the portal names the payee."""
    notifications_enqueue_many(
        [
            {
                "member": decompte.member,
                "kind": NotificationKind.DECOMPTE,
                "key": f"decompte:{decompte.external_id}",
                "template": "decompte-new",
                "context": {
                    "amount": euros(decompte.total_complementary),
                    "payment_date": f"{decompte.payment_date:%d/%m/%Y}",
                    "third_party": decompte.payee == Decompte.Payee.PROFESSIONAL,
                    "path": reverse("claims:detail", args=[decompte.pk]),
                },
            }
            for decompte in decomptes
        ]
    )
