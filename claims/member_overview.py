"""The claims part of the back-office's vue d'ensemble (core.overview): devis not
answered yet, payments awaited, the latest décomptes."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.urls import reverse

from claims.models import Decompte, QuoteEvent, QuoteRequest, QuoteStatus
from claims.services.quotes import MEMBER_DOCUMENTS_ADDED
from core.money import euros
from core.overview import Item, Section
from members.audit import local_datetime
from members.models import Member

RECENT_DECOMPTES = 5


def overview_sections(member: Member) -> list[Section]:
    last_action = QuoteEvent.objects.filter(request=OuterRef("pk")).order_by("-at", "-pk").values("action")[:1]
    quotes = (
        QuoteRequest.objects.filter(member=member)
        .exclude(status=QuoteStatus.ANSWERED)
        .select_related("beneficiary")
        .annotate(last_action=Subquery(last_action))
        .order_by("created_at")
    )
    devis = [
        Item(
            text=str(quote),
            url=reverse("admin:claims_quoterequest_change", args=[quote.pk]),
            detail=f"{quote.get_status_display()}, pour {quote.beneficiary.full_name}, envoyée le "
            f"{local_datetime(quote.created_at)}",
            flag="complétée par l'assuré" if quote.last_action == MEMBER_DOCUMENTS_ADDED else "",
        )
        for quote in quotes
    ]
    decomptes = Decompte.objects.filter(member=member)
    pending = [
        Item(
            text=str(decompte),
            url=reverse("admin:claims_decompte_change", args=[decompte.pk]),
            detail=f"{euros(decompte.total_complementary)}, soins du {decompte.first_care_date:%d/%m/%Y}"
            + (
                f", paiement attendu le {decompte.expected_payment_date:%d/%m/%Y}"
                if decompte.expected_payment_date
                else ", pièces incomplètes"
            ),
            flag="en retard" if decompte.is_late() else "",
        )
        for decompte in decomptes.filter(status=Decompte.Status.PENDING).order_by("first_care_date")
    ]
    recent = [
        Item(
            text=str(decompte),
            url=reverse("admin:claims_decompte_change", args=[decompte.pk]),
            detail=f"{euros(decompte.total_complementary)} payés le {decompte.payment_date:%d/%m/%Y} à {_payee(decompte)}",
        )
        for decompte in decomptes.filter(status=Decompte.Status.PAID).order_by("-payment_date", "-pk")[
            :RECENT_DECOMPTES
        ]
    ]
    changelist = reverse("admin:claims_decompte_changelist")
    return [
        Section(
            "Devis en cours",
            devis,
            "Aucun devis en attente de réponse.",
            order=20,
            more_url=f"{reverse('admin:claims_quoterequest_changelist')}?member__id__exact={member.pk}",
            more_label="Tous ses devis",
        ),
        Section("Paiements en attente", pending, "Aucun paiement en attente.", order=50),
        Section(
            f"Derniers décomptes ({RECENT_DECOMPTES} au plus)",
            recent,
            "Aucun décompte payé.",
            order=60,
            more_url=f"{changelist}?member__id__exact={member.pk}",
            more_label="Tous ses décomptes",
        ),
    ]


def _payee(decompte: Decompte) -> str:
    if decompte.payee == Decompte.Payee.MEMBER:
        return "l'assuré"
    return decompte.payee_name or "un professionnel de santé"
