"""The beat jobs of the return: drafts on the 1st, reminders on the 5th and 8th, late after the 9th."""

import datetime

import pytest

from pact_portal.beat import BEAT_SCHEDULE
from pact_portal.celery import app as celery_app
from reports.models import HighlightReturn
from reports.tasks import returns_draft_for_month_task, returns_mark_late_task, returns_send_reminders_task
from tests.reports.workflow import OCTOBER, october_draft, on, with_data

pytestmark = pytest.mark.django_db
TASKS = [returns_draft_for_month_task, returns_send_reminders_task, returns_mark_late_task]


@pytest.fixture
def data(world):
    return with_data(world)


def test_it_schedules_each_task_with_beat():
    entries = {entry["task"]: entry["schedule"] for entry in BEAT_SCHEDULE.values()}
    for task in TASKS:
        assert task.name in entries and task.name in celery_app.tasks
    drafts = entries[returns_draft_for_month_task.name]
    assert drafts.day_of_month == {1} and drafts.hour == {3}
    # The reminder and late-marking tasks run daily: the services decide which days act.
    assert entries[returns_send_reminders_task.name].day_of_month == set(range(1, 32))
    assert entries[returns_mark_late_task.name].day_of_month == set(range(1, 32))


def test_it_drafts_every_division_on_the_first(data):
    with on(datetime.date(2026, 11, 1), hour=3):
        assert returns_draft_for_month_task.delay().get() == 2
    assert set(HighlightReturn.objects.values_list("division__code", "period_start")) == {
        ("east", OCTOBER), ("west", OCTOBER),
    }  # fmt: skip


def test_it_sends_reminders_only_on_reminder_days(data, mailoutbox):
    october_draft(data)
    with on(datetime.date(2026, 11, 4), hour=8):
        assert returns_send_reminders_task.delay().get() == 0
    with on(datetime.date(2026, 11, 5), hour=8):
        assert returns_send_reminders_task.delay().get() == 1
        assert returns_send_reminders_task.delay().get() == 0
    assert [message.to for message in mailoutbox] == [[data.chief_inspector.email]]


def test_it_marks_late_the_day_after_the_due_date(data):
    draft = october_draft(data)
    with on(datetime.date(2026, 11, 9), hour=1):
        assert returns_mark_late_task.delay().get() == 0
    with on(datetime.date(2026, 11, 10), hour=1):
        assert returns_mark_late_task.delay().get() == 1
    draft.refresh_from_db()
    assert draft.marked_late_at is not None
