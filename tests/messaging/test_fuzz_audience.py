"""Property-based test of who an alert reaches, against a plain-Python model of the definition:
random members (wards, erasure, interests, channels in every state) in a force of two divisions
with another force and an unassigned ward beside it, and random saved alerts whose areas may name
the other force's places (a tampered form). The preview's rows and counts and the fan-out's
deliveries must all be exactly the model's audience, on SQLite and on PostgreSQL."""

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from messaging.delivery import fanout
from messaging.delivery.audience import alert_audience_kwargs, audience_counts, subscriber_channels
from messaging.models import (
    Alert,
    AlertStatus,
    ChannelStatus,
    Delivery,
    Subscriber,
    SubscriberChannel,
    SubscriberInterest,
)
from neighbourhoods.models import Ward
from tests.factories import DivisionFactory, ForceFactory, NeighbourhoodFactory, WardFactory
from tests.messaging.factories import interest

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CHANNELS = ("email", "sms", "voice")
SLUGS = ("burglary", "scams", "emergency-alerts", "pact-meetings")
LEVELS = ("wards", "neighbourhoods", "divisions", "force")


@dataclass(frozen=True)
class Place:
    """A ward as the model sees it: plain ids, no ORM."""

    ward: int
    neighbourhood: int | None
    division: int | None
    force: int | None


@dataclass
class Geography:
    force: object
    author: object
    places: list  # Place, in a fixed order the strategies index into
    neighbourhoods: list  # ids, ours and the other force's
    divisions: list
    interests: dict  # slug -> id


@pytest.fixture
def geography(world) -> Geography:
    """Ours: East (Daneshouse with two wards, Queensgate) and West (Fleetwood). Beside it: another
    force's ward, and a ward no neighbourhood has taken yet."""
    WardFactory(neighbourhood=world.daneshouse)
    other = NeighbourhoodFactory(division=DivisionFactory(force=ForceFactory(slug="cumbria", name="Cumbria")))
    WardFactory(neighbourhood=other)
    WardFactory(neighbourhood=None)
    wards = Ward.objects.select_related("neighbourhood__division").order_by("pk")
    places = [
        Place(
            ward=w.pk,
            neighbourhood=w.neighbourhood_id,
            division=w.neighbourhood.division_id if w.neighbourhood else None,
            force=w.neighbourhood.division.force_id if w.neighbourhood else None,
        )
        for w in wards
    ]
    return Geography(
        force=world.force,
        author=world.hq,
        places=places,
        neighbourhoods=sorted({p.neighbourhood for p in places if p.neighbourhood}),
        divisions=sorted({p.division for p in places if p.division}),
        # By the factory, not the migration's rows: a browser test's flush may have removed those.
        interests={slug: interest(slug).pk for slug in SLUGS},
    )


@dataclass(frozen=True)
class Member:
    place: int  # index into Geography.places
    erased: bool
    interests: frozenset
    channels: tuple  # (channel, status) pairs, one per channel at most


members = st.lists(
    st.builds(
        Member,
        place=st.integers(0, 5),
        erased=st.booleans(),
        interests=st.frozensets(st.sampled_from(SLUGS), max_size=3),
        channels=st.lists(
            st.tuples(st.sampled_from(CHANNELS), st.sampled_from(ChannelStatus.values)),
            unique_by=lambda pair: pair[0],
        ).map(tuple),
    ),
    max_size=15,
)
targets = st.fixed_dictionaries(
    {
        "level": st.sampled_from(LEVELS),
        # Indexes into every place, neighbourhood and division, the other force's included.
        "wards": st.sets(st.integers(0, 5), max_size=3),
        "neighbourhoods": st.sets(st.integers(0, 3), max_size=3),
        "divisions": st.sets(st.integers(0, 2), max_size=2),
        "interests": st.sets(st.sampled_from(SLUGS), max_size=2),
        "channels": st.sets(st.sampled_from(CHANNELS), min_size=1),
    }
)


def model_audience(geo: Geography, people: list, target: dict) -> set:
    """The definition, read straight: active rows of the chosen channels, of members not erased,
    whose ward is in the area within the alert's force, sharing a chosen interest (if any)."""
    wards = {geo.places[i].ward for i in target["wards"] if i < len(geo.places)}
    neighbourhoods = {geo.neighbourhoods[i] for i in target["neighbourhoods"] if i < len(geo.neighbourhoods)}
    divisions = {geo.divisions[i] for i in target["divisions"] if i < len(geo.divisions)}

    def in_area(place: Place) -> bool:
        if place.force != geo.force.pk:
            return False
        return {
            "wards": place.ward in wards,
            "neighbourhoods": place.neighbourhood in neighbourhoods,
            "divisions": place.division in divisions,
            "force": True,
        }[target["level"]]

    return {
        (pk, channel)
        for pk, member in people
        for channel, status in member.channels
        if status == ChannelStatus.ACTIVE
        and channel in target["channels"]
        and not member.erased
        and in_area(geo.places[member.place])
        and (not target["interests"] or member.interests & target["interests"])
    }


def create_members(geo: Geography, population) -> list:
    now = timezone.now()
    rows = Subscriber.objects.bulk_create(
        Subscriber(ward_id=geo.places[m.place].ward, consent_at=now, erased_at=now if m.erased else None)
        for m in population
    )
    SubscriberChannel.objects.bulk_create(
        SubscriberChannel(
            subscriber=row,
            channel=channel,
            address=f"m{i}@example.org" if channel == "email" else f"+4477009{i:05d}",
            status=status,
            confirmed_at=None if status == ChannelStatus.PENDING else now,
        )
        for i, (row, member) in enumerate(zip(rows, population, strict=True))
        for channel, status in member.channels
    )
    SubscriberInterest.objects.bulk_create(
        SubscriberInterest(subscriber=row, interest_id=geo.interests[slug])
        for row, member in zip(rows, population, strict=True)
        for slug in member.interests
    )
    return [(row.pk, member) for row, member in zip(rows, population, strict=True)]


def saved_alert(geo: Geography, target: dict) -> Alert:
    made = Alert.objects.create(
        force=geo.force,
        created_by=geo.author,
        title="Fuzzed",
        body="Fuzzed",
        audience_level=target["level"],
        send_email="email" in target["channels"],
        send_sms="sms" in target["channels"],
        send_voice="voice" in target["channels"],
        status=AlertStatus.SENDING,
        released_at=timezone.now(),
    )
    made.wards.set([geo.places[i].ward for i in target["wards"] if i < len(geo.places)])
    made.neighbourhoods.set([geo.neighbourhoods[i] for i in target["neighbourhoods"] if i < len(geo.neighbourhoods)])
    made.divisions.set([geo.divisions[i] for i in target["divisions"] if i < len(geo.divisions)])
    made.interests.set([geo.interests[slug] for slug in target["interests"]])
    return made


@FUZZ
@given(population=members, target=targets, resolve_area=st.booleans(), batch_size=st.integers(1, 6))
def test_the_preview_and_the_fan_out_reach_exactly_the_modelled_audience(
    geography, monkeypatch, population, target, resolve_area, batch_size
):
    monkeypatch.setattr(fanout, "sends_queue", lambda **kwargs: 0)  # sending is another test's business
    with transaction.atomic():
        people = create_members(geography, population)
        made = saved_alert(geography, target)
        want = model_audience(geography, people, target)

        kwargs = alert_audience_kwargs(alert=made)
        rows = subscriber_channels(**kwargs, resolve_area=resolve_area)
        assert set(rows.values_list("subscriber_id", "channel")) == want
        assert rows.count() == len(want)  # no row twice, however many interests are shared
        per_channel = {c: sum(1 for _, ch in want if ch == c) for c in sorted(target["channels"])}
        assert audience_counts(**kwargs) == per_channel

        assert fanout.alert_fan_out(alert_id=made.pk, batch_size=batch_size) == len(want)
        assert set(Delivery.objects.filter(alert=made).values_list("subscriber_id", "channel")) == want
        made.refresh_from_db()
        assert made.audience_counts == per_channel
        # A redelivered fan-out task records nobody twice.
        Alert.objects.filter(pk=made.pk).update(fanout_completed_at=None, status=AlertStatus.SENDING)
        assert fanout.alert_fan_out(alert_id=made.pk, batch_size=batch_size) == 0
        transaction.set_rollback(True)
