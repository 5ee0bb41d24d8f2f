"""RFC 5545 calendars of public meetings: one meeting's .ics and the subscription feeds.

Only public fields are read here. restricted_notes is police-only and is deferred by the public
selectors, so touching it would also cost a query per meeting: the tests watch for both.

Times are local (TZID=Europe/London, or whatever TIME_ZONE is) with the VTIMEZONE that defines
them, so a 7pm meeting reads 7pm in the file and in every client, either side of a clock change.
The VTIMEZONE is always there, which also keeps a feed with no meetings valid: RFC 5545 wants at
least one component in a calendar.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone

from meetings.models import Meeting, MeetingStatus, MeetingType

PRODID = "-//PACT Portal//Public meetings//EN"
# How often calendar apps should poll a feed: a cancellation should reach people within the hour.
REFRESH_INTERVAL = timedelta(hours=1)


def meeting_ics(*, meeting: Meeting, request_host: str, scheme: str = "https") -> bytes:
    """One meeting as a calendar file, for the "add to calendar" button."""
    if not meeting.is_public:
        # Not even the title: a draft's name can give away what has not been announced.
        return _calendar(name=_("PACT meeting"), meetings=[]).to_ical()
    calendar = _calendar(name=meeting.title, meetings=[meeting])
    calendar.add_component(_event(meeting=meeting, request_host=request_host, scheme=scheme, stamp=timezone.now()))
    return calendar.to_ical()


def meetings_feed_ics(
    *, meetings: Iterable[Meeting], name: str, request_host: str, scheme: str = "https", description: str = ""
) -> bytes:
    """A calendar of meetings for subscription. Drafts are skipped even if a caller passes them."""
    meetings = [meeting for meeting in meetings if meeting.is_public]
    calendar = _calendar(name=name, meetings=meetings)
    if description:
        calendar.add("x-wr-caldesc", description)
    # REFRESH-INTERVAL is the standard (RFC 7986); Outlook only reads X-PUBLISHED-TTL.
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    stamp = timezone.now()
    for meeting in meetings:
        calendar.add_component(_event(meeting=meeting, request_host=request_host, scheme=scheme, stamp=stamp))
    return calendar.to_ical()


def _calendar(*, name: str, meetings: list[Meeting]) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add_component(_timezone(meetings))
    return calendar


def _timezone(meetings: list[Meeting]) -> Timezone:
    """The VTIMEZONE for the span the meetings cover (and today), with a year to spare: the clock
    changes inside it are all a client needs, and a short span keeps the file small."""
    days = [timezone.localdate()] + [timezone.localdate(m.starts_at) for m in meetings]
    days += [timezone.localdate(m.ends_at) for m in meetings]
    first, last = min(days) - timedelta(days=1), max(days) + timedelta(days=366)
    return Timezone.from_tzid(settings.TIME_ZONE, first_date=first, last_date=last)


def _uid_domain(request_host: str) -> str:
    """The portal's own address, from SITE_URL: the same UID whichever name the feed was fetched
    under (with or without www, through a proxy), so no calendar ever holds one meeting twice."""
    domain = urlsplit(settings.SITE_URL).hostname
    if domain:
        return domain
    domain, _port = split_domain_port(request_host)
    return domain or request_host


def event_uid(*, meeting: Meeting, request_host: str) -> str:
    # The meeting's own UUID never changes, so edits update the event in people's calendars.
    return f"{meeting.uid}@{_uid_domain(request_host)}"


def _event(*, meeting: Meeting, request_host: str, scheme: str, stamp: datetime) -> Event:
    url = f"{scheme}://{request_host}{meeting.get_absolute_url()}"
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event = Event()
    event.add("uid", event_uid(meeting=meeting, request_host=request_host))
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("created", meeting.created_at.astimezone(UTC))
    event.add("last-modified", meeting.updated_at.astimezone(UTC))
    event.add("dtstart", timezone.localtime(meeting.starts_at))
    event.add("dtend", timezone.localtime(meeting.ends_at))
    event.add("sequence", meeting.sequence)
    # Several calendar apps ignore STATUS in subscribed feeds, so the title says it too.
    event.add("summary", _("Cancelled: %(title)s") % {"title": meeting.title} if cancelled else meeting.title)
    event.add("description", _description(meeting=meeting, url=url))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("class", "PUBLIC")
    event.add("categories", [meeting.get_meeting_type_display()])
    event.add("url", url)
    location = _location(meeting)
    if location:
        event.add("location", location)
    if meeting.venue_latitude is not None and meeting.venue_longitude is not None:
        event.add("geo", (meeting.venue_latitude, meeting.venue_longitude))
    if meeting.online_url:
        event.add(
            "conference", meeting.online_url, parameters={"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": _("Join online")}
        )
    return event


def _location(meeting: Meeting) -> str:
    venue = ", ".join(part for part in (meeting.venue_name, meeting.venue_address) if part)
    if meeting.meeting_type == MeetingType.ONLINE or (not venue and meeting.online_url):
        return _("Online")
    if venue and meeting.meeting_type == MeetingType.HYBRID:
        return _("%(venue)s (and online)") % {"venue": venue}
    return venue


def _description(*, meeting: Meeting, url: str) -> str:
    parts = []
    if meeting.status == MeetingStatus.CANCELLED:
        parts.append(_("This meeting is cancelled: %(reason)s") % {"reason": meeting.cancellation_reason})
    if meeting.public_agenda:
        parts.append(f"{_('Agenda')}:\n{meeting.public_agenda}")
    if meeting.public_summary:
        parts.append(f"{_('What happened')}:\n{meeting.public_summary}")
    if meeting.online_url:
        parts.append(_("Join online: %(url)s") % {"url": meeting.online_url})
    if meeting.accessibility_notes:
        parts.append(_("Access: %(notes)s") % {"notes": meeting.accessibility_notes})
    parts.append(_("Details: %(url)s") % {"url": url})
    return "\n\n".join(parts)
