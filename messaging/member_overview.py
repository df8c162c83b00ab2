"""The messaging part of the back-office's vue d'ensemble (core.overview): the
member's open requests, those waiting for an answer first."""

from __future__ import annotations

from django.db.models import F
from django.urls import reverse

from core.overview import Item, Section
from members.audit import local_datetime
from members.models import Member
from messaging.models import Thread, ThreadStatus


def overview_sections(member: Member) -> list[Section]:
    threads = (
        Thread.objects.filter(member=member)
        .exclude(status=ThreadStatus.CLOSED)
        .select_related("topic", "beneficiary", "assigned_to")
        .order_by(F("waiting_since").asc(nulls_last=True), "-last_message_at")
    )
    items = [
        Item(
            text=str(thread),
            url=reverse("admin:messaging_thread_change", args=[thread.pk]),
            detail=f"{thread.get_status_display()}, pour {thread.beneficiary.full_name}, dernier message le "
            f"{local_datetime(thread.last_message_at)}"
            + (f", attribuée à {thread.assigned_to.get_username()}" if thread.assigned_to else ""),
            flag=f"attend une réponse depuis le {local_datetime(thread.waiting_since)}" if thread.waiting_since else "",
        )
        for thread in threads
    ]
    return [
        Section(
            "Messages",
            items,
            "Aucune demande ouverte.",
            order=10,
            more_url=f"{reverse('admin:messaging_thread_changelist')}?member__id__exact={member.pk}",
            more_label="Toutes ses demandes",
        )
    ]
