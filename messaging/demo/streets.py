"""The demo force's street and address lists, for planning door-knock rounds.

Everything here is SYNTHETIC and marked so (Street.is_synthetic, said on the planning page): the
names are made from common Lancashire street-name parts, so some will match a real street in the
ward and many will not; the door numbers are invented and no postcode is given, so no address
passes for a real household's. Each ward gets five to eight streets of ten to thirty doors, the
same each run (seeded from the ward's code); a force that already has streets is left alone.
"""

import random

from django.db import transaction

from messaging.models import Address, Street
from neighbourhoods.models import Force, Ward

NAMES = [
    "Albert", "Ash", "Bank", "Birch", "Brook", "Calder", "Canal", "Chapel", "Church", "Colne", "Cotton",
    "Elm", "Hargreaves", "Hawthorn", "Heather", "Hollin", "Holly", "Kestrel", "Lark", "Manor", "Market",
    "Mill", "Moor", "Oak", "Pendle", "Queen", "Ribble", "Rowan", "School", "Spinning", "Station",
    "Sycamore", "Victoria", "Weavers", "Willow", "Yorkshire",
]  # fmt: skip
KINDS = ["Street", "Road", "Lane", "Avenue", "Close", "Terrace", "Grove", "Way", "Drive", "Crescent"]
STREETS_PER_WARD = (5, 8)
DOORS_PER_STREET = (10, 30)


@transaction.atomic
def demo_streets_seed(*, force: Force) -> int:
    """Give each ward of the demo force its synthetic street list, unless the force has one; the
    number of addresses made."""
    wards = list(Ward.objects.filter(neighbourhood__division__force=force).order_by("code"))
    if Street.objects.filter(ward__in=wards).exists():
        return 0
    streets, doors = [], []
    for ward in wards:
        rng = random.Random(f"demo-streets:{ward.code}")  # noqa: S311 - demo data, not security
        names = rng.sample([f"{name} {kind}" for name in NAMES for kind in KINDS], rng.randint(*STREETS_PER_WARD))
        for name in sorted(names):
            street = Street(ward=ward, name=name, is_synthetic=True)
            streets.append(street)
            doors.append((street, _numbers(rng)))
    Street.objects.bulk_create(streets, batch_size=2000)
    addresses = [
        Address(street=street, number=number, position=position)
        for street, numbers in doors
        for position, number in enumerate(numbers, start=1)
    ]
    Address.objects.bulk_create(addresses, batch_size=5000)
    return len(addresses)


def _numbers(rng: random.Random) -> list[str]:
    """Doors walked up one side of the street and back down the other, as officers knock them."""
    count = rng.randint(*DOORS_PER_STREET)
    odd = [str(n) for n in range(1, 2 * count, 2)][: (count + 1) // 2]
    even = [str(n) for n in range(2, 2 * count + 1, 2)][: count // 2]
    return odd + list(reversed(even))
