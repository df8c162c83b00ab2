"""Writes to the directory: the CSV import of gestionnaires (a background job: queued by
the back-office, run by a Celery task, all or nothing) and the demo directory."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from core.csv_errors import LineError
from core.text import fold_words
from directory.models import DirectoryImport, Kind, Professional, Sector, Speciality
from documents.imports import (
    ImportStatus,
    Progress,
    TakenOver,
    job_claim,
    jobs_recover,
    lock_if_ours,
    text_lines,
)

# The CSV format (README, "Annuaire des professionnels"): `;`-separated, UTF-8, one header line.
COLUMNS = (
    "identifiant",
    "nom",
    "type",
    "specialite",
    "adresse",
    "code_postal",
    "ville",
    "latitude",
    "longitude",
    "telephone",
    "secteur",
    "optam",
    "tiers_payant",
    "itelis",
)
REQUIRED = ("identifiant", "nom", "type", "adresse", "code_postal", "ville", "latitude", "longitude")
MAX_ROWS = 200_000
UPDATE_FIELDS = [
    "name",
    "kind",
    "speciality",
    "address",
    "postcode",
    "city",
    "latitude",
    "longitude",
    "phone",
    "sector",
    "optam",
    "tiers_payant",
    "itelis",
    "updated_at",
]

_KINDS = {fold_words(value): value for value in Kind.values} | {
    fold_words(label): value for value, label in Kind.choices
}
_KINDS |= {
    "medecin": Kind.GENERALISTE,
    "generaliste": Kind.GENERALISTE,
    "specialiste": Kind.SPECIALISTE,
    "dentiste": Kind.DENTISTE,
    "kine": Kind.KINESITHERAPEUTE,
    "kinesitherapeute": Kind.KINESITHERAPEUTE,
    "hopital": Kind.ETABLISSEMENT,
    "clinique": Kind.ETABLISSEMENT,
    "laboratoire": Kind.LABORATOIRE,
}
_SPECIALITIES = {fold_words(value): value for value in Speciality.values} | {
    fold_words(label): value for value, label in Speciality.choices
}
_SECTORS = {"": "", "1": "1", "secteur 1": "1", "2": "2", "secteur 2": "2", "nc": "nc", "non conventionne": "nc"}
_BOOLEANS = {
    "": False,
    "non": False,
    "0": False,
    "faux": False,
    "n": False,
    "oui": True,
    "1": True,
    "vrai": True,
    "o": True,
}
_IDENTIFIER_RE = re.compile(r"^[A-Za-z0-9-]{1,20}$")


class DirectoryImportError(Exception):
    def __init__(self, errors: list[LineError]):
        super().__init__(f"{len(errors)} erreur(s) dans le fichier")
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    identifiers: list[str] = field(default_factory=list)


def _decimal(raw: str, column: str, low: float, high: float, errors: list[LineError], line: int) -> float | None:
    try:
        value = float(raw.replace(",", ".").replace(" ", ""))
    except ValueError:
        errors.append(LineError(line, column, f"« {raw} » n'est pas un nombre décimal (exemple : 45,7640)."))
        return None
    if not low <= value <= high:
        errors.append(LineError(line, column, f"{raw} est hors des limites ({low:g} à {high:g})."))
        return None
    return value


def _phone(raw: str) -> str | None:
    digits = re.sub(r"[\s.\-]", "", raw)
    if digits.startswith("+33"):
        digits = "0" + digits[3:]
    if not re.fullmatch(r"0\d{9}", digits):
        return None
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


def _row_to_professional(row: dict[str, str], line: int, errors: list[LineError]) -> Professional | None:
    before = len(errors)
    for column in REQUIRED:
        if not row[column]:
            errors.append(LineError(line, column, "valeur obligatoire manquante."))
    identifier = row["identifiant"]
    if identifier and not _IDENTIFIER_RE.match(identifier):
        errors.append(LineError(line, "identifiant", "20 caractères au plus : lettres, chiffres et tirets."))
    kind = _KINDS.get(fold_words(row["type"])) if row["type"] else ""
    if kind is None:
        errors.append(
            LineError(line, "type", f"type « {row['type']} » inconnu ; valeurs possibles : {', '.join(Kind.values)}.")
        )
    speciality: str | None = ""
    if row["specialite"]:
        speciality = _SPECIALITIES.get(fold_words(row["specialite"]))
        if speciality is None:
            errors.append(LineError(line, "specialite", f"spécialité « {row['specialite']} » inconnue."))
            speciality = ""
        elif kind and kind != Kind.SPECIALISTE:
            errors.append(LineError(line, "specialite", "seul un médecin spécialiste a une spécialité."))
    elif kind == Kind.SPECIALISTE:
        errors.append(LineError(line, "specialite", "la spécialité est obligatoire pour un médecin spécialiste."))
    if row["code_postal"] and not re.fullmatch(r"\d{5}", row["code_postal"]):
        errors.append(
            LineError(line, "code_postal", f"« {row['code_postal']} » n'est pas un code postal à 5 chiffres.")
        )
    latitude = _decimal(row["latitude"], "latitude", -90, 90, errors, line) if row["latitude"] else None
    longitude = _decimal(row["longitude"], "longitude", -180, 180, errors, line) if row["longitude"] else None
    phone: str | None = ""
    if row["telephone"]:
        phone = _phone(row["telephone"])
        if phone is None:
            errors.append(LineError(line, "telephone", f"« {row['telephone']} » n'est pas un numéro à 10 chiffres."))
    sector = _SECTORS.get(fold_words(row["secteur"]))
    if sector is None:
        errors.append(LineError(line, "secteur", f"« {row['secteur']} » : valeurs possibles 1, 2, nc ou vide."))
    flags = {}
    for column in ("optam", "tiers_payant", "itelis"):
        flags[column] = _BOOLEANS.get(fold_words(row[column]))
        if flags[column] is None:
            errors.append(LineError(line, column, f"« {row[column]} » : répondez oui ou non."))
    if flags["optam"] and kind not in (Kind.GENERALISTE, Kind.SPECIALISTE, None):
        errors.append(LineError(line, "optam", "l'OPTAM ne concerne que les médecins."))
    if len(row["nom"]) > 150 or len(row["adresse"]) > 200 or len(row["ville"]) > 80:
        errors.append(LineError(line, "", "nom (150), adresse (200) ou ville (80) trop long."))
    # Every None below was reported as an error of this line.
    if len(errors) > before or kind is None or speciality is None or phone is None:
        return None
    if latitude is None or longitude is None:
        return None
    return Professional(
        identifier=identifier,
        name=row["nom"],
        kind=kind,
        speciality=speciality,
        address=row["adresse"],
        postcode=row["code_postal"],
        city=row["ville"],
        latitude=latitude,
        longitude=longitude,
        phone=phone,
        sector=sector or Sector.NOT_APPLICABLE,
        optam=bool(flags["optam"]),
        tiers_payant=bool(flags["tiers_payant"]),
        itelis=bool(flags["itelis"]),
        updated_at=timezone.now(),
    )


def directory_csv_parse(content: bytes | Iterable[bytes], progress=None) -> list[Professional]:
    """Every line of the file as an unsaved ``Professional``, or ``DirectoryImportError``
    listing every bad line (line number as a spreadsheet shows it, column, reason)."""
    try:
        return _parse(text_lines(content), progress or _no_progress)
    except UnicodeDecodeError:
        raise DirectoryImportError([LineError(None, "", "le fichier n'est pas encodé en UTF-8.")]) from None


def _no_progress(phase: str, count: int, *, force: bool = False) -> None:
    pass


def _parse(text: Iterator[str], progress) -> list[Professional]:
    reader = csv.reader(text, delimiter=";")
    header = [name.strip().lower() for name in next(reader, [])]
    errors: list[LineError] = []
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing:
        errors.append(LineError(1, "", f"colonnes manquantes : {', '.join(missing)} (séparateur attendu : « ; »)."))
    if unknown:
        errors.append(LineError(1, "", f"colonnes inconnues : {', '.join(unknown)}."))
    if errors:
        raise DirectoryImportError(errors)
    professionals: list[Professional] = []
    seen: dict[str, int] = {}
    read = 0
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            errors.append(LineError(line, "", f"{len(values)} valeurs au lieu de {len(header)}."))
            continue
        row = {name: value.strip() for name, value in zip(header, values, strict=True)}
        professional = _row_to_professional(row, line, errors)
        identifier = row["identifiant"]
        if identifier in seen:
            errors.append(LineError(line, "identifiant", f"« {identifier} » figure déjà ligne {seen[identifier]}."))
            continue
        seen[identifier] = line
        if professional is not None:
            professionals.append(professional)
        if line > MAX_ROWS + 1:
            errors.append(LineError(None, "", f"plus de {MAX_ROWS} lignes : découpez le fichier."))
            break
        read = line - 1
        progress("validated", read)
    progress("validated", read, force=True)
    if errors:
        raise DirectoryImportError(errors)
    if not professionals:
        raise DirectoryImportError([LineError(None, "", "le fichier ne contient aucune ligne de données.")])
    return professionals


@transaction.atomic
def professionals_upsert(
    *, professionals: Iterable[Professional], replace: bool = False, keep_prefix: str = "", progress=None
) -> ImportResult:
    """Create or update by identifier; with ``replace``, delete the entries absent from the
    list (except identifiers starting with ``keep_prefix``, when given)."""
    professionals = list(professionals)
    identifiers = [p.identifier for p in professionals]
    wanted = set(identifiers)
    # Read every identifier once rather than an IN (...) of 100,000 parameters (SQLite's limit).
    stored = dict(Professional.objects.values_list("identifier", "pk"))
    for start in range(0, len(professionals), 5000):
        Professional.objects.bulk_create(
            professionals[start : start + 5000],
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["identifier"],
            update_fields=UPDATE_FIELDS,
        )
        if progress is not None:
            progress("written", min(start + 5000, len(professionals)))
    updated = len(wanted & stored.keys())
    result = ImportResult(created=len(wanted) - updated, updated=updated, identifiers=identifiers)
    if replace:
        stale = [
            pk
            for identifier, pk in stored.items()
            if identifier not in wanted and not (keep_prefix and identifier.startswith(keep_prefix))
        ]
        for start in range(0, len(stale), 500):
            result.deleted += Professional.objects.filter(pk__in=stale[start : start + 500]).delete()[0]
    return result


def directory_import(*, content: bytes, replace: bool = False) -> ImportResult:
    """All or nothing: a file with one bad line changes nothing."""
    return professionals_upsert(professionals=directory_csv_parse(content), replace=replace)


def _job_create(*, content: bytes | File, file_name: str, replace: bool, imported_by) -> DirectoryImport:
    source = ContentFile(content) if isinstance(content, bytes) else content
    digest = hashlib.sha256()
    for chunk in source.chunks():
        digest.update(chunk)
    source.seek(0)
    job = DirectoryImport(sha256=digest.hexdigest(), imported_by=imported_by, replace=replace)
    job.store(source, file_name)
    job.save()
    return job


@transaction.atomic
def directory_import_queue(*, upload: File, replace: bool, imported_by) -> DirectoryImport:
    """Keep the uploaded file and hand it to a worker once the row is committed."""
    from directory.tasks import run_directory_import

    job = _job_create(content=upload, file_name=upload.name or "annuaire.csv", replace=replace, imported_by=imported_by)
    transaction.on_commit(partial(run_directory_import.delay, job.pk))
    return job


def directory_import_file(
    *, content: bytes | File, file_name: str, replace: bool = False, imported_by=None, progress_callback=None
) -> DirectoryImport:
    """Store the file and import it now, in this process (the command)."""
    job = _job_create(content=content, file_name=file_name, replace=replace, imported_by=imported_by)
    return directory_import_run(job_id=job.pk, progress_callback=progress_callback)


def directory_import_run(*, job_id: int, progress_callback=None) -> DirectoryImport:
    """Run a queued import (a task delivered twice finds it taken or finished)."""
    taken = job_claim(DirectoryImport, job_id)
    job = DirectoryImport.objects.get(pk=job_id)
    if not taken:
        return job
    progress = Progress(job, progress_callback)
    try:
        professionals = directory_csv_parse(job.open_file(), progress)
    except DirectoryImportError as failure:
        professionals, errors = [], failure.errors
    else:
        errors = []
    job.line_count = len(professionals)
    progress("computed", len(professionals), force=True)  # nothing to compute: checked is ready
    try:
        with transaction.atomic():
            lock_if_ours(job)
            if errors:
                job.refuse(errors)
                job.save()
                return job
            result = professionals_upsert(professionals=professionals, replace=job.replace, progress=progress)
            job.status = ImportStatus.ACCEPTED
            job.created_count, job.updated_count, job.deleted_count = result.created, result.updated, result.deleted
            job.written_count = len(professionals)
            job.finished_at = timezone.now()
            job.save()
    except TakenOver:
        return DirectoryImport.objects.get(pk=job.pk)
    return job


def directory_import_recover() -> list[int]:
    """Imports whose worker died: queued again, or refused after ``MAX_ATTEMPTS``."""
    from directory.tasks import run_directory_import

    return jobs_recover(DirectoryImport, run_directory_import.delay)
