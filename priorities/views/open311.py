"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), under /open311/v2/.

Residents' reporting apps (FixMyStreet and others) read the service list and definitions, post
service requests that land in the neighbourhood's triage queue, and follow their status. Every
endpoint answers in XML or JSON as the URL's extension asks, errors included.
"""

import re
import uuid
import xml.etree.ElementTree as ET  # noqa: S405 - builds XML for output; parses nothing
from datetime import UTC, datetime
from functools import wraps

import phonenumbers
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from neighbourhoods.selectors import ward_at_point
from pact_portal import text, throttle
from priorities.selectors import open311 as selectors
from priorities.services import open311 as services

# A reporting app files for many residents from one server, so its limits are far above a
# resident's; they stop a runaway client or a leaked key from flooding the triage queues.
REQUESTS_PER_KEY_PER_HOUR = 300
REQUESTS_PER_ADDRESS_PER_HOUR = 600
MAX_REQUEST_IDS = 200

# Lists in the XML take their item tag from the list's tag (the spec's "Spark" convention).
ITEM_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
# Characters XML 1.0 cannot carry at all; dropped rather than written as a broken document.
XML_ILLEGAL = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
W3C_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})")
ATTRIBUTE_PARAM = re.compile(r"attribute\[([A-Za-z0-9_-]{1,64})\](\[\])?")
# Far wider than any request's life, and far enough from year 1 and 9999 that a 90-day window or
# a time zone's offset around a date given (up to ±14:00) never leaves what Python can represent.
EARLIEST_DATE = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_DATE = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
NO_CONTROL_CHARACTERS = RegexValidator(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "Remove control characters.", inverse_match=True
)


class Open311Error(Exception):
    """A refusal in the spec's shape: an HTTP status and one or more descriptions."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = descriptions


# --- rendering --------------------------------------------------------------------------------


def _element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        element.extend(_element(name, item) for name, item in value.items())
    elif isinstance(value, list):
        element.extend(_element(ITEM_TAGS[tag], item) for item in value)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = XML_ILLEGAL.sub("", str(value))
    return element


def _render(fmt: str, root: str, payload, *, status: int = 200) -> HttpResponse:
    if fmt == "json":
        return JsonResponse(
            payload,
            safe=False,
            status=status,
            content_type="application/json; charset=utf-8",
            json_dumps_params={"ensure_ascii": False},
        )
    body = XML_DECLARATION + ET.tostring(_element(root, payload), encoding="unicode")
    return HttpResponse(body.encode(), status=status, content_type="text/xml; charset=utf-8")


def _errors(fmt: str, error: Open311Error) -> HttpResponse:
    payload = [{"code": error.status, "description": d} for d in error.descriptions]
    response = _render(fmt, "errors", payload, status=error.status)
    if error.status == 429:
        response["Retry-After"] = str(throttle.WINDOW_SECONDS)
    return response


def open311_endpoint(view):
    """Public, and every refusal in the spec's error format."""

    @login_not_required
    @wraps(view)
    def wrapped(request, *args, fmt, **kwargs):
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as error:
            return _errors(fmt, error)
        # Django refuses these when the body is first read, with an HTML page a client cannot parse.
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
            return _errors(fmt, Open311Error(413, f"The request body is too large: send at most {limit} KB."))
        except TooManyFieldsSent:
            limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
            return _errors(fmt, Open311Error(400, f"The request has too many fields: send at most {limit}."))

    return wrapped


def _echo(value: str, limit: int = 64) -> str:
    """A client's own value quoted back in an error, cut short so an error stays readable."""
    return value if len(value) <= limit else value[:limit] + "…"


def _jurisdiction(params):
    """The force a jurisdiction_id names, or None when none is given (the portal's own force)."""
    jurisdiction_id = params.get("jurisdiction_id", "").strip()
    force = selectors.force_by_jurisdiction(jurisdiction_id=jurisdiction_id)
    if jurisdiction_id and force is None:
        raise Open311Error(404, f"jurisdiction_id {_echo(jurisdiction_id)} was not found.")
    return force


# --- discovery and services -------------------------------------------------------------------


@open311_endpoint
@require_safe
def discovery(request, fmt):
    """Where the GeoReport v2 endpoint is and what it speaks, as Service Discovery asks."""
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": fmt})).rsplit("/", 1)[0]
    payload = {
        "changeset": selectors.CATALOGUE_CHANGESET,
        "contact": f"{settings.SITE_NAME}: the force's HQ neighbourhood policing team runs this interface.",
        "key_service": "Ask the force's HQ neighbourhood policing team for an api_key; it is needed to post requests.",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": selectors.CATALOGUE_CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return _render(fmt, "discovery", payload)


@open311_endpoint
@require_safe
def service_list(request, fmt):
    _jurisdiction(request.GET)
    payload = [selectors.service_record(s) for s in selectors.service_list()]
    return _render(fmt, "services", payload)


@open311_endpoint
@require_safe
def service_definition(request, service_code, fmt):
    _jurisdiction(request.GET)
    service = selectors.service_get(code=service_code)
    if service is None:
        raise Open311Error(404, f"service_code {_echo(service_code)} was not found; services.{fmt} lists them.")
    if not service.metadata:
        raise Open311Error(404, f"service_code {service_code} has no service definition (its metadata is false).")
    return _render(fmt, "service_definition", selectors.service_definition_record(service))


# --- reading requests -------------------------------------------------------------------------


def _listed(params, name: str) -> list[str]:
    return [item.strip() for item in params.get(name, "").split(",") if item.strip()]


def _w3c_datetime(params, name: str) -> datetime | None:
    # A "+" in a query string arrives as a space when the client forgot to encode it.
    value = re.sub(r" (\d{2}:\d{2})$", r"+\1", params.get(name, "").strip())
    if not value:
        return None
    if W3C_DATETIME.fullmatch(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if not EARLIEST_DATE <= moment <= LATEST_DATE:
                raise Open311Error(400, f"{name} must be between {_w3c(EARLIEST_DATE)} and {_w3c(LATEST_DATE)}.")
            return moment
    raise Open311Error(400, f"{name} must be a W3C datetime with a time zone, such as 2010-01-01T00:00:00Z.")


def _w3c(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _date_range(params) -> tuple[datetime, datetime]:
    """start_date and end_date as the spec has them: the last 90 days by default, 90 at most."""
    start, end = _w3c_datetime(params, "start_date"), _w3c_datetime(params, "end_date")
    window = selectors.DEFAULT_WINDOW
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - window
    if end is None:
        end = start + window
    if start > end:
        raise Open311Error(400, "start_date must be before end_date.")
    if end - start > window:
        raise Open311Error(400, f"start_date and end_date may not span more than {window.days} days.")
    return start, end


def _request_query(params) -> selectors.RequestQuery:
    force = _jurisdiction(params)
    ids = _listed(params, "service_request_id")
    if ids:
        if len(ids) > MAX_REQUEST_IDS:
            raise Open311Error(400, f"Ask for at most {MAX_REQUEST_IDS} service_request_id values at once.")
        try:
            references = tuple(uuid.UUID(i) for i in ids)
        except ValueError as bad:
            raise Open311Error(400, "service_request_id takes request ids separated by commas.") from bad
        return selectors.RequestQuery(references=references, force=force)
    codes = _listed(params, "service_code")
    unknown = [c for c in codes if selectors.service_get(code=c) is None]
    statuses = [s.lower() for s in _listed(params, "status")]
    errors = [f"service_code {_echo(c)} was not found; services.json lists them." for c in unknown]
    if any(s not in selectors.STATUSES for s in statuses):
        errors.append("status takes open, closed or both, separated by a comma.")
    if errors:
        raise Open311Error(400, *errors)
    start, end = _date_range(params)
    return selectors.RequestQuery(
        service_codes=tuple(codes), start=start, end=end, statuses=tuple(statuses), force=force
    )


def _request_list(request, fmt):
    issues = selectors.service_requests_find(query=_request_query(request.GET))
    return _render(fmt, "service_requests", [selectors.service_request_record(i) for i in issues])


@open311_endpoint
@require_safe
def request_detail(request, request_id, fmt):
    force = _jurisdiction(request.GET)
    try:
        reference = uuid.UUID(request_id)
    except ValueError:
        reference = None
    issue = selectors.service_request_get(reference=reference, force=force) if reference else None
    if issue is None:
        raise Open311Error(404, f"service_request_id {_echo(request_id)} was not found.")
    return _render(fmt, "service_requests", [selectors.service_request_record(issue)])


@open311_endpoint
@require_safe
def token_detail(request, token, fmt):
    _jurisdiction(request.GET)
    # Every service is "realtime": a POST answers with the service_request_id itself, so no
    # token is ever issued for a client to look up.
    raise Open311Error(
        404,
        f"token {_echo(token)} was not found: this server issues no tokens, "
        "as a POST to requests answers with the service_request_id itself.",
    )


# --- posting requests -------------------------------------------------------------------------


class ServiceRequestForm(forms.Form):
    """A POST's fields, checked as the spec sets them out; api_key, jurisdiction_id,
    service_code and attribute[...] are handled before and after it."""

    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, min_value=-180, max_value=180)
    address_string = forms.CharField(required=False, max_length=255, validators=[text.single_line])
    address_id = forms.CharField(required=False, max_length=64, validators=[text.single_line])
    email = forms.EmailField(required=False)
    device_id = forms.CharField(required=False, max_length=100, validators=[text.single_line])
    account_id = forms.CharField(required=False, max_length=100, validators=[text.single_line])
    first_name = forms.CharField(required=False, max_length=150, validators=[text.single_line])
    last_name = forms.CharField(required=False, max_length=150, validators=[text.single_line])
    phone = forms.CharField(required=False, max_length=32, validators=[text.single_line])
    description = forms.CharField(
        max_length=4000,
        validators=[NO_CONTROL_CHARACTERS],
        error_messages={"required": "Describe the problem: what happens, where and when."},
    )
    media_url = forms.URLField(
        required=False, max_length=500, assume_scheme="https", validators=[URLValidator(schemes=["http", "https"])]
    )

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        if not phone:
            return ""
        try:
            number = phonenumbers.parse(phone, "GB")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_possible_number(number):
            raise ValidationError("Enter a phone number such as 01632 960000 or +44 1632 960000.")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean(self):
        data = super().clean()
        lat, long = data.get("lat"), data.get("long")
        if "lat" in self.errors or "long" in self.errors:
            return data
        if lat is None and long is None:
            if data.get("address_string") or data.get("address_id"):
                self.add_error(None, "We cannot place an address_string or address_id yet: send lat and long.")
            else:
                self.add_error(None, "A location is required: send lat and long.")
        elif lat is None or long is None:
            self.add_error(None, "lat and long must be sent together.")
        else:
            data["ward"] = ward_at_point(latitude=lat, longitude=long)
            if data["ward"] is None:
                self.add_error("lat", f"The point {lat}, {long} is outside every ward we cover.")
        return data


def _attributes(params) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name in params:
        if not name.startswith("attribute"):
            continue
        match = ATTRIBUTE_PARAM.fullmatch(name)
        if match is None:
            raise Open311Error(400, f"{_echo(name)}: attributes are sent as attribute[code]=value.")
        values = [v.strip() for v in params.getlist(name) if v.strip()]
        if values:
            found.setdefault(match.group(1), []).extend(values)
    return found


def _error_descriptions(errors: dict) -> list[str]:
    return [message if name == "__all__" else f"{name}: {message}" for name, ms in errors.items() for message in ms]


def _api_key(params):
    presented = params.get("api_key", "").strip()
    if not presented:
        raise Open311Error(403, "api_key is missing -- can't proceed with create_request.")
    key = selectors.api_key_presented_get(presented=presented)
    if key is None:
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request.")
    if not key.is_active:
        raise Open311Error(403, "This api_key has been revoked -- ask the force for a new one.")
    return key


def _post_counters(request, key) -> list[tuple[str, int]]:
    return [
        (f"open311-requests:key:{key.pk}", REQUESTS_PER_KEY_PER_HOUR),
        (throttle.address_key(request, "open311-requests"), REQUESTS_PER_ADDRESS_PER_HOUR),
    ]


def _check_jurisdiction_for_key(params, key) -> None:
    force = _jurisdiction(params)
    if force is not None and force.pk != key.force_id:
        raise Open311Error(403, f"This api_key files requests for {key.force.slug} only.")


def _service_code(params) -> str:
    code = params.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code was not provided.")
    if selectors.service_get(code=code) is None:
        raise Open311Error(404, f"service_code {_echo(code)} was not found; services.json lists them.")
    return code


def _service_notice(issue, attributes) -> str:
    urgent = "In an emergency call 999: "
    if attributes.get("happening_now") == ["yes"]:
        urgent = "As it is happening now, call 101, or 999 if anyone is in danger: "
    return (
        f"Thank you. The {issue.neighbourhood.name} neighbourhood team will review it with other reports "
        "from the area and may take it to the next PACT meeting. "
        f"{urgent}this service is not watched around the clock."
    )


def _request_create(request, fmt):
    params = request.POST
    key = _api_key(params)
    counters = _post_counters(request, key)
    if throttle.throttled(counters):
        raise Open311Error(429, "Too many requests from this api_key or address in the last hour; try again later.")
    # Refused requests count too: a client looping on a bad request is stopped like any other.
    throttle.count(counters)
    _check_jurisdiction_for_key(params, key)
    service_code = _service_code(params)
    attributes = _attributes(params)
    form = ServiceRequestForm(params)
    if not form.is_valid():
        raise Open311Error(400, *_error_descriptions(form.errors))
    data = form.cleaned_data
    try:
        issue = services.open311_request_create(
            api_key=key,
            ward=data["ward"],
            service_code=service_code,
            description=data["description"],
            latitude=data["lat"],
            longitude=data["long"],
            attributes=attributes,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            phone=data["phone"],
            address_string=data["address_string"],
            media_url=data["media_url"],
        )
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        raise Open311Error(400, *_error_descriptions(errors)) from error
    payload = [
        {
            "service_request_id": str(issue.reference),
            "service_notice": _service_notice(issue, attributes),
            "account_id": None,
        }
    ]
    return _render(fmt, "service_requests", payload, status=201)


@open311_endpoint
@csrf_exempt  # The api_key authenticates the client; there is no session or cookie to forge.
@require_http_methods(["GET", "HEAD", "POST"])
def requests(request, fmt):
    if request.method == "POST":
        return _request_create(request, fmt)
    return _request_list(request, fmt)
