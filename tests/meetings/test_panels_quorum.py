"""Attendance against the register, and the quorum a panel meeting needs to agree or sign off."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meetings.models import MeetingType
from meetings.panels import selectors, services
from meetings.panels.models import PanelOffice
from priorities import agreement
from priorities import services as priority_services
from priorities.models import PriorityState
from tests.meetings.panel_factories import member, panel
from tests.priorities.factories import held_meeting, propose

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _evening_of_1_june_2026():
    # Every member's term began on 1 January 2026; the meetings are held "today".
    with time_machine.travel("2026-06-01 20:00 +0000", tick=False):
        yield


def _panel_with_members(world, *, quorum=3):
    made = panel(world, quorum=quorum)
    chair = member(made, first_name="Chair", office=PanelOffice.CHAIR)
    others = [member(made, first_name=f"Member{i}") for i in range(3)]
    return made, chair, others


def _panel_meeting(world, present=()):
    meeting = held_meeting(world, meeting_type=MeetingType.PANEL)
    services.panel_attendance_record(meeting=meeting, actor=world.pcso, members=list(present))
    return meeting


def test_it_agrees_at_a_quorate_panel_meeting(world):
    _, chair, others = _panel_with_members(world)
    meeting = _panel_meeting(world, [chair, *others[:2]])
    priority = priority_services.priority_agree(priority=propose(world), actor=world.sergeant, meeting=meeting)
    assert priority.state == PriorityState.AGREED


def test_it_refuses_to_agree_below_quorum_and_names_quorum_and_count(world):
    _, chair, others = _panel_with_members(world)
    meeting = _panel_meeting(world, [chair, others[0]])
    priority = propose(world)
    with pytest.raises(ValidationError, match="needs 3 members of its register present and 2 were recorded"):
        priority_services.priority_agree(priority=priority, actor=world.sergeant, meeting=meeting)
    priority.refresh_from_db()
    assert priority.state == PriorityState.PROPOSED


def test_it_refuses_a_meeting_without_the_chair_or_vice_chair(world):
    _, _, others = _panel_with_members(world)
    meeting = _panel_meeting(world, others)
    problem = agreement.agreement_problem(propose(world), meeting, at=timezone.now())
    assert "neither the chair nor the vice-chair" in problem


def test_it_refuses_sign_off_below_quorum(world):
    _, chair, _ = _panel_with_members(world)
    meeting = _panel_meeting(world, [chair])
    problem = agreement.sign_off_problem(
        propose(world), meeting, resolved_at=timezone.now() - timedelta(hours=3), at=timezone.now()
    )
    assert "needs 3" in problem and "1 were recorded" in problem


def test_it_follows_the_panels_own_quorum(world):
    made, chair, _ = _panel_with_members(world, quorum=1)
    assert selectors.panel_quorum_problem(meeting=_panel_meeting(world, [chair])) is None
    made.quorum = 2
    made.save(update_fields=["quorum"])
    assert "needs 2" in selectors.panel_quorum_problem(meeting=_panel_meeting(world, [chair]))


def test_it_counts_no_quorum_at_a_public_pact_meeting(world):
    _panel_with_members(world)
    meeting = held_meeting(world, meeting_type=MeetingType.PUBLIC_PACT)
    assert selectors.panel_quorum_problem(meeting=meeting) is None


def test_it_counts_no_quorum_where_the_neighbourhood_has_no_panel(world):
    meeting = held_meeting(world, meeting_type=MeetingType.PANEL)
    assert selectors.panel_quorum_problem(meeting=meeting) is None


def test_it_does_not_count_a_member_whose_term_ended(world):
    made, chair, others = _panel_with_members(world)
    gone = member(made, first_name="Gone", term_ends=date(2026, 5, 31))
    meeting = held_meeting(world, meeting_type=MeetingType.PANEL)
    with pytest.raises(
        ValidationError, match="Not current members of Daneshouse PACT panel on 1 June 2026: Gone Hussain"
    ):
        services.panel_attendance_record(meeting=meeting, actor=world.pcso, members=[chair, others[0], gone])
    assert not meeting.panel_attendance.exists()


def test_it_records_attendance_with_the_outcome(client, world):
    _, chair, others = _panel_with_members(world)
    meeting = held_meeting(world, meeting_type=MeetingType.PANEL)
    client.force_login(world.pcso)
    url = reverse("meetings:record-outcome", args=[meeting.pk])
    assert b"Panel members present" in client.get(url).content
    data = {
        "public_attendees": "4",
        "panel_members": [chair.pk, others[0].pk, others[1].pk],
        **{f"{prefix}-{k}": v for prefix in ("officers", "partners", "raised") for k, v in _empty_formset().items()},
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert selectors.panel_attendance_member_ids(meeting=meeting) == {chair.pk, others[0].pk, others[1].pk}
    assert selectors.panel_quorum_problem(meeting=meeting) is None


def test_it_offers_no_register_at_a_public_meeting(client, world):
    _panel_with_members(world)
    meeting = held_meeting(world, meeting_type=MeetingType.PUBLIC_PACT)
    client.force_login(world.pcso)
    assert b"Panel members present" not in client.get(reverse("meetings:record-outcome", args=[meeting.pk])).content


def _empty_formset():
    return {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"}


def test_it_says_on_the_meeting_page_why_a_panel_meeting_was_not_quorate(client, world):
    _, chair, _ = _panel_with_members(world)
    meeting = _panel_meeting(world, [chair])
    client.force_login(world.sergeant)
    body = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "was not quorate" in body and "needs 3 members of its register present and 1 were recorded" in body
