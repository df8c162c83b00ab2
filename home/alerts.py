"""The member's alerts on the home page: "un nouveau remboursement", and the guide's
"message d'alerte vous concernant ou concernant l'un de vos bénéficiaires".

Alerts are derived from the current state (nothing to keep in sync): recent
reimbursements, a NOEMIE link that does not work for someone of the household, a
justificatif requested on a devis, a reimbursement awaited past its expected date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from django.urls import reverse
from django.utils import timezone

from claims.models import Decompte, QuoteKind, QuoteStatus
from core.money import euros
from core.navigation import url_builder
from core.sql import amount, day, fetch_all
from members.models import Beneficiary, Member, NoemieStatus, PortabilityStatus
from members.portability import portability_alerts

RECENT_DAYS = 30


@dataclass(frozen=True)
class Alert:
    level: str  # info / warning
    title: str
    text: str
    url: str
    link_label: str


# What the alerts are made of, in one query on the member's indexes: an active
# portability file, the devis waiting for a document, the pending and recently paid
# décomptes. Plain SQL, without model instances: the home page runs it at every visit.
# (The first branch types the columns for PostgreSQL.)
_SOURCES_SQL = """
SELECT 'portabilite', p.id, NULL, NULL, CAST(NULL AS date), CAST(NULL AS date), CAST(NULL AS date),
       CAST(NULL AS numeric)
  FROM members_portabilityfile p WHERE p.member_id = %s AND p.status = %s
UNION ALL
SELECT 'devis', q.id, q.kind, q.missing_document_note, NULL, NULL, NULL, NULL
  FROM claims_quoterequest q WHERE q.member_id = %s AND q.status = %s
UNION ALL
SELECT 'decompte', d.id, d.status, NULL, d.first_care_date, d.payment_date, d.documents_complete_on, d.total_complementary
  FROM claims_decompte d WHERE d.member_id = %s AND (d.status = %s OR (d.status = %s AND d.payment_date >= %s))
"""


def alerts_for(member: Member, today: dt.date | None = None, *, people: list[Beneficiary] | None = None) -> list[Alert]:
    """The alerts of ``member`` on ``today``; ``people``, the household when already loaded."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=RECENT_DAYS)
    rows = fetch_all(_SOURCES_SQL, [
        member.pk, PortabilityStatus.ACTIVE.value, member.pk, QuoteStatus.MISSING_DOCUMENT.value,
        member.pk, Decompte.Status.PENDING.value, Decompte.Status.PAID.value, since,
    ])
    alerts: list[Alert] = []
    # Portability: the month's France Travail proof is missing, the Loi Evin offer.
    if any(row[0] == "portabilite" for row in rows):
        alerts.extend(portability_alerts(member, today))
    quote_url = url_builder("claims:quote_detail")
    for _source, pk, kind, note, *_rest in sorted(row for row in rows if row[0] == "devis"):
        alerts.append(Alert("warning", "Une pièce justificative est demandée",
                            f"Pour votre devis {QuoteKind(kind).label.lower()} n° {pk} : {note}",
                            quote_url(pk), "Ajouter la pièce"))
    decomptes = sorted(
        # first_care_date is a NOT NULL column: day() returns None only for a NULL.
        (Decompte(pk=pk, status=status, first_care_date=cast(dt.date, day(care)), payment_date=day(paid),
                  documents_complete_on=day(complete), total_complementary=amount(total))
         for source, pk, status, _note, care, paid, complete, total in rows if source == "decompte"),
        key=lambda decompte: (decompte.first_care_date, decompte.pk),
    )
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
    recent = sorted((d for d in decomptes if d.status == Decompte.Status.PAID), key=lambda d: d.payment_date or dt.date.min,
                    reverse=True)
    detail_url = url_builder("claims:detail")
    for decompte in recent[:3]:
        alerts.append(Alert("info", "Un nouveau remboursement est disponible",
                            f"{euros(decompte.total_complementary)} versés le {decompte.payment_date:%d/%m/%Y}.",
                            detail_url(decompte.pk), "Voir le décompte"))
    return alerts
