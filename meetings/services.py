from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from dateutil.rrule import DAILY, rrulestr
from dateutil.rrule import rrule as dateutil_rrule
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings.attachments import check_attachment
from meetings.models import (
    NEEDS_LINK,
    NEEDS_VENUE,
    Meeting,
    MeetingAttachment,
    MeetingSeries,
    MeetingStatus,
    MeetingType,
    OfficerAttendance,
    PartnerAttendance,
)
from meetings.panels.agenda import agenda_prefill
from meetings.panels.services import panel_attendance_record
from priorities.models import Category, IssueSource, IssueStatus
from priorities.services import issue_raise

# Fields that describe a meeting (copied to occurrences and copies; bump SEQUENCE when changed).
DESCRIPTIVE_FIELDS = [
    "meeting_type",
    "audience",
    "audience_detail",
    "title",
    "public_agenda",
    "venue_name",
    "venue_address",
    "venue_latitude",
    "venue_longitude",
    "accessibility_notes",
    "online_url",
    "lead_officer",
]
SERIES_HORIZON = timedelta(days=366)
MAX_OCCURRENCES = 120
SUB_DAILY = {"HOURLY", "MINUTELY", "SECONDLY"}
SUB_DAILY_PARTS = {"BYHOUR", "BYMINUTE", "BYSECOND"}
SUB_DAILY_REFUSED = gettext_lazy(
    "A meeting can repeat at most once a day: use FREQ=DAILY, WEEKLY, MONTHLY or YEARLY, at its start time."
)
# Older records than this are typing mistakes (a year of 0500 or 1926), not PACT meetings; and a
# meeting planned more than five years ahead is one nobody could announce yet.
EARLIEST_MEETING_YEAR = 2000
LATEST_MEETING_AHEAD = timedelta(days=5 * 366)


def meeting_problems(*, values: dict) -> dict[str, str]:
    """What is wrong with a meeting's descriptive values (as the page form and the API receive
    them, or as the meeting would be after a change): field → message; empty when nothing is."""
    problems = {}
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts and starts.year < EARLIEST_MEETING_YEAR:
        problems["starts_at"] = _("Check the year: the portal records meetings from %(year)s on.") % {
            "year": EARLIEST_MEETING_YEAR
        }
    elif starts and starts > timezone.now() + LATEST_MEETING_AHEAD:
        problems["starts_at"] = _("That is more than five years ahead: check the year.")
    if starts and ends and ends <= starts:
        problems["ends_at"] = _("The meeting must end after it starts.")
    kind = values.get("meeting_type")
    if kind in NEEDS_LINK and not values.get("online_url"):
        problems["online_url"] = _("Online and hybrid meetings need the link people join by.")
    if kind in NEEDS_VENUE and not (values.get("venue_name") or values.get("venue_address")):
        problems["venue_name"] = _("Say where people can come: a venue name or address.")
    if kind == MeetingType.SPECIALIST and not values.get("audience"):
        problems["audience"] = _("Say who this specialist PACT is for.")
    if (values.get("venue_latitude") is None) != (values.get("venue_longitude") is None):
        problems["venue_longitude"] = _("Give both latitude and longitude, or neither.")
    return problems


def _check_wards(*, neighbourhood, wards, also_covers=()) -> None:
    """The wards are the host neighbourhood's, or of the others a town-wide meeting covers; those
    are of the host's division (a town's neighbourhoods), and not the host again."""
    if not wards:
        raise ValidationError({"wards": _("Choose at least one ward the meeting covers.")})
    elsewhere = [n.name for n in also_covers if n.division_id != neighbourhood.division_id]
    if elsewhere:
        raise ValidationError(
            {
                "also_covers": _("A meeting covers neighbourhoods of its own division only, not %(names)s.")
                % {"names": ", ".join(elsewhere)}
            }
        )
    if any(n.pk == neighbourhood.pk for n in also_covers):
        raise ValidationError(
            {"also_covers": _("%(name)s hosts the meeting: choose only the others.") % {"name": neighbourhood.name}}
        )
    covered = {neighbourhood.pk, *(n.pk for n in also_covers)}
    outside = [w.name for w in wards if w.neighbourhood_id not in covered]
    if outside:
        names = ", ".join([neighbourhood.name, *(n.name for n in also_covers)])
        raise ValidationError(
            {"wards": _("Not in %(names)s: %(wards)s.") % {"names": names, "wards": ", ".join(outside)}}
        )


def _save(meeting: Meeting, *, update_fields: list[str] | None = None) -> Meeting:
    meeting.full_clean()
    meeting.save(update_fields=update_fields)
    return meeting


@transaction.atomic
def meeting_create(
    *, actor, neighbourhood, wards, officers=(), partners_invited=(), also_covers=(), **fields
) -> Meeting:
    """Create a draft meeting for a neighbourhood, covering some of its wards (and, for a
    town-wide meeting, other neighbourhoods of its division and their wards)."""
    also_covers = list(also_covers)
    _check_wards(neighbourhood=neighbourhood, wards=wards, also_covers=also_covers)
    meeting = Meeting(neighbourhood=neighbourhood, created_by=actor, **fields)
    _save(meeting)
    meeting.also_covers.set(also_covers)
    meeting.wards.set(wards)
    meeting.officers.set(officers)
    meeting.partners_invited.set(partners_invited)
    if meeting.meeting_type == MeetingType.PANEL:
        agenda_prefill(meeting=meeting, actor=actor)
    return meeting


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, actor, wards=None, officers=None, partners_invited=None, also_covers=None, **fields
) -> Meeting:
    """Change a meeting. An occurrence changed on its own stops following its series."""
    if also_covers is not None:
        also_covers = list(also_covers)
        if wards is None:
            wards = list(meeting.wards.all())
    if wards is not None:
        covering = also_covers if also_covers is not None else list(meeting.also_covers.all())
        _check_wards(neighbourhood=meeting.neighbourhood, wards=wards, also_covers=covering)
    changed = [name for name, value in fields.items() if getattr(meeting, name) != value]
    for name in changed:
        setattr(meeting, name, fields[name])
    if changed and meeting.is_public:
        meeting.sequence += 1
    if meeting.series_id and (changed or wards is not None):
        meeting.detached_from_series = True
    _save(meeting)
    if also_covers is not None:
        meeting.also_covers.set(also_covers)
    if wards is not None:
        meeting.wards.set(wards)
    if officers is not None:
        meeting.officers.set(officers)
    if partners_invited is not None:
        meeting.partners_invited.set(partners_invited)
    return meeting


@transaction.atomic
def meeting_publish(*, meeting: Meeting, actor) -> Meeting:
    """Make a draft visible on public pages, feeds and the API."""
    if meeting.status != MeetingStatus.DRAFT:
        raise ValidationError(_("Only a draft meeting can be published."))
    meeting.status = MeetingStatus.PUBLISHED
    meeting.sequence += 1
    return _save(meeting, update_fields=["status", "sequence", "updated_at"])


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor, reason: str) -> Meeting:
    """Cancel a meeting; published ones stay listed as cancelled, with the public reason."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting is already cancelled."))
    if meeting.status == MeetingStatus.DRAFT:
        # A cancelled meeting is shown publicly with its reason; a draft was never announced.
        raise ValidationError(_("A draft has not been announced: delete it instead of cancelling it."))
    if meeting.outcome_recorded_at:
        raise ValidationError(_("A meeting whose outcome is recorded has taken place and cannot be cancelled."))
    if not reason.strip():
        raise ValidationError({"cancellation_reason": _("Say why, for the public: e.g. 'venue unavailable'.")})
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancellation_reason = reason.strip()
    meeting.sequence += 1
    if meeting.series_id:
        meeting.detached_from_series = True
    return _save(meeting)


@transaction.atomic
def meeting_delete_draft(*, meeting: Meeting, actor) -> None:
    """Delete a meeting that was never published. Published ones are cancelled, not deleted,
    so that anyone who saw them learns they are off."""
    if meeting.status != MeetingStatus.DRAFT:
        raise ValidationError(_("Only a draft can be deleted; cancel a published meeting instead."))
    meeting.delete()


@dataclass(frozen=True)
class OfficerHours:
    officer: object
    rank: str
    preparation_hours: Decimal = Decimal("1")
    attending_hours: Decimal = Decimal("1")
    follow_up_hours: Decimal = Decimal("1")


@transaction.atomic
def meeting_record_outcome(
    *,
    meeting: Meeting,
    actor,
    officers: list[OfficerHours],
    partners: list[tuple[object, int]] = (),
    issues: list["RaisedIssue | str"] = (),
    panel_members: list | None = None,
    **outcome,
) -> Meeting:
    """Record what happened: reach, officer time, partners present, public summary, restricted
    notes, the issues raised and, at a panel meeting, the register members present. Recording
    again replaces the earlier record."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("A cancelled meeting has no outcome to record."))
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("The outcome can be recorded once the meeting has started."))
    for name, value in outcome.items():
        setattr(meeting, name, value)
    meeting.outcome_recorded_at = timezone.now()
    if meeting.is_public:
        meeting.sequence += 1  # the public summary changes the calendar entry's description
    _save(meeting)
    meeting.officer_attendance.all().delete()
    rows = [OfficerAttendance(meeting=meeting, **vars(h)) for h in officers]
    for row in rows:
        row.full_clean(exclude=["meeting"])
    OfficerAttendance.objects.bulk_create(rows)
    meeting.partner_attendance.all().delete()
    PartnerAttendance.objects.bulk_create(
        [PartnerAttendance(meeting=meeting, agency=agency, people=people) for agency, people in partners]
    )
    _log_issues(meeting=meeting, actor=actor, lines=issues)
    if panel_members is not None:
        panel_attendance_record(meeting=meeting, actor=actor, members=list(panel_members))
    return meeting


ISSUE_SOURCE_BY_TYPE = {
    MeetingType.DOOR_KNOCK: IssueSource.DOOR_KNOCK,
    MeetingType.STREET: IssueSource.STREET_MEETING,
}


@dataclass(frozen=True)
class RaisedIssue:
    """A concern raised at a meeting: what it is, its category and which of the meeting's wards."""

    description: str
    category: str = Category.OTHER
    ward: object = None


def _log_issues(*, meeting: Meeting, actor, lines) -> None:
    """Put each concern raised into the neighbourhood's triage queue, under its category and ward
    (a bare line of text: "something else", in the meeting's first ward). Re-recording replaces
    the ones not yet triaged; those already taken up stay with their priority."""
    meeting.issues_raised.filter(status=IssueStatus.NEW).delete()
    wards = list(meeting.wards.order_by("name"))
    for raised in (RaisedIssue(line) if isinstance(line, str) else line for line in lines):
        if not raised.description.strip():
            continue
        if raised.ward is not None and raised.ward not in wards:
            raise ValidationError(
                {"issues": _("%(ward)s is not one of this meeting's wards.") % {"ward": raised.ward.name}}
            )
        issue_raise(
            ward=raised.ward or wards[0],
            category=raised.category,
            description=raised.description.strip(),
            actor=actor,
            source=ISSUE_SOURCE_BY_TYPE.get(meeting.meeting_type, IssueSource.MEETING),
            meeting=meeting,
        )


@transaction.atomic
def meeting_copy(*, meeting: Meeting, actor, starts_at: datetime) -> Meeting:
    """A new draft like this one (same place, wards, people) at another time."""
    duration = meeting.ends_at - meeting.starts_at
    fields = {name: getattr(meeting, name) for name in DESCRIPTIVE_FIELDS}
    return meeting_create(
        actor=actor,
        neighbourhood=meeting.neighbourhood,
        wards=list(meeting.wards.all()),
        officers=list(meeting.officers.all()),
        partners_invited=list(meeting.partners_invited.all()),
        starts_at=starts_at,
        ends_at=starts_at + duration,
        **fields,
    )


def occurrence_starts(
    *, rrule: str, first_start: datetime, until: datetime, after: datetime | None = None
) -> list[datetime]:
    """Starts given by an RRULE from first_start, up to `until` and (if given) after `after`.

    The rule runs on naive local times so "7pm on the first Tuesday" stays 7pm across the
    clocks changing, then each start is made aware again.
    """
    tz = timezone.get_current_timezone()

    def local(moment: datetime) -> datetime:
        return timezone.localtime(moment, tz).replace(tzinfo=None)

    if problem := repeat_rule_problem(rrule):
        raise ValidationError({"rrule": problem})
    try:
        rule = rrulestr(rrule, dtstart=local(first_start))
    except (ValueError, TypeError) as exc:
        raise ValidationError({"rrule": _("Not a valid repeat rule: %(error)s") % {"error": exc}}) from exc
    # However the text was written (DTSTART lines, several RRULEs), the rule worked out is one
    # daily or slower rule: dateutil's frequencies count up from YEARLY (0) to SECONDLY (6).
    if not isinstance(rule, dateutil_rrule) or rule._freq > DAILY:
        raise ValidationError({"rrule": SUB_DAILY_REFUSED})
    window_start, window_end = (local(after) if after else local(first_start)), local(until)
    starts = []
    # Worked out one by one up to the cap: between() made every date up to `until` first.
    for start in rule.xafter(window_start, count=MAX_OCCURRENCES, inc=after is None):
        if start > window_end or (after is not None and start == window_end):
            break
        starts.append(timezone.make_aware(start, tz))
    return starts


def repeat_rule_problem(rrule: str) -> str | None:
    """Why a repeat rule cannot be used, or None. A meeting repeats at most daily, at the time of
    day it starts: a rule of every minute or second (or a day of BYHOUR times) would make tens of
    thousands of meetings, and cost seconds to work out."""
    parts = rrule.strip().upper().removeprefix("RRULE:").split(";")
    names = {part.split("=", 1)[0].strip(): part.split("=", 1)[-1].strip() for part in parts}
    if names.get("FREQ") in SUB_DAILY or not SUB_DAILY_PARTS.isdisjoint(names):
        return SUB_DAILY_REFUSED
    return None


@transaction.atomic
def series_create(*, meeting: Meeting, actor, rrule: str, description: str) -> MeetingSeries:
    """Make a meeting the first of a series and create the following occurrences for a year."""
    if meeting.series_id:
        raise ValidationError(_("This meeting already belongs to a series."))
    until = meeting.starts_at + SERIES_HORIZON
    starts = occurrence_starts(rrule=rrule, first_start=meeting.starts_at, until=until)
    if len(starts) < 2:
        raise ValidationError({"rrule": _("That rule gives no further dates within a year.")})
    series = MeetingSeries(
        neighbourhood=meeting.neighbourhood,
        rrule=rrule,
        description=description,
        first_start=meeting.starts_at,
        generated_until=until,
        created_by=actor,
    )
    series.full_clean()
    series.save()
    meeting.series = series
    meeting.occurrence_start = meeting.starts_at
    _save(meeting, update_fields=["series", "occurrence_start", "updated_at"])
    _create_occurrences(series=series, template=meeting, starts=starts[1:], actor=actor)
    return series


def _create_occurrences(*, series: MeetingSeries, template: Meeting, starts: list[datetime], actor) -> None:
    duration = template.ends_at - template.starts_at
    wards = list(template.wards.all())
    officers = list(template.officers.all())
    partners = list(template.partners_invited.all())
    existing = set(series.occurrences.values_list("occurrence_start", flat=True))
    for start in starts:
        if start in existing:
            continue
        occurrence = meeting_create(
            actor=actor,
            neighbourhood=template.neighbourhood,
            wards=wards,
            officers=officers,
            partners_invited=partners,
            starts_at=start,
            ends_at=start + duration,
            status=template.status if template.status != MeetingStatus.CANCELLED else MeetingStatus.DRAFT,
            **{name: getattr(template, name) for name in DESCRIPTIVE_FIELDS},
        )
        occurrence.series = series
        occurrence.occurrence_start = start
        occurrence.save(update_fields=["series", "occurrence_start"])


@transaction.atomic
def series_extend(*, series: MeetingSeries, actor, until: datetime) -> int:
    """Create occurrences up to `until` (beat keeps a year ahead); returns how many were added."""
    if until <= series.generated_until:
        return 0
    # Copy the latest occurrence that still follows the series, not a one-off change to one date.
    occurrences = series.occurrences.order_by("-starts_at")
    template = occurrences.filter(detached_from_series=False).first() or occurrences.first()
    if template is None:
        return 0
    before = series.occurrences.count()
    starts = occurrence_starts(
        rrule=series.rrule, first_start=series.first_start, until=until, after=series.generated_until
    )
    _create_occurrences(series=series, template=template, starts=starts, actor=actor)
    series.generated_until = until
    series.save(update_fields=["generated_until"])
    return series.occurrences.count() - before


@transaction.atomic
def series_publish(*, series: MeetingSeries, actor) -> int:
    """Publish every draft occurrence still to come."""
    drafts = list(series.occurrences.filter(status=MeetingStatus.DRAFT, ends_at__gte=timezone.now()))
    for meeting in drafts:
        meeting_publish(meeting=meeting, actor=actor)
    return len(drafts)


@transaction.atomic
def series_copy(*, series: MeetingSeries, actor, first_start: datetime) -> MeetingSeries:
    """Start a new series like this one (e.g. next year's, or another neighbourhood's pattern)."""
    template = series.occurrences.order_by("starts_at").first()
    first = meeting_copy(meeting=template, actor=actor, starts_at=first_start)
    return series_create(meeting=first, actor=actor, rrule=series.rrule, description=series.description)


@transaction.atomic
def attachment_add(*, meeting: Meeting, actor, uploaded_file, kind: str, is_public: bool) -> MeetingAttachment:
    """Attach minutes, audio minutes or other documents after checking their type and size."""
    content_type = check_attachment(uploaded_file=uploaded_file, kind=kind)
    attachment = MeetingAttachment(
        meeting=meeting,
        kind=kind,
        file=uploaded_file,
        original_name=uploaded_file.name[:255],
        content_type=content_type,
        size=uploaded_file.size,
        is_public=is_public,
        uploaded_by=actor,
    )
    attachment.full_clean()
    attachment.save()
    return attachment
