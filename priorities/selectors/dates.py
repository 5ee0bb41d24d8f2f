"""Records made before the community had to decide: priorities agreed, and sign-offs recorded,
other than at a held PACT or panel meeting of their own neighbourhood between the proposal (or
resolution) and the moment they were recorded. Read only: `manage.py check_priority_dates`."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from priorities import agreement
from priorities.models import AGREED_STATES, Priority, PriorityEvent, SignOff, SignOffMethod


@dataclass(frozen=True)
class DateProblem:
    priority_id: int
    neighbourhood: str
    title: str
    step: str  # "agreed" or "signed off"
    recorded_at: datetime
    meeting: str
    problem: str


def priority_date_problems() -> list[DateProblem]:
    """Every agreement and sign-off that breaks the rule, oldest first, in four queries."""
    return sorted([*_agreement_problems(), *_sign_off_problems()], key=lambda p: (p.recorded_at, p.priority_id, p.step))


def _agreement_problems() -> list[DateProblem]:
    priorities = (
        Priority.objects.filter(Q(state__in=AGREED_STATES) | Q(events__verb="agree"))
        .select_related("neighbourhood", "agreed_at_meeting", "proposed_at_meeting", "agreed_by_vote")
        .prefetch_related("agreed_at_meeting__also_covers", "agreed_by_vote__options")
        .annotate(agreed_on=Max("events__at", filter=Q(events__verb="agree")))
        .order_by("pk")
        .distinct()
    )
    problems = []
    for priority in priorities:
        at = priority.agreed_on or priority.state_changed_at
        meeting = priority.agreed_at_meeting
        if meeting is None and priority.agreed_by_vote is not None:
            problem = agreement.vote_problem(priority, priority.agreed_by_vote, at=at)
        elif meeting is None:
            problem = _("agreed at no meeting")
        else:
            problem = agreement.agreement_problem(priority, meeting, at=at)
        if problem:
            problems.append(_problem(priority, _("agreed"), at, meeting, problem))
    return problems


def _sign_off_problems() -> list[DateProblem]:
    resolved = (
        PriorityEvent.objects.filter(priority=OuterRef("priority"), verb="resolve", at__lte=OuterRef("recorded_at"))
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    sign_offs = (
        SignOff.objects.select_related("priority__neighbourhood", "priority__proposed_at_meeting", "meeting", "poll")
        .prefetch_related("meeting__also_covers")
        .annotate(resolved_at=Subquery(resolved))
        .order_by("pk")
    )
    problems = []
    for sign_off in sign_offs:
        priority, meeting = sign_off.priority, sign_off.meeting
        if sign_off.method == SignOffMethod.ONLINE_VOTE and sign_off.poll is not None:
            problem = agreement.poll_problem(
                priority, sign_off.poll, at=sign_off.recorded_at, resolved_at=sign_off.resolved_at
            )
        elif sign_off.method != SignOffMethod.MEETING:
            problem = _("signed off %(how)s: not at a meeting, nor by a closed online vote of record") % {
                "how": sign_off.get_method_display().lower()
            }
        elif meeting is None:
            problem = _("signed off at no meeting")
        else:
            resolved_at = sign_off.resolved_at or priority.created_at
            problem = agreement.sign_off_problem(priority, meeting, resolved_at=resolved_at, at=sign_off.recorded_at)
        if problem:
            problems.append(_problem(priority, _("signed off"), sign_off.recorded_at, meeting, problem))
    return problems


def _problem(priority, step, at, meeting, problem) -> DateProblem:
    label = f"{meeting.title} ({agreement.day_of(meeting.starts_at):%-d %b %Y})" if meeting else "-"
    return DateProblem(priority.pk, priority.neighbourhood.name, priority.title, step, at, label, problem)
