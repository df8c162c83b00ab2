"""The members part of the back-office's vue d'ensemble (core.overview): open
portability files and bank details changes."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from core.overview import Item, Section
from members.audit import local_datetime
from members.models import BankChangeStatus, BankDetailsChange, Member, PortabilityFile, PortabilityStatus
from members.portability import proof_missing

OPEN_PORTABILITY = (PortabilityStatus.REQUESTED, PortabilityStatus.ACTIVE)
OPEN_BANK_CHANGES = (BankChangeStatus.AWAITING_SECOND_FACTOR, BankChangeStatus.PENDING)


def overview_sections(member: Member) -> list[Section]:
    today = timezone.localdate()
    portability = [
        Item(
            text=str(file),
            url=reverse("admin:members_portabilityfile_change", args=[file.pk]),
            detail=f"demandée le {local_datetime(file.requested_at)}"
            + (f", jusqu'au {file.effective_end:%d/%m/%Y}" if file.effective_end else ""),
            flag=_portability_flag(file, today),
        )
        for file in PortabilityFile.objects.filter(member=member, status__in=OPEN_PORTABILITY).order_by("-requested_at")
    ]
    bank = [
        Item(
            text=f"Nouvel IBAN {change.masked_iban}",
            url=reverse("admin:members_bankdetailschange_change", args=[change.pk]),
            detail=f"{change.get_status_display()}, demandé le {local_datetime(change.created_at)}",
            flag="à valider" if change.status == BankChangeStatus.PENDING else "",
        )
        for change in BankDetailsChange.objects.filter(member=member, status__in=OPEN_BANK_CHANGES).order_by(
            "-created_at"
        )
    ]
    return [
        Section("Portabilité", portability, "Aucun dossier de portabilité en cours.", order=30),
        Section("Changement de coordonnées bancaires", bank, "Aucun changement d'IBAN en attente.", order=40),
    ]


def _portability_flag(file: PortabilityFile, today) -> str:
    if file.status == PortabilityStatus.REQUESTED:
        return "à valider"
    return "justificatif du mois en retard" if proof_missing(file, today) else ""
