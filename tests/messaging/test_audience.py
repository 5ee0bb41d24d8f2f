from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from messaging.delivery.audience import alert_audience_kwargs, audience_counts, subscriber_channels
from messaging.models import ChannelStatus, Subscriber, SubscriberChannel, SubscriberInterest
from neighbourhoods.models import Ward
from tests.factories import ForceFactory, WardFactory
from tests.messaging.factories import alert, interest, subscriber

pytestmark = pytest.mark.django_db

CHANNELS = ("email", "sms", "voice")
SLUGS = ("burglary", "scams", "emergency-alerts")
LEVELS = ("wards", "neighbourhoods", "divisions", "force")


def another_forces_ward():
    return WardFactory(neighbourhood__division__force=ForceFactory(slug="cumbria", name="Cumbria Constabulary"))


def pairs(rows):
    return set(rows.values_list("subscriber_id", "channel"))


def test_it_reaches_active_channels_in_the_area_only(world):
    here = subscriber(world, mobile="+447700900001")
    subscriber(world, email="pending@example.org", status=ChannelStatus.PENDING)
    subscriber(world, email="gone@example.org", status=ChannelStatus.UNSUBSCRIBED)
    subscriber(world, email="west@example.org", ward=world.fleetwood.wards.first())
    kwargs = alert_audience_kwargs(alert=alert(world, send_sms=True))
    assert pairs(subscriber_channels(**kwargs)) == {(here.pk, "email"), (here.pk, "sms")}


def test_it_leaves_out_erased_subscribers(world):
    subscriber(world, erased_at=timezone.now())
    assert not subscriber_channels(force_id=world.force.pk, level="force").exists()


def test_it_treats_the_emergency_interest_like_any_other_for_a_general_alert(world):
    subscriber(world, interests=("burglary",))
    chosen = [interest("emergency-alerts").pk]
    assert not subscriber_channels(force_id=world.force.pk, level="force", interest_ids=chosen).exists()


def test_it_counts_every_channel_in_one_query(world, django_assert_num_queries):
    subscriber(world, mobile="+447700900001", voice=True)
    subscriber(world, email="b@example.org")
    with django_assert_num_queries(1):
        counts = audience_counts(force_id=world.force.pk, level="divisions", division_ids=[world.east.pk])
    assert counts == {"email": 2, "sms": 1, "voice": 1}


def test_it_reaches_nobody_outside_the_force(world):
    elsewhere = another_forces_ward()
    subscriber(world, ward=elsewhere)
    rows = subscriber_channels(force_id=world.force.pk, level="wards", ward_ids=[elsewhere.pk])
    assert not rows.exists()


def test_it_builds_the_arguments_from_a_saved_alert(world):
    saved = alert(world, level="wards", area={"wards": [world.queensgate.wards.first()]}, interests=["scams"])
    assert alert_audience_kwargs(alert=saved) == {
        "force_id": world.force.pk,
        "level": "wards",
        "ward_ids": [world.queensgate.wards.first().pk],
        "interest_ids": [interest("scams").pk],
        "channels": ["email"],
        "kind": "general",
    }


@dataclass(frozen=True)
class Person:
    ward: int  # index into the candidate wards
    erased: bool
    interests: frozenset
    channels: tuple  # (channel, status) pairs


people = st.lists(
    st.builds(
        Person,
        ward=st.integers(0, 4),
        erased=st.booleans(),
        interests=st.frozensets(st.sampled_from(SLUGS)),
        channels=st.lists(
            st.tuples(st.sampled_from(CHANNELS), st.sampled_from(list(ChannelStatus.values))),
            unique_by=lambda pair: pair[0],
        ).map(tuple),
    ),
    max_size=12,
)
targets = st.fixed_dictionaries(
    {
        "level": st.sampled_from(LEVELS),
        "area": st.sets(st.integers(0, 4)),
        "interests": st.sets(st.sampled_from(SLUGS)),
        "channels": st.sets(st.sampled_from(CHANNELS)),
    }
)


def candidate_wards(world):
    """The world's three wards, one of another force and one with no neighbourhood."""
    ours = list(Ward.objects.filter(neighbourhood__division__force=world.force).order_by("code"))
    return [*ours, another_forces_ward(), WardFactory(neighbourhood=None)]


def expected(world, wards, created, target):
    """The audience by brute force, straight from the definition."""
    chosen = target["channels"] or set(CHANNELS)
    area = [wards[i] for i in target["area"] if i < len(wards)]
    force = world.force.pk

    def in_area(ward):
        division = ward.neighbourhood.division if ward.neighbourhood else None
        if division is None or division.force_id != force:
            return False
        return {
            "wards": ward in area,
            "neighbourhoods": ward.neighbourhood in [w.neighbourhood for w in area],
            "divisions": division in [w.neighbourhood.division for w in area if w.neighbourhood],
            "force": True,
        }[target["level"]]

    return {
        (pk, channel)
        for pk, person in created
        for channel, status in person.channels
        if status == ChannelStatus.ACTIVE
        and channel in chosen
        and not person.erased
        and in_area(wards[person.ward])
        and (not target["interests"] or person.interests & target["interests"])
    }


def create(wards, population):
    now = timezone.now()
    created = []
    for index, person in enumerate(population):
        row = Subscriber.objects.create(
            ward=wards[person.ward], consent_at=now, erased_at=now if person.erased else None
        )
        for channel, status in person.channels:
            address = f"p{index}@example.org" if channel == "email" else f"+4477009{index:05d}"
            confirmed = None if status == ChannelStatus.PENDING else now
            SubscriberChannel.objects.create(
                subscriber=row, channel=channel, address=address, status=status, confirmed_at=confirmed
            )
        for slug in person.interests:
            SubscriberInterest.objects.create(subscriber=row, interest=interest(slug))
        created.append((row.pk, person))
    return created


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(population=people, target=targets, resolve_area=st.booleans())
def test_it_is_exactly_the_active_channels_in_the_area_and_interests(world, population, target, resolve_area):
    with transaction.atomic():
        wards = candidate_wards(world)
        created = create(wards, population)
        area = [wards[i] for i in target["area"]]
        ids = {
            "ward_ids": [w.pk for w in area],
            "neighbourhood_ids": [w.neighbourhood_id for w in area if w.neighbourhood_id],
            "division_ids": [w.neighbourhood.division_id for w in area if w.neighbourhood_id],
        }
        kwargs = {
            "force_id": world.force.pk,
            "level": target["level"],
            "interest_ids": [interest(slug).pk for slug in target["interests"]],
            "channels": sorted(target["channels"]),
            **ids,
        }
        want = expected(world, wards, created, target)
        assert pairs(subscriber_channels(**kwargs, resolve_area=resolve_area)) == want
        counts = audience_counts(**kwargs)
        assert counts == {c: sum(1 for _, ch in want if ch == c) for c in (target["channels"] or CHANNELS)}
        transaction.set_rollback(True)
