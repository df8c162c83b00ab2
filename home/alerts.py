"""The member's alerts on the home page: "un nouveau remboursement", and the guide's
"message d'alerte vous concernant ou concernant l'un de vos bénéficiaires".

Alerts are derived from the current state (nothing to keep in sync): recent
reimbursements, a NOEMIE link that does not work for someone of the household, a
justificatif requested on a devis, a reimbursement awaited past its expected date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from claims.models import Decompte, QuoteKind, QuoteRequest, QuoteStatus
from core.money import euros
from core.navigation import url_builder
from members.models import Beneficiary, Member, NoemieStatus, PortabilityFile, PortabilityStatus
from members.portability import portability_alerts

RECENT_DAYS = 30


@dataclass(frozen=True)
class Alert:
    level: str  # info / warning
    title: str
    text: str
    url: str
    link_label: str


def alerts_for(member: Member, today: dt.date | None = None, *, people: list[Beneficiary] | None = None) -> list[Alert]:
    """The alerts of ``member`` on ``today``; ``people``, the household when already loaded."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=RECENT_DAYS)
    in_portability = PortabilityFile.objects.filter(member_id=member.pk, status=PortabilityStatus.ACTIVE).exists()
    quotes = (QuoteRequest.objects.filter(member_id=member.pk, status=QuoteStatus.MISSING_DOCUMENT)
              .order_by("pk").values_list("pk", "kind", "missing_document_note"))
    decomptes = list(
        Decompte.objects.filter(Q(status=Decompte.Status.PENDING) | Q(status=Decompte.Status.PAID, payment_date__gte=since),
                                member_id=member.pk)
        .only("status", "first_care_date", "payment_date", "documents_complete_on", "total_complementary")
        .order_by("first_care_date", "pk")
    )
    alerts: list[Alert] = []
    # Portability: the month's France Travail proof is missing, the Loi Evin offer.
    if in_portability:
        alerts.extend(portability_alerts(member, today))
    quote_url = url_builder("claims:quote_detail")
    for pk, kind, note in quotes:
        alerts.append(Alert("warning", "Une pièce justificative est demandée",
                            f"Pour votre devis {QuoteKind(kind).label.lower()} n° {pk} : {note}",
                            quote_url(pk), "Ajouter la pièce"))
    for decompte in decomptes:
        if decompte.status == Decompte.Status.PENDING and decompte.is_late(today):
            alerts.append(Alert("warning", "Un remboursement est en retard",
                                f"Les soins du {decompte.first_care_date:%d/%m/%Y} devaient être remboursés au plus "
                                f"tard le {decompte.expected_payment_date:%d/%m/%Y}.",
                                reverse("claims:follow_up"), "Suivre et signaler le retard"))
    for person in member.beneficiaries.all() if people is None else people:
        if person.noemie_status == NoemieStatus.INACTIVE and person.is_covered_on(today):
            alerts.append(Alert("warning", f"Télétransmission NOEMIE non active pour {person.first_name}",
                                f"{person.get_noemie_reason_display()}. Envoyez-nous les décomptes de la Sécurité "
                                "sociale pour être remboursé.", reverse("members:noemie"), "Comprendre et agir"))
    recent = sorted((d for d in decomptes if d.status == Decompte.Status.PAID), key=lambda d: d.payment_date, reverse=True)
    detail_url = url_builder("claims:detail")
    for decompte in recent[:3]:
        alerts.append(Alert("info", "Un nouveau remboursement est disponible",
                            f"{euros(decompte.total_complementary)} versés le {decompte.payment_date:%d/%m/%Y}.",
                            detail_url(decompte.pk), "Voir le décompte"))
    return alerts
