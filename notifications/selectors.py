"""Reads on notifications."""

from __future__ import annotations

from notifications.models import OPT_IN_KINDS, NotificationPreference


def notification_email_enabled(member, kind: str) -> bool:
    """E-mails are on unless the member turned this kind off; an opt-in kind is off until
    the member turns it on."""
    preference = NotificationPreference.objects.filter(member=member, kind=kind).first()
    return kind not in OPT_IN_KINDS if preference is None else preference.email_enabled


def members_opted_in(kind: str) -> list[int]:
    """The ids of the members who turned ``kind`` on (an opt-in kind's audience)."""
    return list(
        NotificationPreference.objects.filter(kind=kind, email_enabled=True)
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )
