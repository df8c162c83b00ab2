"""The messaging part of the RGPD export (core.personal_data): the member's threads."""

from __future__ import annotations

from messaging.models import Thread


def export_parts(member) -> dict:
    return {
        "messages": [
            {
                "demande": t.pk,
                "categorie": t.category.label,
                "objet": t.topic.label,
                "etat": t.get_status_display(),
                "beneficiaire": str(t.beneficiary),
                "creee_le": t.created_at,
                # Internal notes are the gestionnaires' working notes, never part of the thread.
                "messages": [
                    {
                        "le": m.created_at,
                        "de": "vous" if m.from_member else "gestionnaire",
                        "texte": m.body,
                        "pieces_jointes": [str(f.pk) for f in m.attachments.all()],
                    }
                    for m in t.messages.prefetch_related("attachments")
                ],
            }
            for t in Thread.objects.filter(member=member).select_related("category", "topic", "beneficiary")
        ],
    }
