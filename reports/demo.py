"""The demo force's highlight and headline returns. The narrative is SYNTHETIC.

Every division gets a return for each of the last four months. The three older ones were
submitted by the division's chief inspector, on the 6th of the month after (South Division's
second-latest one late, on the 12th, after two reminders and being marked late); the latest month's
is the current draft, due on the 9th of this month, with the featured division's engagement
highlight already written. Each submitted return pins the division's two longest-open agreed priorities.

Each ward's membership is recorded for the closed months first, as beat would have recorded them.
The returns go through the services (so snapshots, fingerprints and history are the real thing);
only the moments are moved back to when they would have happened. Deterministic for a given
`today`, and idempotent: a submitted return is left alone, a draft only gains missing text.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from neighbourhoods.models import Force, Ward
from priorities.models import Priority
from reports import services
from reports.models import REMINDER_DAYS, HighlightReturn, ReturnEvent, ReturnEventVerb
from reports.periods import closed_months

MONTHS = 4
FEATURED_WARD = "E05005155"  # Daneshouse with Stoneyholme, as in neighbourhoods.demo
LATE_DIVISION = "south"
SUBMITTED_DAY, LATE_DAY = 6, 12
NARRATIVE = {
    "engagement_highlights": (
        "SYNTHETIC: {division}'s online PACT meetings reached far more residents than the meetings in "
        "halls; street surgeries near the schools brought in parents we rarely see at PACT."
    ),
    "partnership_highlights": (
        "SYNTHETIC: the council's ASB team and the housing provider joined the multi-agency panel every "
        "month; fire and rescue ran two joint home-safety door-knocks."
    ),
    "best_practice": "SYNTHETIC: officers signed households up to In the Know on the street, aiming at young "
    "residents, who are the least represented.",
    "exceptions": "SYNTHETIC: two meetings were cancelled for a major incident; their priorities were "
    "reviewed at the next one.",
}


@dataclass
class DemoReturnsSummary:
    returns: int = 0
    submitted: int = 0
    ward_months: int = 0


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def demo_returns_seed(*, force: Force, today: datetime.date | None = None) -> DemoReturnsSummary:
    today = today or timezone.localdate()
    chiefs = {u.division_id: u for u in User.objects.filter(role=Role.CHIEF_INSPECTOR, division__force=force)}
    featured = Ward.objects.filter(code=FEATURED_WARD, neighbourhood__division__force=force)
    featured_division = featured.values_list("neighbourhood__division_id", flat=True).first()
    months = closed_months(today=today, count=MONTHS)
    ward_months = services.membership_record_closed_months(
        today=today,
        ward_ids=list(Ward.objects.filter(neighbourhood__division__force=force).values_list("pk", flat=True)),
    )
    for division in force.divisions.order_by("name"):
        chief = chiefs.get(division.pk)
        for n, month in enumerate(months):
            try:
                highlight_return = services.return_draft_create(division=division, period_start=month)
            except ValidationError:
                continue  # before the force's data begins
            if n == 0 or chief is None:
                if division.pk == featured_division and not highlight_return.engagement_highlights:
                    text = NARRATIVE["engagement_highlights"].format(division=division.name)
                    services.return_narrative_update(
                        highlight_return=highlight_return, actor=chief, engagement_highlights=text
                    )
                continue
            if not highlight_return.is_submitted:
                _submit(highlight_return, chief=chief, late=n == 1 and division.code == LATE_DIVISION)
    returns = HighlightReturn.objects.filter(division__force=force, period_start__in=months)
    return DemoReturnsSummary(
        returns=returns.count(), submitted=returns.filter(status="submitted").count(), ward_months=ward_months
    )


@transaction.atomic
def _submit(highlight_return: HighlightReturn, *, chief, late: bool) -> None:
    division = highlight_return.division
    texts = {key: text.format(division=division.name) for key, text in NARRATIVE.items()}
    services.return_narrative_update(highlight_return=highlight_return, actor=chief, **texts)
    oldest = Priority.objects.open().agreed().filter(neighbourhood__division=division).select_related("neighbourhood")
    services.return_pin_priorities(
        highlight_return=highlight_return, actor=chief, priorities=oldest.order_by("created_at", "pk")[:2]
    )
    services.return_submit(highlight_return=highlight_return, actor=chief)
    _backdate(highlight_return, late=late)


def _backdate(highlight_return: HighlightReturn, *, late: bool) -> None:
    """Move the history to when it would have happened: drafted on the 1st, written and submitted
    on the 6th (the late one reminded on the 5th and 8th, marked late on the 10th, in on the 12th)."""
    due = highlight_return.due_date
    drafted = _moment(due.replace(day=1), 3)
    submitted = _moment(due.replace(day=LATE_DAY if late else SUBMITTED_DAY), 11)
    events = highlight_return.events.all()
    events.filter(verb=ReturnEventVerb.CREATED).update(at=drafted)
    events.filter(verb=ReturnEventVerb.EDITED).update(at=submitted - datetime.timedelta(hours=1))
    events.filter(verb=ReturnEventVerb.SUBMITTED).update(
        at=submitted, note="Submitted after the due date." if late else ""
    )
    fields = {"submitted_at": submitted, "created_at": drafted}
    if late:
        reminders = [_moment(due.replace(day=day), 8) for day in REMINDER_DAYS]
        marked = _moment(due + datetime.timedelta(days=1), 0)
        fields |= {"first_reminder_at": reminders[0], "final_reminder_at": reminders[1], "marked_late_at": marked}
        ReturnEvent.objects.bulk_create(
            [ReturnEvent(highlight_return=highlight_return, verb=ReturnEventVerb.REMINDED, at=at,
                         note="Reminder emailed to the chief inspector.") for at in reminders]
            + [ReturnEvent(highlight_return=highlight_return, verb=ReturnEventVerb.MARKED_LATE, at=marked,
                           note=f"Not submitted by {due.day} {due:%B %Y}.")]
        )  # fmt: skip
    HighlightReturn.objects.filter(pk=highlight_return.pk).update(**fields)
