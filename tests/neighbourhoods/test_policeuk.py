import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from shapely.geometry import Polygon

from accounts.roles import Role
from neighbourhoods import demo
from neighbourhoods.models import (
    EngagementMethod,
    NeighbourhoodLink,
    NeighbourhoodLocation,
    SeniorOfficer,
)
from priorities import services as priority_services
from tests.factories import (
    DivisionFactory,
    ForceFactory,
    NeighbourhoodFactory,
    TeamMembershipFactory,
    UserFactory,
    WardFactory,
    square,
)
from tests.meetings.factories import MeetingFactory
from tests.neighbourhoods import fixtures_policeuk as police_uk
from tests.priorities.factories import agreed, propose

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
SECRET = "RESTRICTED-MARKER-91c2"


def get(client, path, **params):
    return client.get(f"/api/police/{path}", params)


def other_force():
    force = ForceFactory(slug="cumbria", name="Cumbria Constabulary")
    return NeighbourhoodFactory(division=DivisionFactory(force=force), code="carlisle-north", name="Carlisle North")


# --- the fixtures say what police.uk says -------------------------------------------------------


def test_it_writes_the_documented_examples_in_the_fixtures_field_by_field():
    police_uk.assert_each(police_uk.FORCES_EXAMPLE, police_uk.FORCE_LIST_FIELDS)
    police_uk.assert_fields(police_uk.FORCE_EXAMPLE, police_uk.FORCE_FIELDS)
    police_uk.assert_each(police_uk.FORCE_EXAMPLE["engagement_methods"], police_uk.ENGAGEMENT_METHOD_FIELDS)
    police_uk.assert_each(police_uk.SENIOR_OFFICERS_EXAMPLE + police_uk.TEAM_EXAMPLE, police_uk.PERSON_FIELDS)
    police_uk.assert_each(police_uk.NEIGHBOURHOODS_EXAMPLE, police_uk.NEIGHBOURHOOD_LIST_FIELDS)
    police_uk.assert_fields(police_uk.NEIGHBOURHOOD_EXAMPLE, police_uk.NEIGHBOURHOOD_FIELDS)
    police_uk.assert_fields(police_uk.NEIGHBOURHOOD_EXAMPLE["centre"], police_uk.CENTRE_FIELDS)
    police_uk.assert_each(police_uk.NEIGHBOURHOOD_EXAMPLE["locations"], police_uk.LOCATION_FIELDS)
    police_uk.assert_each(police_uk.NEIGHBOURHOOD_EXAMPLE["links"], police_uk.LINK_FIELDS)
    police_uk.assert_each(police_uk.BOUNDARY_EXAMPLE, police_uk.POINT_FIELDS)
    police_uk.assert_each(police_uk.EVENTS_EXAMPLE, police_uk.EVENT_FIELDS)
    police_uk.assert_each(police_uk.PRIORITIES_EXAMPLE, police_uk.PRIORITY_FIELDS)
    police_uk.assert_fields(police_uk.LOCATE_EXAMPLE, police_uk.LOCATE_FIELDS)
    with pytest.raises(AssertionError):
        police_uk.assert_fields({"issue": "x", "issue_date": "2016-04-14T00:00:00"}, police_uk.PRIORITY_FIELDS)


# --- forces -----------------------------------------------------------------------------------


def test_it_lists_forces_as_police_uk_does(client, world):
    other_force()
    response = get(client, "forces")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    police_uk.assert_each(response.json(), police_uk.FORCE_LIST_FIELDS)
    assert response.json() == [
        {"id": "cumbria", "name": "Cumbria Constabulary"},
        {"id": "lancashire", "name": "Lancashire Constabulary"},
    ]


def test_it_describes_a_force_with_its_engagement_methods(client, world):
    world.force.description = "Serving Lancashire.\n\nCall 101 <any time>."
    world.force.website = "https://www.lancashire.police.uk"
    world.force.save()
    EngagementMethod.objects.create(force=world.force, title="Twitter", url="https://x.com/lancspolice", position=2)
    EngagementMethod.objects.create(
        force=world.force, title="In the Know", url="https://itk.example.org", description="Alerts.", position=1
    )
    body = get(client, "forces/lancashire").json()
    police_uk.assert_fields(body, police_uk.FORCE_FIELDS)
    police_uk.assert_each(body["engagement_methods"], police_uk.ENGAGEMENT_METHOD_FIELDS)
    assert (body["id"], body["name"], body["telephone"]) == ("lancashire", "Lancashire Constabulary", "101")
    assert body["url"] == "https://www.lancashire.police.uk"
    assert body["description"] == "<p>Serving Lancashire.</p>\n\n<p>Call 101 &lt;any time&gt;.</p>"
    assert body["engagement_methods"] == [
        {"url": "https://itk.example.org", "description": "<p>Alerts.</p>", "title": "In the Know"},
        {"url": "https://x.com/lancspolice", "description": None, "title": "Twitter"},
    ]


def test_it_lists_a_forces_senior_officers(client, world):
    SeniorOfficer.objects.create(
        force=world.force, name="Jane Doe", rank="Chief Constable", bio="Joined in 1998.", position=1,
        contact_details={"twitter": "https://x.com/lancscc"},
    )  # fmt: skip
    SeniorOfficer.objects.create(force=world.force, name="John Roe", rank="Deputy Chief Constable", position=2)
    body = get(client, "forces/lancashire/people").json()
    police_uk.assert_each(body, police_uk.PERSON_FIELDS)
    assert body == [
        {
            "name": "Jane Doe",
            "rank": "Chief Constable",
            "bio": "<p>Joined in 1998.</p>",
            "contact_details": {"twitter": "https://x.com/lancscc"},
        },
        {"name": "John Roe", "rank": "Deputy Chief Constable", "bio": None, "contact_details": {}},
    ]


@pytest.mark.parametrize("path", ["forces/nowhere", "forces/nowhere/people", "nowhere/neighbourhoods"])
def test_it_answers_an_unknown_force_with_a_json_404(client, world, path):
    response = get(client, path)
    assert response.status_code == 404
    assert response.json() == {"error": "No such force."}


# --- neighbourhoods ---------------------------------------------------------------------------


def test_it_lists_the_forces_neighbourhoods_only(client, world):
    other_force()
    body = get(client, "lancashire/neighbourhoods").json()
    police_uk.assert_each(body, police_uk.NEIGHBOURHOOD_LIST_FIELDS)
    assert body == [
        {"id": "daneshouse", "name": "Daneshouse"},
        {"id": "fleetwood", "name": "Fleetwood"},
        {"id": "queensgate", "name": "Queensgate"},
    ]


def test_it_describes_a_neighbourhood_field_by_field(client, world):
    nb = world.daneshouse
    nb.description, nb.population = "Stoneyholme & Daneshouse.", 12500
    nb.centre_latitude, nb.centre_longitude = 53.7955, -2.2455
    nb.save()
    NeighbourhoodLocation.objects.create(
        neighbourhood=nb, name="Burnley Police Station", address="Parker Lane, Burnley", postcode="BB11 2BT",
        latitude=53.7886, longitude=-2.2432, description="Front counter 8am to 8pm.",
    )  # fmt: skip
    NeighbourhoodLink.objects.create(neighbourhood=nb, title="Burnley Council", url="https://www.burnley.gov.uk")
    body = get(client, "lancashire/daneshouse").json()
    police_uk.assert_fields(body, police_uk.NEIGHBOURHOOD_FIELDS)
    police_uk.assert_fields(body["centre"], police_uk.CENTRE_FIELDS)
    police_uk.assert_each(body["locations"], police_uk.LOCATION_FIELDS)
    police_uk.assert_each(body["links"], police_uk.LINK_FIELDS)
    assert (body["id"], body["name"], body["population"]) == ("daneshouse", "Daneshouse", "12500")
    assert body["description"] == "<p>Stoneyholme &amp; Daneshouse.</p>"
    assert body["url_force"] == "http://testserver/neighbourhoods/daneshouse/"
    assert body["contact_details"] == {"email": "team@example.police.uk", "telephone": "101"}
    assert body["centre"] == {"latitude": "53.795500", "longitude": "-2.245500"}
    assert body["locations"] == [
        {
            "name": "Burnley Police Station", "type": "station", "address": "Parker Lane, Burnley",
            "postcode": "BB11 2BT", "latitude": "53.788600", "longitude": "-2.243200",
            "description": "<p>Front counter 8am to 8pm.</p>",
        }
    ]  # fmt: skip
    assert body["links"] == [{"url": "https://www.burnley.gov.uk", "title": "Burnley Council", "description": None}]


def test_it_falls_back_to_the_wards_for_centre_and_population_as_police_uk_strings(client, world):
    nb = NeighbourhoodFactory(division=world.east, code="rosegrove", public_email="", public_telephone="")
    WardFactory(neighbourhood=nb, west=-2.30, south=53.78, population=4000)
    WardFactory(neighbourhood=nb, west=-2.29, south=53.78, population=3000)
    body = get(client, "lancashire/rosegrove").json()
    assert body["population"] == "7000"
    assert body["centre"] == {"latitude": "53.785000", "longitude": "-2.290000"}
    assert (body["contact_details"], body["locations"], body["links"]) == ({}, [], [])
    NeighbourhoodFactory(division=world.east, code="bare", description="")
    body = get(client, "lancashire/bare").json()
    assert (body["population"], body["description"]) == ("0", None)
    assert body["centre"] == {"latitude": None, "longitude": None}


@pytest.mark.parametrize("suffix", ["", "/boundary", "/people", "/events", "/priorities"])
def test_it_answers_404_for_a_neighbourhood_unknown_or_of_another_force(client, world, suffix):
    other_force()
    for path in ("lancashire/nowhere", "lancashire/carlisle-north", "cumbria/daneshouse", "nowhere/daneshouse"):
        response = get(client, path + suffix)
        assert response.status_code == 404, path + suffix
        assert response.json() == {"error": "No such neighbourhood in this force."}


# --- boundary ---------------------------------------------------------------------------------


def test_it_merges_the_wards_into_one_outer_ring(client, world):
    nb = NeighbourhoodFactory(division=world.east, code="twin")
    WardFactory(neighbourhood=nb, west=-2.40, south=53.70)
    WardFactory(neighbourhood=nb, west=-2.39, south=53.70)
    body = get(client, "lancashire/twin/boundary").json()
    police_uk.assert_each(body, police_uk.POINT_FIELDS)
    ring = Polygon([(float(p["longitude"]), float(p["latitude"])) for p in body])
    assert ring.area == pytest.approx(0.0002)
    assert ring.bounds == pytest.approx((-2.40, 53.70, -2.38, 53.71))
    assert body[0] != body[-1]


def test_it_gives_the_largest_part_when_the_wards_do_not_join(client, world):
    nb = NeighbourhoodFactory(division=world.east, code="split")
    WardFactory(neighbourhood=nb, west=-2.50, south=53.60)
    big = WardFactory(neighbourhood=nb, west=-2.60, south=53.60)
    big.boundary = square(west=-2.60, south=53.60, size=0.05)
    big.save()
    ring = Polygon(
        [(float(p["longitude"]), float(p["latitude"])) for p in get(client, "lancashire/split/boundary").json()]
    )
    assert ring.bounds == pytest.approx((-2.60, 53.60, -2.55, 53.65))


def test_it_gives_an_empty_boundary_to_a_neighbourhood_without_wards(client, world):
    NeighbourhoodFactory(division=world.east, code="wardless")
    assert get(client, "lancashire/wardless/boundary").json() == []


# --- people -----------------------------------------------------------------------------------


def test_it_lists_the_public_police_team_without_personal_contacts(client, world):
    world.pcso.public_bio = "Priya walks the <Stoneyholme> beat."
    world.pcso.save()
    ended = UserFactory(role=Role.PCSO, full_name="Gone Elsewhere")
    TeamMembershipFactory(
        user=ended, neighbourhood=world.daneshouse, end_date=dt.date(2020, 1, 1), start_date=dt.date(2019, 1, 1)
    )
    response = get(client, "lancashire/daneshouse/people")
    body = response.json()
    police_uk.assert_each(body, police_uk.PERSON_FIELDS)
    assert body == [
        {
            "name": "Priya PCSO",
            "rank": "PCSO",
            "bio": "<p>Priya walks the &lt;Stoneyholme&gt; beat.</p>",
            "contact_details": {},
        },
        {"name": "Sam Sergeant", "rank": "Sergeant", "bio": None, "contact_details": {}},
        {"name": "Ian Inspector", "rank": "Inspector", "bio": None, "contact_details": {}},
    ]  # fmt: skip
    assert b"pcso@example.org" not in response.content
    assert b"Pat Partner" not in response.content


# --- events -----------------------------------------------------------------------------------


def meeting(world, **fields):
    return MeetingFactory(neighbourhood=world.daneshouse, created_by=world.pcso, **fields)


def test_it_lists_published_upcoming_meetings_as_events_in_local_time(client, world):
    starts = dt.datetime(2026, 7, 1, 19, 0, tzinfo=LONDON)
    meeting(
        world, published=True, title="Daneshouse PACT", starts_at=starts, ends_at=starts + dt.timedelta(minutes=90),
        public_agenda="Parking & litter.", restricted_notes=SECRET,
    )  # fmt: skip
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=LONDON), tick=False):
        response = get(client, "lancashire/daneshouse/events")
    body = response.json()
    police_uk.assert_each(body, police_uk.EVENT_FIELDS)
    assert body == [
        {
            "title": "Daneshouse PACT",
            "description": "<p>Parking &amp; litter.</p>",
            "address": "Stoneyholme Community Centre, Stoneyholme Road, Burnley BB12 0AA",
            "type": "meeting",
            "start_date": "2026-07-01T19:00:00",
            "end_date": "2026-07-01T20:30:00",
            "contact_details": {"email": "team@example.police.uk", "telephone": "101"},
        }
    ]
    assert police_uk.DATE_FORMAT.match(body[0]["start_date"])
    assert SECRET.encode() not in response.content


def test_it_leaves_drafts_cancelled_past_and_other_neighbourhoods_meetings_out(client, world):
    meeting(world, title="Draft one")
    meeting(world, cancelled=True, title="Cancelled one")
    meeting(world, published=True, past=True, title="Past one")
    MeetingFactory(neighbourhood=world.queensgate, published=True, title="Queensgate one")
    meeting(world, published=True, online=True, title="Online one")
    body = get(client, "lancashire/daneshouse/events").json()
    assert [(e["title"], e["address"], e["type"]) for e in body] == [("Online one", "Online", "online meeting")]


# --- priorities -------------------------------------------------------------------------------


def test_it_gives_agreed_priorities_with_their_latest_public_step(client, world):
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=LONDON), tick=False):
        priority = agreed(world, public_problem="Cars race on Burnley Road at night.", evidence=SECRET)
    action = priority_services.action_add(
        priority=priority, actor=world.sergeant, description="Speed checks twice a week.",
        due_date=dt.date(2026, 5, 1), owner_officer=world.pcso,
    )  # fmt: skip
    with time_machine.travel(dt.datetime(2026, 3, 9, 18, tzinfo=LONDON), tick=False):
        priority_services.action_update(action=action, actor=world.pcso, text="Twelve drivers stopped.", is_public=True)
    with time_machine.travel(dt.datetime(2026, 3, 10, 18, tzinfo=LONDON), tick=False):
        priority_services.action_update(action=action, actor=world.pcso, text=f"Informant: {SECRET}", is_public=False)
    response = get(client, "lancashire/daneshouse/priorities")
    body = response.json()
    police_uk.assert_each(body, police_uk.PRIORITY_FIELDS)
    assert body == [
        {
            "issue": "<p>Cars race on Burnley Road at night.</p>",
            "issue-date": "2026-03-02T10:00:00",
            "action": "<p>Twelve drivers stopped.</p>",
            "action-date": "2026-03-09T18:00:00",
        }
    ]
    assert SECRET.encode() not in response.content


def test_it_falls_back_to_the_public_action_then_to_null(client, world):
    with_action = agreed(world, title="Litter", public_problem="Litter on the rec.")
    priority_services.action_add(
        priority=with_action, actor=world.sergeant, description="Council clean-up booked.",
        due_date=dt.date(2026, 5, 1), owner_officer=world.pcso,
    )  # fmt: skip
    hidden = priority_services.action_add(
        priority=agreed(world, title="Dealing", public_problem="Dealing near the park."), actor=world.sergeant,
        description=f"Covert work {SECRET}", due_date=dt.date(2026, 5, 1), owner_officer=world.pcso, is_public=False,
    )  # fmt: skip
    response = get(client, "lancashire/daneshouse/priorities")
    actions = {row["issue"]: (row["action"], row["action-date"] is None) for row in response.json()}
    assert actions == {
        "<p>Litter on the rec.</p>": ("<p>Council clean-up booked.</p>", False),
        "<p>Dealing near the park.</p>": (None, True),
    }
    assert hidden.description.encode() not in response.content


def test_it_never_lists_proposed_or_not_adopted_priorities(client, world):
    propose(world, title="Proposed", public_problem="Still only proposed.")
    refused = propose(world, title="Refused", public_problem="Not taken on.")
    priority_services.priority_not_adopt(priority=refused, actor=world.sergeant, reason="A council matter.")
    agreed(world, neighbourhood=world.queensgate, wards=list(world.queensgate.wards.all()))
    assert get(client, "lancashire/daneshouse/priorities").json() == []


# --- locate-neighbourhood ---------------------------------------------------------------------


def test_it_locates_the_neighbourhood_for_a_point(client, world):
    response = get(client, "locate-neighbourhood", q="53.795,-2.245")
    assert response.status_code == 200
    police_uk.assert_fields(response.json(), police_uk.LOCATE_FIELDS)
    assert response.json() == {"force": "lancashire", "neighbourhood": "daneshouse"}


def test_it_answers_404_for_a_point_outside_every_ward(client, world):
    WardFactory(neighbourhood=None, west=-1.0, south=52.0)
    for q in ("51.5,-0.12", "52.005,-0.995"):
        response = get(client, "locate-neighbourhood", q=q)
        assert response.status_code == 404, q
        assert response.json() == {"error": "No neighbourhood covers that point."}


@pytest.mark.parametrize(
    "q", ["", "53.795", "53.795,-2.245,1", "north,west", "91,-2.245", "53.795,181", "nan,0", "inf,0"]
)
def test_it_rejects_malformed_coordinates_with_a_json_400(client, world, q):
    response = get(client, "locate-neighbourhood", q=q)
    assert response.status_code == 400
    body = response.json()
    assert body["error"].startswith("Give a latitude and longitude")
    assert body["errors"]["q"]


def test_it_rejects_a_missing_q(client, world):
    response = client.get("/api/police/locate-neighbourhood")
    assert response.status_code == 400
    assert response.json()["errors"]["q"] == ["Latitude: This field is required.", "Longitude: This field is required."]


# --- methods, CORS, privacy -------------------------------------------------------------------

EVERY_PATH = [
    "forces", "forces/lancashire", "forces/lancashire/people", "lancashire/neighbourhoods", "lancashire/daneshouse",
    "lancashire/daneshouse/boundary", "lancashire/daneshouse/people", "lancashire/daneshouse/events",
    "lancashire/daneshouse/priorities", "locate-neighbourhood?q=53.795,-2.245",
]  # fmt: skip


@pytest.mark.parametrize("path", EVERY_PATH)
def test_it_serves_everyone_from_any_origin(client, world, path):
    response = client.get(f"/api/police/{path}")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert client.head(f"/api/police/{path}").status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_refuses_every_write_with_a_json_405(client, world, method):
    for path in EVERY_PATH:
        response = getattr(client, method)(f"/api/police/{path}", {"name": "Changed"}, content_type="application/json")
        assert response.status_code == 405, path
        assert response["Allow"] == "GET, HEAD"
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "read-only" in response.json()["error"]
    world.force.refresh_from_db()
    assert world.force.name == "Lancashire Constabulary"


def test_it_leaks_nothing_private_on_any_endpoint(client, world):
    world.pcso.public_bio = "Priya walks the beat."
    world.pcso.save()
    meeting(world, title=f"Draft {SECRET}")
    meeting(world, published=True, restricted_notes=SECRET)
    propose(world, title="Proposed", public_problem=f"Proposed {SECRET}")
    priority = agreed(world, evidence=SECRET)
    action = priority_services.action_add(
        priority=priority, actor=world.sergeant, description="Patrols.", due_date=dt.date(2026, 5, 1),
        owner_officer=world.pcso,
    )  # fmt: skip
    priority_services.action_update(action=action, actor=world.pcso, text=f"Private {SECRET}", is_public=False)
    for path in EVERY_PATH:
        content = client.get(f"/api/police/{path}").content
        for private in (SECRET, "pcso@example.org", world.sergeant.email, world.partner.email):
            assert private.encode() not in content, (path, private)


# --- constant queries -------------------------------------------------------------------------


def test_it_runs_every_endpoint_in_constant_queries(client, world, django_assert_max_num_queries):
    for i in range(5):
        EngagementMethod.objects.create(force=world.force, title=f"Method {i}", url="https://example.org")
        SeniorOfficer.objects.create(force=world.force, name=f"Officer {i}", rank="Assistant Chief Constable")
        NeighbourhoodFactory(division=world.west)
        NeighbourhoodLocation.objects.create(neighbourhood=world.daneshouse, name=f"Place {i}", address="Road")
        NeighbourhoodLink.objects.create(neighbourhood=world.daneshouse, title=f"Link {i}", url="https://example.org")
        WardFactory(neighbourhood=world.daneshouse, west=-2.25 + 0.01 * i, south=53.80)
        TeamMembershipFactory(neighbourhood=world.daneshouse)
        meeting(world, published=True, days_ahead=i + 1)
        action = priority_services.action_add(
            priority=agreed(world, title=f"Priority {i}"), actor=world.sergeant, description="Patrols.",
            due_date=dt.date(2026, 5, 1), owner_officer=world.pcso,
        )  # fmt: skip
        priority_services.action_update(action=action, actor=world.pcso, text="Done some.", is_public=True)
    budgets = {
        "forces": 1,  # forces
        "forces/lancashire": 2,  # force, engagement methods
        "forces/lancashire/people": 2,  # force, senior officers
        "lancashire/neighbourhoods": 3,  # force, divisions, neighbourhoods
        "lancashire/daneshouse": 4,  # neighbourhood with force, locations, links, wards
        "lancashire/daneshouse/boundary": 2,  # neighbourhood, ward boundaries
        "lancashire/daneshouse/people": 2,  # neighbourhood, memberships with users
        "lancashire/daneshouse/events": 2,  # neighbourhood, meetings
        # neighbourhood; priorities, wards, actions, public updates, sign-offs, escalations; agreements
        "lancashire/daneshouse/priorities": 8,
        "locate-neighbourhood?q=53.795,-2.245": 3,  # candidate wards, their shapes (first time), neighbourhood
    }
    for path, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            assert client.get(f"/api/police/{path}").status_code == 200, path


# --- demo data --------------------------------------------------------------------------------


def test_it_seeds_what_police_uk_clients_read_in_the_demo_once(client, world):
    district = world.daneshouse.wards.get().district
    for _ in range(2):
        demo._build_publications(world.force, {district.code: [world.daneshouse]})
    force = get(client, "forces/lancashire").json()
    assert [m["title"] for m in force["engagement_methods"]] == ["In the Know", "Report online", "Facebook"]
    people = get(client, "forces/lancashire/people").json()
    assert [p["rank"] for p in people] == ["Chief Constable", "Deputy Chief Constable", "Assistant Chief Constable"]
    assert all("Demo person" in p["bio"] for p in people)
    nb = get(client, "lancashire/daneshouse").json()
    assert [(place["name"], place["type"]) for place in nb["locations"]] == [
        (f"{district.name} Police Station", "station")
    ]
    assert [link["title"] for link in nb["links"]] == [f"{district.name} Borough Council"]


@pytest.mark.parametrize("details", [{"private_mobile": "07700 900123"}, {"twitter": 7}, ["twitter"]])
def test_it_refuses_contact_details_police_uk_does_not_know(world, details):
    officer = SeniorOfficer(force=world.force, name="Jane Doe", rank="Chief Constable", contact_details=details)
    with pytest.raises(ValidationError) as error:
        officer.full_clean()
    assert "contact_details" in error.value.message_dict
