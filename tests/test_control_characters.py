"""Control characters are refused in every single-line field (a venue, a title, a name) and all but
tab and line breaks in multi-line ones, by the page forms, the services and the API alike; and a
record stored before the rule never carries them into the police.uk API."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from meetings.models import Meeting
from pact_portal import text
from tests.meetings.factories import MeetingFactory
from tests.meetings.test_services import new_meeting
from tests.meetings.test_views import form_data

pytestmark = pytest.mark.django_db

LINE_BREAK_VENUE = "Stoneyholme Community Centre\r\nInjected: header"


def text_fields():
    for config in text.project_app_configs():
        for model in config.get_models():
            for field in model._meta.local_fields:
                if isinstance(field, models.CharField | models.TextField):
                    yield f"{model._meta.label}.{field.name}", field


def test_every_text_field_of_every_project_model_refuses_control_characters():
    fields = dict(text_fields())
    assert "meetings.Meeting.venue_address" in fields and "accounts.User.full_name" in fields
    for name, field in fields.items():
        expected = text.multi_line if isinstance(field, models.TextField) else text.single_line
        assert expected in field.validators, name
        # Added at start-up, not declared: the migrations do not change.
        assert expected not in field.deconstruct()[3].get("validators", []), name


@pytest.mark.parametrize("value", ["Line\nbreak", "Carriage\rreturn", "Tab\there", "Bell\x07", "VT\x0b", "C1\x85"])
def test_single_line_text_refuses_each_control_character(value):
    with pytest.raises(ValidationError):
        text.single_line(value)


def test_multi_line_text_keeps_tabs_and_line_breaks_only():
    text.multi_line("First line\r\nSecond\tline\n")
    for value in ("Bell\x07", "VT\x0b", "FF\x0c", "NUL\x00", "C1\x9b"):
        with pytest.raises(ValidationError):
            text.multi_line(value)


def test_the_meeting_form_refuses_a_venue_with_a_line_break(client, world):
    client.force_login(world.pcso)
    response = client.post(reverse("meetings:create"), form_data(world, venue_address=LINE_BREAK_VENUE))
    assert response.status_code == 200
    assert "one line of text" in str(response.context["form"].errors["venue_address"])
    assert not Meeting.objects.exists()


def test_the_service_refuses_it_with_a_field_error(world):
    with pytest.raises(ValidationError) as refused:
        new_meeting(world, venue_name="Hall\x07")
    assert "venue_name" in refused.value.message_dict
    assert not Meeting.objects.exists()


def test_the_api_refuses_it_with_a_field_error(world):
    api = APIClient()
    api.force_login(world.pcso)
    start = timezone.now() + dt.timedelta(days=10)
    body = {
        "neighbourhood": "daneshouse", "wards": ["E05005155"], "meeting_type": "public_pact",
        "title": "Daneshouse\x0bPACT", "venue_name": "Stoneyholme", "venue_address": LINE_BREAK_VENUE,
        "starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
    }  # fmt: skip
    response = api.post(reverse("api-meeting-list"), body, format="json")
    assert response.status_code == 400
    assert {"title", "venue_address"} <= set(response.json())
    assert not Meeting.objects.exists()


def test_a_multi_line_field_keeps_its_line_breaks(world):
    meeting = new_meeting(world, public_agenda="Parking.\r\nLitter.\n\tAnd bikes.")
    assert meeting.public_agenda == "Parking.\r\nLitter.\n\tAnd bikes."


def test_police_uk_never_publishes_a_venue_with_line_breaks_stored_before_the_rule(client, world):
    starts = dt.datetime(2026, 7, 1, 19, 0, tzinfo=dt.UTC)
    made = MeetingFactory(
        neighbourhood=world.daneshouse, created_by=world.pcso, published=True, starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
    )  # fmt: skip
    Meeting.objects.filter(pk=made.pk).update(
        title="PACT\r\nX-Injected: 1", venue_name="Hall\x0b", venue_address="1 Road\r\n\r\nBurnley"
    )
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), tick=False):
        [event] = client.get("/api/police/lancashire/daneshouse/events").json()
    assert event["address"] == "Hall, 1 Road Burnley"
    assert event["title"] == "PACT X-Injected: 1"


def test_an_api_whose_fields_are_not_the_models_refuses_it_through_the_service(world):
    # The priorities API declares its own CharFields; the service's full_clean holds the rule.
    from priorities.models import Priority
    from tests.priorities.factories import raise_issue

    issue = raise_issue(world)
    api = APIClient()
    api.force_login(world.pcso)
    body = {
        "neighbourhood": "daneshouse", "wards": ["E05005155"], "title": "Speeding\r\nX-Injected: 1",
        "category": "speeding", "public_problem": "Cars speed.\x07", "review_date": "2030-01-01",
        "issues": [issue.pk],
    }  # fmt: skip
    response = api.post(reverse("api-priority-list"), body, format="json")
    assert response.status_code == 400
    assert "title" in response.json() and "one line of text" in str(response.json()["title"])
    assert not Priority.objects.exists()
