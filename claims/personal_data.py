"""The claims part of the RGPD export (core.personal_data): décomptes and devis."""

from __future__ import annotations

from typing import Any

from claims.models import Decompte, QuoteRequest
from core.personal_data import field_values
from members.models import Member


def export_parts(member: Member) -> dict[str, list[dict[str, Any]]]:
    return {
        "decomptes": [
            {
                **field_values(d, exclude=("content_hash",)),
                "lignes": [
                    {**field_values(line, exclude=("engine_details",)), "beneficiaire": str(line.beneficiary)}
                    for line in d.lines.select_related("beneficiary")
                ],
            }
            for d in Decompte.objects.filter(member=member).prefetch_related("lines")
        ],
        "devis": [
            {
                **field_values(q),
                "beneficiaire": str(q.beneficiary),
                "lignes": [field_values(line, exclude=("engine_details",)) for line in q.lines.all()],
                "pieces": [str(doc.file_id) for doc in q.documents.all()],
            }
            for q in QuoteRequest.objects.filter(member=member).select_related("beneficiary")
        ],
    }
