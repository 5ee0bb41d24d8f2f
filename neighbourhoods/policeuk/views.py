"""The police.uk-compatible read API: the paths and JSON shapes of data.police.uk, so that clients
written for it (apps, maps, the R and Python client libraries) work against the portal unchanged.

Shapes follow police.uk exactly, quirks included: hyphenated "issue-date", numbers such as
population and coordinates as strings, null where police.uk gives null, and dates as local
`YYYY-MM-DDTHH:MM:SS` with no offset. Public, read-only, and open to any origin like police.uk.
"""

import functools
from datetime import datetime

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.utils import timezone
from django.utils.html import linebreaks
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt

from meetings.models import Meeting, MeetingType
from neighbourhoods.forms import LocateForm
from neighbourhoods.policeuk import selectors
from pact_portal.text import one_line

ALLOWED_METHODS = ("GET", "HEAD")
# Most of this changes a few times a month; five minutes spares the database from map clients
# that poll, and still shows a new meeting the same hour.
MAX_AGE = 5 * 60

# police.uk's event types are short lower-case words; a PACT public meeting is its "meeting".
EVENT_TYPES = {
    MeetingType.PUBLIC_PACT: "meeting",
    MeetingType.PANEL: "meeting",
    MeetingType.STREET: "street meeting",
    MeetingType.DOOR_KNOCK: "door knocking",
    MeetingType.STALL: "stall",
    MeetingType.SURGERY: "surgery",
    MeetingType.YOUTH: "youth meeting",
    MeetingType.EVA: "environmental visual audit",
    MeetingType.SPECIALIST: "meeting",
    MeetingType.ONLINE: "online meeting",
    MeetingType.HYBRID: "meeting",
    MeetingType.PARTNER_EVENT: "meeting",
    MeetingType.OPEN_DAY: "open day",
}


def public_api(view):
    """GET and HEAD only, for anyone, from any origin.

    csrf_exempt is safe because nothing here writes; without it a POST would meet the CSRF check
    (403) before it could be told the method is not allowed (405).
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ALLOWED_METHODS:
            response = _error(f"Method {request.method} is not allowed: this API is read-only.", status=405)
            response["Allow"] = ", ".join(ALLOWED_METHODS)
        else:
            response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return csrf_exempt(login_not_required(cache_control(public=True, max_age=MAX_AGE)(wrapper)))


def _json(data, *, status: int = 200) -> JsonResponse:
    return JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})


def _error(message: str, *, status: int, **field_errors) -> JsonResponse:
    body = {"error": message}
    if field_errors:
        body["errors"] = field_errors
    return _json(body, status=status)


def _not_found(what: str) -> JsonResponse:
    return _error(f"No such {what}.", status=404)


def _coordinate(value: float | None) -> str | None:
    # Six decimal places is about 10 cm, finer than any boundary was surveyed to.
    return None if value is None else f"{value:.6f}"


def _local(moment: datetime | None) -> str | None:
    return None if moment is None else timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M:%S")


def _html(text: str) -> str | None:
    """police.uk serves descriptions, bios, issues and actions as HTML fragments, and its clients
    insert them as HTML. Our text is plain, so it is escaped and split into paragraphs: a client
    shows the words and can never run them."""
    text = (text or "").strip()
    return linebreaks(text, autoescape=True) if text else None


def _contacts(**details: str) -> dict:
    # police.uk leaves a contact detail out rather than sending it empty.
    return {key: value for key, value in details.items() if value}


# --- forces -----------------------------------------------------------------------------------


@public_api
def forces(request):
    return _json([{"id": force.slug, "name": force.name} for force in selectors.force_list()])


@public_api
def force_detail(request, force):
    found = selectors.force_public_get(slug=force)
    if found is None:
        return _not_found("force")
    return _json(
        {
            "id": found.slug,
            "name": found.name,
            "description": _html(found.description),
            "url": found.website or None,
            "telephone": found.telephone or None,
            "engagement_methods": [
                {"url": method.url, "description": _html(method.description), "title": method.title}
                for method in found.engagement_methods.all()
            ],
        }
    )


@public_api
def force_people(request, force):
    officers = selectors.force_senior_officers(slug=force)
    if officers is None:
        return _not_found("force")
    return _json(
        [
            {
                "name": officer.name,
                "rank": officer.rank,
                "bio": _html(officer.bio),
                "contact_details": _contacts(**officer.contact_details),
            }
            for officer in officers
        ]
    )


# --- neighbourhoods ---------------------------------------------------------------------------


@public_api
def neighbourhoods(request, force):
    found = selectors.neighbourhoods_in_force(slug=force)
    if found is None:
        return _not_found("force")
    return _json([{"id": n.code, "name": n.name} for n in found])


@public_api
def neighbourhood_detail(request, force, neighbourhood):
    found = selectors.neighbourhood_profile_get(force_slug=force, code=neighbourhood)
    if found is None:
        return _not_found("neighbourhood in this force")
    return _json(_neighbourhood_json(request, found))


def _neighbourhood_json(request, neighbourhood) -> dict:
    wards = list(neighbourhood.wards.all())
    population = neighbourhood.population
    if population is None and wards and all(w.population is not None for w in wards):
        population = sum(w.population for w in wards)
    latitude, longitude = neighbourhood.centre_latitude, neighbourhood.centre_longitude
    if (latitude is None or longitude is None) and wards:
        # No centre set: the middle of the ward centroids is inside the area for any compact one.
        latitude = sum(w.centroid_latitude for w in wards) / len(wards)
        longitude = sum(w.centroid_longitude for w in wards) / len(wards)
    return {
        "id": neighbourhood.code,
        "name": neighbourhood.name,
        "description": _html(neighbourhood.description),
        # police.uk gives "0" for a population nobody has counted.
        "population": str(population or 0),
        "url_force": request.build_absolute_uri(neighbourhood.get_absolute_url()),
        "contact_details": _contacts(email=neighbourhood.public_email, telephone=neighbourhood.public_telephone),
        "centre": {"latitude": _coordinate(latitude), "longitude": _coordinate(longitude)},
        "locations": [
            {
                "name": one_line(place.name),
                "type": place.location_type,
                "address": one_line(place.address),
                "postcode": place.postcode or None,
                "latitude": _coordinate(place.latitude),
                "longitude": _coordinate(place.longitude),
                "description": _html(place.description),
            }
            for place in neighbourhood.locations.all()
        ],
        "links": [
            {"url": link.url, "title": link.title, "description": _html(link.description)}
            for link in neighbourhood.links.all()
        ],
    }


def _neighbourhood_view(view):
    """Look the neighbourhood up by force and id, or answer 404 before the view runs."""

    @functools.wraps(view)
    def wrapper(request, force, neighbourhood):
        found = selectors.neighbourhood_in_force_get(force_slug=force, code=neighbourhood)
        if found is None:
            return _not_found("neighbourhood in this force")
        return view(request, found)

    return wrapper


@public_api
@_neighbourhood_view
def neighbourhood_boundary(request, neighbourhood):
    points = selectors.neighbourhood_boundary(neighbourhood=neighbourhood)
    return _json([{"latitude": _coordinate(lat), "longitude": _coordinate(lng)} for lat, lng in points])


@public_api
@_neighbourhood_view
def neighbourhood_people(request, neighbourhood):
    # Officers' own numbers and emails are never given: publishing mobiles raised expectations no
    # officer could meet (HMIC). The team's shared contacts are on the neighbourhood itself.
    return _json(
        [
            {"name": user.full_name, "rank": rank, "bio": _html(user.public_bio), "contact_details": {}}
            for rank, user in selectors.neighbourhood_officers(neighbourhood=neighbourhood)
        ]
    )


@public_api
@_neighbourhood_view
def neighbourhood_events(request, neighbourhood):
    contacts = _contacts(email=neighbourhood.public_email, telephone=neighbourhood.public_telephone)
    return _json(
        [_event_json(meeting, contacts) for meeting in selectors.neighbourhood_events(neighbourhood=neighbourhood)]
    )


def _event_json(meeting: Meeting, contacts: dict) -> dict:
    if meeting.meeting_type == MeetingType.ONLINE:
        address = "Online"
    else:
        # One line, whatever a record stored before control characters were refused holds: a
        # consumer prints the address as given, and a line break there was someone's injection.
        parts = (one_line(meeting.venue_name), one_line(meeting.venue_address))
        address = ", ".join(part for part in parts if part) or None
    return {
        "title": one_line(meeting.title),
        "description": _html(meeting.public_agenda),
        "address": address,
        "type": EVENT_TYPES.get(meeting.meeting_type, "meeting"),
        "start_date": _local(meeting.starts_at),
        "end_date": _local(meeting.ends_at),
        "contact_details": contacts,
    }


@public_api
@_neighbourhood_view
def neighbourhood_priorities(request, neighbourhood):
    return _json(
        [
            {
                "issue": _html(row.issue),
                "issue-date": _local(row.issue_date),
                "action": _html(row.action) if row.action else None,
                "action-date": _local(row.action_date),
            }
            for row in selectors.neighbourhood_priorities(neighbourhood=neighbourhood)
        ]
    )


# --- locating ---------------------------------------------------------------------------------

LOCATE_HELP = "Give a latitude and longitude separated by a comma, e.g. q=53.7936,-2.2420."


@public_api
def locate_neighbourhood(request):
    parts = request.GET.get("q", "").split(",")
    form = LocateForm({"lat": parts[0].strip(), "lng": parts[1].strip()} if len(parts) == 2 else {})
    if not form.is_valid():
        problems = [
            f"{form.fields[name].label}: {message}" for name, messages in form.errors.items() for message in messages
        ]
        return _error(LOCATE_HELP, status=400, q=problems or [LOCATE_HELP])
    found = selectors.neighbourhood_at(latitude=form.cleaned_data["lat"], longitude=form.cleaned_data["lng"])
    if found is None:
        return _error("No neighbourhood covers that point.", status=404)
    return _json({"force": found.division.force.slug, "neighbourhood": found.code})
