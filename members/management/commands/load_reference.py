from django.core.management.base import BaseCommand

from core.registry import app_modules
from members.services import reference_data_load


class Command(BaseCommand):
    help = (
        "Load organismes, contracts and formulas from members/data/reference.json, then each app's reference "
        "data (<app>/reference.py: messaging objets, guarantee tables). Idempotent."
    )

    def handle(self, *args, **options):
        counts = reference_data_load()
        self.stdout.write(
            f"Reference data: {counts['organismes']} organismes, {counts['contracts']} contracts, "
            f"{counts['formulas']} formulas."
        )
        # After the formulas, which the other apps' reference data points at.
        for module in app_modules("reference"):
            self.stdout.write(module.reference_load())
