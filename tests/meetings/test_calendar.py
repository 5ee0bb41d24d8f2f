"""The officers' month calendar shows the months meetings can be in (from 2000 to five years ahead):
a month typed beyond them shows the nearest one with a message, never an error."""

import pytest
import time_machine
from django.urls import reverse

from tests.meetings.test_services import at, new_meeting

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_frozen")]


@pytest.fixture
def _frozen():
    with time_machine.travel(at(2026, 11, 20, 12), tick=False):
        yield


def calendar(client, world, month):
    client.force_login(world.pcso)
    return client.get(reverse("meetings:calendar"), {"month": month})


@pytest.mark.parametrize(
    ("month", "shown", "message"),
    [
        ("9999-12", "November 2031", "five years ahead"),
        ("2032-01", "November 2031", "five years ahead"),
        ("0001-01", "January 2000", "from January 2000"),
        ("1999-12", "January 2000", "from January 2000"),
    ],
)
def test_it_shows_the_nearest_month_it_can_with_a_message(client, world, month, shown, message):
    response = calendar(client, world, month)
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Meetings in {shown}" in page and message in page


def test_it_offers_no_link_beyond_either_end(client, world):
    first = calendar(client, world, "2000-01").content.decode()
    assert "month=1999-12" not in first and "month=2000-02" in first
    last = calendar(client, world, "2031-11").content.decode()
    assert "month=2031-12" not in last and "month=2031-10" in last


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "20260-1", "-1-01", "x"])
def test_it_shows_this_month_for_a_month_that_is_not_one(client, world, month):
    new_meeting(world, title="Surgery", starts_at=at(2026, 11, 24, 10), ends_at=at(2026, 11, 24, 11))
    page = calendar(client, world, month).content.decode()
    assert "Meetings in November 2026" in page and "Surgery" in page
