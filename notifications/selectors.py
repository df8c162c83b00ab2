"""Reads on notifications."""

from __future__ import annotations

from notifications.models import NotificationPreference


def notification_email_enabled(member, kind: str) -> bool:
    """E-mails are on unless the member turned this kind off."""
    preference = NotificationPreference.objects.filter(member=member, kind=kind).first()
    return True if preference is None else preference.email_enabled
