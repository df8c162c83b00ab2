from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.csv_errors import errors_report
from directory.services import DirectoryImportError, directory_import


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
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Impossible de lire {path} : {error.strerror}.")
        try:
            result = directory_import(content=content, replace=replace)
        except DirectoryImportError as failure:
            self.stderr.write(errors_report(failure.errors))
            raise CommandError(f"Import refusé : {len(failure.errors)} erreur(s), aucune modification.")
        self.stdout.write(
            f"Import terminé : {result.created} créés, {result.updated} mis à jour, {result.deleted} supprimés."
        )
