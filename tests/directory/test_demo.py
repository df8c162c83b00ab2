import pytest
from django.core.management import call_command

from directory.models import Professional
from directory.places import city_coordinates
from directory.selectors import haversine_km


@pytest.mark.django_db
def test_the_demo_directory_is_placed_around_real_cities_and_loads_idempotently(capsys):
    call_command("generate_directory", count=60)
    call_command("generate_directory", count=60)
    assert Professional.objects.count() == 60
    assert "0 créés, 60 mis à jour" in capsys.readouterr().out
    for pro in Professional.objects.all():
        centre = city_coordinates(pro.city)
        assert haversine_km(pro.latitude, pro.longitude, centre.latitude, centre.longitude) < 10, pro.city
        assert len(pro.postcode) == 5 and pro.phone.startswith("0")
    assert Professional.objects.values("kind").distinct().count() >= 6
    call_command("generate_directory", count=40)
    assert Professional.objects.count() == 40
