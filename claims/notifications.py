"""E-mail alerts about reimbursements, through the portal's one notification path."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.urls import reverse

from claims.models import Decompte
from core.money import euros
from notifications.models import NotificationKind
from notifications.services import notifications_enqueue_many


class PaidDecompte(NamedTuple):
    """What the alert needs of a paid décompte: the importer writes new ones without
    building model instances."""

    pk: int
    member_id: int
    external_id: str
    total_complementary: Decimal
    payment_date: dt.date
    payee: str


def decompte_paid_notifications(decomptes: Iterable[Decompte | PaidDecompte]) -> None:
    """ "Un nouveau remboursement est disponible": amount, date and a link; no act, no
    practitioner, no beneficiary in the e-mail (health data stays in the portal). A
    décompte paid to the professional (tiers payant) says so, without naming them: the
    member should not look for the amount on her account; the portal names the payee."""
    # One reverse() for the batch (an import alerts thousands of members): the detail URL
    # with a marker where each décompte's id goes.
    detail = reverse("claims:detail", args=[987654321])
    iterator = iter(decomptes)
    # 10,000 at a time: the rows of a million-line import are never all in memory.
    while chunk := list(itertools.islice(iterator, 10_000)):
        notifications_enqueue_many(
            [
                {
                    "member_id": decompte.member_id,
                    "kind": NotificationKind.DECOMPTE,
                    "key": f"decompte:{decompte.external_id}",
                    "template": "decompte-new",
                    "context": {
                        "amount": euros(decompte.total_complementary),
                        "payment_date": f"{decompte.payment_date:%d/%m/%Y}",
                        "third_party": decompte.payee == Decompte.Payee.PROFESSIONAL,
                        "path": detail.replace("987654321", str(decompte.pk)),
                    },
                }
                for decompte in chunk
            ]
        )
