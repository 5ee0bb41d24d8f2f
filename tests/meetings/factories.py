"""Meetings for tests: MeetingFactory(neighbourhood=world.daneshouse) is a valid draft a week ahead,
covering every ward of its neighbourhood; `published=True`, `cancelled=True`, `past=True`,
`online=True` and `hybrid=True` give the other shapes a test usually needs."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.roles import Role
from meetings.models import AttachmentKind, Meeting, MeetingAttachment, MeetingStatus, MeetingType
from tests.factories import NeighbourhoodFactory, UserFactory, WardFactory


def _evening(days_ahead: int):
    """7pm local time, days_ahead days from today (negative for the past)."""
    today = timezone.localtime().replace(hour=19, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days_ahead)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    class Params:
        days_ahead = 7
        published = factory.Trait(status=MeetingStatus.PUBLISHED, sequence=1)
        cancelled = factory.Trait(
            status=MeetingStatus.CANCELLED, sequence=2, cancellation_reason="The venue is unavailable."
        )
        past = factory.Trait(days_ahead=-7)
        online = factory.Trait(
            meeting_type=MeetingType.ONLINE,
            online_url="https://meet.example.org/pact",
            venue_name="",
            venue_address="",
            venue_latitude=None,
            venue_longitude=None,
        )
        hybrid = factory.Trait(meeting_type=MeetingType.HYBRID, online_url="https://meet.example.org/pact")

    neighbourhood = factory.SubFactory(NeighbourhoodFactory)
    meeting_type = MeetingType.PUBLIC_PACT
    title = factory.Sequence(lambda n: f"PACT meeting {n}")
    public_agenda = "Parking near the school; litter on the rec."
    venue_name = "Stoneyholme Community Centre"
    venue_address = "Stoneyholme Road, Burnley BB12 0AA"
    venue_latitude = 53.7955
    venue_longitude = -2.2455
    accessibility_notes = "Step-free entrance; hearing loop in the main hall."
    starts_at = factory.LazyAttribute(lambda o: _evening(o.days_ahead))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=90))
    status = MeetingStatus.DRAFT
    created_by = factory.SubFactory(UserFactory, role=Role.PCSO)

    @factory.post_generation
    def wards(obj, create, extracted, **kwargs):
        """The wards given, else every ward of the neighbourhood (making one if it has none)."""
        if not create:
            return
        wards = list(extracted) if extracted is not None else list(obj.neighbourhood.wards.all())
        if not wards:
            wards = [WardFactory(neighbourhood=obj.neighbourhood)]
        obj.wards.set(wards)


class MeetingAttachmentFactory(factory.django.DjangoModelFactory):
    """An attachment row whose file name points nowhere: enough for listings, nothing on disk."""

    class Meta:
        model = MeetingAttachment

    meeting = factory.SubFactory(MeetingFactory)
    kind = AttachmentKind.MINUTES
    file = factory.Sequence(lambda n: f"meetings/test/minutes-{n}.pdf")
    original_name = factory.Sequence(lambda n: f"minutes-{n}.pdf")
    content_type = "application/pdf"
    size = 48_000
    is_public = True
    uploaded_by = factory.SubFactory(UserFactory, role=Role.PCSO)
