from django.core.management.base import BaseCommand

from directory.demo import DEMO_NEAR_PLACES, DEMO_NEAR_PREFIX, DEMO_PREFIX, demo_professionals, demo_professionals_near
from directory.services import professionals_upsert


class Command(BaseCommand):
    help = (
        "Load a generated demo directory of health professionals placed around the chefs-lieux of the "
        "French départements, plus a few near the demo members' homes and Reims (idempotent: the same seed "
        "gives the same rows, upserted by identifier)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=3000, help="number of professionals (default 3000)")
        parser.add_argument("--seed", type=int, default=1412, help="random seed (default 1412)")

    def handle(self, *args, count, seed, **options):
        from directory.models import Professional

        professionals = demo_professionals(count, seed=seed)
        for city, postcode in DEMO_NEAR_PLACES:
            professionals += demo_professionals_near(city, postcode)
        result = professionals_upsert(professionals=professionals)
        # Demo rows beyond ``count`` (from an earlier, larger run) are removed; imported rows are kept.
        stale = (
            Professional.objects.filter(identifier__startswith=DEMO_PREFIX)
            .exclude(identifier__lte=f"{DEMO_PREFIX}{count:06d}")
            .exclude(identifier__startswith=DEMO_NEAR_PREFIX)
        )
        removed, _ = stale.delete()
        self.stdout.write(
            f"Annuaire de démonstration : {result.created} créés, {result.updated} mis à jour, {removed} supprimés."
        )
