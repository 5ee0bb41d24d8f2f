import pytest

from messaging.demo.streets import demo_streets_seed
from messaging.doorknock import selectors
from messaging.models import Address, Street

pytestmark = pytest.mark.django_db


def test_the_demo_gives_every_ward_a_synthetic_street_list_the_same_each_run(world):
    made = demo_streets_seed(force=world.force)
    for ward in (world.daneshouse.wards.get(), world.queensgate.wards.get(), world.fleetwood.wards.get()):
        streets = Street.objects.filter(ward=ward)
        assert 5 <= streets.count() <= 8 and all(s.is_synthetic for s in streets)
        assert all(10 <= s.addresses.count() <= 30 for s in streets)
    assert made == Address.objects.count() and not Address.objects.exclude(postcode="").exists()
    first = list(Street.objects.values_list("ward__code", "name").order_by("ward__code", "name"))
    colne = Street.objects.filter(ward=world.daneshouse.wards.get()).first()
    numbers = list(colne.addresses.values_list("number", flat=True))
    assert numbers[:2] == ["1", "3"] and numbers[-1] == "2"  # up one side, back down the other
    assert demo_streets_seed(force=world.force) == 0  # a second run leaves them alone
    Street.objects.all().delete()
    demo_streets_seed(force=world.force)
    assert list(Street.objects.values_list("ward__code", "name").order_by("ward__code", "name")) == first
    assert selectors.streets_by_priority(ward=world.daneshouse.wards.get())
