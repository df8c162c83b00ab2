"""Portability (maintien des garanties, article L.911-8 CSS; guide lines 426-477, notice 004
lines 462-536): the request opened from the messaging once its justificatifs are attached,
the pre-filled bulletin, the gestionnaire's validation that fixes the period, the member's
France Travail consent and the proofs at each contract's rhythm (monthly or quarterly), the
daily sweep that reminds, ends the cover when proofs stop and offers the Loi Evin
continuation. Only for contracts that provide portability (``Contract.portability_offered``).

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
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from core import pdf
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
from members.selectors import household_of
from members.services import audit_record
from notifications.models import NotificationKind
from notifications.services import notification_enqueue

logger = logging.getLogger(__name__)

PORTABILITY_TOPIC = "maintien-des-garanties"
INDIVIDUAL_TOPIC = "maintien-individuel"
MAX_MONTHS = 12
PROOF_PURPOSE = "justificatif_france_travail"
LOI_EVIN_REQUEST_MONTHS = 6
PORTABILITY_FORM_TEMPLATE = "pdf/portability_request.html"


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


def proof_period_start(file: PortabilityFile, today: dt.date) -> dt.date | None:
    """The first month of the proof period ``today`` falls in. Periods last the contract's
    rhythm (``Contract.portability_proof_months``: notice 004 says quarterly, the CCN
    Immobilier guide monthly) from the month the portability started; that first period is
    covered by the initial justificatif sent with the request, hence None."""
    if file.start_date is None:
        return None
    rhythm = max(file.member.contract.portability_proof_months, 1)
    start = month_start(file.start_date)
    elapsed = (today.year - start.year) * 12 + today.month - start.month
    if elapsed < rhythm:
        return None
    return add_months(start, elapsed - elapsed % rhythm)


def proof_expected(file: PortabilityFile, today: dt.date) -> bool:
    """Is a proof owed for the current period? Only while the portability runs, without
    consent, from the second period on."""
    return (
        file.status == PortabilityStatus.ACTIVE
        and not file.france_travail_consent
        and proof_period_start(file, today) is not None
        and today <= (file.effective_end or today)
    )


def proof_received(file: PortabilityFile, period: dt.date | None) -> bool:
    """A proof arrived during the period starting at ``period`` (one per period is owed)."""
    if period is None:
        return False
    rhythm = max(file.member.contract.portability_proof_months, 1)
    return file.proofs.filter(month__gte=period, month__lt=add_months(period, rhythm)).exists()


def proof_missing(file: PortabilityFile, today: dt.date) -> bool:
    """The period's proof is owed, its due date has passed and it has not arrived."""
    if not proof_expected(file, today):
        return False
    period = proof_period_start(file, today)
    return period is not None and today >= proof_due_date(period) and not proof_received(file, period)


def late_portability_files(today: dt.date | None = None) -> QuerySet[PortabilityFile]:
    """Running portabilities whose member owes the period's proof after its due date: the
    gestionnaire's "who is late" list."""
    today = today or timezone.localdate()
    if today < proof_due_date(month_start(today)):
        return PortabilityFile.objects.none()
    candidates = (
        PortabilityFile.objects.filter(
            status=PortabilityStatus.ACTIVE, france_travail_consent=False, start_date__lt=month_start(today)
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .filter(Q(allowances_end_date__isnull=True) | Q(allowances_end_date__gte=today))
        .filter(Q(ended_early_on__isnull=True) | Q(ended_early_on__gte=today))
        .select_related("member__contract")
    )
    # The rhythm is each contract's: the few running portabilities are checked one by one.
    return PortabilityFile.objects.filter(pk__in=[file.pk for file in candidates if proof_missing(file, today)])


def proof_period_label(file: PortabilityFile, period: dt.date) -> str:
    """The period a proof covers, in words: "05/2026" monthly, "07/2026 à 09/2026" otherwise."""
    rhythm = max(file.member.contract.portability_proof_months, 1)
    if rhythm == 1:
        return f"{period:%m/%Y}"
    return f"{period:%m/%Y} à {add_months(period, rhythm - 1):%m/%Y}"


def proof_deadline(file: PortabilityFile, month: dt.date | None) -> dt.date | None:
    """After the second reminder, the day the cover ends if the proof still has not come."""
    if month is None:
        return None
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
    period = proof_period_start(file, today)
    if period is not None and proof_missing(file, today):
        deadline = proof_deadline(file, period)
        text = (
            "Nous n'avons pas reçu votre attestation de paiement des allocations chômage de "
            f"{proof_period_label(file, period)}. "
            "Sans justificatif, le maintien de vos garanties cesse (notice de votre contrat)."
        )
        if deadline:
            text += f" Déposez-la avant le {deadline:%d/%m/%Y} : sinon votre couverture prendra fin ce jour-là."
        monthly = file.member.contract.portability_proof_months == 1
        alerts.append(
            Alert(
                "warning",
                f"Votre justificatif France Travail du {'mois' if monthly else 'trimestre'} est attendu",
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


def portability_form_pdf(member: Member, today: dt.date | None = None) -> bytes:
    """The "bulletin de demande de portabilité" the notice's "Formalités" asks for, pre-filled
    with what the portal knows (the member, the contract, the household already covered);
    the employer and the end of the work contract are left for the member to write."""
    today = today or timezone.localdate()
    contract = member.contract
    household = household_of(member)
    holder = household.holder
    people = [person for person in household.covered_on(today) if not person.is_holder]
    bulletin = {
        "organisme": contract.organisme.name,
        "management_name": contract.management_name or contract.organisme.name,
        "management_address": contract.management_address or contract.organisme.postal_address,
        "management_phone": contract.management_phone or contract.organisme.phone,
        "management_hours": contract.management_hours,
        "holder": {
            "civility": holder.civility if holder else "",
            "first_name": holder.first_name if holder else "",
            "last_name": holder.last_name if holder else "",
            "birth_date": holder.birth_date if holder else None,
            "nir": holder.nir if holder else "",
        },
        "member_number": member.number,
        "address": "\n".join(
            line for line in (member.address_line1, member.address_line2, f"{member.postcode} {member.city}") if line
        ),
        "email": member.email,
        "phone": member.phone,
        "contract_name": contract.name,
        "contract_number": contract.number,
        "subscriber": contract.subscriber,
        "branch": contract.branch,
        "idcc": contract.idcc,
        "formulas": [affiliation.formula.name for affiliation in household.affiliations_on(today)],
        "people": [
            {
                "first_name": person.first_name,
                "last_name": person.last_name,
                "relationship": person.get_relationship_display(),
                "birth_date": person.birth_date,
            }
            for person in people
        ],
        "proof_rhythm": contract.portability_proof_rhythm,
        "issued_on": today,
    }
    return pdf.render_pdf(
        PORTABILITY_FORM_TEMPLATE,
        {"bulletin": bulletin},
        title=f"Bulletin de demande de portabilité - adhérent {member.number}",
    )


# --- writes ----------------------------------------------------------------------------


# The notice's "Formalités" and the guide: the initial justificatif of the Assurance
# Chômage and the signed bulletin (members.portability_form) open the file.
REQUIRED_JUSTIFICATIFS = (
    "le justificatif initial de votre indemnisation par l'Assurance Chômage (France Travail)",
    "le bulletin de demande de portabilité complété et signé",
)


def _member_attachment_count(thread) -> int:
    return sum(message.attachments.count() for message in thread.messages.filter(from_member=True))


def _missing_justificatifs_reply(received: int) -> str:
    lines = [
        "Message automatique de votre Espace Assuré.",
        "",
        "Votre dossier de maintien des garanties n'est pas encore ouvert : pour l'étudier, nos gestionnaires "
        f"ont besoin de {len(REQUIRED_JUSTIFICATIFS)} documents"
        + (f" (nous en avons reçu {received})" if received else ", et ce message n'en contient aucun")
        + " :",
    ]
    lines += [f"- {label}" for label in REQUIRED_JUSTIFICATIFS]
    lines += [
        "",
        "Le bulletin, déjà rempli avec vos informations, se télécharge sur la page « Maintien de mes "
        f"garanties » : {reverse('members:portability')}",
        "Répondez à ce message en joignant ces documents : votre dossier sera ouvert dès leur réception. "
        "Si vous aviez seulement une question, un gestionnaire vous répond ici.",
    ]
    return "\n".join(lines)


def _open_file(*, thread) -> PortabilityFile:
    member = thread.member
    file = PortabilityFile(member=member, thread=thread, requested_at=timezone.now())
    file.full_clean()
    file.save()
    audit_record(
        actor=member.user,
        member=member,
        action="demande de portabilité",
        field="portabilité",
        new=f"demande n° {thread.pk}",
    )
    return file


def portability_request_from_thread(*, thread) -> str | None:
    """Hook of messaging.services.thread_create for the objet "Je souhaite bénéficier du
    maintien de mes garanties": with the required justificatifs attached, it opens the
    member's portability file, linked to the thread that carries them; without them, it
    opens nothing and answers which documents are missing (the text messaging posts). A
    second message while a file is open stays a plain message of that conversation."""
    if thread.topic.code != PORTABILITY_TOPIC or open_portability_file(thread.member) is not None:
        return None
    if not thread.member.contract.portability_offered:
        return (
            "Message automatique de votre Espace Assuré.\n\n"
            f"Votre contrat « {thread.member.contract.name} » ne prévoit pas le maintien des garanties au titre "
            "de la portabilité (il concerne les salariés dont le contrat de travail prend fin). "
            "Un gestionnaire répond ici à votre message."
        )
    received = _member_attachment_count(thread)
    if received < len(REQUIRED_JUSTIFICATIFS):
        return _missing_justificatifs_reply(received)
    _open_file(thread=thread)
    return None


def portability_request_from_reply(*, thread, message) -> str | None:
    """Hook of messaging.services.thread_reply_by_member: the justificatifs asked for come
    as a reply in the same conversation and open the file then."""
    if (
        thread.topic.code != PORTABILITY_TOPIC
        or not thread.member.contract.portability_offered
        or not message.attachments.exists()
        or open_portability_file(thread.member) is not None
        or PortabilityFile.objects.filter(thread=thread).exists()
    ):
        return None
    received = _member_attachment_count(thread)
    if received < len(REQUIRED_JUSTIFICATIFS):
        return _missing_justificatifs_reply(received)
    _open_file(thread=thread)
    return None


def pending_portability_thread(member: Member):
    """The member's open conversation under the portability objet still waiting for its
    justificatifs (no file opened from it), for the portability page."""
    return (
        member.message_threads.filter(
            topic__code=PORTABILITY_TOPIC, portability_file__isnull=True, closed_at__isnull=True
        )
        .order_by("-created_at")
        .first()
    )


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
            "rhythm": file.member.contract.portability_proof_rhythm,
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
        "month": proof_period_label(file, month),
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
    # Reminders are counted per proof period, named by its first month.
    month = proof_period_start(file, today)
    if month is not None and proof_missing(file, today):
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
