import datetime

from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import MeetingStatus, MeetingType
from priorities import services
from priorities.models import Category


def raise_issue(world, *, description="Cars racing on Burnley Road at night", category=Category.SPEEDING, **extra):
    ward = world.daneshouse.wards.get()
    return services.issue_raise(ward=ward, category=category, description=description, **extra)


def propose(world, *, issues=(), **extra):
    fields = {
        "actor": world.pcso,
        "neighbourhood": world.daneshouse,
        "wards": list(world.daneshouse.wards.all()),
        "title": "Speeding on Burnley Road",
        "category": Category.SPEEDING,
        "public_problem": "Residents told us cars speed on Burnley Road at night.",
        "review_date": datetime.date(2027, 1, 5),
        "issues": issues,
    }
    fields.update(extra)
    return services.priority_propose(**fields)


def held_meeting(world, *, neighbourhood=None, meeting_type=MeetingType.PUBLIC_PACT, **extra):
    """A PACT meeting of the neighbourhood (Daneshouse by default) that has just taken place, today,
    with its outcome recorded: where the community can agree or sign off a priority now."""
    neighbourhood = neighbourhood or world.daneshouse
    now = timezone.now()
    # Started today, so it is never before a priority proposed or resolved today.
    start = max(now - datetime.timedelta(hours=1), timezone.localtime(now).replace(hour=0, minute=0, second=0))
    fields = {
        "meeting_type": meeting_type,
        "title": f"{neighbourhood.name} PACT",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(minutes=50),
        "venue_name": "Stoneyholme Community Centre",
        "online_url": "https://example.org/live" if meeting_type in (MeetingType.ONLINE, MeetingType.HYBRID) else "",
        "status": MeetingStatus.PUBLISHED,
        "outcome_recorded_at": now,
        "public_attendees": 12,
    }
    fields.update(extra)
    wards = fields.pop("wards", None) or list(neighbourhood.wards.all())
    return meeting_services.meeting_create(actor=world.pcso, neighbourhood=neighbourhood, wards=wards, **fields)


def agreed(world, *, at_meeting=None, **extra):
    priority = propose(world, **extra)
    meeting = at_meeting or held_meeting(world, neighbourhood=priority.neighbourhood)
    return services.priority_agree(priority=priority, actor=world.sergeant, meeting=meeting)


def signed_off(world, priority, *, actor=None):
    """Sign off a resolved priority at a PACT meeting held today."""
    meeting = held_meeting(world, neighbourhood=priority.neighbourhood)
    return services.priority_sign_off(priority=priority, actor=actor or world.pcso, meeting=meeting)
