"""The return's workflow: drafting, writing, pinning, delegating, submitting (freezing), reopening,
reminders and late marking, with the clock held still at the points of the month that matter."""

import datetime
import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.roles import Role
from reports import services
from reports.document.build import return_document
from reports.models import HighlightReturn, ReturnEvent, ReturnStatus
from reports.selectors import return_figures
from tests.factories import DivisionFactory, ForceFactory, TeamMembershipFactory, UserFactory
from tests.priorities.factories import agreed, propose
from tests.reports.workflow import OCTOBER, at, october_draft, on, submit, with_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):
    return with_data(world)


def events(highlight_return) -> list[str]:
    return list(highlight_return.events.order_by("at", "pk").values_list("verb", flat=True))


# --- drafts -------------------------------------------------------------------------------------


def test_it_drafts_a_month_once_with_its_due_date_and_history(data):
    first = october_draft(data)
    again = october_draft(data)
    assert again.pk == first.pk and HighlightReturn.objects.count() == 1
    assert (first.period_start, first.period_end, first.due_date) == (
        OCTOBER, datetime.date(2026, 10, 31), datetime.date(2026, 11, 9),
    )  # fmt: skip
    assert first.status == ReturnStatus.DRAFT and events(first) == ["created"]
    assert first.events.get().actor == data.hq


def test_it_drafts_a_quarter_from_any_day_in_it(data):
    with on(datetime.date(2026, 10, 20)):
        quarter = services.return_draft_create(
            division=data.east, period_kind="quarter", period_start=datetime.date(2026, 8, 15), actor=data.hq
        )
    assert (quarter.period_start, quarter.period_end) == (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    assert quarter.due_date == datetime.date(2026, 10, 9) and quarter.period_label == "Jul to Sep 2026"


@pytest.mark.parametrize(
    ("period_start", "message"),
    [
        (datetime.date(2026, 12, 1), "December 2026 has not ended yet"),
        (datetime.date(2026, 11, 1), "November 2026 has not ended yet: its return can be started from 1 December 2026"),
        (datetime.date(2026, 7, 1), "July 2026 is before the force's data: its data begins in August 2026"),
    ],
)
def test_it_refuses_a_period_in_the_future_or_before_the_data_and_creates_nothing(data, period_start, message):
    with on(datetime.date(2026, 11, 2)), pytest.raises(ValidationError) as error:
        services.return_draft_create(division=data.east, period_start=period_start, actor=data.hq)
    assert message in error.value.message_dict["period_start"][0]
    assert not HighlightReturn.objects.exists() and not ReturnEvent.objects.exists()


def test_it_refuses_a_force_with_no_data_at_all(db):
    empty = DivisionFactory(force=ForceFactory(slug="empty", name="Empty"))
    with on(datetime.date(2026, 11, 2)), pytest.raises(ValidationError, match="has no meetings, priorities"):
        services.return_draft_create(division=empty, period_start=OCTOBER)


def test_it_drafts_every_division_of_every_force_for_the_month_just_ended(data):
    empty = DivisionFactory(force=ForceFactory(slug="empty", name="Empty"))
    with on(datetime.date(2026, 11, 1), hour=4):
        assert services.returns_draft_for_month() == 2
        assert services.returns_draft_for_month() == 0
    drafts = HighlightReturn.objects.order_by("division__name")
    assert [(r.division, r.period_start) for r in drafts] == [(data.east, OCTOBER), (data.west, OCTOBER)]
    assert not HighlightReturn.objects.filter(division=empty).exists()
    assert list(ReturnEvent.objects.values_list("verb", "actor")) == [("created", None)] * 2


# --- writing ------------------------------------------------------------------------------------


def test_it_saves_the_narrative_and_names_the_sections_changed(data):
    draft = october_draft(data)
    services.return_narrative_update(
        highlight_return=draft, actor=data.inspector, engagement_highlights="  Online PACT: 1,400 views.  ",
        best_practice="", exceptions="",
    )  # fmt: skip
    draft.refresh_from_db()
    assert draft.engagement_highlights == "Online PACT: 1,400 views."
    assert draft.events.latest("pk").note == "Changed: engagement highlights."
    services.return_narrative_update(
        highlight_return=draft, actor=data.inspector, engagement_highlights=draft.engagement_highlights
    )
    assert events(draft) == ["created", "edited"]


def test_it_refuses_an_over_long_section_and_changes_nothing(data):
    draft = october_draft(data)
    with pytest.raises(ValidationError) as error:
        services.return_narrative_update(highlight_return=draft, actor=data.chief_inspector, exceptions="x" * 5001)
    assert "exceptions" in error.value.message_dict
    draft.refresh_from_db()
    assert draft.exceptions == "" and events(draft) == ["created"]


def test_it_pins_only_the_divisions_priorities_and_at_most_five(data):
    draft = october_draft(data)
    east = list(data.daneshouse.priorities.all())
    west = propose(data, neighbourhood=data.fleetwood, wards=list(data.fleetwood.wards.all()), actor=data.pcso_other,
                   title="Fly-tipping on the promenade")  # fmt: skip
    services.return_pin_priorities(highlight_return=draft, actor=data.chief_inspector, priorities=east)
    assert set(draft.top_priorities.all()) == set(east)
    assert draft.events.latest("pk").note.startswith("Top priorities: ")
    with pytest.raises(ValidationError, match="Only East Division's priorities can be pinned"):
        services.return_pin_priorities(highlight_return=draft, actor=data.chief_inspector, priorities=[*east, west])
    more = [agreed(data, title=f"Priority {n}") for n in range(4)]
    with pytest.raises(ValidationError, match="Pin at most 5"):
        services.return_pin_priorities(highlight_return=draft, actor=data.chief_inspector, priorities=east + more)
    assert set(draft.top_priorities.all()) == set(east) and events(draft) == ["created", "edited"]


def test_it_pins_only_priorities_the_community_has_agreed(data):
    draft = october_draft(data)
    proposal = propose(data, title="Only proposed")
    with pytest.raises(ValidationError, match="Only priorities the community has agreed .* not “Only proposed”"):
        services.return_pin_priorities(highlight_return=draft, actor=data.chief_inspector, priorities=[proposal])
    assert not draft.top_priorities.exists() and events(draft) == ["created"]
    agreed_one = data.daneshouse.priorities.get(title="Speeding on Burnley Road")
    services.return_pin_priorities(highlight_return=draft, actor=data.chief_inspector, priorities=[agreed_one])
    assert list(draft.top_priorities.all()) == [agreed_one]


def test_it_delegates_only_to_inspectors_working_in_the_division(data):
    draft = october_draft(data)
    west_inspector = TeamMembershipFactory(
        user=UserFactory(role=Role.INSPECTOR, force=data.force, division=data.west), neighbourhood=data.fleetwood
    ).user
    services.return_delegates_set(highlight_return=draft, actor=data.chief_inspector, delegates=[data.inspector])
    assert list(draft.delegates.all()) == [data.inspector]
    assert draft.events.latest("pk").note == "Delegates: Ian Inspector."
    for refused in (west_inspector, data.pcso):
        with pytest.raises(ValidationError, match="Only inspectors working in East Division"):
            services.return_delegates_set(highlight_return=draft, actor=data.chief_inspector, delegates=[refused])
    assert list(draft.delegates.all()) == [data.inspector]


# --- submission ---------------------------------------------------------------------------------


def test_it_freezes_the_figures_and_pinned_priorities_with_a_fingerprint(data):
    draft = october_draft(data)
    pinned = data.daneshouse.priorities.get(title="Speeding on Burnley Road")
    with on(datetime.date(2026, 11, 3)):
        services.return_pin_priorities(highlight_return=draft, actor=data.chief_inspector, priorities=[pinned])
    submitted = submit(data, draft)
    with on(datetime.date(2026, 11, 6)):
        expected = return_figures(division=data.east, period_kind="month", period_start=OCTOBER,
                                  period_end=datetime.date(2026, 10, 31))  # fmt: skip
    canonical = json.dumps(expected, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    submitted.refresh_from_db()
    assert submitted.snapshot["figures"] == expected
    assert submitted.snapshot_fingerprint == hashlib.sha256(canonical).hexdigest()
    assert [row["title"] for row in submitted.snapshot["pinned"]] == ["Speeding on Burnley Road"]
    assert (submitted.status, submitted.submitted_by, submitted.submitted_at) == (
        "submitted", data.chief_inspector, at(datetime.date(2026, 11, 6)),
    )  # fmt: skip
    assert events(submitted) == ["created", "edited", "submitted"] and not submitted.is_late


def test_it_keeps_a_submitted_return_as_signed_and_says_the_data_has_changed(data):
    submitted = submit(data, october_draft(data))
    with on(datetime.date(2026, 11, 6)):
        assert return_document(highlight_return=submitted).data_changed is False
    with on(datetime.date(2026, 10, 20)):
        propose(data, title="Late-night noise at the takeaway")
    submitted.refresh_from_db()
    with on(datetime.date(2026, 11, 7)):
        document = return_document(highlight_return=submitted)
    new = next(row for row in document.figures["headline"] if row["key"] == "priorities_new")
    assert new["value"] == 1 and document.figures == submitted.snapshot["figures"]
    assert document.data_changed is True


def test_it_lets_only_the_divisions_chief_inspector_submit(data):
    draft = october_draft(data)
    draft.delegates.add(data.inspector)
    for person in (data.inspector, data.chief_inspector_other, data.hq):
        with on(datetime.date(2026, 11, 6)), pytest.raises(PermissionDenied):
            services.return_submit(highlight_return=draft, actor=person)
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.snapshot is None and events(draft) == ["created"]


def test_it_refuses_to_submit_twice_or_edit_a_submitted_return(data):
    submitted = submit(data, october_draft(data))
    with pytest.raises(ValidationError, match="has been submitted, so it cannot be changed"):
        submit(data, submitted, day=datetime.date(2026, 11, 8))
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.return_narrative_update(highlight_return=submitted, actor=data.chief_inspector, exceptions="Oops")
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.return_pin_priorities(highlight_return=submitted, actor=data.chief_inspector, priorities=[])
    submitted.refresh_from_db()
    assert submitted.submitted_at == at(datetime.date(2026, 11, 6)) and submitted.exceptions == ""
    assert events(submitted) == ["created", "submitted"]


def test_it_records_a_return_submitted_after_the_ninth_as_late_for_good(data):
    late = submit(data, october_draft(data), day=datetime.date(2026, 11, 12))
    assert late.is_late and late.events.latest("pk").note == "Submitted after the due date."
    with on(datetime.date(2027, 3, 1)):
        late.refresh_from_db()
        assert late.is_late


# --- reopening ----------------------------------------------------------------------------------


def test_it_lets_hq_reopen_with_a_reason_and_keeps_the_history(data):
    submitted = submit(data, october_draft(data))
    with on(datetime.date(2026, 11, 7)):
        reopened = services.return_reopen(
            highlight_return=submitted, actor=data.hq, reason="Meetings missing in Queensgate"
        )
    reopened.refresh_from_db()
    assert reopened.status == "draft" and reopened.snapshot is None and reopened.submitted_at is None
    assert events(reopened) == ["created", "submitted", "reopened"]
    assert reopened.events.latest("pk").note == "Meetings missing in Queensgate"
    assert reopened.events.get(verb="submitted").actor == data.chief_inspector


def test_it_needs_a_reason_and_hq_to_reopen_and_changes_nothing_otherwise(data):
    submitted = submit(data, october_draft(data))
    with pytest.raises(ValidationError) as error:
        services.return_reopen(highlight_return=submitted, actor=data.hq, reason="   ")
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.return_reopen(highlight_return=submitted, actor=data.chief_inspector, reason="I want to edit it")
    submitted.refresh_from_db()
    assert submitted.is_submitted and events(submitted) == ["created", "submitted"]
    draft = october_draft(data, division=data.west)
    with pytest.raises(ValidationError, match="still a draft"):
        services.return_reopen(highlight_return=draft, actor=data.hq, reason="No reason")


# --- reminders and late marking -----------------------------------------------------------------


def test_it_reminds_the_chief_inspector_on_the_fifth_and_the_eighth_once_each(data, mailoutbox):
    draft = october_draft(data)
    for day, sent in [(4, 0), (5, 1), (5, 0), (6, 0), (8, 1), (8, 0)]:
        with on(datetime.date(2026, 11, day)):
            assert services.returns_send_reminders() == sent, day
    first, final = mailoutbox
    assert first.to == [data.chief_inspector.email] and final.to == [data.chief_inspector.email]
    assert first.subject == "Reminder: the October 2026 return for East Division is due by 9 November"
    assert final.subject.startswith("Final reminder:")
    assert f"/officer/returns/{draft.pk}/" in first.body and "after that day" in final.body.lower()
    assert "Open the return" in first.alternatives[0][0]
    draft.refresh_from_db()
    assert draft.first_reminder_at == at(datetime.date(2026, 11, 5))
    assert draft.final_reminder_at == at(datetime.date(2026, 11, 8))
    assert events(draft) == ["created", "reminded", "reminded"]


def test_it_reminds_no_one_about_a_submitted_return_or_one_due_another_month(data, mailoutbox):
    submit(data, october_draft(data))
    with on(datetime.date(2026, 10, 20)):
        services.return_draft_create(division=data.west, period_start=datetime.date(2026, 9, 1))
    with on(datetime.date(2026, 11, 8)):
        assert services.returns_send_reminders() == 0
    assert mailoutbox == []


def test_it_marks_drafts_late_after_the_ninth_once(data):
    submitted = submit(data, october_draft(data))
    west = october_draft(data, division=data.west)
    with on(datetime.date(2026, 11, 9), hour=22):
        assert services.returns_mark_late() == 0
    with on(datetime.date(2026, 11, 10), hour=1):
        assert services.returns_mark_late() == 1
        assert services.returns_mark_late() == 0
    west.refresh_from_db()
    submitted.refresh_from_db()
    assert west.marked_late_at == at(datetime.date(2026, 11, 10), hour=1) and west.is_late
    assert submitted.marked_late_at is None
    assert west.events.latest("pk").note == "Not submitted by 9 November 2026."
