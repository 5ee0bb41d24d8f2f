"""The demo force's priorities, seeded once for the module at a fixed moment on two districts'
real wards: Burnley (East Division, the featured ward) and Chorley (South Division)."""

import io
import shutil
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count, Q
from django.urls import reverse

from accounts.models import AgencyKind
from neighbourhoods.demo import DATA_DIR, demo_force_seed
from neighbourhoods.models import Force, Neighbourhood, Ward
from priorities.demo import demo_priorities_seed
from priorities.models import (
    Action,
    ActionStatus,
    EscalationForum,
    Issue,
    IssueSource,
    IssueStatus,
    Priority,
    PriorityState,
    SignOff,
    SignOffMethod,
)
from priorities.selectors.public import CURRENT_STATES
from priorities.services import TRANSITIONS
from tests.support import module_data

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
DISTRICTS = ["E07000117", "E07000118"]
S = PriorityState


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("wards")
    for name in [f"{code}.json" for code in DISTRICTS] + ["districts.csv"]:
        shutil.copy(DATA_DIR / name, data_dir / name)
    with module_data(django_db_blocker), time_machine.travel(NOW, tick=False):
        yield demo_force_seed(data_dir=data_dir)


def featured():
    return Ward.objects.get(code="E05005155").neighbourhood


def test_it_makes_priorities_in_every_state(seeded):
    states = dict(Priority.objects.values_list("state").annotate(n=Count("pk")))
    assert set(states) == set(PriorityState)
    # The voting demo's proposals (priorities/voting/demo.py) are counted by it, not here.
    assert seeded.priorities == Priority.objects.filter(vote_options__isnull=True).count()
    assert seeded.priorities > 3 * Neighbourhood.objects.count()


def test_it_grows_priorities_from_issues_raised_at_their_own_neighbourhoods_meetings(seeded):
    priorities = Priority.objects.prefetch_related("issues__meeting", "wards").select_related("proposed_at_meeting")
    # Not the proposals the voting demo puts to its votes: those were proposed online, for a vote.
    for priority in priorities.filter(vote_options__isnull=True):
        issues = list(priority.issues.all())
        assert issues and all(i.neighbourhood_id == priority.neighbourhood_id for i in issues)
        assert all(i.source == IssueSource.MEETING and i.status == IssueStatus.LINKED for i in issues)
        assert {w.pk for w in priority.wards.all()} == {i.ward_id for i in issues}
        meeting = priority.proposed_at_meeting
        assert meeting.neighbourhood_id == priority.neighbourhood_id and meeting.is_held
        assert priority.agreed_at_meeting_id in (None, meeting.pk)
        assert meeting.starts_at <= priority.created_at <= NOW
    assert Issue.objects.filter(source=IssueSource.MEETING, status=IssueStatus.NEW).exists()  # some left to triage


def test_it_spreads_priorities_over_the_eighteen_months(seeded):
    created = sorted(Priority.objects.values_list("created_at", flat=True))
    assert created[0] < NOW - timedelta(days=365) and created[-1] > NOW - timedelta(days=40)


def test_it_replays_every_priority_from_its_audit_history(seeded):
    for priority in Priority.objects.prefetch_related("events"):
        events = list(priority.events.all())
        assert events[0].verb == "propose" and all(e.at <= NOW for e in events)
        assert [e.at for e in events] == sorted(e.at for e in events)
        state = S.PROPOSED
        for event in events:
            if event.verb in TRANSITIONS:
                sources, target = TRANSITIONS[event.verb]
                assert state in sources and event.changes["state"] == [state, target], (priority, event.verb)
                state = target
        assert state == priority.state
        assert [e.at for e in events if e.verb in TRANSITIONS or e.verb == "propose"][-1] == priority.state_changed_at


def test_it_gives_actions_to_officers_and_to_partner_agencies(seeded):
    actions = Action.objects.select_related("owner_agency")
    assert actions.filter(owner_officer__isnull=False).exists()
    assert actions.filter(owner_partner_user__isnull=False).exists()
    assert actions.filter(owner_agency__isnull=False, owner_partner_user__isnull=True).exists()
    kinds = set(actions.exclude(owner_agency=None).values_list("owner_agency__kind", flat=True))
    assert kinds == {AgencyKind.COUNCIL, AgencyKind.HOUSING, AgencyKind.FIRE}
    assert actions.filter(is_public=False).exists() and actions.filter(updates__is_public=False).exists()
    assert not Action.objects.filter(priority__state__in=[S.PROPOSED, S.NOT_ADOPTED]).exists()


def test_it_leaves_some_actions_overdue_and_some_priorities_past_review(seeded):
    current = Priority.objects.filter(state__in=CURRENT_STATES)
    overdue = Action.objects.filter(
        priority__in=current, status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS], due_date__lt=TODAY
    )
    assert overdue.exists() and current.filter(review_date__lt=TODAY).exists()
    assert not Action.objects.filter(priority__state=S.SIGNED_OFF, status__in=["open", "in_progress"]).exists()


def test_it_escalates_to_every_forum_and_brings_some_back(seeded):
    escalated = Priority.objects.filter(state=S.ESCALATED)
    assert escalated.filter(escalations__de_escalated_at__isnull=True).distinct().count() == escalated.count()
    de_escalated = Priority.objects.exclude(state=S.ESCALATED).filter(escalations__de_escalated_at__isnull=False)
    assert de_escalated.exists()
    forums = set(Priority.objects.values_list("escalations__forum", flat=True)) - {None}
    assert forums == set(EscalationForum)


def test_it_signs_off_only_at_a_held_meeting_after_the_result(seeded):
    # Besides one the voting demo records from its closed sign-off poll (tests/priorities/voting).
    sign_offs = SignOff.objects.select_related("priority", "meeting").filter(poll__isnull=True)
    assert set(sign_offs.values_list("method", flat=True)) == {SignOffMethod.MEETING}
    for sign_off in sign_offs:
        assert sign_off.meeting.neighbourhood_id == sign_off.priority.neighbourhood_id and sign_off.meeting.is_held
    signed = Priority.objects.filter(state__in=[S.SIGNED_OFF, S.REOPENED])
    assert signed.filter(sign_offs__isnull=True).count() == 0
    assert not signed.filter(public_outcome="").exists()
    assert not Priority.objects.filter(state=S.NOT_ADOPTED, not_adopted_reason="").exists()


def test_it_keeps_the_featured_neighbourhood_rich(seeded):
    mine = Priority.objects.filter(neighbourhood=featured())
    assert 2 <= mine.filter(state__in=CURRENT_STATES).count() <= 3
    partner_action = Action.objects.filter(
        priority__in=mine.filter(state__in=CURRENT_STATES),
        owner_partner_user__email="partner@demo.pact.example",
        owner_agency__name="Burnley Borough Council",
    )
    assert partner_action.exists()
    assert SignOff.objects.filter(priority__in=mine, method=SignOffMethod.MEETING).count() == 3


def test_it_keeps_restricted_text_off_the_featured_public_page(seeded, client):
    page = client.get(reverse("priorities:public-list", args=[featured().code])).content.decode()
    mine = Priority.objects.filter(neighbourhood=featured()).exclude(state=S.PROPOSED)
    assert all(p.title in page for p in mine)
    restricted = [p.evidence for p in mine] + [p.restricted_notes for p in mine if p.restricted_notes]
    restricted += list(Action.objects.filter(priority__in=mine, is_public=False).values_list("description", flat=True))
    assert not [text for text in restricted if text in page]


def test_it_writes_rows_that_pass_full_clean(seeded):
    for priority in Priority.objects.order_by("pk")[::7]:
        priority.full_clean()
    for action in Action.objects.order_by("pk")[::11]:
        action.full_clean()
    for sign_off in SignOff.objects.all():
        sign_off.full_clean()


def test_it_does_not_duplicate_on_a_second_run(seeded):
    counts = (Priority.objects.count(), Action.objects.count(), Issue.objects.filter(status=IssueStatus.LINKED).count())
    assert demo_priorities_seed(force=Force.objects.get(), today=TODAY).created == 0
    assert (Priority.objects.count(), Action.objects.count(), Issue.objects.filter(status="linked").count()) == counts


def _fingerprint(neighbourhoods):
    priorities = Priority.objects.filter(neighbourhood__in=neighbourhoods).order_by("reference")
    return [
        (
            p.reference, p.state, p.title, p.created_at, p.state_changed_at, p.review_date, p.public_outcome,
            sorted(p.issues.values_list("pk", flat=True)),
            list(p.actions.values_list("description", "due_date", "status", "owner_officer", "owner_agency")),
            list(p.events.values_list("verb", "at", "actor")),
            list(p.sign_offs.values_list("method", "meeting", "votes_for", "panel_chair_name")),
        )
        for p in priorities
    ]  # fmt: skip


def test_it_makes_the_same_priorities_for_the_same_day(seeded):
    # Leave out neighbourhoods whose priorities the tasking and partner demos went on to change.
    untouched = Neighbourhood.objects.exclude(priorities__escalations__tasking_items__isnull=False).exclude(
        priorities__action_proposals__isnull=False
    )
    some = list(untouched.filter(Q(code__startswith="burnley") | Q(code__startswith="chorley")).distinct()[::9])
    before = _fingerprint(some)
    # Put the issues back in the triage queue, as they were before the first run.
    Issue.objects.filter(priority__neighbourhood__in=some).update(status=IssueStatus.NEW, priority=None)
    Priority.objects.filter(neighbourhood__in=some).delete()
    result = demo_priorities_seed(force=Force.objects.get(), today=TODAY)
    assert result.created == len(before) > 0
    assert _fingerprint(some) == before


def test_it_closes_no_priority_with_work_still_open(seeded):
    unfinished = Action.objects.filter(
        priority__state__in=[S.RESOLVED, S.SIGNED_OFF], status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS]
    )
    assert not unfinished.exists()


def test_it_agrees_and_signs_off_only_at_meetings_that_had_happened(seeded):
    for priority in Priority.objects.exclude(agreed_at_meeting=None).select_related("agreed_at_meeting"):
        assert priority.agreed_at_meeting.starts_at <= NOW
    for sign_off in SignOff.objects.exclude(meeting=None).select_related("meeting", "priority"):
        resolved_at = sign_off.priority.events.filter(verb="resolve").latest("at").at
        assert resolved_at.date() <= sign_off.meeting.starts_at.date() and sign_off.meeting.starts_at <= NOW


def test_it_leaves_nothing_for_the_priority_dates_check_to_find(seeded):
    with time_machine.travel(NOW, tick=False):
        call_command("check_priority_dates", stdout=io.StringIO())  # raises CommandError on any
    assert Priority.objects.exclude(agreed_at_meeting=None).exists()


def test_it_has_partner_offers_answered_and_waiting(seeded):
    from priorities.models import ActionProposal

    offers = ActionProposal.objects.filter(priority__neighbourhood=featured())
    assert set(offers.values_list("status", flat=True)) == {"pending", "accepted", "declined"}
    accepted = offers.get(status="accepted")
    assert accepted.action.owner_agency_id == accepted.agency_id


def test_it_has_a_tasking_agenda_with_decisions_in_east_division(seeded):
    from priorities.models import PriorityEvent, TaskingItem

    items = TaskingItem.objects.filter(agenda__division__code="east", agenda__division__name="East Division")
    assert items.exists() and not items.filter(decision="").exists()
    assert PriorityEvent.objects.filter(verb="tasking_decision").count() == items.count()
