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
