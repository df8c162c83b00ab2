""" "Mes droits restants", proactive and opt-in: the daily sweep that tells a member, by an
e-mail without any health detail, that one of their rights changed (an optical or
hearing equipment covered again, a yearly ceiling almost used).

Only members who turned the kind on in Profil are read. Each event is recorded once
(``RightsEvent``, a digest) in the same transaction as the one notification it causes,
so a sweep run twice, or a worker that dies half-way, never tells an event twice."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from claims.models import RightsEvent
from claims.rights import PersonRights
from claims.selectors import household_rights
from members.models import Member
from members.selectors import household_of
from notifications.models import NotificationKind
from notifications.selectors import members_opted_in
from notifications.services import notification_enqueue


def rights_events(people: list[PersonRights], today: dt.date, notice_days: int) -> list[str]:
    """The events of ``today`` as stable strings: an equipment covered again within the
    last ``notice_days`` days (a missed sweep catches up), a ceiling almost used this year."""
    events = []
    for entry in people:
        assert entry.person is not None  # household_rights puts each person back
        for row in entry.covered_again:
            renewal = row.renewal
            assert renewal.next_date is not None  # covered again: a period had started
            if today - dt.timedelta(days=notice_days) < renewal.next_date <= today:
                events.append(
                    f"renewal:{entry.person.pk}:{renewal.notice}:{renewal.period.group}:{renewal.ear}:{renewal.next_date}"
                )
        for used in entry.nearly_used:
            item = used.allowance
            events.append(f"ceiling:{entry.person.pk}:{item.formula}:{item.counter}:{item.eye}:{item.year}")
    return events


def _digest(member: Member, event: str) -> str:
    return hashlib.sha256(f"{member.pk}:{event}".encode()).hexdigest()


@transaction.atomic
def rights_changes_notify(*, member: Member, today: dt.date) -> int:
    """Record the member's new rights events and queue one e-mail for them; returns how
    many events were new."""
    people = household_rights(household_of(member), today, almost_percent=settings.CLAIMS_RIGHTS_ALMOST_USED_PERCENT)
    digests = {_digest(member, event) for event in rights_events(people, today, settings.CLAIMS_RIGHTS_NOTICE_DAYS)}
    if not digests:
        return 0
    known = set(RightsEvent.objects.filter(digest__in=digests).values_list("digest", flat=True))
    new = sorted(digests - known)
    if not new:
        return 0
    RightsEvent.objects.bulk_create([RightsEvent(member=member, digest=digest) for digest in new])
    notification_enqueue(
        member=member,
        kind=NotificationKind.RIGHTS,
        key=f"droits:{member.pk}:{new[0][:32]}",
        template="rights-changed",
        context={"path": reverse("claims:rights")},
    )
    return len(new)


def rights_notifications_sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """Every opted-in member, one transaction each."""
    today = today or timezone.localdate()
    members = events = 0
    for member in Member.objects.filter(pk__in=members_opted_in(NotificationKind.RIGHTS)).order_by("pk"):
        told = rights_changes_notify(member=member, today=today)
        members += bool(told)
        events += told
    return {"members": members, "events": events}
