"""Devis estimation: the instant estimate a member gets when sending a devis, and the
gestionnaire's review (corrections, missing document, answer). Writes live here; every
change is recorded as a QuoteEvent (who, when, what)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from claims.models import QuoteDocument, QuoteEvent, QuoteKind, QuoteLine, QuoteRequest, QuoteStatus
from claims.selectors import engine_history
from core.write_limits import write_limit_check
from documents.services import private_file_store, private_files_atomic
from guarantees import catalogue
from guarantees.engine import CareLine, EngineError, LineResult, compute
from guarantees.selectors import engine_request_for
from members.models import Beneficiary, Member
from notifications.models import NotificationKind
from notifications.services import notification_enqueue

CENT = Decimal("0.01")
# Devices and prostheses are reimbursed by the Sécurité sociale at 60 % of the BR; the
# member may type the exact amount printed on the devis instead.
SS_RATE_BY_KIND = {kind: Decimal("0.60") for kind in QuoteKind.values}
PRIOR_AGREEMENT_THRESHOLD = Decimal("4500.00")  # notice 004 line 575: dental devis over 4,500 €


# The event of a member completing their request: the queue flags the requests whose last
# event it is (claims.admin.QuoteRequestAdmin.completed_by_member).
MEMBER_DOCUMENTS_ADDED = "Pièce(s) ajoutée(s) par l'assuré"


def acts_for_kind(member: Member, kind: str) -> list[tuple[str, str]]:
    """(act code, label) of the member's base formula relevant to a kind of devis."""
    formula = _principal_formula_code(member)
    if formula is None:
        return []
    acts = catalogue.catalogue_acts(formula)
    rows = catalogue.formula_rules(formula).rows_by_act
    wanted = []
    for act, label, _unit in acts:
        category = rows[act][0].category.upper() if act in rows else ""
        if kind == QuoteKind.OTHER or _matches(kind, act, category):
            wanted.append((act, label))
    return wanted


def _matches(kind: str, act: str, category: str) -> bool:
    if kind == QuoteKind.DENTAL:
        return "DENTAIRE" in category
    if kind == QuoteKind.OPTICAL:
        return "OPTIQUE" in category
    if kind == QuoteKind.HEARING:
        return "AUDI" in category or "auditi" in act
    if kind == QuoteKind.DEVICE:
        return any(word in act for word in ("appareillage", "orthopedie", "materiel-medical"))
    return True


def _principal_formula_code(member: Member) -> str | None:
    today = timezone.localdate()
    for affiliation in member.affiliations.select_related("formula").order_by("start_date"):
        if affiliation.role == "principal" and affiliation.overlaps(today, today):
            return affiliation.formula.code
    return None


@dataclass(frozen=True)
class QuoteLineInput:
    act: str
    frais_reels: Decimal
    base_remboursement: Decimal
    ss_expected: Decimal | None
    quantity: int = 1
    ccam_code: str = ""
    tooth: str = ""
    details: dict[str, Any] | None = None  # engine fields: eye, ear, sphere, cylinder, addition, price_limit


@dataclass(frozen=True)
class EstimatedLine:
    data: QuoteLineInput
    ss_expected: Decimal
    ss_estimated: bool
    result: LineResult


class EstimateError(ValueError):
    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


def quote_estimate(*, beneficiary: Beneficiary, kind: str, lines: list[QuoteLineInput]) -> list[EstimatedLine]:
    """What the engine expects each devis line to be reimbursed if the care were done
    today, after the care already reimbursed this year (counters, periodicity)."""
    today = timezone.localdate()
    history = engine_history({beneficiary.pk}).get(beneficiary.pk, [])
    base = engine_request_for(beneficiary, lines=(), history=history, claim_date=today)
    care_lines, ss_values = [], []
    for line in lines:
        estimated = line.ss_expected is None
        ss = (
            line.ss_expected
            if line.ss_expected is not None
            else (line.base_remboursement * SS_RATE_BY_KIND[kind]).quantize(CENT, rounding=ROUND_HALF_UP)
        )
        ss = min(ss, line.frais_reels)
        ss_values.append((ss, estimated))
        care_lines.append(
            CareLine(
                act=line.act,
                care_date=today,
                frais_reels=line.frais_reels,
                base_remboursement=line.base_remboursement,
                ss_paid=ss,
                quantity=line.quantity,
                **(line.details or {}),
            )
        )
    try:
        results = compute(replace(base, lines=tuple(care_lines)))
    except EngineError as error:
        raise EstimateError(error.line or 0, error.message) from None
    return [
        EstimatedLine(data, ss, estimated, result)
        for data, (ss, estimated), result in zip(lines, ss_values, results, strict=True)
    ]


def hundred_percent_sante_alternative(member: Member, kind: str) -> str:
    """The formula's 100 % santé row for this kind of care, when it has one."""
    formula = _principal_formula_code(member)
    if formula is None or kind not in {QuoteKind.DENTAL, QuoteKind.OPTICAL, QuoteKind.HEARING}:
        return ""
    rules = catalogue.formula_rules(formula)
    for act, rows in rules.rows_by_act.items():
        row = rows[0]
        cell = row.cells.get(formula)
        # 100 % santé baskets are the rows paid in full within the regulated price limits.
        if cell is not None and cell.kind == "full_cover_limit" and _matches(kind, act, row.category.upper()):
            return f"{row.label} : {cell.text} ({rules.name}, {catalogue.citation(rules.notice, cell.line)})"
    return ""


def _event(request: QuoteRequest, actor: User, action: str, detail: str = "") -> None:
    QuoteEvent.objects.create(
        request=request,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        detail=detail,
    )


def _store_lines(request: QuoteRequest, estimated: list[EstimatedLine]) -> None:
    QuoteLine.objects.bulk_create(
        [
            QuoteLine(
                request=request,
                position=index,
                act_code=item.data.act,
                act_label=item.result.label,
                ccam_code=item.data.ccam_code,
                tooth=item.data.tooth,
                frais_reels=item.data.frais_reels,
                base_remboursement=item.data.base_remboursement,
                ss_expected=item.ss_expected,
                ss_estimated=item.ss_estimated,
                engine_details={
                    k: (str(v) if isinstance(v, Decimal) else v) for k, v in (item.data.details or {}).items()
                },
                complementary_estimate=item.result.complementary,
                rule_source=(item.result.rule.source if item.result.rule else "")[:300],
                explanation="\n".join(layer.explanation for layer in item.result.layers),
                limits=[limit.to_dict() for limit in item.result.limits],
            )
            for index, item in enumerate(estimated, start=1)
        ]
    )


@private_files_atomic()
def quote_request_create(
    *,
    member: Member,
    beneficiary: Beneficiary,
    kind: str,
    lines: list[QuoteLineInput],
    files: list[UploadedFile[bytes]],
    user: User,
) -> QuoteRequest:
    """At most CLAIMS_QUOTES_PER_DAY requests per member in 24 hours (``WriteLimitReached``),
    checked before the estimate and before any file is stored."""
    if beneficiary.member_id != member.pk:
        raise ValueError("beneficiary of another household")
    write_limit_check(
        owner=member,
        recent=QuoteRequest.objects.filter(member=member),
        limit=settings.CLAIMS_QUOTES_PER_DAY,
        period=dt.timedelta(days=1),
        message="Vous avez envoyé {limit} demandes d'estimation au cours des dernières 24 heures. "
        "Vous pourrez en envoyer une nouvelle {retry} : les lignes saisies sont conservées ci-dessous, "
        "joignez à nouveau le devis à ce moment-là.",
    )
    estimated = quote_estimate(beneficiary=beneficiary, kind=kind, lines=lines)
    request = QuoteRequest(member=member, beneficiary=beneficiary, kind=kind)
    request.full_clean()
    request.save()
    _store_lines(request, estimated)
    for uploaded in files:
        stored = private_file_store(member=member, uploaded=uploaded, purpose="devis", uploaded_by=user)
        QuoteDocument.objects.create(request=request, file=stored)
    _event(request, user, "Demande envoyée", f"{len(lines)} ligne(s), {len(files)} pièce(s) jointe(s)")
    return request


@private_files_atomic()
def quote_documents_add(*, request: QuoteRequest, files: list[UploadedFile[bytes]], user: User) -> None:
    """The member answers a missing-document request: the file joins the same request."""
    if not request.member_can_add_documents:
        raise ValueError("no document was requested")
    for uploaded in files:
        stored = private_file_store(member=request.member, uploaded=uploaded, purpose="devis", uploaded_by=user)
        QuoteDocument.objects.create(request=request, file=stored)
    request.status = QuoteStatus.REVIEWING
    request.save(update_fields=["status", "updated_at"])
    _event(request, user, MEMBER_DOCUMENTS_ADDED, ", ".join(f.name or "" for f in files))


@transaction.atomic
def quote_assign(*, request: QuoteRequest, gestionnaire: User) -> None:
    request.assigned_to = gestionnaire
    if request.status == QuoteStatus.SENT:
        request.status = QuoteStatus.REVIEWING
    request.save(update_fields=["assigned_to", "status", "updated_at"])
    _event(request, gestionnaire, "Prise en charge", gestionnaire.get_username())


@transaction.atomic
def quote_line_correct(*, line: QuoteLine, amount: Decimal | None, gestionnaire: User) -> None:
    if line.corrected_complementary == amount:
        return
    old = line.final_complementary
    line.corrected_complementary = amount
    line.save(update_fields=["corrected_complementary"])
    _event(
        line.request,
        gestionnaire,
        "Ligne corrigée",
        f"Ligne {line.position} ({line.act_label}) : {old} € -> {line.final_complementary} €",
    )


@transaction.atomic
def quote_document_request(*, request: QuoteRequest, note: str, gestionnaire: User) -> None:
    if not note.strip():
        raise ValueError("say which document is missing")
    request.status = QuoteStatus.MISSING_DOCUMENT
    request.missing_document_note = note.strip()
    request.save(update_fields=["status", "missing_document_note", "updated_at"])
    _event(request, gestionnaire, "Pièce manquante demandée", note.strip())
    notification_enqueue(
        member=request.member,
        kind=NotificationKind.ALERT,
        key=f"quote-missing:{request.pk}:{request.events.count()}",
        template="quote-update",
        context={"path": reverse("claims:quote_detail", args=[request.pk]), "missing": True},
    )


@transaction.atomic
def quote_answer(*, request: QuoteRequest, note: str, gestionnaire: User) -> None:
    request.status = QuoteStatus.ANSWERED
    request.answer_note = note.strip()
    request.answered_at = timezone.now()
    request.answered_by = gestionnaire
    request.save(update_fields=["status", "answer_note", "answered_at", "answered_by", "updated_at"])
    _event(request, gestionnaire, "Réponse envoyée", note.strip())
    notification_enqueue(
        member=request.member,
        kind=NotificationKind.ALERT,
        key=f"quote-answer:{request.pk}",
        template="quote-update",
        context={"path": reverse("claims:quote_detail", args=[request.pk]), "missing": False},
    )
