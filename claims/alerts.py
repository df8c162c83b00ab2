"""The home page alerts of claims (core.alerts): a justificatif requested on a devis, a
reimbursement awaited past its expected date, the three newest payments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Q
from django.urls import reverse

from claims.models import Decompte, QuoteKind, QuoteRequest, QuoteStatus
from claims.selectors import claims_version
from core.alerts import Alert
from core.caching import cached, source_digest
from core.money import euros
from core.navigation import url_builder
from members.models import Beneficiary, Member

RECENT_DAYS = 30


# The décomptes' alerts change with the décomptes (ClaimsVersion) and the day (a payment
# becomes late, a recent one old): kept for a day at most.
ALERTS_CACHE_SECONDS = 24 * 3600


def member_alerts(member: Member, today: dt.date, *, people: Sequence[Beneficiary]) -> list[Alert]:
    return [*_quote_alerts(member), *_decompte_alerts(member, today)]


def _quote_alerts(member: Member) -> list[Alert]:
    quotes = (
        QuoteRequest.objects.filter(member_id=member.pk, status=QuoteStatus.MISSING_DOCUMENT)
        .order_by("pk")
        .values_list("pk", "kind", "missing_document_note")
    )
    quote_url = url_builder("claims:quote_detail")
    return [
        Alert(
            "warning",
            "Une pièce justificative est demandée",
            f"Pour votre devis {QuoteKind(kind).label.lower()} n° {pk} : {note}",
            quote_url(pk),
            "Ajouter la pièce",
        )
        for pk, kind, note in quotes
    ]


def _decompte_alerts(member: Member, today: dt.date) -> list[Alert]:
    """Cached under the member's ``ClaimsVersion`` and the day: one indexed read on a
    visit while nothing changed."""
    key = f"claims:alerts:{source_digest(__name__)}:{member.pk}:{claims_version(member)}:{today}"
    return cached(key, lambda: _decompte_alerts_computed(member, today), ALERTS_CACHE_SECONDS)


def _decompte_alerts_computed(member: Member, today: dt.date) -> list[Alert]:
    since = today - dt.timedelta(days=RECENT_DAYS)
    decomptes = list(
        Decompte.objects.filter(
            Q(status=Decompte.Status.PENDING) | Q(status=Decompte.Status.PAID, payment_date__gte=since),
            member_id=member.pk,
        )
        .only(
            "status",
            "first_care_date",
            "payment_date",
            "documents_complete_on",
            "total_complementary",
            "payee",
            "payee_name",
            "iban_masked",
        )
        .order_by("first_care_date", "pk")
    )
    alerts: list[Alert] = []
    for decompte in decomptes:
        if decompte.status == Decompte.Status.PENDING and decompte.is_late(today):
            alerts.append(
                Alert(
                    "warning",
                    "Un remboursement est en retard",
                    f"Les soins du {decompte.first_care_date:%d/%m/%Y} devaient être remboursés au plus "
                    f"tard le {decompte.expected_payment_date:%d/%m/%Y}.",
                    reverse("claims:follow_up"),
                    "Suivre et signaler le retard",
                )
            )
    recent = sorted(
        (d for d in decomptes if d.status == Decompte.Status.PAID),
        key=lambda d: d.payment_date or dt.date.min,
        reverse=True,
    )
    detail_url = url_builder("claims:detail")
    for decompte in recent[:3]:
        alerts.append(_payment_alert(decompte, detail_url(decompte.pk)))
    return alerts


def _payment_alert(decompte: Decompte, url: str) -> Alert:
    """Who was paid: a tiers payant is not on the member's account, she need not look for it."""
    amount, paid = euros(decompte.total_complementary), f"{decompte.payment_date:%d/%m/%Y}"
    if decompte.payee == Decompte.Payee.PROFESSIONAL:
        payee = decompte.payee_name or "votre professionnel de santé"
        return Alert(
            "info",
            "Un remboursement a été réglé à votre professionnel de santé",
            f"{amount} réglés le {paid} directement à {payee} (tiers payant) : rien n'est versé sur votre compte.",
            url,
            "Voir le décompte",
        )
    account = f" sur votre compte {decompte.iban_masked}" if decompte.iban_masked else ""
    return Alert(
        "info",
        "Un nouveau remboursement est disponible",
        f"{amount} versés le {paid}{account}.",
        url,
        "Voir le décompte",
    )
