"""A custom repeat rule repeats at most daily, and its dates are worked out only up to the cap: a
rule of every second once gave 86,401 dates a day and took seconds before the cap applied."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import services
from meetings.models import Meeting, MeetingSeries
from tests.meetings.test_services import at, new_meeting
from tests.meetings.test_views import form_data

pytestmark = pytest.mark.django_db

TOO_OFTEN = [
    "FREQ=SECONDLY",
    "FREQ=MINUTELY;COUNT=10",
    "RRULE:FREQ=HOURLY",
    "freq=minutely",
    "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12",
    "FREQ=DAILY;BYMINUTE=0,30",
    "FREQ=WEEKLY;BYSECOND=1,2,3",
]


@pytest.mark.parametrize("rule", TOO_OFTEN)
def test_the_form_refuses_a_rule_more_often_than_daily(client, world, rule):
    client.force_login(world.pcso)
    response = client.post(reverse("meetings:create"), form_data(world, repeat="custom", custom_rule=rule))
    assert response.status_code == 200
    assert "at most once a day" in str(response.context["form"].errors["custom_rule"])
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("rule", TOO_OFTEN)
def test_the_service_refuses_a_rule_more_often_than_daily(world, rule):
    meeting = new_meeting(world)
    with pytest.raises(ValidationError) as refused:
        services.series_create(meeting=meeting, actor=world.pcso, rrule=rule, description="?")
    assert "at most once a day" in str(refused.value.message_dict["rrule"])
    assert not MeetingSeries.objects.exists() and Meeting.objects.count() == 1


@pytest.mark.parametrize(
    "rule", ["FREQ=DAILY;INTERVAL=2", "FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=MONTHLY;BYDAY=1TU", "FREQ=YEARLY"]
)
def test_it_takes_daily_and_slower_rules(world, rule):
    meeting = new_meeting(world)
    series = services.series_create(meeting=meeting, actor=world.pcso, rrule=rule, description="ok")
    assert series.occurrences.count() >= 2


def test_it_stops_working_out_dates_at_the_cap(world, monkeypatch):
    made = []
    real = services.rrulestr

    def counting(*args, **kwargs):
        rule = real(*args, **kwargs)
        iterate = rule._iter

        def counted():
            for start in iterate():
                made.append(start)
                yield start

        rule._iter = counted
        return rule

    monkeypatch.setattr(services, "rrulestr", counting)
    first = at(2026, 12, 1, 19)
    starts = services.occurrence_starts(
        rrule="FREQ=DAILY", first_start=first, until=first + datetime.timedelta(days=3650)
    )
    assert len(starts) == services.MAX_OCCURRENCES
    assert len(made) <= services.MAX_OCCURRENCES + 1  # not ten years of days first


def test_it_keeps_to_the_window_after_the_last_dates_made(world):
    first = at(2026, 12, 1, 19)
    starts = services.occurrence_starts(
        rrule="FREQ=WEEKLY", first_start=first, until=first + datetime.timedelta(weeks=4), after=first
    )
    # After the first (excluded) up to the fourth week's; `until` itself is not made twice.
    assert starts == [first + datetime.timedelta(weeks=n) for n in (1, 2, 3)]


def test_the_service_refuses_a_sub_daily_rule_however_it_is_written(world):
    meeting = new_meeting(world)
    with pytest.raises(ValidationError) as refused:
        services.series_create(
            meeting=meeting, actor=world.pcso, rrule="DTSTART:20261201T190000\nRRULE:FREQ=SECONDLY", description="?"
        )
    assert "at most once a day" in str(refused.value.message_dict["rrule"])
