"""The home page alerts of members (core.alerts): portability (the month's France Travail
proof, the Loi Evin offer) and a NOEMIE link that does not work for someone covered."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from core.alerts import Alert
from members.models import NoemieStatus
from members.portability import portability_alerts


def member_alerts(member, today: dt.date, *, people) -> list[Alert]:
    alerts = portability_alerts(member, today)
    for person in people:
        if person.noemie_status == NoemieStatus.INACTIVE and person.is_covered_on(today):
            alerts.append(
                Alert(
                    "warning",
                    f"Télétransmission NOEMIE non active pour {person.first_name}",
                    f"{person.get_noemie_reason_display()}. Envoyez-nous les décomptes de la Sécurité "
                    "sociale pour être remboursé.",
                    reverse("members:noemie"),
                    "Comprendre et agir",
                )
            )
    return alerts
