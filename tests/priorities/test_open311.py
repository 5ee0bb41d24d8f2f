import datetime
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses the portal's own responses
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from priorities import services
from priorities.models import Category, Issue, IssueSource, IssueStatus, Open311ApiKey, Open311Request, Priority
from priorities.services import open311 as services_open311
from priorities.views import open311 as open311_views
from tests.factories import DivisionFactory, ForceFactory, NeighbourhoodFactory, PartnerAgencyFactory, WardFactory
from tests.priorities import fixtures_open311 as spec
from tests.priorities.factories import agreed, propose, raise_issue, signed_off

pytestmark = pytest.mark.django_db
# Inside the Daneshouse ward's test square (-2.25..-2.24, 53.79..53.80), whose centroid is
# (53.795, -2.245); and out in the Irish Sea.
PIN = {"lat": "53.7912", "long": "-2.2488"}
AT_SEA = {"lat": "53.9", "long": "-3.5"}
PRIVATE = {
    "email": "amina.private@example.org",
    "first_name": "Aminaprivate",
    "last_name": "Khanprivate",
    "phone": "07700 900123",
    "description": "Lads on scramblers outside number 12 every night",
    "media_url": "https://photos.example.org/private-photo.jpg",
    "address_string": "12 Secret Street, Burnley",
}


def url(name, fmt="json", **kwargs):
    return reverse(f"open311:{name}", kwargs={"fmt": fmt, **kwargs})


def issue_key(world, *, force=None, name="FixMyStreet"):
    return services_open311.open311_api_key_issue(actor=world.hq, force=force or world.force, name=name)


@pytest.fixture
def api_key(world):
    return issue_key(world)[1]


def post(client, api_key, fmt="json", **overrides):
    data = {
        "api_key": api_key,
        "service_code": Category.SPEEDING,
        "description": "Cars race along Burnley Road after 10pm.",
        "attribute[happening_now]": "no",
        **PIN,
    }
    data.update(overrides)
    return client.post(url("requests", fmt), {k: v for k, v in data.items() if v is not None})


def nothing_stored():
    return Issue.objects.count() == 0 and Open311Request.objects.count() == 0


def xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 - our own output


def xml_from(text: str) -> ET.Element:
    return ET.fromstring(text.encode())  # noqa: S314 - a fixture


LISTS = {"services", "attributes", "values", "service_requests", "errors", "endpoints", "formats"}


def xml_shape(element):
    """Tags in order, nested; a list's shape is its first item's."""
    children = list(element)[:1] if element.tag in LISTS else list(element)
    return (element.tag, [xml_shape(child) for child in children])


def json_shape(value):
    if isinstance(value, dict):
        return [(key, json_shape(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [json_shape(value[0])] if value else []
    return None


def errors_of(response) -> list[str]:
    return [error["description"] for error in response.json()]


# --- discovery and services -------------------------------------------------------------------


def test_it_tells_clients_where_the_endpoint_is_and_what_it_speaks(client):
    found = client.get(url("discovery")).json()
    assert json_shape(found) == json_shape(spec.DISCOVERY_JSON)
    endpoint = found["endpoints"][0]
    assert endpoint["url"] == "http://testserver/open311/v2" and endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert re.match(spec.W3C_DATETIME_PATTERN, found["changeset"])
    root = xml(client.get(url("discovery", "xml")))
    assert xml_shape(root) == xml_shape(xml_from(spec.DISCOVERY_XML))
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_it_lists_every_category_as_a_service_in_the_specs_json_shape(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(url("services"))
    services_list = response.json()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert [s["service_code"] for s in services_list] == Category.values
    for service in services_list:
        assert json_shape(service) == json_shape(spec.SERVICE_LIST_JSON[0])
        assert service["type"] == "realtime" and isinstance(service["metadata"], bool)
    by_code = {s["service_code"]: s for s in services_list}
    assert by_code["speeding"]["service_name"] == "Speeding and road safety" and by_code["speeding"]["metadata"]
    assert by_code["fraud"]["metadata"] is False and by_code["speeding"]["group"] == "roads"


def test_it_lists_services_in_the_specs_xml_shape(client):
    root = xml(client.get(url("services", "xml")))
    assert xml_shape(root) == xml_shape(xml_from(spec.SERVICE_LIST_XML))
    assert len(root) == len(Category.values)
    assert root.find("service/metadata").text == "true" and root.find("service/type").text == "realtime"


def test_it_defines_a_services_attributes_in_json_and_xml(client):
    definition = client.get(url("service", service_code="speeding")).json()
    assert json_shape(definition) == json_shape(spec.SERVICE_DEFINITION_JSON)
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert definition["service_code"] == "speeding" and [a["order"] for a in definition["attributes"]] == [1, 2]
    assert attributes["happening_now"]["required"] is True and attributes["when"]["required"] is False
    assert [v["key"] for v in attributes["happening_now"]["values"]] == ["yes", "no"]
    assert attributes["happening_now"]["datatype"] == "singlevaluelist"
    root = xml(client.get(url("service", "xml", service_code="speeding")))
    assert xml_shape(root) == xml_shape(xml_from(spec.SERVICE_DEFINITION_XML))
    assert root.find("attributes/attribute/required").text == "true"


@pytest.mark.parametrize("code", ["potholes", "fraud"])
def test_it_answers_404_in_the_spec_error_shape_for_a_service_without_definition(client, code):
    response = client.get(url("service", service_code=code))
    assert response.status_code == 404 and json_shape(response.json()) == json_shape(spec.ERRORS_JSON)
    assert response.json()[0]["code"] == 404 and code in response.json()[0]["description"]
    root = xml(client.get(url("service", "xml", service_code=code)))
    assert xml_shape(root) == xml_shape(xml_from(spec.ERRORS_XML)) and root.find("error/code").text == "404"


def test_it_refuses_an_unknown_jurisdiction(client, world):
    assert client.get(url("services") + "?jurisdiction_id=lancashire").status_code == 200
    response = client.get(url("services") + "?jurisdiction_id=atlantis")
    assert response.status_code == 404 and "jurisdiction_id atlantis was not found" in errors_of(response)[0]


# --- posting requests -------------------------------------------------------------------------


def test_it_files_a_request_as_an_issue_in_the_neighbourhoods_triage_queue(client, world, api_key):
    response = post(client, api_key, **PRIVATE, **{"attribute[when]": "night", "jurisdiction_id": "lancashire"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert json_shape(body) == json_shape(spec.POST_RESPONSE_JSON) and body[0]["account_id"] is None
    issue = Issue.objects.get(reference=body[0]["service_request_id"])
    assert (issue.neighbourhood, issue.ward.code, issue.source) == (world.daneshouse, "E05005155", IssueSource.OPEN311)
    assert (issue.status, issue.category, issue.contact_email) == (IssueStatus.NEW, "speeding", PRIVATE["email"])
    assert (issue.latitude, issue.longitude, issue.description) == (53.7912, -2.2488, PRIVATE["description"])
    record = issue.open311
    assert (record.first_name, record.last_name, record.phone) == ("Aminaprivate", "Khanprivate", "+447700900123")
    assert record.attributes == {"happening_now": ["no"], "when": ["night"]}
    assert record.media_url == PRIVATE["media_url"] and record.address_string == PRIVATE["address_string"]
    assert record.api_key.last_used_at is not None and "Daneshouse neighbourhood team" in body[0]["service_notice"]


def test_it_answers_a_post_in_xml(client, world, api_key):
    response = post(client, api_key, "xml", **{"attribute[happening_now]": "yes"})
    root = xml(response)
    assert response.status_code == 201 and xml_shape(root) == xml_shape(xml_from(spec.POST_RESPONSE_XML))
    assert root.find("request/service_request_id").text == str(Issue.objects.get().reference)
    assert root.find("request/account_id").text is None and "999" in root.find("request/service_notice").text


def test_it_puts_the_request_before_the_team_in_the_triage_queue(client, world, api_key):
    post(client, api_key)
    client.force_login(world.pcso)
    page = client.get(reverse("priorities:triage", kwargs={"code": "daneshouse"})).content.decode()
    assert "Cars race along Burnley Road after 10pm." in page and "Sent from a reporting app (Open311)" in page


def test_it_takes_a_post_without_a_csrf_token(world, api_key):
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, api_key).status_code == 201


def test_it_does_not_let_officers_pretend_an_issue_came_through_open311(client, world):
    client.force_login(world.pcso)
    page = client.get(reverse("priorities:log-issue")).content.decode()
    assert 'value="door_knock"' in page and 'value="open311"' not in page


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "api_key is missing"),
        ("nonsense", "Invalid api_key"),
        ("abcd1234.not-the-secret", "Invalid api_key"),
    ],
)
def test_it_refuses_a_missing_or_wrong_key_in_the_spec_error_shape(client, world, api_key, key, message):
    response = post(client, key)
    assert response.status_code == 403 and json_shape(response.json()) == json_shape(spec.ERRORS_JSON)
    assert response.json()[0]["code"] == 403 and message in errors_of(response)[0]
    assert nothing_stored()


def test_it_refuses_a_revoked_key_in_xml(client, world):
    key, secret = issue_key(world)
    services_open311.open311_api_key_revoke(api_key=key, actor=world.hq)
    response = post(client, secret, "xml")
    root = xml(response)
    assert response.status_code == 403 and xml_shape(root) == xml_shape(xml_from(spec.ERRORS_XML))
    assert "revoked" in root.find("error/description").text and nothing_stored()


def test_it_refuses_a_key_with_a_tampered_secret(client, world, api_key):
    prefix, _, secret = api_key.partition(".")
    response = post(client, f"{prefix}.{secret[:-1]}x")
    assert response.status_code == 403 and nothing_stored()


def test_it_rate_limits_posts_per_key(client, world, api_key, monkeypatch):
    monkeypatch.setattr(open311_views, "REQUESTS_PER_KEY_PER_HOUR", 2)
    statuses = [post(client, api_key).status_code for _ in range(3)]
    assert statuses == [201, 201, 429] and Issue.objects.count() == 2
    refused = post(client, api_key)
    assert refused["Retry-After"] == "3600" and refused.json()[0]["code"] == 429
    assert post(client, issue_key(world, name="Another app")[1]).status_code == 201


def test_it_rate_limits_posts_per_address_whatever_the_key(client, world, monkeypatch):
    monkeypatch.setattr(open311_views, "REQUESTS_PER_ADDRESS_PER_HOUR", 1)
    assert post(client, issue_key(world, name="One")[1]).status_code == 201
    response = post(client, issue_key(world, name="Two")[1], "xml")
    assert response.status_code == 429 and xml(response).find("error/code").text == "429"
    assert Issue.objects.count() == 1


BAD_POSTS = [
    ({"service_code": None}, 400, "service_code was not provided"),
    ({"service_code": "potholes"}, 404, "service_code potholes was not found"),
    ({"jurisdiction_id": "atlantis"}, 404, "jurisdiction_id atlantis was not found"),
    ({**AT_SEA}, 400, "outside every ward we cover"),
    ({"lat": None, "long": None, "address_string": "1 Burnley Road"}, 400, "cannot place an address_string"),
    ({"lat": None, "long": None}, 400, "A location is required"),
    ({"long": None}, 400, "lat and long must be sent together"),
    ({"lat": "north"}, 400, "lat: Enter a number"),
    ({"lat": "95"}, 400, "lat: Ensure this value is less than or equal to 90"),
    ({"long": "nan"}, 400, "long: Enter a number"),
    ({"description": "  "}, 400, "description: Describe the problem"),
    ({"description": "x" * 4001}, 400, "description: Ensure this value has at most 4000 characters"),
    ({"description": "Bell\x07 rings"}, 400, "description: Remove control characters"),
    ({"email": "not-an-email"}, 400, "email: Enter a valid email address"),
    ({"phone": "12"}, 400, "phone: Enter a phone number"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url: Enter a valid URL"),
    ({"attribute[happening_now]": None}, 400, "attribute[happening_now]: Required"),
    ({"attribute[happening_now]": "maybe"}, 400, "attribute[happening_now]: Use one of: yes, no"),
    ({"attribute[colour]": "red"}, 400, "attribute[colour]: speeding has no attribute colour"),
    ({"attribute]": "x"}, 400, "attributes are sent as attribute[code]=value"),
    ({"service_code": "fraud", "attribute[happening_now]": "no"}, 400, "fraud has no attribute happening_now"),
]


@pytest.mark.parametrize(("overrides", "status", "message"), BAD_POSTS)
def test_it_refuses_bad_input_with_the_spec_error_and_stores_nothing(client, api_key, overrides, status, message):
    response = post(client, api_key, **overrides)
    assert response.status_code == status, response.content
    assert any(message in description for description in errors_of(response)), errors_of(response)
    assert all(error["code"] == status for error in response.json())
    assert nothing_stored() and Open311ApiKey.objects.get().last_used_at is None


def test_it_quotes_a_long_bad_value_back_cut_short(client, world, api_key):
    response = post(client, api_key, service_code="x" * 5000)
    assert (
        response.status_code == 404 and len(errors_of(response)[0]) < 150 and "x" * 64 + "…" in errors_of(response)[0]
    )


def test_it_lists_every_problem_of_a_bad_post_at_once(client, world, api_key):
    response = post(client, api_key, email="nope", phone="1", description="")
    assert {d.split(":")[0] for d in errors_of(response)} == {"email", "phone", "description"}


def test_it_refuses_a_point_in_another_forces_ward(client, world, api_key):
    other = NeighbourhoodFactory(division=DivisionFactory(force=ForceFactory(slug="cumbria", name="Cumbria")))
    WardFactory(neighbourhood=other, code="E05009999", west=-3.0, south=54.5)
    response = post(client, api_key, lat="54.505", long="-2.995")
    assert response.status_code == 400 and "not in a neighbourhood of Lancashire" in errors_of(response)[0]
    assert nothing_stored()


def test_it_refuses_a_key_used_for_another_forces_jurisdiction(client, world, api_key):
    ForceFactory(slug="cumbria", name="Cumbria")
    response = post(client, api_key, jurisdiction_id="cumbria")
    assert response.status_code == 403 and "lancashire only" in errors_of(response)[0] and nothing_stored()


def test_it_refuses_a_point_in_a_ward_without_a_team(client, world, api_key):
    WardFactory(neighbourhood=None, code="E05008888", west=-2.5, south=53.5)
    response = post(client, api_key, lat="53.505", long="-2.495")
    assert response.status_code == 400 and "no neighbourhood team" in errors_of(response)[0] and nothing_stored()


def test_it_rolls_the_issue_back_when_the_request_record_is_refused(client, world, api_key, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise ValidationError({"media_url": "Refused after the issue was written."})

    monkeypatch.setattr(Open311Request, "full_clean", refuse)
    response = post(client, api_key)
    assert response.status_code == 400 and "media_url: Refused" in errors_of(response)[0]
    assert nothing_stored() and Open311ApiKey.objects.get().last_used_at is None


# --- reading requests -------------------------------------------------------------------------


def test_it_lists_requests_in_the_specs_json_and_xml_shapes(client, world, api_key):
    post(client, api_key)
    listed = client.get(url("requests")).json()
    assert json_shape(listed) == json_shape(spec.SERVICE_REQUESTS_JSON)
    request = listed[0]
    assert (request["status"], request["service_code"], request["service_name"]) == (
        "open",
        "speeding",
        "Speeding and road safety",
    )
    assert request["agency_responsible"] == "Daneshouse neighbourhood policing team"
    for name in ("requested_datetime", "updated_datetime"):
        assert re.match(spec.W3C_DATETIME_PATTERN, request[name])
    root = xml(client.get(url("requests", "xml")))
    assert xml_shape(root) == xml_shape(xml_from(spec.SERVICE_REQUESTS_XML))
    assert root.find("request/service_request_id").text == request["service_request_id"]


def test_it_never_publishes_the_residents_words_contact_details_or_pin(client, world, api_key):
    reference = post(client, api_key, **PRIVATE).json()[0]["service_request_id"]
    request = client.get(url("request", request_id=reference)).json()[0]
    assert (request["lat"], request["long"]) == (53.795, -2.245)  # the ward's centre, not the pin
    assert request["address"] == "Daneshouse with Stoneyholme ward, Daneshouse" and request["address_id"] == "E05005155"
    assert request["description"] is None and request["media_url"] is None
    bodies = [
        client.get(url(name, fmt, **kwargs)).content.decode()
        for name, kwargs in (("requests", {}), ("request", {"request_id": reference}))
        for fmt in ("json", "xml")
    ]
    for body in bodies:
        for secret in [*PRIVATE.values(), "Aminaprivate", "+447700900123", "53.7912", "-2.2488"]:
            assert secret not in body


def test_it_gets_one_request_by_id_in_json_and_xml(client, world):
    issue = raise_issue(world)
    response = client.get(url("request", request_id=str(issue.reference)))
    assert [r["service_request_id"] for r in response.json()] == [str(issue.reference)]
    root = xml(client.get(url("request", "xml", request_id=str(issue.reference))))
    assert root.tag == "service_requests" and root.find("request/status").text == "open"


@pytest.mark.parametrize("request_id", ["6f1c0b52-6a0b-4b8e-9a55-2f4c8a4f7e10", "not-a-request", "12"])
def test_it_answers_404_for_an_unknown_request(client, world, request_id):
    response = client.get(url("request", request_id=request_id))
    assert response.status_code == 404 and f"service_request_id {request_id} was not found" in errors_of(response)[0]
    assert xml(client.get(url("request", "xml", request_id=request_id))).find("error/code").text == "404"


def test_it_issues_no_tokens_because_every_request_is_answered_at_once(client, world):
    response = client.get(url("token", token="12345"))
    assert response.status_code == 404 and "issues no tokens" in errors_of(response)[0]


def _state(world, issue, state):
    """Put the issue's priority in a state by the services' own transitions."""
    priority = agreed(world, issues=[issue])
    if state in ("resolved", "signed_off"):
        services.priority_start(priority=priority, actor=world.sergeant)
        services.priority_resolve(priority=priority, actor=world.sergeant, public_outcome="No racing for a month.")
    if state == "signed_off":
        signed_off(world, priority, actor=world.sergeant)
    return priority


def test_it_follows_an_agreed_priority_with_its_public_text_and_review_date(client, world):
    issue = raise_issue(world)
    priority = _state(world, issue, "agreed")
    services.priority_update(priority=priority, actor=world.pcso, restricted_notes="Suspect: the lad at no. 4")
    request = client.get(url("request", request_id=str(issue.reference))).json()[0]
    assert request["status"] == "open" and "Speeding on Burnley Road" in request["status_notes"]
    assert "Residents told us cars speed on Burnley Road at night." in request["status_notes"]
    assert request["expected_datetime"] == "2027-01-05T00:00:00+00:00"
    assert "Suspect" not in str(request)


@pytest.mark.parametrize("state", ["resolved", "signed_off"])
def test_it_closes_a_request_when_its_priority_is_resolved(client, world, state):
    issue = raise_issue(world)
    priority = _state(world, issue, state)
    request = client.get(url("request", request_id=str(issue.reference))).json()[0]
    assert request["status"] == "closed" and "No racing for a month." in request["status_notes"]
    assert request["expected_datetime"] is None
    priority.refresh_from_db()
    assert request["updated_datetime"] == timezone.localtime(priority.state_changed_at).isoformat(timespec="seconds")


def test_it_keeps_a_proposed_prioritys_text_private(client, world):
    issue = raise_issue(world)
    propose(world, issues=[issue], title="Private working title")
    request = client.get(url("request", request_id=str(issue.reference))).json()[0]
    assert request["status"] == "open" and "Being considered" in request["status_notes"]
    assert "Private working title" not in str(request) and request["expected_datetime"] is None


def test_it_closes_a_request_whose_priority_was_not_adopted(client, world):
    issue = raise_issue(world)
    priority = propose(world, issues=[issue])
    services.priority_not_adopt(priority=priority, actor=world.sergeant, reason="The council is fixing the road.")
    request = client.get(url("request", request_id=str(issue.reference))).json()[0]
    assert request["status"] == "closed" and "The council is fixing the road." in request["status_notes"]


def test_it_closes_a_duplicate_pointing_at_the_request_it_joined(client, world):
    issue, into = raise_issue(world), raise_issue(world)
    services.issue_merge(issue=issue, into=into, actor=world.pcso)
    request = client.get(url("request", request_id=str(issue.reference))).json()[0]
    assert request["status"] == "closed" and f"joined with request {into.reference}" in request["status_notes"]


def test_it_closes_a_closed_issue_without_the_officers_reason(client, world):
    issue = raise_issue(world)
    services.issue_close(issue=issue, actor=world.pcso, reason="Mrs Jones at no. 8 again")
    request = client.get(url("request", request_id=str(issue.reference))).json()[0]
    assert request["status"] == "closed" and "Mrs Jones" not in str(request)


def test_it_names_the_agencies_owning_public_actions_as_responsible(client, world):
    issue = raise_issue(world)
    priority = _state(world, issue, "agreed")
    due = datetime.date(2027, 1, 1)
    council, hidden = world.partner.agency, PartnerAgencyFactory(name="Hidden Housing Trust")
    services.action_add(priority=priority, actor=world.pcso, description="Signs", due_date=due, owner_agency=council)
    services.action_add(
        priority=priority, actor=world.pcso, description="Quiet", due_date=due, owner_agency=hidden, is_public=False
    )
    request = client.get(url("request", request_id=str(issue.reference))).json()[0]
    assert request["agency_responsible"] == "Daneshouse neighbourhood policing team; Burnley Borough Council"


def test_it_writes_priority_text_into_xml_as_text_never_markup(client, world):
    issue = raise_issue(world)
    _state(world, issue, "agreed")
    Priority.objects.update(title="Bikes <b>& quads</b>\x0b")
    root = xml(client.get(url("request", "xml", request_id=str(issue.reference))))
    assert "“Bikes <b>& quads</b>”" in root.find("request/status_notes").text


# --- filters ----------------------------------------------------------------------------------


def test_it_filters_by_status_and_service_code(client, world):
    open_issue = raise_issue(world)
    closed = raise_issue(world, category=Category.ASB)
    services.issue_close(issue=closed, actor=world.pcso, reason="Passed to the council")
    ids = lambda query: {r["service_request_id"] for r in client.get(url("requests") + query).json()}  # noqa: E731
    assert ids("?status=open") == {str(open_issue.reference)}
    assert ids("?status=closed") == {str(closed.reference)}
    assert ids("?status=open,closed") == ids("") == {str(open_issue.reference), str(closed.reference)}
    assert ids("?service_code=asb") == {str(closed.reference)}
    assert ids("?service_code=asb,speeding&status=open") == {str(open_issue.reference)}


def test_it_defaults_to_the_last_90_days_and_lets_ids_override_the_dates(client, world):
    with time_machine.travel(timezone.now() - timedelta(days=100), tick=False):
        old = raise_issue(world)
    recent = raise_issue(world)
    assert [r["service_request_id"] for r in client.get(url("requests")).json()] == [str(recent.reference)]
    both = client.get(url("requests") + f"?service_request_id={old.reference},{recent.reference}&status=closed")
    assert {r["service_request_id"] for r in both.json()} == {str(old.reference), str(recent.reference)}


def test_it_takes_a_w3c_date_range_including_an_unencoded_plus(client, world):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC), tick=False):
        march = raise_issue(world)
    with time_machine.travel(datetime.datetime(2026, 5, 10, 12, tzinfo=datetime.UTC), tick=False):
        raise_issue(world)
    query = "?start_date=2026-03-01T00:00:00Z&end_date=2026-03-31T23:59:59Z"
    assert [r["service_request_id"] for r in client.get(url("requests") + query).json()] == [str(march.reference)]
    # A "+" not percent-encoded arrives as a space.
    query = "?start_date=2026-03-01T00:00:00+01:00&end_date=2026-04-01T00:00+01:00"
    assert [r["service_request_id"] for r in client.get(url("requests") + query).json()] == [str(march.reference)]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start_date=2026-03-01", "start_date must be a W3C datetime with a time zone"),
        ("end_date=2026-03-01T10:00:00", "end_date must be a W3C datetime with a time zone"),
        ("start_date=2026-02-30T00:00:00Z", "start_date must be a W3C datetime"),
        ("start_date=yesterday", "start_date must be a W3C datetime"),
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "may not span more than 90 days"),
        ("start_date=2026-03-02T00:00:00Z&end_date=2026-03-01T00:00:00Z", "start_date must be before end_date"),
        ("status=pending", "status takes open, closed or both"),
        ("service_code=potholes", "service_code potholes was not found"),
        ("service_request_id=12,13", "service_request_id takes request ids"),
        ("service_request_id=" + ",".join(["6f1c0b52-6a0b-4b8e-9a55-2f4c8a4f7e10"] * 201), "at most 200"),
    ],
)
def test_it_refuses_bad_filters_with_a_400_in_the_spec_shape(client, world, query, message):
    response = client.get(url("requests") + "?" + query)
    assert response.status_code == 400 and any(message in d for d in errors_of(response)), errors_of(response)
    root = xml(client.get(url("requests", "xml") + "?" + query))
    assert root.tag == "errors" and root.find("error/code").text == "400"


def test_it_filters_by_jurisdiction(client, world):
    issue = raise_issue(world)
    listed = client.get(url("requests") + "?jurisdiction_id=lancashire").json()
    assert [r["service_request_id"] for r in listed] == [str(issue.reference)]
    ForceFactory(slug="cumbria", name="Cumbria")
    assert client.get(url("requests") + "?jurisdiction_id=cumbria").json() == []
    assert client.get(url("requests") + "?jurisdiction_id=atlantis").status_code == 404


def _busy_ward(world, n):
    agency = world.partner.agency
    for i in range(n):
        issue = raise_issue(world, description=f"Report {i}")
        if i % 2:
            priority = agreed(world, issues=[issue])
            services.action_add(
                priority=priority, actor=world.pcso, description="Signs", due_date=datetime.date(2027, 1, 1),
                owner_agency=agency,
            )  # fmt: skip
        elif i % 3 == 0:
            services.issue_merge(issue=issue, into=raise_issue(world), actor=world.pcso)


@pytest.mark.parametrize("n", [2, 12])
def test_it_lists_requests_in_constant_queries(client, world, django_assert_max_num_queries, n):
    _busy_ward(world, n)
    with django_assert_max_num_queries(2):  # issues with ward, team, priority and merge target; agencies
        assert client.get(url("requests")).status_code == 200
    with django_assert_max_num_queries(3):  # the force named by jurisdiction_id, then the same two
        assert len(client.get(url("requests", "xml") + "?jurisdiction_id=lancashire").content) > 0


# --- staff: keys ------------------------------------------------------------------------------


def keys_url():
    return reverse("priorities:open311-keys")


def test_it_lets_hq_issue_a_key_and_shows_the_secret_once(client, world):
    client.force_login(world.hq)
    response = client.post(keys_url(), {"name": "FixMyStreet (mySociety)", "force": world.force.pk})
    key = Open311ApiKey.objects.get()
    secret = re.search(rf"{key.prefix}\.[A-Za-z0-9_-]+", response.content.decode()).group(0)
    assert response.status_code == 200 and "not shown again" in response.content.decode()
    assert "no-store" in response["Cache-Control"] and key.secret_hash != secret and secret not in key.secret_hash
    assert (key.name, key.force, key.created_by) == ("FixMyStreet (mySociety)", world.force, world.hq)
    assert secret not in client.get(keys_url()).content.decode()
    client.logout()
    assert post(client, secret).status_code == 201


def test_it_lists_keys_with_their_use(client, world, api_key, django_assert_max_num_queries):
    post(client, api_key)
    issue_key(world, name="Revoked app")
    services_open311.open311_api_key_revoke(api_key=Open311ApiKey.objects.get(name="Revoked app"), actor=world.admin)
    client.force_login(world.hq)
    with django_assert_max_num_queries(4):  # session, user, forces, keys with their counts
        page = client.get(keys_url()).content.decode()
    assert page.index("<td>FixMyStreet</td>") < page.index("<td>Revoked app</td>")  # working keys first
    assert "by Ada Admin" in page and '<td class="text-end">1</td>' in page


def test_it_re_renders_a_key_without_a_name_and_issues_nothing(client, world):
    client.force_login(world.hq)
    response = client.post(keys_url(), {"name": " ", "force": world.force.pk})
    assert response.status_code == 400 and "Name the app or organisation" in response.content.decode()
    assert not Open311ApiKey.objects.exists()


@pytest.mark.parametrize("who", ["pcso", "sergeant", "chief_inspector", "comms", "partner", "resident"])
def test_it_keeps_key_pages_from_everyone_but_hq_and_admins(client, world, who):
    key, _ = issue_key(world)
    client.force_login(getattr(world, who))
    assert client.get(keys_url()).status_code == 403
    assert client.post(keys_url(), {"name": "Sneaky"}).status_code == 403
    revoke = reverse("priorities:open311-key-revoke", kwargs={"pk": key.pk})
    assert client.post(revoke).status_code == 403 and Open311ApiKey.objects.get().is_active


def test_it_sends_visitors_to_sign_in_for_key_pages(client, world):
    assert client.get(keys_url()).url.startswith(reverse("accounts:login"))


def test_it_lets_an_admin_revoke_a_key_after_asking(client, world):
    key, secret = issue_key(world)
    client.force_login(world.admin)
    revoke = reverse("priorities:open311-key-revoke", kwargs={"pk": key.pk})
    assert "stops working at once" in client.get(revoke).content.decode() and key.is_active
    assert client.post(revoke).url == keys_url()
    key.refresh_from_db()
    assert key.revoked_at and key.revoked_by == world.admin
    client.logout()
    assert post(client, secret).status_code == 403


def test_it_answers_404_for_another_forces_key(client, world):
    other_force = ForceFactory(slug="cumbria", name="Cumbria")
    key, _ = issue_key(world, force=other_force, name="Cumbria Reports")
    client.force_login(world.hq)
    assert client.post(reverse("priorities:open311-key-revoke", kwargs={"pk": key.pk})).status_code == 404
    assert "Cumbria Reports" not in client.get(keys_url()).content.decode()
    assert Open311ApiKey.objects.get().is_active


def test_it_says_so_when_a_key_is_revoked_twice(client, world):
    key, _ = issue_key(world)
    services_open311.open311_api_key_revoke(api_key=key, actor=world.hq)
    client.force_login(world.hq)
    response = client.post(reverse("priorities:open311-key-revoke", kwargs={"pk": key.pk}), follow=True)
    assert "already revoked" in response.content.decode()
