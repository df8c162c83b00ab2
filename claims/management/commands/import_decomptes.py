from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.files.base import File
from django.core.management.base import BaseCommand, CommandError

from claims.models import ImportBatch
from claims.services import decomptes_import
from core.csv_errors import LineError, errors_report
from core.progress import TerminalProgress


class Command(BaseCommand):
    help = "Import a décomptes CSV file (UTF-8, ';' separator; columns in claims/csv_format.py). All or nothing."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if not file.exists():
            raise CommandError(f"{file}: no such file")
        progress = TerminalProgress(lambda text: self.stderr.write(text, ending=""))
        with file.open("rb") as handle:
            batch = decomptes_import(content=File(handle), file_name=file.name, progress_callback=progress)
        progress.close()
        if batch.status == ImportBatch.Status.REFUSED:
            self.stderr.write(errors_report(LineError.from_dict(error) for error in batch.errors))
            raise CommandError(f"Fichier refusé : {len(batch.errors)} erreur(s), rien n'a été importé.")
        self.stdout.write(
            f"Fichier accepté : {batch.line_count} lignes, {batch.created_count} décomptes créés, "
            f"{batch.updated_count} mis à jour, {batch.unchanged_count} inchangés, "
            f"{len(batch.differences)} écart(s) avec le moteur de garanties."
        )
        for warning in batch.warnings:
            self.stdout.write(f"  avertissement : {LineError.from_dict(warning)}")
        for difference in batch.differences:
            self.stdout.write(
                f"  ligne {difference['line']} décompte {difference['decompte']} : payé {difference['paid']}, "
                f"calculé {difference['computed']}"
            )
