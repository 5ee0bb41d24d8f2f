"""Public meeting pages and calendar feeds: what any resident sees without signing in.

Everything here reads through the public_* selectors, which never return drafts and defer the
police-only notes.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from meetings import ical, selectors
from meetings.models import MeetingType
from neighbourhoods.selectors import neighbourhood_public_get

# Feeds carry recent history too, so last month's meeting (and its summary) stays in people's
# calendars, but not years of it on every poll. The cap keeps a force-wide feed a sane size.
FEED_HISTORY = timedelta(days=92)
FEED_LIMIT = 1000
# Calendar apps poll often; a quarter of an hour spares the database and still spreads a
# cancellation the same evening.
FEED_MAX_AGE = 15 * 60


def _neighbourhood_or_404(code):
    neighbourhood = neighbourhood_public_get(code=code)
    if neighbourhood is None:
        raise Http404("No such neighbourhood.")
    return neighbourhood


def _ward_or_404(code):
    ward = selectors.public_ward_get(code=code)
    if ward is None:
        raise Http404("No such ward.")
    return ward


def _feed_links(request, path: str) -> dict:
    url = request.build_absolute_uri(path)
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[1]}


def _calendar_response(body: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _feed(request, *, meetings, name: str, filename: str) -> HttpResponse:
    window = meetings.upcoming(now=timezone.now() - FEED_HISTORY)[:FEED_LIMIT]
    body = ical.meetings_feed_ics(meetings=window, name=name, request_host=request.get_host(), scheme=request.scheme)
    return _calendar_response(body, filename=filename)


def _list_page(request, *, meetings, heading: str, feed_path: str, **context) -> HttpResponse:
    upcoming, past = selectors.upcoming_and_past(meetings=meetings)
    context |= {"heading": heading, "upcoming": upcoming, "past": past, "feed": _feed_links(request, feed_path)}
    return render(request, "meetings/public_list.html", context)


@login_not_required
@require_safe
def neighbourhood_meetings(request, code):
    neighbourhood = _neighbourhood_or_404(code)
    return _list_page(
        request,
        meetings=selectors.public_meetings(neighbourhood=neighbourhood),
        heading=gettext("PACT meetings in %(name)s") % {"name": neighbourhood.name},
        feed_path=reverse("meetings:neighbourhood-feed", args=[neighbourhood.code]),
        neighbourhood=neighbourhood,
    )


@login_not_required
@require_safe
def ward_meetings(request, code):
    ward = _ward_or_404(code)
    return _list_page(
        request,
        meetings=selectors.public_meetings(ward=ward),
        heading=gettext("PACT meetings for %(name)s") % {"name": ward.name},
        feed_path=reverse("meetings:ward-feed", args=[ward.code]),
        neighbourhood=ward.neighbourhood,
        ward=ward,
    )


@login_not_required
@require_safe
def meeting_detail(request, uid):
    meeting = selectors.public_meeting_get(uid=uid)
    if meeting is None:
        raise Http404("No such meeting.")
    neighbourhood = meeting.neighbourhood
    show_venue = meeting.meeting_type != MeetingType.ONLINE and bool(meeting.venue_name or meeting.venue_address)
    context = {
        "meeting": meeting,
        "show_venue": show_venue,
        "show_map": show_venue and meeting.venue_latitude is not None and meeting.venue_longitude is not None,
        "is_past": meeting.ends_at < timezone.now(),
        "attachments": selectors.public_attachments(meeting=meeting),
        "feed": _feed_links(request, reverse("meetings:neighbourhood-feed", args=[neighbourhood.code])),
    }
    return render(request, "meetings/public_detail.html", context)


@login_not_required
@require_safe
@cache_control(public=True, max_age=FEED_MAX_AGE)
def meeting_ics(request, uid):
    meeting = selectors.public_meeting_get(uid=uid)
    if meeting is None:
        raise Http404("No such meeting.")
    body = ical.meeting_ics(meeting=meeting, request_host=request.get_host(), scheme=request.scheme)
    return _calendar_response(body, filename=f"pact-meeting-{timezone.localtime(meeting.starts_at):%Y-%m-%d}.ics")


@login_not_required
@require_safe
@cache_control(public=True, max_age=FEED_MAX_AGE)
def neighbourhood_feed(request, code):
    neighbourhood = _neighbourhood_or_404(code)
    return _feed(
        request,
        meetings=selectors.public_meetings(neighbourhood=neighbourhood),
        name=gettext("PACT meetings: %(place)s") % {"place": neighbourhood.name},
        filename=f"pact-{neighbourhood.code}.ics",
    )


@login_not_required
@require_safe
@cache_control(public=True, max_age=FEED_MAX_AGE)
def ward_feed(request, code):
    ward = _ward_or_404(code)
    return _feed(
        request,
        meetings=selectors.public_meetings(ward=ward),
        name=gettext("PACT meetings: %(place)s") % {"place": ward.name},
        filename=f"pact-{ward.code}.ics",
    )


@login_not_required
@require_safe
@cache_control(public=True, max_age=FEED_MAX_AGE)
def force_feed(request):
    return _feed(
        request,
        meetings=selectors.public_meetings(),
        name=gettext("PACT meetings: %(place)s") % {"place": settings.SITE_NAME},
        filename="pact-meetings.ics",
    )
