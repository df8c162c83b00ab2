"""Portability (maintien des garanties, article L.911-8 CSS; guide lines 426-477, notice 004
lines 462-536): the request opened from the messaging, the gestionnaire's validation that
fixes the period, the member's France Travail consent and monthly proofs, the daily sweep
that reminds, ends the cover when proofs stop and offers the Loi Evin continuation.

The member's status and ``cover_end_date`` carry the result: the tiers-payant card and
every "covered on" check already read them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from core.alerts import Alert
from documents.services import private_file_store, private_files_atomic
from members.models import (
    Member,
    MemberStatus,
    PortabilityEndReason,
    PortabilityFile,
    PortabilityProof,
    PortabilityReminder,
    PortabilityStatus,
)
from members.services import audit_record
from notifications.models import NotificationKind
from notifications.services import notification_enqueue

logger = logging.getLogger(__name__)

PORTABILITY_TOPIC = "maintien-des-garanties"
INDIVIDUAL_TOPIC = "maintien-individuel"
MAX_MONTHS = 12
PROOF_PURPOSE = "justificatif_france_travail"
LOI_EVIN_REQUEST_MONTHS = 6


# --- dates ---------------------------------------------------------------------------


def add_months(day: dt.date, months: int, *, overflow: bool = True) -> dt.date:
    """``day`` moved by whole months. A day missing in the target month rolls over to the
    next month's first day (31 January + 1 month = 1 March), so that "start + n months - 1
    day" is always the last day of an n-month period (31 Jan..28 Feb); with
    ``overflow=False`` it stays in the month (31 May + 6 months = 30 November), as for a
    deadline "within six months"."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    if day.day > last:
        return dt.date(year, month + 1, last) + dt.timedelta(days=1 if overflow else 0)
    return dt.date(year, month + 1, day.day)


def _fr(day: dt.date | None) -> str:
    # The outbox keeps its context as JSON: dates travel already written the French way.
    return f"{day:%d/%m/%Y}" if day else ""


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@dataclass(frozen=True)
class PortabilityPeriod:
    months: int
    start: dt.date
    end: dt.date


def portability_period(*, work_contract_end: dt.date, months: int, days: int, factor: int) -> PortabilityPeriod:
    """The duration of the last contract(s), rounded up to whole months, multiplied by the
    branch agreement's factor (2 for the CCN Immobilier), at most 12 months, from the day
    after the work contract ended."""
    if months < 0 or days < 0:
        raise ValidationError("La durée du contrat de travail ne peut pas être négative.")
    if months == 0 and days == 0:
        raise ValidationError({"last_contracts_months": "Indiquez la durée du ou des derniers contrats de travail."})
    whole = months + (1 if days > 0 else 0)
    duration = min(whole * max(factor, 1), MAX_MONTHS)
    start = work_contract_end + dt.timedelta(days=1)
    return PortabilityPeriod(months=duration, start=start, end=add_months(start, duration) - dt.timedelta(days=1))


# --- reads -----------------------------------------------------------------------------


def open_portability_file(member: Member) -> PortabilityFile | None:
    return (
        member.portability_files.filter(status__in=[PortabilityStatus.REQUESTED, PortabilityStatus.ACTIVE])
        .order_by("-requested_at")
        .first()
    )


def latest_portability_file(member: Member) -> PortabilityFile | None:
    return member.portability_files.select_related("thread").order_by("-requested_at").first()


def proof_due_date(month: dt.date) -> dt.date:
    return month.replace(day=min(settings.PORTABILITY_PROOF_DUE_DAY, calendar.monthrange(month.year, month.month)[1]))


def proof_expected(file: PortabilityFile, today: dt.date) -> bool:
    """Is a proof for this month owed? Only while the portability runs, without consent,
    from the month after it started (the request carried the initial justificatif)."""
    return (
        file.status == PortabilityStatus.ACTIVE
        and not file.france_travail_consent
        and file.start_date is not None
        and month_start(today) > month_start(file.start_date)
        and today <= (file.effective_end or today)
    )


def proof_received(file: PortabilityFile, month: dt.date) -> bool:
    return file.proofs.filter(month=month).exists()


def proof_missing(file: PortabilityFile, today: dt.date) -> bool:
    """The month's proof is owed, its due date has passed and it has not arrived."""
    month = month_start(today)
    return proof_expected(file, today) and today >= proof_due_date(month) and not proof_received(file, month)


def late_portability_files(today: dt.date | None = None) -> QuerySet[PortabilityFile]:
    """Running portabilities whose member owes this month's proof after its due date: the
    gestionnaire's "who is late" list."""
    today = today or timezone.localdate()
    month = month_start(today)
    if today < proof_due_date(month):
        return PortabilityFile.objects.none()
    received = PortabilityProof.objects.filter(portability=OuterRef("pk"), month=month)
    return (
        PortabilityFile.objects.filter(
            status=PortabilityStatus.ACTIVE, france_travail_consent=False, start_date__lt=month
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .filter(Q(allowances_end_date__isnull=True) | Q(allowances_end_date__gte=today))
        .filter(Q(ended_early_on__isnull=True) | Q(ended_early_on__gte=today))
        .exclude(Exists(received))
    )


def proof_deadline(file: PortabilityFile, month: dt.date) -> dt.date | None:
    """After the second reminder, the day the cover ends if the proof still has not come."""
    second = file.reminders.filter(month=month, rank=2).first()
    if second is None:
        return None
    return second.sent_on + dt.timedelta(days=settings.PORTABILITY_PROOF_FINAL_NOTICE_DAYS)


def loi_evin_deadline(file: PortabilityFile) -> dt.date | None:
    end = file.effective_end
    return add_months(end, LOI_EVIN_REQUEST_MONTHS, overflow=False) if end else None


def portability_alerts(member: Member, today: dt.date):
    """The home page alerts of a member in portability (members.alerts)."""
    # An active file and the member's status change together (portability_validate, the
    # sweep): no query for the members who are not in portability, nearly all of them.
    if member.status != MemberStatus.PORTABILITY:
        return []
    file = member.portability_files.filter(status=PortabilityStatus.ACTIVE).first()
    if file is None:
        return []
    alerts = []
    if proof_missing(file, today):
        deadline = proof_deadline(file, month_start(today))
        text = (
            f"Nous n'avons pas reçu votre attestation de paiement des allocations chômage de {today:%m/%Y}. "
            "Sans justificatif, le maintien de vos garanties cesse (notice de votre contrat)."
        )
        if deadline:
            text += f" Déposez-la avant le {deadline:%d/%m/%Y} : sinon votre couverture prendra fin ce jour-là."
        alerts.append(
            Alert(
                "warning",
                "Votre justificatif France Travail du mois est attendu",
                text,
                reverse("members:portability"),
                "Déposer mon justificatif",
            )
        )
    end = file.effective_end
    if end and add_months(end, -1, overflow=False) <= today <= end:
        alerts.append(
            Alert(
                "info",
                f"Votre portabilité prend fin le {end:%d/%m/%Y}",
                "Vous pouvez demander le maintien de vos garanties à titre individuel (loi Evin), sans questionnaire "
                f"médical ni délai de carence, au plus tard le {loi_evin_deadline(file):%d/%m/%Y}.",
                reverse("messaging:compose") + f"?objet={INDIVIDUAL_TOPIC}",
                "Demander le maintien individuel",
            )
        )
    return alerts


# --- writes ----------------------------------------------------------------------------


def portability_request_from_thread(*, thread) -> PortabilityFile | None:
    """Hook of messaging.services.thread_create: a message with the objet "Je souhaite
    bénéficier du maintien de mes garanties" opens the member's portability file, linked
    to the thread that carries the justificatifs. A second message while a file is open
    stays a plain message of that conversation."""
    if thread.topic.code != PORTABILITY_TOPIC:
        return None
    member = thread.member
    if open_portability_file(member) is not None:
        return None
    file = PortabilityFile(member=member, thread=thread, requested_at=thread.created_at)
    file.full_clean()
    file.save()
    audit_record(
        actor=thread.member.user,
        member=member,
        action="demande de portabilité",
        field="portabilité",
        new=f"demande n° {thread.pk}",
    )
    return file


def _set_member(member: Member, *, actor, action: str, **values) -> None:
    member = Member.objects.select_for_update().get(pk=member.pk)
    for name, value in values.items():
        old = getattr(member, name)
        if old != value:
            setattr(member, name, value)
            audit_record(actor=actor, member=member, action=action, field=name, old=old, new=value)
    member.full_clean()
    member.save(update_fields=list(values))


@transaction.atomic
def portability_validate(
    *, file: PortabilityFile, actor, work_contract_end: dt.date, months: int, days: int = 0
) -> PortabilityFile:
    """The gestionnaire checked the justificatifs: the period is computed, the member is
    "en portabilité" until its end (the card's validity follows), the member is told."""
    file = PortabilityFile.objects.select_for_update().select_related("member__contract").get(pk=file.pk)
    if file.status != PortabilityStatus.REQUESTED:
        raise ValidationError("Ce dossier a déjà été traité.")
    period = portability_period(
        work_contract_end=work_contract_end,
        months=months,
        days=days,
        factor=file.member.contract.portability_months_factor,
    )
    file.work_contract_end = work_contract_end
    file.last_contracts_months, file.last_contracts_days = months, days
    file.duration_months, file.start_date, file.end_date = period.months, period.start, period.end
    file.status = PortabilityStatus.ACTIVE
    file.decided_by, file.decided_at = actor, timezone.now()
    file.full_clean()
    file.save()
    _set_member(
        file.member,
        actor=actor,
        action="validation de la portabilité",
        status=MemberStatus.PORTABILITY,
        status_since=period.start,
        cover_end_date=period.end,
    )
    notification_enqueue(
        member=file.member,
        kind=NotificationKind.ALERT,
        key=f"portability-validated:{file.pk}",
        template="portability-validated",
        context={
            "start": _fr(period.start),
            "end": _fr(period.end),
            "months": period.months,
            "consent": file.france_travail_consent,
            "path": reverse("members:portability"),
        },
    )
    return file


@transaction.atomic
def portability_refuse(*, file: PortabilityFile, actor, reason: str) -> PortabilityFile:
    file = PortabilityFile.objects.select_for_update().get(pk=file.pk)
    if file.status != PortabilityStatus.REQUESTED:
        raise ValidationError("Ce dossier a déjà été traité.")
    if not reason.strip():
        raise ValidationError({"refusal_reason": "Indiquez le motif du refus : il est communiqué à l'assuré."})
    file.status, file.refusal_reason = PortabilityStatus.REFUSED, reason.strip()
    file.decided_by, file.decided_at = actor, timezone.now()
    file.full_clean()
    file.save()
    audit_record(
        actor=actor, member=file.member, action="refus de la portabilité", field="portabilité", new=file.refusal_reason
    )
    notification_enqueue(
        member=file.member,
        kind=NotificationKind.ALERT,
        key=f"portability-refused:{file.pk}",
        template="portability-refused",
        context={"reason": file.refusal_reason},
    )
    return file


def _shorten_cover(file: PortabilityFile, *, actor, action: str) -> None:
    end = file.effective_end
    member = file.member
    if end is not None and (member.cover_end_date is None or end < member.cover_end_date):
        _set_member(member, actor=actor, action=action, cover_end_date=end)


@transaction.atomic
def portability_allowances_end(*, file: PortabilityFile, actor, on: dt.date) -> PortabilityFile:
    """France Travail stopped paying allowances on ``on``: the maintien ceases that day
    (notice, "Cessation du maintien des garanties"). The member is told at once, and
    the Loi Evin offer follows from the daily sweep."""
    file = PortabilityFile.objects.select_for_update().select_related("member").get(pk=file.pk)
    if file.status != PortabilityStatus.ACTIVE:
        raise ValidationError("Seule une portabilité en cours peut prendre fin.")
    if file.start_date is not None and on < file.start_date:
        raise ValidationError({"allowances_end_date": "La fin des allocations précède le début de la portabilité."})
    old = file.allowances_end_date
    file.allowances_end_date = on
    file.full_clean()
    file.save(update_fields=["allowances_end_date"])
    audit_record(
        actor=actor,
        member=file.member,
        action="fin des allocations chômage",
        field="allowances_end_date",
        old=old or "",
        new=on,
    )
    _shorten_cover(file, actor=actor, action="fin des allocations chômage")
    notification_enqueue(
        member=file.member,
        kind=NotificationKind.ALERT,
        key=f"portability-allowances-end:{file.pk}:{on:%Y-%m-%d}",
        template="portability-ending",
        context={
            "end": _fr(file.effective_end),
            "reason": PortabilityEndReason.ALLOWANCES_STOPPED.label,
            "evin_deadline": _fr(loi_evin_deadline(file)),
            "compose_path": _individual_path(),
        },
    )
    return file


def _individual_path() -> str:
    return reverse("messaging:compose") + f"?objet={INDIVIDUAL_TOPIC}"


@transaction.atomic
def france_travail_consent_set(*, member: Member, actor, consent: bool) -> PortabilityFile:
    """The member consents to (or withdraws) the automatic transmission of their France
    Travail justificatifs ("Profil", guide line 460): without it, a proof each month."""
    file = open_portability_file(member)
    if file is None:
        raise ValidationError("Vous n'avez pas de demande de maintien des garanties en cours.")
    file = PortabilityFile.objects.select_for_update().get(pk=file.pk)
    if file.france_travail_consent == consent:
        return file
    old = file.france_travail_consent
    file.france_travail_consent, file.consent_changed_at = consent, timezone.now()
    file.save(update_fields=["france_travail_consent", "consent_changed_at"])
    audit_record(
        actor=actor,
        member=member,
        action="consentement France Travail" if consent else "retrait du consentement France Travail",
        field="france_travail_consent",
        old="oui" if old else "non",
        new="oui" if consent else "non",
    )
    return file


@private_files_atomic()
def portability_proof_add(*, member: Member, actor, uploaded) -> PortabilityProof:
    """This month's proof of allowance payment, validated by content and stored privately."""
    file = member.portability_files.filter(status=PortabilityStatus.ACTIVE).first()
    if file is None:
        raise ValidationError("Vous n'avez pas de portabilité en cours : aucun justificatif n'est attendu.")
    proof = PortabilityProof(portability=file, month=month_start(timezone.localdate()), uploaded_at=timezone.now())
    proof.full_clean(exclude=["file"])
    # Written only for a valid proof, and removed if anything below fails.
    stored = private_file_store(member=member, uploaded=uploaded, purpose=PROOF_PURPOSE, uploaded_by=actor)
    proof.file = stored
    proof.save()
    audit_record(
        actor=actor,
        member=member,
        action="justificatif France Travail",
        field="justificatif",
        new=f"{proof.month:%m/%Y} : {stored.original_name}",
    )
    return proof


# --- the daily sweep -------------------------------------------------------------------


def _remind(file: PortabilityFile, *, month: dt.date, rank: int, today: dt.date) -> bool:
    _reminder, created = PortabilityReminder.objects.get_or_create(
        portability=file, month=month, rank=rank, defaults={"sent_on": today}
    )
    if not created:
        return False
    context = {
        "month": f"{month:%m/%Y}",
        "rank": rank,
        "path": reverse("members:portability"),
        "consent_path": reverse("members:profile") + "#france-travail",
    }
    if rank == 2:
        context["deadline"] = _fr(today + dt.timedelta(days=settings.PORTABILITY_PROOF_FINAL_NOTICE_DAYS))
    notification_enqueue(
        member=file.member,
        kind=NotificationKind.ALERT,
        key=f"portability-proof:{file.pk}:{month:%Y-%m}:{rank}",
        template="portability-proof-reminder",
        context=context,
    )
    return True


@transaction.atomic
def _sweep_one(file_id: int, today: dt.date) -> str:
    file = PortabilityFile.objects.select_for_update().select_related("member").get(pk=file_id)
    if file.status != PortabilityStatus.ACTIVE:
        return ""
    end = file.effective_end
    if end is not None and end < today:
        # The period is over (or allowances/proofs stopped): the member leaves the contract.
        file.status = PortabilityStatus.ENDED
        file.end_reason = file.end_reason or (
            PortabilityEndReason.ALLOWANCES_STOPPED
            if end == file.allowances_end_date
            else PortabilityEndReason.PERIOD_OVER
        )
        file.save(update_fields=["status", "end_reason"])
        _set_member(
            file.member,
            actor=None,
            action="fin de la portabilité",
            status=MemberStatus.TERMINATED,
            status_since=end + dt.timedelta(days=1),
            cover_end_date=end,
        )
        return "ended"
    outcome = ""
    month = month_start(today)
    if proof_missing(file, today):
        deadline = proof_deadline(file, month)
        first = file.reminders.filter(month=month, rank=1).first()
        if deadline is not None and today >= deadline:
            # Told twice, the last time with this date: the maintien ceases (notice 004).
            file.ended_early_on, file.end_reason = deadline, PortabilityEndReason.PROOFS_MISSING
            file.save(update_fields=["ended_early_on", "end_reason"])
            _shorten_cover(file, actor=None, action="fin de la portabilité (justificatifs manquants)")
            notification_enqueue(
                member=file.member,
                kind=NotificationKind.ALERT,
                key=f"portability-proofs-ended:{file.pk}",
                template="portability-ending",
                context={
                    "end": _fr(file.effective_end),
                    "reason": PortabilityEndReason.PROOFS_MISSING.label,
                    "evin_deadline": _fr(loi_evin_deadline(file)),
                    "compose_path": _individual_path(),
                },
            )
            return "ended_early"
        if first is None:
            outcome = "reminded" if _remind(file, month=month, rank=1, today=today) else ""
        elif today >= first.sent_on + dt.timedelta(days=settings.PORTABILITY_PROOF_SECOND_REMINDER_DAYS):
            outcome = "reminded" if _remind(file, month=month, rank=2, today=today) else ""
    end = file.effective_end
    if end is not None and add_months(end, -1, overflow=False) <= today:
        notification_enqueue(
            member=file.member,
            kind=NotificationKind.ALERT,
            key=f"portability-loi-evin:{file.pk}",
            template="portability-loi-evin",
            context={
                "end": _fr(end),
                "evin_deadline": _fr(loi_evin_deadline(file)),
                "compose_path": _individual_path(),
            },
        )
    return outcome


def portability_sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """Daily: remind missing proofs (once per rank and month), end the cover of members
    whose proofs stopped after the announced date, close finished portabilities, offer
    the individual continuation one month before the end. One transaction per file, so
    that one failing file does not hold the others back."""
    today = today or timezone.localdate()
    counts = {"reminded": 0, "ended": 0, "ended_early": 0}
    ids = list(PortabilityFile.objects.filter(status=PortabilityStatus.ACTIVE).values_list("pk", flat=True))
    for file_id in ids:
        try:
            outcome = _sweep_one(file_id, today)
        except Exception:
            logger.exception("Portability sweep failed for file %s", file_id)
            continue
        if outcome:
            counts[outcome] += 1
    return counts
