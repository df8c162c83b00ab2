from django.core.management.base import BaseCommand

from members.services import reference_data_load


class Command(BaseCommand):
    help = "Load organismes, contracts and formulas from members/data/reference.json (idempotent)."

    def handle(self, *args, **options):
        counts = reference_data_load()
        self.stdout.write(
            f"Reference data: {counts['organismes']} organismes, {counts['contracts']} contracts, "
            f"{counts['formulas']} formulas."
        )
        from messaging.services import taxonomy_seed

        seeded = taxonomy_seed()  # creates missing categories/objets, never overwrites edits
        self.stdout.write(f"Messaging: {seeded['categories']} categories and {seeded['topics']} objets created.")
        from guarantees.services import guarantee_tables_load

        tables = guarantee_tables_load()  # after the formulas it points at; idempotent
        self.stdout.write(f"Guarantees: {tables['rows']} table rows, {tables['cells']} cells, {tables['pmss']} PMSS values.")
