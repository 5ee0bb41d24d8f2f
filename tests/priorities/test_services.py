import datetime
import io

import pytest
import time_machine
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from priorities import services, tasks
from priorities.models import (
    Action,
    ActionStatus,
    EscalationForum,
    Follower,
    IssueStatus,
    PriorityEvent,
    PriorityState,
    SignOffMethod,
)
from tests.factories import PartnerAgencyFactory, UserFactory
from tests.meetings.test_services import at, new_meeting
from tests.priorities.factories import agreed, held_meeting, propose, raise_issue, signed_off

pytestmark = pytest.mark.django_db
S = PriorityState


def test_it_puts_a_resident_concern_in_the_neighbourhood_queue(world):
    issue = raise_issue(world, contact_email="amina@example.org")
    assert (issue.neighbourhood, issue.status, issue.supporters) == (world.daneshouse, IssueStatus.NEW, 1)


def test_it_keeps_no_contact_details_for_an_anonymous_concern(world):
    issue = raise_issue(world, contact_email="amina@example.org", anonymous=True, actor=world.resident)
    assert (issue.contact_email, issue.reported_by) == ("", None)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", b"not an image", "not a photo we can read"),
        ("big.png", b"\x89PNG" + b"0" * (9 * 1024 * 1024), "limit is 8 MB"),
    ],
)
def test_it_refuses_a_bad_photo_and_saves_nothing(world, name, content, message):
    with pytest.raises(ValidationError, match=message):
        raise_issue(world, photo=SimpleUploadedFile(name, content))
    assert world.daneshouse.issues.count() == 0


def test_it_keeps_a_photo_without_its_location_metadata_or_file_name(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned a quarter
    exif[0x8825] = {2: (53.0, 47.0, 42.0), 4: (2.0, 14.0, 30.0)}  # GPS latitude and longitude
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(buffer, format="JPEG", exif=exif)
    issue = raise_issue(world, photo=SimpleUploadedFile("12 Elm Street, my house.jpg", buffer.getvalue()))
    with Image.open(issue.photo.path) as stored:
        assert stored.format == "JPEG" and stored.size == (20, 40)  # upright, as the camera meant
        assert not stored.getexif() and "exif" not in stored.info
    assert "Elm" not in issue.photo.name and issue.photo.name.endswith(".jpg")


def test_it_refuses_an_empty_description(world):
    with pytest.raises(ValidationError):
        raise_issue(world, description="   ")


def test_it_adds_merged_residents_to_the_evidence_weight(world):
    first, second = raise_issue(world), raise_issue(world, supporters=3)
    services.issue_merge(issue=second, into=first, actor=world.pcso)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.supporters == 4 and second.status == IssueStatus.MERGED


def test_it_links_the_issues_a_priority_came_from(world):
    issue = raise_issue(world)
    priority = propose(world, issues=[issue])
    issue.refresh_from_db()
    assert (priority.state, issue.status, issue.priority) == (S.PROPOSED, IssueStatus.LINKED, priority)


def test_it_walks_the_whole_life_of_a_priority_and_audits_each_step(world):
    meeting = new_meeting(world, outcome_recorded_at=at(2026, 12, 1, 21), status="published")
    with time_machine.travel(at(2026, 11, 20, 9), tick=False):
        priority = agreed(world)
        services.priority_start(priority=priority, actor=world.pcso)
        services.priority_escalate(
            priority=priority, actor=world.sergeant, forum=EscalationForum.TTCG, reason="Needs roads policing"
        )
        services.priority_de_escalate(priority=priority, actor=world.sergeant, reason="Camera van deployed")
        services.priority_resolve(
            priority=priority, actor=world.sergeant, public_outcome="Average speed down from 41 to 29 mph."
        )
    with time_machine.travel(at(2026, 12, 2, 9), tick=False):
        services.priority_sign_off(priority=priority, actor=world.pcso, method=SignOffMethod.MEETING, meeting=meeting)
    verbs = list(PriorityEvent.objects.filter(priority=priority).values_list("verb", flat=True))
    assert verbs == ["propose", "agree", "start", "escalate", "de_escalate", "resolve", "sign_off"]
    assert priority.state == S.SIGNED_OFF
    assert PriorityEvent.objects.get(verb="resolve").changes["public_outcome"] == [
        "",
        "Average speed down from 41 to 29 mph.",
    ]


@pytest.mark.parametrize(
    ("state", "verb"),
    [
        (S.PROPOSED, "resolve"),
        (S.PROPOSED, "start"),
        (S.SIGNED_OFF, "escalate"),
        (S.AGREED, "sign_off"),
        (S.RESOLVED, "not_adopt"),
    ],
)
def test_it_refuses_illegal_moves_and_changes_nothing(world, state, verb):
    priority = propose(world)
    priority.state = state
    priority.save()
    with pytest.raises(ValidationError, match=f"cannot be {services.DONE_WORDS[verb]} here"):
        services._move(priority, actor=world.sergeant, verb=verb)
    priority.refresh_from_db()
    assert priority.state == state


def test_it_closes_the_escalation_when_an_escalated_priority_is_resolved(world):
    priority = agreed(world)
    services.priority_escalate(priority=priority, actor=world.sergeant, forum=EscalationForum.TTCG, reason="Roads")
    services.priority_resolve(priority=priority, actor=world.sergeant, public_outcome="Speeds are down.")
    services.priority_reopen(priority=priority, actor=world.sergeant, reason="Racing is back")
    services.priority_agree(priority=priority, actor=world.sergeant, meeting=held_meeting(world))
    services.priority_escalate(priority=priority, actor=world.sergeant, forum=EscalationForum.CDRP, reason="Again")
    assert priority.escalations.filter(de_escalated_at__isnull=True).get().forum == EscalationForum.CDRP


def test_it_needs_a_public_reason_not_to_adopt(world):
    priority = propose(world)
    with pytest.raises(ValidationError):
        services.priority_not_adopt(priority=priority, actor=world.sergeant, reason="")
    services.priority_not_adopt(priority=priority, actor=world.sergeant, reason="A council matter: passed to highways.")
    assert priority.state == S.NOT_ADOPTED


@pytest.mark.parametrize("method", [SignOffMethod.PANEL_CHAIR, SignOffMethod.ONLINE_VOTE])
def test_it_refuses_a_sign_off_typed_in_without_a_meeting(world, method):
    priority = agreed(world)
    services.priority_start(priority=priority, actor=world.pcso)
    services.priority_resolve(priority=priority, actor=world.sergeant, public_outcome="Done")
    with pytest.raises(ValidationError, match="closed online vote, which records itself") as error:
        services.priority_sign_off(priority=priority, actor=world.pcso, method=method, meeting=held_meeting(world))
    assert "method" in error.value.message_dict
    priority.refresh_from_db()
    assert priority.state == S.RESOLVED and not priority.sign_offs.exists()


def test_it_needs_an_owner_and_due_date_for_every_action(world):
    priority = agreed(world)
    with pytest.raises(ValidationError, match="owner"):
        services.action_add(
            priority=priority, actor=world.pcso, description="Speed checks", due_date=datetime.date(2027, 1, 1)
        )
    with pytest.raises(ValidationError, match="due date"):
        services.action_add(
            priority=priority, actor=world.pcso, description="Speed checks", due_date=None, owner_officer=world.pcso
        )
    assert priority.actions.count() == 0


@pytest.mark.parametrize(
    ("status", "expected"),
    [(ActionStatus.IN_PROGRESS, S.IN_ACTION), (ActionStatus.DONE, S.IN_ACTION), (ActionStatus.OPEN, S.AGREED)],
)
def test_it_puts_the_priority_in_action_when_work_starts(world, status, expected):
    priority = agreed(world)
    council = world.partner.agency
    action = services.action_add(
        priority=priority, actor=world.pcso, description="Install speed humps", due_date=datetime.date(2027, 2, 1),
        owner_agency=council, owner_partner_user=world.partner,
    )  # fmt: skip
    services.action_update(action=action, actor=world.partner, text="Survey booked", status=status)
    priority.refresh_from_db()
    assert priority.state == expected
    assert action.updates.get().author == world.partner


def test_it_refuses_a_named_partner_from_another_agency(world):
    other = UserFactory(role="partner", agency=PartnerAgencyFactory(name="Calico Homes"))
    with pytest.raises(ValidationError, match="work for the owning agency"):
        services.action_add(
            priority=agreed(world), actor=world.pcso, description="x", due_date=datetime.date(2027, 1, 1),
            owner_agency=world.partner.agency, owner_partner_user=other,
        )  # fmt: skip


def test_it_emails_followers_when_the_state_changes(world, django_capture_on_commit_callbacks):
    priority = agreed(world)
    follower = services.priority_follow(priority=priority, email="Amina@Example.org")
    services.priority_follow_confirm(token=services.follow_confirm_token(follower=follower))
    with django_capture_on_commit_callbacks(execute=True):
        services.priority_start(priority=priority, actor=world.pcso)
    assert [m.to for m in mail.outbox] == [["amina@example.org"]]
    assert "in action" in mail.outbox[0].subject
    token = Follower.objects.get().token
    assert str(token) in mail.outbox[0].body
    assert services.priority_unfollow(token=token) and not Follower.objects.exists()


def test_it_lets_nobody_follow_a_mere_proposal(world):
    with pytest.raises(ValidationError):
        services.priority_follow(priority=propose(world), email="a@example.org")


# --- when agreement and sign-off can have happened ------------------------------------------


def meeting_on(world, day: datetime.date, **extra):
    start = at(day.year, day.month, day.day, 19)
    return new_meeting(world, starts_at=start, ends_at=start + datetime.timedelta(hours=1), status="published",
                       outcome_recorded_at=start + datetime.timedelta(hours=2), **extra)  # fmt: skip


def test_it_refuses_agreement_at_a_meeting_before_the_proposal(world):
    june = meeting_on(world, datetime.date(2026, 6, 16))
    with time_machine.travel(at(2026, 12, 6, 10), tick=False):
        priority = propose(world)
        with pytest.raises(ValidationError, match="before the priority was proposed on 6 December 2026") as error:
            services.priority_agree(priority=priority, actor=world.sergeant, meeting=june)
    assert "meeting" in error.value.message_dict
    priority.refresh_from_db()
    assert (priority.state, priority.agreed_at_meeting) == (S.PROPOSED, None)


def test_it_refuses_agreement_at_a_meeting_still_to_come(world):
    february = meeting_on(world, datetime.date(2027, 2, 2))
    with time_machine.travel(at(2026, 12, 6, 10), tick=False):
        priority = propose(world, review_date=datetime.date(2027, 3, 1))
        with pytest.raises(ValidationError, match="has not happened yet"):
            services.priority_agree(priority=priority, actor=world.sergeant, meeting=february)
        # Proposed for that meeting, it still cannot be agreed there before it happens.
        ahead = propose(world, meeting=february, review_date=datetime.date(2027, 3, 1))
        with pytest.raises(ValidationError, match="has not happened yet"):
            services.priority_agree(priority=ahead, actor=world.sergeant)
    with time_machine.travel(at(2027, 2, 3, 10), tick=False):
        assert services.priority_agree(priority=ahead, actor=world.sergeant).agreed_at_meeting == february


def test_it_agrees_at_the_meeting_it_was_proposed_at_when_written_up_later(world):
    tuesday = meeting_on(world, datetime.date(2026, 12, 1))
    with time_machine.travel(at(2026, 12, 3, 9), tick=False):
        priority = propose(world, meeting=tuesday)
        services.priority_agree(priority=priority, actor=world.sergeant)
    assert (priority.state, priority.agreed_at_meeting) == (S.AGREED, tuesday)


def test_it_refuses_a_review_date_before_the_agreement_meeting(world):
    meeting = meeting_on(world, datetime.date(2026, 12, 10))
    with time_machine.travel(at(2026, 12, 6, 10), tick=False):
        priority = propose(world, review_date=datetime.date(2026, 12, 8))
    with time_machine.travel(at(2026, 12, 11, 10), tick=False):
        with pytest.raises(ValidationError, match="review date cannot be before the meeting") as error:
            services.priority_agree(priority=priority, actor=world.sergeant, meeting=meeting)
        assert "review_date" in error.value.message_dict
        services.priority_agree(
            priority=priority, actor=world.sergeant, meeting=meeting, review_date=datetime.date(2027, 1, 12)
        )
        with pytest.raises(ValidationError, match="review date cannot be before the meeting"):
            services.priority_update(priority=priority, actor=world.sergeant, review_date=datetime.date(2026, 12, 9))
    priority.refresh_from_db()
    assert priority.review_date == datetime.date(2027, 1, 12)


def _resolved_on(world, day: datetime.date):
    with time_machine.travel(at(day.year, day.month, day.day, 10), tick=False):
        priority = agreed(world)
        services.priority_start(priority=priority, actor=world.pcso)
        return services.priority_resolve(priority=priority, actor=world.sergeant, public_outcome="Speeds are down.")


@pytest.mark.parametrize(
    ("meeting_day", "message"),
    [
        (datetime.date(2026, 6, 16), "before the priority was resolved on 6 December 2026"),
        (datetime.date(2026, 12, 20), "has not happened yet"),
    ],
)
def test_it_refuses_a_sign_off_at_a_meeting_before_the_resolution_or_to_come(world, meeting_day, message):
    meeting = meeting_on(world, meeting_day)
    priority = _resolved_on(world, datetime.date(2026, 12, 6))
    with time_machine.travel(at(2026, 12, 8, 10), tick=False):
        with pytest.raises(ValidationError, match=message):
            services.priority_sign_off(
                priority=priority, actor=world.pcso, method=SignOffMethod.MEETING, meeting=meeting
            )
    priority.refresh_from_db()
    assert priority.state == S.RESOLVED and not priority.sign_offs.exists()


# --- a priority is closed only with its plan carried out -------------------------------------


def _with_action(world, priority, description="Speed checks at school times"):
    return services.action_add(
        priority=priority, actor=world.pcso, description=description, due_date=datetime.date(2027, 1, 1),
        owner_officer=world.pcso,
    )  # fmt: skip


def test_it_refuses_to_resolve_while_an_action_is_still_open_and_names_it(world):
    priority = agreed(world)
    checks = _with_action(world, priority)
    services.action_update(action=checks, actor=world.pcso, text="Ten drivers stopped", status=ActionStatus.IN_PROGRESS)
    _with_action(world, priority, "Letter to every house on the road")
    with pytest.raises(ValidationError, match="These actions are still open") as error:
        services.priority_resolve(priority=priority, actor=world.sergeant, public_outcome="Speeds are down.")
    [message] = error.value.message_dict["close_actions"]
    assert "“Speed checks at school times” (in progress)" in message
    assert "“Letter to every house on the road” (not started)" in message
    priority.refresh_from_db()
    assert priority.state == S.IN_ACTION and priority.public_outcome == ""


def test_it_resolves_closing_each_open_action_with_its_reason_in_the_same_step(world):
    priority = agreed(world)
    checks, letter = _with_action(world, priority), _with_action(world, priority, "Letters")
    services.action_update(action=checks, actor=world.pcso, text="Ten drivers stopped", status=ActionStatus.IN_PROGRESS)
    closures = [
        {"action": checks.pk, "status": ActionStatus.DONE, "reason": "Last checks found nobody speeding"},
        {"action": letter.pk, "status": ActionStatus.DROPPED, "reason": "Not needed once the camera came"},
    ]
    services.priority_resolve(
        priority=priority, actor=world.sergeant, public_outcome="Speeds are down.", close_actions=closures
    )
    checks.refresh_from_db(), letter.refresh_from_db()
    assert (priority.state, checks.status, letter.status) == (S.RESOLVED, ActionStatus.DONE, ActionStatus.DROPPED)
    assert letter.updates.get().text == "Dropped when the priority was resolved: Not needed once the camera came"
    assert not letter.updates.get().is_public
    verbs = list(priority.events.values_list("verb", flat=True))
    assert verbs[-3:] == ["action_update", "action_update", "resolve"]


@pytest.mark.parametrize(
    ("closure", "message"),
    [
        ({"status": ActionStatus.DROPPED, "reason": "  "}, "Give the reason “Letters” is closed."),
        ({"status": ActionStatus.IN_PROGRESS, "reason": "Still going"}, "Close “Letters” as done or dropped."),
        ({"action": 999_999, "status": ActionStatus.DONE, "reason": "x"}, "is not an open action of this priority"),
    ],
)
def test_it_refuses_a_closure_without_reason_or_of_another_action_and_changes_nothing(world, closure, message):
    priority = services.priority_start(priority=agreed(world), actor=world.pcso)
    letter = _with_action(world, priority, "Letters")
    elsewhere = _with_action(world, agreed(world, title="Another"), "Elsewhere")
    closure = {"action": letter.pk, **closure}
    closure["action"] = elsewhere.pk if closure["action"] == 999_999 else closure["action"]
    with pytest.raises(ValidationError) as error:
        services.priority_resolve(
            priority=priority, actor=world.sergeant, public_outcome="Speeds are down.", close_actions=[closure]
        )
    assert any(message in m for m in error.value.message_dict["close_actions"])
    priority.refresh_from_db(), letter.refresh_from_db(), elsewhere.refresh_from_db()
    assert priority.state == S.IN_ACTION and priority.public_outcome == ""
    assert letter.status == elsewhere.status == ActionStatus.OPEN and not letter.updates.exists()


def test_it_resolves_once_every_action_is_done_or_dropped(world):
    priority = agreed(world)
    checks, letter = _with_action(world, priority), _with_action(world, priority, "Letters")
    services.action_update(action=checks, actor=world.pcso, text="Done", status=ActionStatus.DONE)
    services.action_update(action=letter, actor=world.pcso, text="Not needed", status=ActionStatus.DROPPED)
    services.priority_resolve(priority=priority, actor=world.sergeant, public_outcome="Speeds are down.")
    assert priority.state == S.RESOLVED


def test_it_refuses_to_put_an_action_of_a_resolved_priority_back_to_work(world):
    priority = agreed(world)
    checks = _with_action(world, priority)
    services.action_update(action=checks, actor=world.pcso, text="Done", status=ActionStatus.DONE)
    services.priority_resolve(priority=priority, actor=world.sergeant, public_outcome="Speeds are down.")
    with pytest.raises(ValidationError, match="reopen it"):
        services.action_update(action=checks, actor=world.pcso, text="More checks", status=ActionStatus.IN_PROGRESS)
    checks.refresh_from_db()
    assert checks.status == ActionStatus.DONE and checks.updates.count() == 1


def test_it_refuses_to_sign_off_while_an_action_is_still_open(world):
    priority = agreed(world)
    checks = _with_action(world, priority)
    services.action_update(action=checks, actor=world.pcso, text="Done", status=ActionStatus.DONE)
    services.priority_resolve(priority=priority, actor=world.sergeant, public_outcome="Speeds are down.")
    # A row left from before the rule: still in progress under a resolved priority.
    Action.objects.filter(pk=checks.pk).update(status=ActionStatus.IN_PROGRESS)
    with pytest.raises(ValidationError, match="cannot be signed off while 1 of its actions is not finished"):
        signed_off(world, priority)
    priority.refresh_from_db()
    assert priority.state == S.RESOLVED


def test_it_keeps_a_follow_pending_until_the_address_confirms_it(world, django_capture_on_commit_callbacks):
    priority = agreed(world)
    with django_capture_on_commit_callbacks(execute=True):
        follower = services.priority_follow(priority=priority, email="amina@example.org")
    [confirmation] = mail.outbox
    assert follower.confirmed_at is None and "Confirm you want to follow" in confirmation.subject
    with django_capture_on_commit_callbacks(execute=True):
        services.priority_start(priority=priority, actor=world.pcso)
    assert len(mail.outbox) == 1  # the pending address hears nothing of the change
    with pytest.raises(ValidationError, match="not valid"):
        services.priority_follow_confirm(token=str(follower.token))
    services.priority_follow_confirm(token=services.follow_confirm_token(follower=follower))
    with django_capture_on_commit_callbacks(execute=True):
        services.priority_follow(priority=priority, email="amina@example.org")
    assert len(mail.outbox) == 1  # a confirmed address is not asked again


def test_it_forgets_follow_requests_whose_link_expired_unconfirmed(world):
    priority = agreed(world)
    with time_machine.travel(at(2026, 12, 1, 9), tick=False):
        stale = services.priority_follow(priority=priority, email="typed-by-someone@example.org")
        kept = services.priority_follow(priority=priority, email="amina@example.org")
        services.priority_follow_confirm(token=services.follow_confirm_token(follower=kept))
        asked_again = services.priority_follow(priority=priority, email="busy@example.org")
    with time_machine.travel(at(2026, 12, 7, 9), tick=False):
        services.priority_follow(priority=priority, email="busy@example.org")  # a fresh link restarts the week
    with time_machine.travel(at(2026, 12, 9, 9), tick=False):
        assert tasks.purge_unconfirmed_followers_task() == 1
    assert set(Follower.objects.values_list("pk", flat=True)) == {kept.pk, asked_again.pk}
    assert not Follower.objects.filter(pk=stale.pk).exists()


def test_it_signs_off_at_a_meeting_still_going_on_when_it_was_resolved_past_midnight(world):
    late = new_meeting(world, starts_at=at(2026, 12, 5, 23), ends_at=at(2026, 12, 6, 0, 45), status="published",
                       outcome_recorded_at=at(2026, 12, 6, 1))  # fmt: skip
    with time_machine.travel(at(2026, 12, 6, 0, 20), tick=False):
        priority = agreed(world)
        services.priority_start(priority=priority, actor=world.pcso)
        services.priority_resolve(priority=priority, actor=world.sergeant, public_outcome="Speeds are down.")
    with time_machine.travel(at(2026, 12, 6, 9), tick=False):
        services.priority_sign_off(priority=priority, actor=world.pcso, method=SignOffMethod.MEETING, meeting=late)
    assert priority.state == S.SIGNED_OFF


def test_it_keeps_the_unfollow_secret_out_of_the_confirmation_link(world):
    priority = agreed(world)
    follower = services.priority_follow(priority=priority, email="amina@example.org")
    token = services.follow_confirm_token(follower=follower)
    assert str(follower.token) not in str(signing.loads(token, salt=services.FOLLOW_CONFIRM_SALT))
    # Stopped and asked for again: the old link no longer confirms the new request.
    services.priority_unfollow(token=follower.token)
    again = services.priority_follow(priority=priority, email="amina@example.org")
    Follower.objects.filter(pk=again.pk).update(id=follower.pk)  # even were the id reused
    with pytest.raises(ValidationError, match="not valid"):
        services.priority_follow_confirm(token=token)


# --- only the community agrees and signs off: at a held PACT or panel meeting of its own ---------


def _other_neighbourhoods_meeting(world):
    return held_meeting(world, neighbourhood=world.queensgate)


@pytest.mark.parametrize(
    ("make_meeting", "message"),
    [
        (lambda w: None, "Choose the PACT or panel meeting where the community agreed it"),
        (_other_neighbourhoods_meeting, "is not a meeting of Daneshouse"),
        (lambda w: held_meeting(w, meeting_type="door_knock"), "was a door knocks, which does not decide priorities"),
        (lambda w: held_meeting(w, outcome_recorded_at=None), "has no outcome recorded"),
        (
            lambda w: held_meeting(w, status="cancelled", cancellation_reason="Venue flooded"),
            "was cancelled",
        ),
    ],
)
def test_it_refuses_agreement_without_a_held_pact_meeting_of_its_own_and_changes_nothing(world, make_meeting, message):
    with time_machine.travel(at(2026, 12, 6, 20), tick=False):
        priority = propose(world)
        meeting = make_meeting(world)
        with pytest.raises(ValidationError, match=message) as error:
            services.priority_agree(priority=priority, actor=world.sergeant, meeting=meeting)
    assert list(error.value.message_dict) == ["meeting"]
    priority.refresh_from_db()
    assert (priority.state, priority.agreed_at_meeting) == (S.PROPOSED, None)
    assert list(priority.events.values_list("verb", flat=True)) == ["propose"]


@pytest.mark.parametrize("meeting_type", ["public_pact", "panel", "youth", "hybrid"])
def test_it_agrees_at_a_held_pact_or_panel_meeting_of_its_own_the_day_it_was_proposed(world, meeting_type):
    with time_machine.travel(at(2026, 12, 6, 20), tick=False):
        priority = propose(world)
        meeting = held_meeting(world, meeting_type=meeting_type)
        services.priority_agree(priority=priority, actor=world.sergeant, meeting=meeting)
    priority.refresh_from_db()
    assert (priority.state, priority.agreed_at_meeting) == (S.AGREED, meeting)


def test_it_keeps_the_meeting_a_priority_was_proposed_at_apart_from_where_it_is_agreed(world):
    tuesday = meeting_on(world, datetime.date(2026, 12, 1))
    with time_machine.travel(at(2026, 12, 3, 9), tick=False):
        priority = propose(world, meeting=tuesday)
    assert (priority.proposed_at_meeting, priority.agreed_at_meeting) == (tuesday, None)
    assert priority.proposed_from == tuesday.starts_at


def test_it_refuses_a_sign_off_at_another_neighbourhoods_meeting(world):
    priority = _resolved_on(world, datetime.date(2026, 12, 6))
    with time_machine.travel(at(2026, 12, 8, 21), tick=False):
        with pytest.raises(ValidationError, match="is not a meeting of Daneshouse"):
            meeting = _other_neighbourhoods_meeting(world)
            services.priority_sign_off(priority=priority, actor=world.pcso, meeting=meeting)
        priority.refresh_from_db()
        assert priority.state == S.RESOLVED and not priority.sign_offs.exists()
        signed_off(world, priority)
    assert priority.sign_offs.get().method == SignOffMethod.MEETING


def test_it_agrees_a_priority_at_a_town_wide_meeting_that_covers_its_neighbourhood(world):
    queensgate_wards = list(world.queensgate.wards.all())
    with time_machine.travel(at(2026, 12, 6, 20), tick=False):
        priority = propose(world, neighbourhood=world.queensgate, wards=queensgate_wards, actor=world.inspector)
        town = held_meeting(world, meeting_type="online", also_covers=[world.queensgate],
                            wards=[*world.daneshouse.wards.all(), *queensgate_wards])  # fmt: skip
        services.priority_agree(priority=priority, actor=world.inspector, meeting=town)
    assert (priority.state, priority.agreed_at_meeting) == (S.AGREED, town)


def test_it_refuses_agreement_at_another_organisations_event(world):
    with time_machine.travel(at(2026, 12, 6, 20), tick=False):
        priority = propose(world)
        event = held_meeting(world, meeting_type="partner_event")
        with pytest.raises(ValidationError, match="attended another organisation's meeting or event, which does not"):
            services.priority_agree(priority=priority, actor=world.sergeant, meeting=event)
    priority.refresh_from_db()
    assert priority.state == S.PROPOSED
