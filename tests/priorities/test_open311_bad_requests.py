"""Open311 answers every bad request in its own error list, in JSON or XML as the URL asks: dates
at the edges of the calendar, control characters in one-line fields and bodies too large to read.
(HEAD is answered like GET: tests/test_head_requests.py.)"""

import xml.etree.ElementTree as ET  # noqa: S405 - parses the portal's own responses

import pytest
from django.urls import reverse

from priorities.models import Issue

pytestmark = pytest.mark.django_db

EXTREMES = [
    "start_date=9999-12-31T23:59:59Z",
    "end_date=0001-01-01T00:00:00Z",
    "start_date=9999-12-31T23:59:59-14:00",
    "start_date=9999-12-31T23:59:59+14:00",
    "end_date=0001-01-01T00:00:00+14:00",
    "end_date=0001-01-01T00:00:00-14:00",
    "start_date=0001-01-01T00:00:00+14:00&end_date=0001-01-02T00:00:00+14:00",
    "start_date=9999-12-30T00:00:00-14:00&end_date=9999-12-31T23:59:59-14:00",
]


def requests_url(fmt):
    return reverse("open311:requests", kwargs={"fmt": fmt})


@pytest.mark.parametrize("query", EXTREMES)
def test_it_refuses_dates_at_the_ends_of_the_calendar_in_the_json_error_list(client, world, query):
    response = client.get(f"{requests_url('json')}?{query}")
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and "between 1900-01-01T00:00:00Z and 2999-12-31T23:59:59Z" in error["description"]


@pytest.mark.parametrize("query", EXTREMES[:4])
def test_it_refuses_dates_at_the_ends_of_the_calendar_in_the_xml_error_list(client, world, query):
    response = client.get(f"{requests_url('xml')}?{query}")
    assert response.status_code == 400 and response["Content-Type"] == "text/xml; charset=utf-8"
    errors = ET.fromstring(response.content)  # noqa: S314 - our own output
    assert errors.tag == "errors" and errors.find("error/code").text == "400"


def test_it_still_takes_dates_inside_the_range_with_any_offset(client, world):
    query = "start_date=2026-03-01T00:00:00%2B14:00&end_date=2026-03-31T00:00:00-14:00"
    assert client.get(f"{requests_url('json')}?{query}").json() == []


@pytest.fixture
def api_key(world):
    from priorities.services import open311 as services_open311

    return services_open311.open311_api_key_issue(actor=world.hq, force=world.force, name="FixMyStreet")[1]


@pytest.mark.parametrize("field", ["address_string", "first_name", "last_name", "device_id"])
def test_it_refuses_a_line_break_in_a_one_line_field_of_a_post(client, world, api_key, field):
    data = {"api_key": api_key, "service_code": "speeding", "description": "Cars race past.\nEvery night.",
            "lat": "53.7912", "long": "-2.2488", field: "12 High Street\r\nX-Injected: 1"}  # fmt: skip
    response = client.post(requests_url("json"), data)
    assert response.status_code == 400
    assert any(error["description"].startswith(f"{field}: Remove the line breaks") for error in response.json())
    assert not Issue.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_refuses_a_body_too_large_to_read_in_its_error_list(client, world, api_key, fmt):
    data = {"api_key": api_key, "service_code": "speeding", "description": "x" * (3 * 1024 * 1024)}
    response = client.post(requests_url(fmt), data)
    assert response.status_code == 413
    if fmt == "json":
        [error] = response.json()
        assert error["code"] == 413 and "too large" in error["description"]
    else:
        errors = ET.fromstring(response.content)  # noqa: S314 - our own output
        assert errors.tag == "errors" and errors.find("error/code").text == "413"
    assert not Issue.objects.exists()


def test_it_refuses_too_many_fields_in_its_error_list(client, world, api_key):
    data = {"api_key": api_key, **{f"attribute[a{n}]": "x" for n in range(2000)}}
    response = client.post(requests_url("json"), data)
    assert response.status_code == 400 and "too many fields" in response.json()[0]["description"]


def test_the_key_form_refuses_a_name_with_a_line_break(client, world):
    from priorities.models import Open311ApiKey

    client.force_login(world.hq)
    response = client.post(reverse("priorities:open311-keys"), {"name": "FixMyStreet\r\nEvil", "force": world.force.pk})
    assert response.status_code == 400
    assert "one line of text" in str(response.context["form"].errors["name"])
    assert not Open311ApiKey.objects.exists()
