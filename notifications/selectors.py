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


def notification_kinds_disabled(member_ids: set[int]) -> set[tuple[int, str]]:
    """The (member id, kind) pairs whose e-mails are off for these members, in one query
    for a chunk: the kinds they turned off, and the opt-in kinds they did not turn on
    (the rule of ``notification_email_enabled``)."""
    if not member_ids:
        return set()
    preferences = NotificationPreference.objects.filter(member_id__in=member_ids).values_list(
        "member_id", "kind", "email_enabled"
    )
    turned_on = {(member_id, kind) for member_id, kind, enabled in preferences if enabled}
    turned_off = {(member_id, kind) for member_id, kind, enabled in preferences if not enabled}
    never_on = {(member_id, kind) for member_id in member_ids for kind in OPT_IN_KINDS} - turned_on
    return turned_off | never_on
