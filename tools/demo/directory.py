"""The directory near the demo members: whatever directory is loaded (the generated one,
an imported file, none), they find Itelis opticians and tiers-payant pharmacies around
their own address and around Reims, where the guide they read was written."""

from __future__ import annotations

from directory.demo import demo_professionals_near
from directory.services import professionals_upsert
from members.models import Member
from tools.demo.members import DEMO_HOUSEHOLD_NUMBER, DEMO_RETIREE_NUMBER

REIMS = ("Reims", "51100")


def demo_directory_near_members() -> int:
    """Upsert the professionals near each demo member's address and Reims; the number upserted."""
    places = {
        (member.city, member.postcode)
        for member in Member.objects.filter(number__in=(DEMO_HOUSEHOLD_NUMBER, DEMO_RETIREE_NUMBER))
    }
    places.add(REIMS)
    professionals = [pro for city, postcode in sorted(places) for pro in demo_professionals_near(city, postcode)]
    professionals_upsert(professionals=professionals)
    return len(professionals)
