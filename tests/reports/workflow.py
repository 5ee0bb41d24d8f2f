"""Shared by the workflow, page and task tests: a clock held at the moments of the month that
matter, East Division's data, and October 2026's return drafted and submitted as the services do."""

import datetime

import time_machine

from reports import services
from tests.priorities.factories import agreed, held_meeting

OCTOBER = datetime.date(2026, 10, 1)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)


def on(day: datetime.date, hour: int = 10):
    return time_machine.travel(at(day, hour), tick=False)


def with_data(world):
    """East's data begins in August 2026 (a Daneshouse priority agreed at its PACT); one more in October."""
    with on(datetime.date(2026, 8, 10)):
        agreed(world, title="Dealing from the garage on Elm Street", at_meeting=_panel(world))
    with on(datetime.date(2026, 10, 14)):
        agreed(world, title="Speeding on Burnley Road", at_meeting=_panel(world))
    return world


def _panel(world):
    # No public reach recorded: the returns' reach figures stay those the tests set up themselves.
    return held_meeting(world, meeting_type="panel", public_attendees=None)


def october_draft(world, division=None):
    with on(datetime.date(2026, 11, 2)):
        return services.return_draft_create(division=division or world.east, period_start=OCTOBER, actor=world.hq)


def submit(world, highlight_return, day=datetime.date(2026, 11, 6)):
    with on(day):
        return services.return_submit(highlight_return=highlight_return, actor=world.chief_inspector)
