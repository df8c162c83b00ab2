"""The home page alerts of claims (core.alerts): a justificatif requested on a devis, a
reimbursement awaited past its expected date, the three newest payments."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from claims.models import Decompte, QuoteKind, QuoteStatus
from core.alerts import Alert
from core.money import euros
from core.navigation import url_builder
from core.sql import amount, day, fetch_all

RECENT_DAYS = 30

# The devis waiting for a document, the pending and recently paid décomptes, in one query
# on the member's indexes. Plain SQL, without model instances: the home page runs it at
# every visit. (The first branch types the columns for PostgreSQL.)
_SOURCES_SQL = """
SELECT 'devis', q.id, q.kind, q.missing_document_note, CAST(NULL AS date), CAST(NULL AS date), CAST(NULL AS date),
       CAST(NULL AS numeric)
  FROM claims_quoterequest q WHERE q.member_id = %s AND q.status = %s
UNION ALL
SELECT 'decompte', d.id, d.status, NULL, d.first_care_date, d.payment_date, d.documents_complete_on, d.total_complementary
  FROM claims_decompte d WHERE d.member_id = %s AND (d.status = %s OR (d.status = %s AND d.payment_date >= %s))
"""


def member_alerts(member, today: dt.date, *, people) -> list[Alert]:
    since = today - dt.timedelta(days=RECENT_DAYS)
    rows = fetch_all(_SOURCES_SQL, [
        member.pk, QuoteStatus.MISSING_DOCUMENT.value,
        member.pk, Decompte.Status.PENDING.value, Decompte.Status.PAID.value, since,
    ])
    alerts: list[Alert] = []
    quote_url = url_builder("claims:quote_detail")
    for _source, pk, kind, note, *_rest in sorted(row for row in rows if row[0] == "devis"):
        alerts.append(Alert("warning", "Une pièce justificative est demandée",
                            f"Pour votre devis {QuoteKind(kind).label.lower()} n° {pk} : {note}",
                            quote_url(pk), "Ajouter la pièce"))
    decomptes = sorted(
        (Decompte(pk=pk, status=status, first_care_date=day(care), payment_date=day(paid),
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
    recent = sorted((d for d in decomptes if d.status == Decompte.Status.PAID), key=lambda d: d.payment_date, reverse=True)
    detail_url = url_builder("claims:detail")
    for decompte in recent[:3]:
        alerts.append(Alert("info", "Un nouveau remboursement est disponible",
                            f"{euros(decompte.total_complementary)} versés le {decompte.payment_date:%d/%m/%Y}.",
                            detail_url(decompte.pk), "Voir le décompte"))
    return alerts
