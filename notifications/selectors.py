"""Reads on notifications."""

from __future__ import annotations

from notifications.models import NotificationPreference


def notification_email_enabled(member, kind: str) -> bool:
    """E-mails are on unless the member turned this kind off."""
    preference = NotificationPreference.objects.filter(member=member, kind=kind).first()
    return True if preference is None else preference.email_enabled


def notification_kinds_disabled(member_ids: set[int]) -> set[tuple[int, str]]:
    """The (member id, kind) pairs these members turned off, in one query for a chunk."""
    if not member_ids:
        return set()
    return set(
        NotificationPreference.objects.filter(member_id__in=member_ids, email_enabled=False).values_list(
            "member_id", "kind"
        )
    )
