"""`manage.py check_priority_dates`: the records made before the community had to decide at a
held meeting of its own neighbourhood, listed and left as they are."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from priorities import services
from priorities.models import Priority, PriorityState, SignOff, SignOffMethod
from priorities.selectors.dates import priority_date_problems
from tests.meetings.test_services import at
from tests.priorities.factories import agreed, held_meeting, propose, signed_off

pytestmark = pytest.mark.django_db
S = PriorityState


def run() -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("check_priority_dates", stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def _resolved(world, **extra):
    priority = agreed(world, **extra)
    services.priority_start(priority=priority, actor=world.pcso)
    return services.priority_resolve(priority=priority, actor=world.sergeant, public_outcome="Speeds are down.")


def test_it_passes_records_made_by_the_rules(world):
    signed_off(world, _resolved(world))
    out, error = run()
    assert error is None and "Every agreement and sign-off was made at a held meeting" in out


def test_it_lists_each_record_that_breaks_the_rules_and_changes_nothing(world):
    with time_machine.travel(at(2026, 12, 1, 21), tick=False):
        early = held_meeting(world, title="Early PACT")
    with time_machine.travel(at(2026, 12, 6, 21), tick=False):
        # As "Not at a meeting" used to allow, and as a meeting elsewhere or before it could be chosen:
        nowhere = propose(world, title="Agreed nowhere")
        Priority.objects.filter(pk=nowhere.pk).update(state=S.AGREED)
        elsewhere = agreed(world, title="Agreed elsewhere")
        Priority.objects.filter(pk=elsewhere.pk).update(
            agreed_at_meeting=held_meeting(world, neighbourhood=world.queensgate, title="Queensgate PACT")
        )
        before = agreed(world, title="Agreed before it was proposed")
        Priority.objects.filter(pk=before.pk).update(agreed_at_meeting=early)
        by_chair = _resolved(world, title="Signed off by the chair")
        SignOff.objects.create(priority=by_chair, method=SignOffMethod.PANEL_CHAIR, panel_chair_name="Jo",
                               recorded_by=world.pcso)  # fmt: skip
    states = dict(Priority.objects.values_list("pk", "state"))
    out, error = run()
    assert error is not None and error.returncode == 1 and "4 record(s) break" in str(error)
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["Priority", "Neighbourhood", "Title", "Step"]
    rows = {line for line in lines[2:]}
    assert len(rows) == 4
    assert any("Agreed nowhere" in r and "agreed at no meeting" in r for r in rows)
    assert any("Agreed elsewhere" in r and "Queensgate PACT" in r and "not a meeting of Daneshouse" in r for r in rows)
    assert any("Agreed before it" in r and "was before the priority was proposed on 6 December 2026" in r for r in rows)
    assert any("Signed off by the" in r and "by the pact panel chair" in r for r in rows)
    assert dict(Priority.objects.values_list("pk", "state")) == states


def test_it_flags_a_sign_off_at_a_meeting_before_the_resolution(world):
    with time_machine.travel(at(2026, 12, 1, 21), tick=False):
        early = held_meeting(world, title="Early PACT")
    with time_machine.travel(at(2026, 12, 6, 21), tick=False):
        priority = signed_off(world, _resolved(world))
    SignOff.objects.filter(priority=priority).update(meeting=early)
    [problem] = priority_date_problems()
    assert problem.step == "signed off" and "before the priority was resolved on 6 December 2026" in problem.problem


def test_it_reads_every_record_in_four_queries(world, django_assert_max_num_queries):
    for n in range(4):
        signed_off(world, _resolved(world, title=f"Priority {n}"))
        Priority.objects.filter(pk=agreed(world).pk).update(agreed_at_meeting=None)
    # agreed priorities with their meetings, and the neighbourhoods those cover; sign-offs likewise
    with django_assert_max_num_queries(4):
        assert len(priority_date_problems()) == 4


def test_it_reads_the_future_as_the_moment_it_was_recorded(world):
    with time_machine.travel(at(2026, 12, 6, 21), tick=False):
        priority = agreed(world)
    with time_machine.travel(at(2026, 12, 9, 21), tick=False):
        later = held_meeting(world, title="Later PACT")  # held after the agreement was recorded
    Priority.objects.filter(pk=priority.pk).update(agreed_at_meeting=later)
    [problem] = priority_date_problems()
    assert "has not happened yet" in problem.problem
    assert timezone.localdate(problem.recorded_at) == datetime.date(2026, 12, 6)
