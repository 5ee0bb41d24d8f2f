import factory
from django.utils import timezone

from accounts.models import AgencyKind, PartnerAgency, User
from accounts.roles import Role
from neighbourhoods.models import District, Division, Force, Neighbourhood, TeamMembership, Ward

TEST_PASSWORD = "correct-horse-battery"


def square(*, west: float, south: float, size: float = 0.01) -> dict:
    """A square ward boundary with its south-west corner at (west, south)."""
    east, north = west + size, south + size
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


class ForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Force
        django_get_or_create = ["slug"]

    slug = "lancashire"
    name = "Lancashire Constabulary"
    telephone = "101"


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division

    force = factory.SubFactory(ForceFactory)
    code = factory.Sequence(lambda n: f"division-{n}")
    name = factory.Sequence(lambda n: f"Division {n}")


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"E07{n:06d}")
    name = factory.Sequence(lambda n: f"District {n}")


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood

    division = factory.SubFactory(DivisionFactory)
    code = factory.Sequence(lambda n: f"neighbourhood-{n}")
    name = factory.Sequence(lambda n: f"Neighbourhood {n}")
    public_email = "team@example.police.uk"
    public_telephone = "101"


class WardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ward

    class Params:
        west = factory.Sequence(lambda n: -2.0 + (n % 50) * 0.02)
        south = factory.Sequence(lambda n: 53.0 + (n // 50) * 0.02)

    # From E05100000: tests hand-pick codes below E05010000 (the world's real ones among them), and a
    # worker that has made five thousand wards must not make one of those again.
    code = factory.Sequence(lambda n: f"E05{100000 + n % 800000:06d}")
    name = factory.Sequence(lambda n: f"Ward {n}")
    district = factory.SubFactory(DistrictFactory)
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    boundary = factory.LazyAttribute(lambda o: square(west=o.west, south=o.south))
    centroid_longitude = factory.LazyAttribute(lambda o: o.west + 0.005)
    centroid_latitude = factory.LazyAttribute(lambda o: o.south + 0.005)
    min_longitude = factory.LazyAttribute(lambda o: o.west)
    min_latitude = factory.LazyAttribute(lambda o: o.south)
    max_longitude = factory.LazyAttribute(lambda o: o.west + 0.01)
    max_latitude = factory.LazyAttribute(lambda o: o.south + 0.01)


class PartnerAgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerAgency
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.COUNCIL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.RESIDENT
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    user = factory.SubFactory(UserFactory, role=Role.PCSO)
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    role = factory.LazyAttribute(lambda o: o.user.role)
    start_date = factory.LazyFunction(lambda: timezone.localdate().replace(year=timezone.localdate().year - 1))
