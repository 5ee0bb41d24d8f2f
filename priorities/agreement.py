"""Where and when the community can have decided a priority (HMIC: priorities are agreed by the
PACT panel or meeting with the community, and formally signed off by it once resolved).

A priority is agreed, and a resolved one signed off, only at a held PACT or panel meeting of its
neighbourhood, on or after the day it was proposed (or resolved) and not later than the moment
it is recorded; or by a closed online vote of its residents. These read-only checks are shared
by the services that enforce the rule and by `manage.py check_priority_dates`, which lists the
records made before it that break it.
"""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import Meeting, MeetingStatus, MeetingType
from meetings.panels.selectors import panel_quorum_problem

# The meetings where the community decides: the PACT meeting in any of its forms (public,
# youth, specialist, online or hybrid) and the PACT panel. A street meeting, door knocks, a stall,
# a surgery or a walk-round hears concerns but agrees nothing.
DECIDING_TYPES = frozenset(
    {
        MeetingType.PUBLIC_PACT,
        MeetingType.PANEL,
        MeetingType.YOUTH,
        MeetingType.SPECIALIST,
        MeetingType.ONLINE,
        MeetingType.HYBRID,
    }
)


def day_of(moment: datetime) -> date:
    return timezone.localdate(moment)


def ended_before_day_of(meeting: Meeting, moment: datetime) -> bool:
    """Whether a meeting was over before a moment's day: one on the same day, or still going on
    (a meeting running past midnight), counts as not before."""
    return day_of(meeting.starts_at) < day_of(moment) and meeting.ends_at < moment


def covers(meeting: Meeting, neighbourhood_id: int) -> bool:
    """Whether the meeting is the neighbourhood's: it hosts it, or it is among the others a
    town-wide meeting covers (read from a prefetch when there is one)."""
    if meeting.neighbourhood_id == neighbourhood_id:
        return True
    return any(n.pk == neighbourhood_id for n in meeting.also_covers.all())


def meeting_problem(
    meeting: Meeting, *, neighbourhood, not_before: datetime, not_before_what: str, at: datetime
) -> str | None:
    """Why the community cannot have decided at this meeting, or None if it can. `not_before` is
    when the thing decided came about (proposed, resolved), `at` when the decision is recorded."""
    when = f"{day_of(meeting.starts_at):%-d %B %Y}"
    if not covers(meeting, neighbourhood.pk):
        return _("The meeting of %(when)s is not a meeting of %(name)s: choose one of its own meetings.") % {
            "when": when,
            "name": neighbourhood.name,
        }
    if meeting.meeting_type not in DECIDING_TYPES:
        return _(
            "The meeting of %(when)s was a %(kind)s, which does not decide priorities: choose a PACT meeting "
            "or PACT panel meeting."
        ) % {"when": when, "kind": meeting.get_meeting_type_display().lower()}
    if meeting.status == MeetingStatus.CANCELLED:
        return _("The meeting of %(when)s was cancelled.") % {"when": when}
    if meeting.starts_at > at:
        return _(
            "The meeting of %(when)s has not happened yet: the community decides at a meeting that has taken place."
        ) % {"when": when}
    if meeting.outcome_recorded_at is None:
        return _(
            "The meeting of %(when)s has no outcome recorded: record what happened at it (who came, what was "
            "raised) first."
        ) % {"when": when}
    if quorum_problem := panel_quorum_problem(meeting=meeting):
        return quorum_problem
    if ended_before_day_of(meeting, not_before):
        return _("The meeting of %(when)s was before the priority was %(what)s on %(day)s: choose a later meeting.") % {
            "when": when,
            "what": not_before_what,
            "day": f"{day_of(not_before):%-d %B %Y}",
        }
    return None


def agreement_problem(priority, meeting: Meeting, *, at: datetime) -> str | None:
    return meeting_problem(
        meeting, neighbourhood=priority.neighbourhood, not_before=priority.proposed_from, not_before_what=_("proposed"),
        at=at,
    )  # fmt: skip


def sign_off_problem(priority, meeting: Meeting, *, resolved_at: datetime, at: datetime) -> str | None:
    return meeting_problem(
        meeting, neighbourhood=priority.neighbourhood, not_before=resolved_at, not_before_what=_("resolved"), at=at
    )


def vote_problem(priority, vote, *, at: datetime) -> str | None:
    """Why the community cannot have agreed the priority by this vote, or None: it must be a
    published vote on the neighbourhood's proposals, opened after the priority was proposed, with
    the priority among its winners."""
    if vote.neighbourhood_id != priority.neighbourhood_id:
        return _("That vote was not a vote of %(name)s.") % {"name": priority.neighbourhood.name}
    if vote.purpose != "priorities":
        return _("A sign-off poll does not agree priorities: choose a vote on the proposed priorities.")
    if vote.counted_at is None or vote.closes_at > at:
        return _("The vote has not closed yet: agree from it once its result is published.")
    option = next((o for o in vote.options.all() if o.priority_id == priority.pk), None)
    if option is None:
        return _("“%(title)s” was not on the ballot of that vote.") % {"title": priority.title}
    if vote.opens_at < priority.proposed_from:
        return _("The vote opened before the priority was proposed.")
    if not option.is_winner:
        return _("“%(title)s” was not among the (up to three) options with most support.") % {"title": priority.title}
    return None


def poll_problem(priority, poll, *, at: datetime, resolved_at: datetime | None = None) -> str | None:
    """Why the community cannot have signed the priority off by this poll, or None: the priority's
    own sign-off poll, published, opened after the priority was resolved (`resolved_at`; by
    default, for a priority still resolved, its last state change)."""
    if poll.purpose != "sign_off" or poll.priority_id != priority.pk:
        return _("That poll did not ask about this priority.")
    if poll.counted_at is None or poll.closes_at > at:
        return _("The poll has not closed yet: record the sign-off once its result is published.")
    if resolved_at is None and priority.state == "resolved":
        resolved_at = priority.state_changed_at
    if resolved_at is not None and poll.opens_at < resolved_at:
        return _("The poll opened before the priority was resolved: ask the community again.")
    return None
