from pathlib import Path

from django.core.files.base import File
from django.core.management.base import BaseCommand, CommandError

from core.csv_errors import LineError, errors_report
from core.progress import TerminalProgress
from directory.services import directory_import_file
from documents.imports import ImportStatus


class Command(BaseCommand):
    help = (
        "Import health professionals from a ';'-separated UTF-8 CSV file (see README). All or nothing: "
        "any bad line is reported with its line, column and reason, and nothing is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--remplacer",
            action="store_true",
            dest="replace",
            help="delete the professionals that are not in the file",
        )

    def handle(self, *args, path: Path, replace: bool, **options):
        try:
            handle = path.open("rb")
        except OSError as error:
            raise CommandError(f"Impossible de lire {path} : {error.strerror}.")
        progress = TerminalProgress(lambda text: self.stderr.write(text, ending=""))
        with handle:
            job = directory_import_file(
                content=File(handle), file_name=path.name, replace=replace, progress_callback=progress
            )
        progress.close()
        if job.status == ImportStatus.REFUSED:
            self.stderr.write(errors_report(LineError.from_dict(error) for error in job.errors))
            raise CommandError(f"Import refusé : {job.error_count} erreur(s), aucune modification.")
        self.stdout.write(
            f"Import terminé : {job.created_count} créés, {job.updated_count} mis à jour, {job.deleted_count} supprimés."
        )
