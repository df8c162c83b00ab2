import pytest
from django.core.management import call_command

from directory.demo import DEMO_NEAR_PLACES, DEMO_NEAR_PREFIX
from directory.models import Kind, Professional
from directory.places import city_coordinates, resolve_place
from directory.selectors import haversine_km, professionals_near
from members.models import Member


@pytest.mark.django_db
def test_the_demo_directory_is_placed_around_real_cities_and_loads_idempotently(capsys):
    call_command("generate_directory", count=60)
    call_command("generate_directory", count=60)
    near = Professional.objects.filter(identifier__startswith=DEMO_NEAR_PREFIX).count()
    assert near == 10 * len(DEMO_NEAR_PLACES)
    assert Professional.objects.count() == 60 + near
    assert f"0 créés, {60 + near} mis à jour" in capsys.readouterr().out
    for pro in Professional.objects.all():
        centre = city_coordinates(pro.city)
        assert haversine_km(pro.latitude, pro.longitude, centre.latitude, centre.longitude) < 10, pro.city
        assert len(pro.postcode) == 5 and pro.phone.startswith("0")
    assert Professional.objects.values("kind").distinct().count() >= 6
    call_command("generate_directory", count=40)
    assert Professional.objects.count() == 40 + near


def found_near(text: str, radius_km: int, **filters) -> list[Professional]:
    place = resolve_place(text)
    return list(professionals_near(latitude=place.latitude, longitude=place.longitude, radius_km=radius_km, **filters))


@pytest.mark.django_db
def test_the_demo_members_find_itelis_opticians_and_tiers_payant_pharmacies_near_home_and_reims():
    # As the guide walk did: the demo member's own address, then the guide's office.
    call_command("seed_demo")  # alone, without generate_directory: the professionals near them come with it
    homes = [f"{m.postcode} {m.city}" for m in Member.objects.filter(number__in=("1412000001", "0030000001"))]
    assert sorted(homes) == ["29200 Brest", "69003 Lyon"]
    for text in [*homes, "Reims", "51100"]:
        opticians = found_near(text, 5, kind=Kind.OPTICIEN, itelis=True)
        pharmacies = found_near(text, 5, kind=Kind.PHARMACIE, tiers_payant=True)
        assert len(opticians) >= 3 and len(pharmacies) >= 3, text
        assert all(pro.tiers_payant for pro in opticians), text
    assert resolve_place("29200 Brest").label == "29200 Brest"  # not the chef-lieu, Quimper
    call_command("seed_demo")
    assert Professional.objects.count() == 10 * 3  # Lyon, Brest and Reims, once
