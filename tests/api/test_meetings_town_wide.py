"""A town-wide meeting in the meetings API and in the staff list of an officer scoped only to a
neighbourhood it also covers."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from meetings.models import Meeting
from tests.api.test_meetings_api import LIST, detail, new_meeting
from tests.factories import TeamMembershipFactory, UserFactory
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queensgate_pcso(world):
    user = UserFactory(role=Role.PCSO, force=world.force, division=world.east, full_name="Quinn Queensgate")
    TeamMembershipFactory(user=user, neighbourhood=world.queensgate, role=Role.PCSO)
    return user


def _town_wide(world):
    meeting = MeetingFactory(neighbourhood=world.daneshouse, title="Burnley-wide online PACT")
    meeting.also_covers.set([world.queensgate])
    return meeting


def test_it_creates_a_town_wide_meeting_through_the_api(api, world):
    api.force_login(world.inspector)
    body = new_meeting(world, wards=["E05005155", "E05005160"], also_covers=["queensgate"])
    response = api.post(LIST, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["also_covers"] == ["queensgate"]
    assert list(Meeting.objects.get().also_covers.all()) == [world.queensgate]


def test_it_refuses_through_the_api_to_cover_a_neighbourhood_the_officer_does_not_work(api, world):
    api.force_login(world.pcso)
    response = api.post(LIST, new_meeting(world, also_covers=["queensgate"]), format="json")
    assert response.status_code == 400 and "also_covers" in response.json()
    assert not Meeting.objects.exists()


def test_it_lists_a_town_wide_meeting_for_an_officer_of_a_covered_neighbourhood(api, world, queensgate_pcso):
    meeting = _town_wide(world)
    MeetingFactory(neighbourhood=world.daneshouse, title="Daneshouse only")
    api.force_login(queensgate_pcso)
    results = api.get(LIST).json()["results"]
    assert [m["id"] for m in results] == [meeting.pk] and results[0]["also_covers"] == ["queensgate"]
    assert api.get(detail(meeting)).status_code == 200


def test_it_shows_the_town_wide_meeting_in_the_staff_list_and_page(world, queensgate_pcso):
    meeting = _town_wide(world)
    client = Client()
    client.force_login(queensgate_pcso)
    assert "Burnley-wide online PACT" in client.get(reverse("meetings:list")).content.decode()
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200


def test_it_keeps_it_from_an_officer_of_a_neighbourhood_it_does_not_cover(world):
    meeting = _town_wide(world)
    client = Client()
    client.force_login(world.pcso_other)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
