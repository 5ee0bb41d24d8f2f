"""Response shapes of the public data.police.uk API, written from its documentation.

Sources: the method pages at https://data.police.uk/docs/ (forces, specific force, senior officers,
neighbourhoods, specific neighbourhood, boundary, team, events, priorities, locate-neighbourhood),
and example responses recorded by published clients of the API (police-api-client-python's test
suite; a PHP client's tests holding a real Leicestershire NC04 response). The values are shortened;
the field names, nesting and JSON types are police.uk's.

Each FIELDS dict gives, field by field, the JSON type police.uk sends (`str | None` where it sends
null when there is nothing to say). The tests check the examples against the FIELDS (so the FIELDS
say what the documentation says) and then the portal's responses against the same FIELDS.
"""

import re

# GET /forces
FORCES_EXAMPLE = [
    {"id": "avon-and-somerset", "name": "Avon and Somerset Constabulary"},
    {"id": "leicestershire", "name": "Leicestershire Police"},
]
FORCE_LIST_FIELDS = {"id": str, "name": str}

# GET /forces/leicestershire
FORCE_EXAMPLE = {
    "description": "<p>Leicestershire Police serves the city of Leicester, Leicestershire and Rutland.</p>",
    "url": "http://www.leics.police.uk/",
    "engagement_methods": [
        {
            "url": "http://www.facebook.com/leicspolice",
            "description": "<p>Leicestershire Police on Facebook</p>",
            "title": "Facebook",
        },
        {"url": "http://www.twitter.com/leicspolice", "description": None, "title": "Twitter"},
    ],
    "telephone": "101",
    "id": "leicestershire",
    "name": "Leicestershire Police",
}
FORCE_FIELDS = {
    "id": str,
    "name": str,
    "description": str | None,
    "url": str | None,
    "telephone": str | None,
    "engagement_methods": list,
}
ENGAGEMENT_METHOD_FIELDS = {"url": str, "description": str | None, "title": str}

# GET /forces/leicestershire/people (senior officers)
SENIOR_OFFICERS_EXAMPLE = [
    {
        "bio": "<p>The Chief Constable leads the force.</p>",
        "contact_details": {"twitter": "http://www.twitter.com/CCLeicsPolice"},
        "name": "Simon Cole",
        "rank": "Chief Constable",
    },
    {"bio": None, "contact_details": {}, "name": "Roger Bannister", "rank": "Deputy Chief Constable"},
]
PERSON_FIELDS = {"name": str, "rank": str, "bio": str | None, "contact_details": dict}

# GET /leicestershire/neighbourhoods
NEIGHBOURHOODS_EXAMPLE = [{"id": "NC04", "name": "City Centre"}, {"id": "NC66", "name": "Cultural Quarter"}]
NEIGHBOURHOOD_LIST_FIELDS = {"id": str, "name": str}

# GET /leicestershire/NC04
NEIGHBOURHOOD_EXAMPLE = {
    "url_force": "http://www.leics.police.uk/local-policing/city-centre",
    "contact_details": {
        "twitter": "http://www.twitter.com/centralleicsNPA",
        "facebook": "http://www.facebook.com/leicspolice",
        "telephone": "101",
        "email": "centralleicester.npa@leicestershire.pnn.police.uk",
    },
    "name": "City Centre",
    "links": [{"url": "http://www.leicester.gov.uk/", "description": None, "title": "Leicester City Council"}],
    "centre": {"latitude": "52.6389", "longitude": "-1.13619"},
    "locations": [
        {
            "name": "Mansfield House",
            "longitude": None,
            "postcode": "LE1 3GG",
            "address": "74 Belgrave Gate\n, Leicester",
            "latitude": None,
            "type": "station",
            "description": None,
        }
    ],
    "description": "<p>The Castle neighbourhood covers all of the City Centre.</p>",
    "id": "NC04",
    "population": "0",
}
NEIGHBOURHOOD_FIELDS = {
    "id": str,
    "name": str,
    "description": str | None,
    "population": str,
    "url_force": str,
    "contact_details": dict,
    "centre": dict,
    "locations": list,
    "links": list,
}
CENTRE_FIELDS = {"latitude": str, "longitude": str}
LOCATION_FIELDS = {
    "name": str,
    "type": str,
    "address": str,
    "postcode": str | None,
    "latitude": str | None,
    "longitude": str | None,
    "description": str | None,
}
LINK_FIELDS = {"url": str, "title": str, "description": str | None}

# GET /leicestershire/NC04/boundary
BOUNDARY_EXAMPLE = [
    {"latitude": "52.6394052587", "longitude": "-1.1458618876"},
    {"latitude": "52.6389452755", "longitude": "-1.1457057759"},
    {"latitude": "52.6383706746", "longitude": "-1.1455755443"},
]
POINT_FIELDS = {"latitude": str, "longitude": str}

# GET /leicestershire/NC04/people
TEAM_EXAMPLE = [
    {
        "bio": "<p>Andy has worked in the city centre for six years.</p>",
        "contact_details": {},
        "name": "Andy Cooper",
        "rank": "Sgt",
    },
    {"bio": None, "contact_details": {}, "name": "Andy Price", "rank": "PCSO"},
]

# GET /leicestershire/NC04/events
EVENTS_EXAMPLE = [
    {
        "contact_details": {},
        "description": None,
        "title": "Drop In Beat Surgery",
        "address": "Nagarjuna Buddhist Centre, 17 Guildhall Lane",
        "type": "meeting",
        "start_date": "2016-09-17T12:00:00",
        "end_date": "2016-09-17T14:00:00",
    }
]
EVENT_FIELDS = {
    "title": str,
    "description": str | None,
    "address": str | None,
    "type": str,
    "start_date": str,
    "end_date": str | None,
    "contact_details": dict,
}

# GET /leicestershire/NC04/priorities
PRIORITIES_EXAMPLE = [
    {
        "action": "<p>Patrols on Friday and Saturday nights; two dispersal orders served.</p>",
        "issue-date": "2016-04-14T00:00:00",
        "action-date": "2016-05-02T00:00:00",
        "issue": "<p>To reduce the amount of Anti-Social Behaviour Humberstone Gate, Leicester.</p>",
    },
    {
        "action": None,
        "issue-date": "2016-04-14T00:00:00",
        "action-date": None,
        "issue": "<p>Cycling on the pavement in the Highcross area.</p>",
    },
]
PRIORITY_FIELDS = {"issue": str, "issue-date": str, "action": str | None, "action-date": str | None}

# GET /locate-neighbourhood?q=52.629729,-1.131592
LOCATE_EXAMPLE = {"force": "leicestershire", "neighbourhood": "NC04"}
LOCATE_FIELDS = {"force": str, "neighbourhood": str}

# police.uk's date format: local time, to the second, no offset.
DATE_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


def assert_fields(item: dict, fields: dict) -> None:
    """The item has exactly these fields, each of police.uk's JSON type."""
    assert isinstance(item, dict), item
    assert set(item) == set(fields), f"fields differ: {sorted(set(item) ^ set(fields))}"
    for name, kind in fields.items():
        assert isinstance(item[name], kind), f"{name}={item[name]!r} is not {kind}"


def assert_each(items: list, fields: dict) -> None:
    assert isinstance(items, list), items
    for item in items:
        assert_fields(item, fields)


def assert_coordinate(value: str, *, low: float, high: float) -> None:
    assert isinstance(value, str)
    assert low <= float(value) <= high, value
