"""Import of a décomptes file: all or nothing, idempotent, every line explained by the
guarantee engine and checked against the amount the file says was paid.

The file format is documented in claims/csv_format.py. ``decomptes_import`` returns the
``ImportBatch`` it recorded: ``accepted`` with counts and the engine differences, or
``refused`` with every bad line (line number, column, reason in French) and nothing else
written.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from claims.csv_format import COLUMNS, REQUIRED, CellError, parse_amount, parse_date, parse_int
from claims.models import Decompte, DecompteLine, ImportBatch
from claims.selectors import engine_history
from core.csv_errors import LineError
from guarantees import catalogue
from guarantees.engine import (
    PRESCRIPTION_YEARS,
    CareLine,
    EngineError,
    EngineRequest,
    LineResult,
    add_years,
    compute,
)
from guarantees.selectors import engine_request_for
from members.models import Affiliation, Beneficiary, Member
from members.validators import mask_iban

ORIGINS = {choice.value for choice in Decompte.Origin}
PAYEES = {choice.value for choice in Decompte.Payee}
YES = {"oui", "o", "1", "true", "vrai"}
NO = {"non", "n", "0", "false", "faux"}
OPTIONAL_ENGINE_COLUMNS = {
    "jours": "days",
    "oeil": "eye",
    "oreille": "ear",
    "sphere": "sphere",
    "cylindre": "cylinder",
    "addition": "addition",
    "monture": "frame_amount",
    "optam": "optam",
    "conventionne": "conventionne",
    "prix_limite": "price_limit",
    "renouvellement": "renewal",
}
SIDES = {"gauche": "left", "droit": "right", "droite": "right", "deux": "both", "les deux": "both"}
ENGINE_KEY_COLUMN = {
    "unknown_act": "code_acte",
    "ss_above_fr": "montant_ss",
    "negative_amount": "frais_reels",
    "care_in_future": "date_soins",
    "before_cover": "date_soins",
    "after_cover": "date_soins",
}


@dataclass
class ParsedLine:
    line: int
    decompte_id: str
    member_number: str
    rank: int
    care_date: dt.date
    act: str
    practitioner: str
    quantity: int
    frais_reels: Decimal
    base_remboursement: Decimal
    ss_paid: Decimal
    complementary_paid: Decimal | None
    payment_date: dt.date | None
    origin: str
    payee: str
    payee_name: str
    documents_complete_on: dt.date | None
    details: dict[str, Any] = field(default_factory=dict)  # CareLine's optional fields
    beneficiary: Beneficiary | None = None
    result: LineResult | None = None

    @property
    def computed(self) -> LineResult:
        """The engine's result, once ``_compute`` ran (a line it could not compute refuses the file)."""
        if self.result is None:
            raise ValueError(f"line {self.line} was not computed")
        return self.result

    def care_line(self) -> CareLine:
        return CareLine(
            act=self.act,
            care_date=self.care_date,
            frais_reels=self.frais_reels,
            base_remboursement=self.base_remboursement,
            ss_paid=self.ss_paid,
            quantity=self.quantity,
            **self.details,
        )


def _parse_detail(column: str, value: str) -> bool | str | int | Decimal:
    target = OPTIONAL_ENGINE_COLUMNS[column]
    if target in {"optam", "conventionne"}:
        lowered = value.strip().lower()
        if lowered in YES:
            return True
        if lowered in NO:
            return False
        raise CellError(f"« {value} » : indiquez oui ou non.")
    if target in {"eye", "ear"}:
        side = SIDES.get(value.strip().lower())
        if side is None:
            raise CellError(f"« {value} » : indiquez gauche, droit ou deux.")
        return side
    if target == "days":
        return parse_int(value)
    if target == "renewal":
        return value.strip()
    text = value.strip().replace(",", ".")
    try:
        return Decimal(text)
    except Exception:
        raise CellError(f"« {value} » n'est pas un nombre.") from None


def _parse_row(number: int, row: dict[str, str], errors: list[LineError]) -> ParsedLine | None:
    values: dict[str, Any] = {}  # ParsedLine's fields, of every type
    local_errors = []

    def cell(column: str, parser: Callable[[str], Any] | None = None, required: bool = False) -> Any:
        raw = (row.get(column) or "").strip()
        if not raw:
            if required:
                local_errors.append(LineError(number, column, "Valeur obligatoire manquante."))
            return None
        if parser is None:
            return raw
        try:
            return parser(raw)
        except CellError as error:
            local_errors.append(LineError(number, column, str(error)))
            return None

    values["decompte_id"] = cell("numero_decompte", required=True)
    values["member_number"] = cell("numero_adherent", required=True)
    values["rank"] = cell("rang_beneficiaire", parse_int, required=True)
    values["care_date"] = cell("date_soins", parse_date, required=True)
    values["act"] = cell("code_acte", required=True)
    values["practitioner"] = cell("praticien") or ""
    values["quantity"] = cell("quantite", parse_int) or 1
    values["frais_reels"] = cell("frais_reels", parse_amount, required=True)
    values["base_remboursement"] = cell("base_remboursement", parse_amount, required=True)
    values["ss_paid"] = cell("montant_ss", parse_amount, required=True)
    values["complementary_paid"] = cell("montant_complementaire", parse_amount)
    values["payment_date"] = cell("date_paiement", parse_date)
    values["origin"] = cell("origine", required=True)
    values["payee"] = cell("destinataire", required=True)
    values["payee_name"] = cell("nom_destinataire") or ""
    values["documents_complete_on"] = cell("date_pieces_completes", parse_date)
    details: dict[str, Any] = {}
    for column, target in OPTIONAL_ENGINE_COLUMNS.items():
        parsed = cell(column, partial(_parse_detail, column))
        if parsed is not None:
            details[target] = parsed
    if values["origin"] and values["origin"] not in ORIGINS:
        local_errors.append(
            LineError(number, "origine", f"« {values['origin']} » : attendu noemie, papier ou tiers_payant.")
        )
    if values["payee"] and values["payee"] not in PAYEES:
        local_errors.append(
            LineError(number, "destinataire", f"« {values['payee']} » : attendu assure ou professionnel.")
        )
    if (
        values["ss_paid"] is not None
        and values["frais_reels"] is not None
        and values["ss_paid"] > values["frais_reels"]
    ):
        local_errors.append(LineError(number, "montant_ss", "Le montant SS dépasse les frais réels."))
    if values["payment_date"] and values["payment_date"] > timezone.localdate():
        local_errors.append(LineError(number, "date_paiement", "La date de paiement est dans le futur."))
    if values["care_date"] and values["payment_date"] and values["care_date"] > values["payment_date"]:
        local_errors.append(LineError(number, "date_soins", "La date des soins est postérieure au paiement."))
    if local_errors:
        errors.extend(local_errors)
        return None
    return ParsedLine(line=number, details=details, **values)


def read_rows(content: bytes, errors: list[LineError]) -> list[ParsedLine]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        errors.append(LineError(1, "", "Le fichier n'est pas encodé en UTF-8."))
        return []
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    header = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = sorted(REQUIRED - set(header))
    if missing:
        errors.append(
            LineError(1, ", ".join(missing), "Colonnes obligatoires absentes de l'en-tête (séparateur « ; »).")
        )
        return []
    unknown = sorted(set(header) - set(COLUMNS) - set(OPTIONAL_ENGINE_COLUMNS))
    if unknown:
        errors.append(LineError(1, ", ".join(unknown), "Colonnes inconnues."))
        return []
    parsed = []
    for number, row in enumerate(reader, start=2):
        if None in row:
            errors.append(LineError(number, "", "La ligne a plus de colonnes que l'en-tête."))
            continue
        line = _parse_row(number, row, errors)
        if line is not None:
            parsed.append(line)
    if not parsed and not errors:
        errors.append(LineError(1, "", "Le fichier ne contient aucune ligne de soins."))
    return parsed


def _members_by_number(numbers: set[str]) -> dict[str, Member]:
    members = Member.objects.filter(number__in=numbers).prefetch_related(
        "beneficiaries", Prefetch("affiliations", queryset=Affiliation.objects.select_related("formula"))
    )
    return {member.number: member for member in members}


def _details_to_json(details: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in details.items()}


def _claim_date(line: ParsedLine) -> dt.date:
    return line.payment_date or line.documents_complete_on or timezone.localdate()


def _compute(lines: list[ParsedLine], errors: list[LineError]) -> None:
    """Run the engine per beneficiary, file lines in care-date order after the history."""
    by_beneficiary: dict[int, list[ParsedLine]] = defaultdict(list)
    people: dict[int, Beneficiary] = {}
    for line in lines:
        if line.beneficiary is None:  # unresolved: already an error of its line
            continue
        by_beneficiary[line.beneficiary.pk].append(line)
        people[line.beneficiary.pk] = line.beneficiary
    history = engine_history(set(by_beneficiary), exclude_decomptes={line.decompte_id for line in lines})
    for beneficiary_id, own_lines in by_beneficiary.items():
        own_lines.sort(key=lambda item: (item.care_date, item.line))
        beneficiary = people[beneficiary_id]
        base_request = engine_request_for(beneficiary, lines=())
        if not base_request.layers:
            errors.extend(
                LineError(item.line, "numero_adherent", "L'assuré n'a aucune formule de garanties.")
                for item in own_lines
            )
            continue
        earlier = list(history.get(beneficiary_id, []))
        if not _compute_in_one_request(base_request, own_lines, earlier):
            _compute_line_by_line(base_request, own_lines, earlier, errors)


def _compute_in_one_request(base_request: EngineRequest, own_lines: list[ParsedLine], earlier: list[CareLine]) -> bool:
    """One engine run for all of a beneficiary's lines (history replayed once) when that
    cannot change any result: the claim date only matters for the 2-year prescription and
    for care after it, so the latest claim date is used when no line is near that edge."""
    claim = max(max(_claim_date(item), item.care_date) for item in own_lines)
    if any(item.care_date < add_years(claim, -PRESCRIPTION_YEARS) for item in own_lines):
        return False
    request = replace(
        base_request, claim_date=claim, lines=tuple(item.care_line() for item in own_lines), history=tuple(earlier)
    )
    try:
        results = compute(request)
    except EngineError:
        return False  # the line-by-line run reports every bad line
    for item, result in zip(own_lines, results, strict=True):
        item.result = result
    return True


def _compute_line_by_line(
    base_request: EngineRequest, own_lines: list[ParsedLine], earlier: list[CareLine], errors: list[LineError]
) -> None:
    for item in own_lines:
        request = replace(
            base_request,
            claim_date=max(_claim_date(item), item.care_date),
            lines=(item.care_line(),),
            history=tuple(earlier),
        )
        try:
            item.result = compute(request)[0]
        except EngineError as error:
            errors.append(LineError(item.line, ENGINE_KEY_COLUMN.get(error.key, "code_acte"), error.message))
            continue
        earlier.append(item.care_line())


def _resolve(lines: list[ParsedLine], members: dict[str, Member], errors: list[LineError]) -> list[ParsedLine]:
    resolved = []
    for line in lines:
        member = members.get(line.member_number)
        if member is None:
            errors.append(LineError(line.line, "numero_adherent", f"Aucun assuré n'a le numéro {line.member_number}."))
            continue
        person = next((p for p in member.beneficiaries.all() if p.rank == line.rank), None)
        if person is None:
            errors.append(
                LineError(
                    line.line,
                    "rang_beneficiaire",
                    f"L'assuré {member.number} n'a pas de bénéficiaire de rang {line.rank}.",
                )
            )
            continue
        if not person.is_covered_on(line.care_date):
            errors.append(
                LineError(
                    line.line, "date_soins", f"{person.full_name} n'était pas couvert(e) le {line.care_date:%d/%m/%Y}."
                )
            )
            continue
        line.beneficiary = person
        resolved.append(line)
    return resolved


def _group(lines: list[ParsedLine], errors: list[LineError]) -> dict[str, list[ParsedLine]]:
    groups: dict[str, list[ParsedLine]] = defaultdict(list)
    for line in lines:
        groups[line.decompte_id].append(line)
    for decompte_id, group in groups.items():
        first = group[0]
        for other in group[1:]:
            for attribute, column in (
                ("member_number", "numero_adherent"),
                ("payment_date", "date_paiement"),
                ("origin", "origine"),
                ("payee", "destinataire"),
            ):
                if getattr(other, attribute) != getattr(first, attribute):
                    errors.append(
                        LineError(
                            other.line,
                            column,
                            f"Différent de la ligne {first.line} pour le même décompte {decompte_id}.",
                        )
                    )
    return groups


def _content_hash(group: list[ParsedLine]) -> str:
    digest = hashlib.sha256()
    for line in sorted(group, key=lambda item: item.line):
        digest.update(
            repr(
                (
                    line.member_number,
                    line.rank,
                    line.care_date,
                    line.act,
                    line.practitioner,
                    line.quantity,
                    line.frais_reels,
                    line.base_remboursement,
                    line.ss_paid,
                    line.complementary_paid,
                    line.payment_date,
                    line.origin,
                    line.payee,
                    line.payee_name,
                    line.documents_complete_on,
                    sorted(_details_to_json(line.details).items()),
                )
            ).encode()
        )
    return digest.hexdigest()


def decomptes_import(*, content: bytes, file_name: str, imported_by: User | None = None) -> ImportBatch:
    errors: list[LineError] = []
    lines = read_rows(content, errors)
    members = _members_by_number({line.member_number for line in lines})
    lines = _resolve(lines, members, errors)
    groups = _group(lines, errors)
    existing = {d.external_id: d for d in Decompte.objects.filter(external_id__in=groups)}
    hashes = {decompte_id: _content_hash(group) for decompte_id, group in groups.items()}
    to_write = {}
    unchanged = 0
    for decompte_id, group in groups.items():
        current = existing.get(decompte_id)
        if current is None:
            to_write[decompte_id] = group
        elif current.content_hash == hashes[decompte_id]:
            unchanged += 1
        elif current.status == Decompte.Status.PENDING and current.member.number == group[0].member_number:
            to_write[decompte_id] = group
        else:
            errors.append(
                LineError(
                    group[0].line,
                    "numero_decompte",
                    f"Le décompte {decompte_id} a déjà été payé avec un autre contenu : il ne peut pas être modifié.",
                )
            )
    _compute([line for group in to_write.values() for line in group], errors)
    batch = ImportBatch(
        file_name=file_name[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        imported_by=imported_by,
        line_count=len(lines),
    )
    if errors:
        batch.status = ImportBatch.Status.REFUSED
        batch.errors = [error.to_dict() for error in sorted(errors, key=LineError.sort_key)]
        batch.save()
        return batch
    batch.status = ImportBatch.Status.ACCEPTED
    batch.unchanged_count = unchanged
    with transaction.atomic():
        batch.save()
        _write(batch, to_write, existing, members, hashes)
        batch.save(update_fields=["created_count", "updated_count", "differences"])
    return batch


def _write(
    batch: ImportBatch,
    to_write: dict[str, list[ParsedLine]],
    existing: dict[str, Decompte],
    members: dict[str, Member],
    hashes: dict[str, str],
) -> None:
    """Bulk writes: an import of 100,000 lines is a few dozen queries, not 300,000."""
    from claims.notifications import decompte_paid_notifications

    decomptes, line_rows, alerts = [], [], []
    for decompte_id, group in to_write.items():
        current = existing.get(decompte_id)
        decompte, lines = _build_decompte(
            batch, current, decompte_id, group, members[group[0].member_number], hashes[decompte_id]
        )
        if current is None:
            batch.created_count += 1
        else:
            batch.updated_count += 1
        if decompte.status == Decompte.Status.PAID:
            alerts.append(decompte)
        decomptes.append((decompte, current is not None))
        line_rows.append(lines)
    updated = [d for d, is_update in decomptes if is_update]
    Decompte.objects.bulk_create([d for d, is_update in decomptes if not is_update], batch_size=1000)
    for decompte in updated:
        decompte.save()
    DecompteLine.objects.filter(decompte__in=updated).delete()
    all_lines = []
    for (decompte, _is_update), lines in zip(decomptes, line_rows, strict=True):
        for line in lines:
            line.decompte = decompte
        all_lines.extend(lines)
    DecompteLine.objects.bulk_create(all_lines, batch_size=2000)
    year_totals_refresh({(d.member_id, d.payment_date.year) for d in alerts if d.payment_date})
    decompte_paid_notifications(alerts)


def year_totals_refresh(member_years: set[tuple[int, int]]) -> None:
    """Recompute the yearly totals the import touched, from the décomptes themselves."""
    from django.db.models import Sum

    from claims.models import YearTotal

    by_member: dict[int, set[int]] = defaultdict(set)
    for member_id, year in member_years:
        by_member[member_id].add(year)
    for member_id, years in by_member.items():
        rows = (
            Decompte.objects.filter(member_id=member_id, status=Decompte.Status.PAID, payment_date__year__in=years)
            .values("payment_date__year")
            .annotate(
                fr=Sum("total_frais_reels"), ss=Sum("total_ss"), comp=Sum("total_complementary"), rac=Sum("total_rac")
            )
        )
        for row in rows:
            YearTotal.objects.update_or_create(
                member_id=member_id,
                year=row["payment_date__year"],
                defaults={
                    "frais_reels": row["fr"],
                    "ss": row["ss"],
                    "complementary": row["comp"],
                    "reste_a_charge": row["rac"],
                },
            )


def _build_decompte(
    batch: ImportBatch,
    current: Decompte | None,
    decompte_id: str,
    group: list[ParsedLine],
    member: Member,
    content_hash: str,
) -> tuple[Decompte, list[DecompteLine]]:
    first = group[0]
    paid_amounts = []
    for line in group:
        computed = line.computed.complementary
        paid = line.complementary_paid if line.complementary_paid is not None else computed
        if paid != computed:
            batch.differences.append(
                {
                    "line": line.line,
                    "decompte": decompte_id,
                    "paid": str(paid),
                    "computed": str(computed),
                    "difference": str(paid - computed),
                    "reason": "Le montant payé diffère du calcul du moteur de garanties.",
                }
            )
        paid_amounts.append(paid)
    decompte = current or Decompte(external_id=decompte_id, member=member)
    decompte.batch = batch
    decompte.status = Decompte.Status.PAID if first.payment_date else Decompte.Status.PENDING
    decompte.origin = first.origin
    decompte.payee = first.payee
    decompte.payee_name = first.payee_name
    decompte.payment_date = first.payment_date
    decompte.documents_complete_on = first.documents_complete_on
    decompte.iban_masked = mask_iban(member.iban) if first.payee == Decompte.Payee.MEMBER else ""
    decompte.first_care_date = min(line.care_date for line in group)
    decompte.total_frais_reels = sum((line.frais_reels for line in group), Decimal("0.00"))
    decompte.total_ss = sum((line.ss_paid for line in group), Decimal("0.00"))
    decompte.total_complementary = sum(paid_amounts, Decimal("0.00"))
    decompte.total_rac = decompte.total_frais_reels - decompte.total_ss - decompte.total_complementary
    decompte.content_hash = content_hash
    lines = [
        DecompteLine(
            line_number=line.line,
            beneficiary=line.beneficiary,
            care_date=line.care_date,
            act_code=line.act,
            act_label=line.computed.label,
            category=_category(member, line.act),
            practitioner=line.practitioner,
            quantity=line.quantity,
            frais_reels=line.frais_reels,
            base_remboursement=line.base_remboursement,
            ss_paid=line.ss_paid,
            complementary_paid=paid,
            computed_complementary=line.computed.complementary,
            reste_a_charge=line.frais_reels - line.ss_paid - paid,
            rule_label=(line.computed.rule.source if line.computed.rule else "")[:300],
            rule_source=(
                f"Notice {line.computed.rule.notice}, ligne {line.computed.rule.line}" if line.computed.rule else ""
            ),
            explanation="\n".join(layer.explanation for layer in line.computed.layers),
            limits=[limit.to_dict() for limit in line.computed.limits],
            engine_details=_details_to_json(line.details),
        )
        for line, paid in zip(group, paid_amounts, strict=True)
    ]
    return decompte, lines


def _category(member: Member, act: str) -> str:
    for affiliation in member.affiliations.all():
        rows = catalogue.formula_rules(affiliation.formula.code).rows_by_act.get(act)
        if rows:
            return rows[0].category.capitalize()
    return "Autres"
