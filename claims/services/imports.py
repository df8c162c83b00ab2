"""Import of a décomptes file: all or nothing, idempotent, every line explained by the
guarantee engine and checked against the amount the file says was paid.

The file format is documented in claims/csv_format.py. The back-office stores the file
and queues it (``decomptes_import_queue``); a Celery task runs ``decomptes_import_run``,
which leaves the ``ImportBatch`` ``accepte`` with counts and the engine differences, or
``refuse`` with every bad line (line number, column, reason in French) and nothing else
written. ``decomptes_import`` does both at once, in the caller's process (the command,
the tests). Reads and the engine happen before the one write transaction: a worker killed
in the middle leaves no décompte of the file (documents.imports explains the recovery).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Prefetch, Q, Sum
from django.utils import timezone

from claims.csv_format import COLUMNS, REQUIRED, CellError, parse_amount, parse_date, parse_int
from claims.models import Decompte, DecompteLine, ImportBatch, YearTotal
from claims.selectors import engine_history
from core.csv_errors import LineError
from core.sql import analyze, insert_values, sequence_ids
from documents.imports import (
    MAX_REPORTED_ERRORS,
    ImportStatus,
    Progress,
    TakenOver,
    job_claim,
    jobs_recover,
    lock_if_ours,
    text_lines,
)
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
from guarantees.selectors import engine_layers_from, engine_request_for
from members.models import Affiliation, Beneficiary, Member, NoemieStatus
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
# Rows per IN (...) list: PostgreSQL takes at most 65,535 parameters per query.
IN_CHUNK = 10_000
# New décomptes past which their table's statistics are refreshed before the lines are
# written (core.sql.analyze; about 0.1 s, against minutes when they are stale).
ANALYZE_AFTER = 10_000
NOT_TELETRANSMITTED = (
    "Décompte NOEMIE pour {name}, dont la télétransmission n'est pas active : importé, vérifiez son statut NOEMIE."
)

_NoProgress = Callable[..., None]
_T = TypeVar("_T")


def _no_progress(phase: str, count: int, *, force: bool = False) -> None:
    pass


def _chunks(values: Iterable[_T], size: int | None = None) -> Iterator[list[_T]]:
    values = list(values)
    size = size or IN_CHUNK
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass(slots=True)  # a million of them in a big file: no __dict__ each
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
        if not row.get(column):  # most files have one or two of these columns, most cells empty
            continue
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


def read_rows(
    content: bytes | Iterable[bytes], errors: list[LineError], progress: _NoProgress = _no_progress
) -> list[ParsedLine]:
    try:
        return _read_rows(text_lines(content), errors, progress)
    except UnicodeDecodeError:
        errors.append(LineError(1, "", "Le fichier n'est pas encodé en UTF-8."))
        return []


def _read_rows(text: Iterator[str], errors: list[LineError], progress: _NoProgress) -> list[ParsedLine]:
    reader = csv.DictReader(text, delimiter=";")
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
    number = 1
    for number, row in enumerate(reader, start=2):
        if None in row:
            errors.append(LineError(number, "", "La ligne a plus de colonnes que l'en-tête."))
            continue
        line = _parse_row(number, row, errors)
        if line is not None:
            parsed.append(line)
        progress("validated", number - 1)
    progress("validated", number - 1, force=True)
    if not parsed and not errors:
        errors.append(LineError(1, "", "Le fichier ne contient aucune ligne de soins."))
    return parsed


def _members_by_number(numbers: set[str]) -> dict[str, Member]:
    found: dict[str, Member] = {}
    for chunk in _chunks(numbers):
        members = Member.objects.filter(number__any_of=chunk).prefetch_related(
            # Unordered: the default ordering joins the members again (by number), which a
            # planner misjudging a freshly filled table turned into a 5,000 x 5,000 loop.
            Prefetch("beneficiaries", queryset=Beneficiary.objects.order_by()),
            Prefetch("affiliations", queryset=Affiliation.objects.select_related("formula")),
        )
        found.update((member.number, member) for member in members)
    return found


def _details_to_json(details: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in details.items()}


def _claim_date(line: ParsedLine) -> dt.date:
    return line.payment_date or line.documents_complete_on or timezone.localdate()


def _compute(
    lines: list[ParsedLine],
    members: dict[str, Member],
    replaced: set[str],
    errors: list[LineError],
    progress: _NoProgress = _no_progress,
) -> None:
    """Run the engine once per beneficiary over their lines of the file in care-date order,
    after their history (read in bulk, a chunk of beneficiaries at a time). ``replaced``:
    the pending décomptes the file rewrites, whose stored lines are not history."""
    by_beneficiary: dict[int, list[ParsedLine]] = defaultdict(list)
    people: dict[int, Beneficiary] = {}
    for line in lines:
        if line.beneficiary is None:  # unresolved: already an error of its line
            continue
        by_beneficiary[line.beneficiary.pk].append(line)
        people[line.beneficiary.pk] = line.beneficiary
    layers_by_member: dict[int, Any] = {}
    done = 0
    for chunk in _chunks(by_beneficiary, 2000):
        history = engine_history(set(chunk), exclude_decomptes=replaced)
        for beneficiary_id in chunk:
            own_lines = by_beneficiary[beneficiary_id]
            own_lines.sort(key=lambda item: (item.care_date, item.line))
            beneficiary = people[beneficiary_id]
            member = members[own_lines[0].member_number]
            if member.pk not in layers_by_member:
                layers_by_member[member.pk] = engine_layers_from(member.affiliations.all())
            base_request = engine_request_for(beneficiary, lines=(), layers=layers_by_member[member.pk])
            done += len(own_lines)
            progress("computed", done)
            if not base_request.layers:
                errors.extend(
                    LineError(item.line, "numero_adherent", "L'assuré n'a aucune formule de garanties.")
                    for item in own_lines
                )
                continue
            earlier = list(history.get(beneficiary_id, []))
            if not _compute_in_one_request(base_request, own_lines, earlier):
                _compute_line_by_line(base_request, own_lines, earlier, errors)
    progress("computed", done, force=True)


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


def _resolve(
    lines: list[ParsedLine], members: dict[str, Member], errors: list[LineError], warnings: list[LineError]
) -> list[ParsedLine]:
    resolved = []
    warned: set[int] = set()
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
        if (
            line.origin == Decompte.Origin.NOEMIE
            and person.noemie_status != NoemieStatus.ACTIVE
            and person.pk not in warned
        ):
            # Not a refusal: the payment happened; the gestionnaire fixes the status.
            warned.add(person.pk)
            warnings.append(LineError(line.line, "origine", NOT_TELETRANSMITTED.format(name=person.full_name)))
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


def decomptes_import(
    *,
    content: bytes | File[Any],
    file_name: str,
    imported_by: User | None = None,
    progress_callback: _NoProgress | None = None,
) -> ImportBatch:
    """Store the file and import it now, in this process (the command, the tests)."""
    batch = _batch_create(content=content, file_name=file_name, imported_by=imported_by)
    return decomptes_import_run(batch_id=batch.pk, progress_callback=progress_callback)


def _batch_create(*, content: bytes | File[Any], file_name: str, imported_by: User | None) -> ImportBatch:
    source = ContentFile(content) if isinstance(content, bytes) else content
    digest = hashlib.sha256()
    for chunk in source.chunks():
        digest.update(chunk)
    source.seek(0)
    batch = ImportBatch(sha256=digest.hexdigest(), imported_by=imported_by)
    batch.store(source, file_name)
    batch.save()
    return batch


@transaction.atomic
def decomptes_import_queue(*, upload: File[Any], imported_by: User | None) -> ImportBatch:
    """Keep the uploaded file and hand it to a worker once the batch row is committed."""
    from claims.tasks import run_decomptes_import

    batch = _batch_create(content=upload, file_name=upload.name or "decomptes.csv", imported_by=imported_by)
    transaction.on_commit(partial(run_decomptes_import.delay, batch.pk))
    return batch


def decomptes_import_recover() -> list[int]:
    """Batches whose worker died: queued again, or refused after ``MAX_ATTEMPTS``."""
    from claims.tasks import run_decomptes_import

    return jobs_recover(ImportBatch, run_decomptes_import.delay)


def decomptes_import_run(*, batch_id: int, progress_callback: _NoProgress | None = None) -> ImportBatch:
    if not job_claim(ImportBatch, batch_id):
        return ImportBatch.objects.get(pk=batch_id)
    batch = ImportBatch.objects.get(pk=batch_id)
    progress = Progress(batch, progress_callback)
    errors: list[LineError] = []
    warnings: list[LineError] = []
    lines = read_rows(batch.open_file(), errors, progress)
    batch.line_count = batch.validated_count
    ImportBatch.objects.filter(pk=batch.pk).update(line_count=batch.line_count)  # the bars' length, at once
    members = _members_by_number({line.member_number for line in lines})
    lines = _resolve(lines, members, errors, warnings)
    groups = _group(lines, errors)
    existing = _existing(set(groups))
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
    replaced = {decompte_id for decompte_id in to_write if decompte_id in existing}
    _compute([line for group in to_write.values() for line in group], members, replaced, errors, progress)
    batch.warnings = [w.to_dict() for w in sorted(warnings, key=LineError.sort_key)[:MAX_REPORTED_ERRORS]]
    try:
        with transaction.atomic():
            lock_if_ours(batch)
            if errors:
                batch.refuse(errors)
                batch.save()
                return batch
            batch.unchanged_count = unchanged
            _write(batch, to_write, existing, members, hashes, progress)
            batch.status = ImportStatus.ACCEPTED
            batch.written_count = sum(len(group) for group in to_write.values())
            batch.finished_at = timezone.now()
            batch.save()
    except TakenOver:
        return ImportBatch.objects.get(pk=batch.pk)
    return batch


def _existing(decompte_ids: set[str]) -> dict[str, Decompte]:
    """The file's décomptes already stored: only what the comparison needs, except for the
    pending ones a file may rewrite (whole rows, they are saved again)."""
    found: dict[str, Decompte] = {}
    for chunk in _chunks(decompte_ids):
        rows = Decompte.objects.filter(external_id__any_of=chunk).only(
            "external_id", "content_hash", "status", "member__number"
        )
        found.update((d.external_id, d) for d in rows.select_related("member"))
    pending = [d.pk for d in found.values() if d.status == Decompte.Status.PENDING]
    for decompte in Decompte.objects.filter(pk__in=pending).select_related("member"):
        found[decompte.external_id] = decompte
    return found


def _write(
    batch: ImportBatch,
    to_write: dict[str, list[ParsedLine]],
    existing: dict[str, Decompte],
    members: dict[str, Member],
    hashes: dict[str, str],
    progress: _NoProgress = _no_progress,
) -> None:
    """Bulk writes: an import of 100,000 lines is a few dozen queries, not 300,000."""
    from claims.notifications import PaidDecompte, decompte_paid_notifications

    batch.differences = []
    known: dict[tuple[int, str], str] = {}  # per member: categories of acts, masked IBAN
    new_rows: list[dict[str, Any]] = []
    updated: list[Decompte] = []
    written: list[tuple[Decompte | dict[str, Any], list[ParsedLine], list[Decimal]]] = []
    # By member: each COPY statement then touches a few hundred members, and the claims
    # version triggers (one upsert per member and statement) run a few thousand upserts for
    # the whole file instead of one per décompte (a file lists its members in turn).
    for decompte_id, group in sorted(to_write.items(), key=lambda item: item[1][0].member_number):
        decompte, paid_amounts = _build_decompte(
            batch,
            existing.get(decompte_id),
            decompte_id,
            group,
            members[group[0].member_number],
            hashes[decompte_id],
            known,
        )
        if isinstance(decompte, Decompte):
            updated.append(decompte)
        else:
            new_rows.append(decompte)
        written.append((decompte, group, paid_amounts))
    batch.created_count, batch.updated_count = len(new_rows), len(updated)
    batch.save()  # the décomptes point at it
    for row, pk in zip(new_rows, sequence_ids(Decompte, len(new_rows)), strict=True):
        row["id"] = pk
    insert_values(Decompte, new_rows)
    if len(new_rows) >= ANALYZE_AFTER:
        analyze(Decompte)
    for decompte in updated:
        decompte.save()
    for chunk in _chunks([d.pk for d in updated]):
        DecompteLine.objects.filter(decompte__in=chunk).delete()
    decompte_lines_insert(_line_rows(written, members, known), progress)
    paid = [d for d in updated if d.status == Decompte.Status.PAID and d.payment_date is not None]
    year_totals_refresh(
        {(d.member_id, d.payment_date.year) for d in paid if d.payment_date is not None}
        | {(r["member_id"], r["payment_date"].year) for r in new_rows if r["status"] == Decompte.Status.PAID}
    )
    decompte_paid_notifications(
        itertools.chain(
            paid,
            (
                PaidDecompte(
                    r["id"], r["member_id"], r["external_id"], r["total_complementary"], r["payment_date"], r["payee"]
                )
                for r in new_rows
                if r["status"] == Decompte.Status.PAID
            ),
        )
    )


def decompte_lines_insert(lines: Iterable[dict[str, Any]], progress: _NoProgress = _no_progress) -> None:
    """COPY in batches, publishing the written counter between them."""
    insert_values(DecompteLine, lines, progress=partial(progress, "written"))


def year_totals_refresh(member_years: set[tuple[int, int]]) -> None:
    """Recompute the yearly totals the import touched, from the décomptes themselves: one
    grouped query and one upsert per chunk of members, whatever the number of members."""
    by_member: dict[int, set[int]] = defaultdict(set)
    for member_id, year in member_years:
        by_member[member_id].add(year)
    for chunk in _chunks(by_member, 5000):
        years = {year for member_id in chunk for year in by_member[member_id]}
        rows = (
            Decompte.objects.filter(Q(member_id__in=chunk), status=Decompte.Status.PAID, payment_date__year__in=years)
            .values("member_id", "payment_date__year")
            .annotate(
                fr=Sum("total_frais_reels"), ss=Sum("total_ss"), comp=Sum("total_complementary"), rac=Sum("total_rac")
            )
        )
        YearTotal.objects.bulk_create(
            [
                YearTotal(
                    member_id=row["member_id"],
                    year=row["payment_date__year"],
                    frais_reels=row["fr"],
                    ss=row["ss"],
                    complementary=row["comp"],
                    reste_a_charge=row["rac"],
                )
                for row in rows
                if row["payment_date__year"] in by_member[row["member_id"]]
            ],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["member", "year"],
            update_fields=["frais_reels", "ss", "complementary", "reste_a_charge"],
        )


def _build_decompte(
    batch: ImportBatch,
    current: Decompte | None,
    decompte_id: str,
    group: list[ParsedLine],
    member: Member,
    content_hash: str,
    known: dict[tuple[int, str], str],
) -> tuple[Decompte | dict[str, Any], list[Decimal]]:
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
    if first.payee == Decompte.Payee.MEMBER:
        # Once per member, not per décompte: the same IBAN for all of them.
        key = (member.pk, "iban")
        if key not in known:
            known[key] = mask_iban(member.iban)
        iban_masked = known[key]
    else:
        iban_masked = ""
    total_frais_reels = sum((line.frais_reels for line in group), Decimal("0.00"))
    total_ss = sum((line.ss_paid for line in group), Decimal("0.00"))
    total_complementary = sum(paid_amounts, Decimal("0.00"))
    values = {
        "batch_id": batch.pk,
        "status": Decompte.Status.PAID if first.payment_date else Decompte.Status.PENDING,
        "origin": first.origin,
        "payee": first.payee,
        "payee_name": first.payee_name,
        "payment_date": first.payment_date,
        "documents_complete_on": first.documents_complete_on,
        "iban_masked": iban_masked,
        "first_care_date": min(line.care_date for line in group),
        "total_frais_reels": total_frais_reels,
        "total_ss": total_ss,
        "total_complementary": total_complementary,
        "total_rac": total_frais_reels - total_ss - total_complementary,
        "content_hash": content_hash,
    }
    if current is not None:  # a pending décompte the file completes: saved by the ORM
        for name, value in values.items():
            setattr(current, name, value)
        decompte: Decompte | dict[str, Any] = current
    else:  # a new one, written by COPY (core.sql.insert_values) without a model instance
        decompte = {"external_id": decompte_id, "member_id": member.pk, **values}
    return decompte, paid_amounts


def _line_rows(
    written: list[tuple[Decompte | dict[str, Any], list[ParsedLine], list[Decimal]]],
    members: dict[str, Member],
    known: dict[tuple[int, str], str],
) -> Iterator[dict[str, Any]]:
    """The décompte lines as plain values for COPY (core.sql.insert_values), made as they
    are written: never all in memory at once."""
    for decompte, group, paid_amounts in written:
        decompte_pk = decompte.pk if isinstance(decompte, Decompte) else decompte["id"]
        member = members[group[0].member_number]
        for line, paid in zip(group, paid_amounts, strict=True):
            result = line.computed
            yield {
                "decompte_id": decompte_pk,
                "line_number": line.line,
                "beneficiary_id": line.beneficiary.pk if line.beneficiary else None,
                "care_date": line.care_date,
                "act_code": line.act,
                "act_label": result.label,
                "category": _category(member, line.act, known),
                "practitioner": line.practitioner,
                "quantity": line.quantity,
                "frais_reels": line.frais_reels,
                "base_remboursement": line.base_remboursement,
                "ss_paid": line.ss_paid,
                "complementary_paid": paid,
                "computed_complementary": result.complementary,
                "reste_a_charge": line.frais_reels - line.ss_paid - paid,
                "rule_label": (result.rule.source if result.rule else "")[:300],
                "rule_source": f"Notice {result.rule.notice}, ligne {result.rule.line}" if result.rule else "",
                "explanation": "\n".join(layer.explanation for layer in result.layers),
                "limits": [limit.to_dict() for limit in result.limits],
                "engine_details": _details_to_json(line.details),
            }


def _category(member: Member, act: str, known: dict[tuple[int, str], str]) -> str:
    key = (member.pk, act)
    if key not in known:
        known[key] = "Autres"
        for affiliation in member.affiliations.all():
            rows = catalogue.formula_rules(affiliation.formula.code).rows_by_act.get(act)
            if rows:
                known[key] = rows[0].category.capitalize()
                break
    return known[key]
