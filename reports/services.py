"""Writes for the highlight and headline return: drafting, the narrative, pinning and delegating,
submission (which freezes the figures), reopening, the reminders and late marking beat runs, and
recording each closed month's In the Know membership per ward (see selectors/membership.py).

Every change leaves a ReturnEvent, so the return's history says who did what and when. A
submitted return is read-only until HQ reopens it; each service re-reads the row under a lock
before changing it, so two people pressing "submit" at once cannot both succeed.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.policy import can
from accounts.roles import Role
from neighbourhoods.models import Division, Ward
from pact_portal.site import site_url
from priorities.models import AGREED_STATES
from reports.document.build import figures_fingerprint, pinned_rows
from reports.models import (
    REMINDER_DAYS,
    HighlightReturn,
    PeriodKind,
    ReturnEvent,
    ReturnEventVerb,
    ReturnStatus,
    WardMonthMembership,
    due_date_for,
)
from reports.periods import closed_months, force_data_start, period_bounds
from reports.selectors import return_figures
from reports.selectors.membership import membership_counted
from reports.selectors.pages import delegate_candidates

logger = logging.getLogger(__name__)

# A "top" list that grows without limit stops saying what matters most.
MAX_PINNED = 5
NARRATIVE_FIELDS = ("engagement_highlights", "partnership_highlights", "best_practice", "exceptions")
NARRATIVE_MAX_LENGTH = 5000


_ONE_DAY = datetime.timedelta(days=1)


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _record(highlight_return, *, actor, verb: str, note: str = "") -> ReturnEvent:
    return ReturnEvent.objects.create(highlight_return=highlight_return, actor=actor, verb=verb, note=note)


def _locked_draft(highlight_return: HighlightReturn) -> HighlightReturn:
    """The return re-read under a row lock; a submitted one cannot be changed."""
    locked = HighlightReturn.objects.select_for_update().select_related("division").get(pk=highlight_return.pk)
    if locked.is_submitted:
        raise ValidationError(
            _(
                "The %(period)s return for %(division)s has been submitted, so it cannot be changed. HQ can "
                "reopen it if something needs correcting. Nothing was changed."
            )
            % {"period": locked.period_label, "division": locked.division.name}
        )
    return locked


def _refresh(target: HighlightReturn, source: HighlightReturn) -> HighlightReturn:
    """Copy a saved row's fields onto the caller's instance, so their object is never stale."""
    for field in HighlightReturn._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


# --- drafts -----------------------------------------------------------------------------------


@transaction.atomic
def return_draft_create(
    *, division: Division, period_start: datetime.date, actor=None, period_kind: str = PeriodKind.MONTH
) -> HighlightReturn:
    """The division's draft for the month or quarter containing `period_start`; the existing one if
    there is already a return for that period (submitted or not)."""
    if period_kind not in PeriodKind.values:
        raise ValidationError({"period_kind": _("Choose a month or a quarter.")})
    start, end = period_bounds(period_kind=period_kind, day=period_start)
    existing = HighlightReturn.objects.filter(division=division, period_kind=period_kind, period_start=start).first()
    if existing is not None:
        return existing
    label = HighlightReturn(period_kind=period_kind, period_start=start, period_end=end).period_label
    today = timezone.localdate()
    if end >= today:
        raise ValidationError(
            {"period_start": f"{label} has not ended yet: its return can be started from {_long_date(end + _ONE_DAY)}."}
        )
    data_start = force_data_start(force=division.force)
    if data_start is None or end < data_start:
        begins = f"begins in {data_start:%B %Y}" if data_start else "has no meetings, priorities or members yet"
        raise ValidationError({"period_start": f"{label} is before the force's data: its data {begins}."})
    highlight_return, created = HighlightReturn.objects.get_or_create(
        division=division,
        period_kind=period_kind,
        period_start=start,
        defaults={"period_end": end, "due_date": due_date_for(end)},
    )
    if created:
        _record(highlight_return, actor=actor, verb=ReturnEventVerb.CREATED)
    return highlight_return


def returns_draft_for_month(*, today: datetime.date | None = None) -> int:
    """A draft for every division of every force for the month just ended (beat, on the 1st).
    A force whose data begins after that month gets none. Returns how many were created."""
    today = today or timezone.localdate()
    start, _end = period_bounds(period_kind=PeriodKind.MONTH, day=today.replace(day=1) - _ONE_DAY)
    created = 0
    divisions = Division.objects.select_related("force").order_by("force_id", "name")
    already = set(
        HighlightReturn.objects.filter(period_kind=PeriodKind.MONTH, period_start=start).values_list(
            "division_id", flat=True
        )
    )
    for division in divisions:
        if division.pk in already:
            continue
        try:
            return_draft_create(division=division, period_start=start)
        except ValidationError as error:
            logger.info("No %s return drafted for %s: %s", start, division, error.messages)
            continue
        created += 1
    return created


# --- membership at the close of each month ----------------------------------------------------

# Two years and a month: a return compares with the same period last year, and a quarter's
# joiners are counted from the month before it.
MEMBERSHIP_MONTHS_KEPT = 25
# Months counted per pass: each adds three conditional counts to the one query over the channels.
_MONTHS_PER_PASS = 12


def membership_months_record(
    *, months: list[datetime.date], replace: bool = False, ward_ids: list[int] | None = None
) -> int:
    """Record every ward's (or only `ward_ids`') membership at the close of each of `months`
    (firsts of closed months). A month already recorded is left as it closed unless `replace`;
    returns how many rows were written. Each pass is atomic: no month is left half recorded."""
    this_month = timezone.localdate().replace(day=1)
    if bad := [month for month in months if month.day != 1 or month >= this_month]:
        raise ValidationError(f"Only closed months can be recorded, by their first day: not {bad[0].isoformat()}.")
    wards = Ward.objects.order_by("pk")
    if ward_ids is not None:
        wards = wards.filter(pk__in=ward_ids)
    ward_ids = list(wards.values_list("pk", flat=True))
    recorded = set()
    if not replace:
        recorded = set(
            WardMonthMembership.objects.filter(month__in=months, ward_id__in=ward_ids).values_list("ward_id", "month")
        )
    wanted = {(ward_id, month) for ward_id in ward_ids for month in months} - recorded
    months = sorted({month for _ward, month in wanted})
    written = 0
    for first in range(0, len(months), _MONTHS_PER_PASS):
        chunk = months[first : first + _MONTHS_PER_PASS]
        # Only the wards missing from these months: a new ward is recorded into months already closed.
        missing_wards = sorted({ward_id for ward_id, month in wanted if month in chunk})
        figures = membership_counted(ward_ids=missing_wards, months=chunk)
        now = timezone.now()
        rows = [
            WardMonthMembership(ward_id=ward_id, month=month, recorded_at=now, **values)
            for (ward_id, month), values in figures.items()
            if (ward_id, month) in wanted
        ]
        with transaction.atomic():
            if replace:
                WardMonthMembership.objects.filter(month__in=chunk, ward_id__in=missing_wards).delete()
            # Two recorders at once (beat and the command) both write a row: the first one stands.
            WardMonthMembership.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        written += len(rows)
    return written


def membership_record_closed_months(
    *,
    today: datetime.date | None = None,
    count: int = MEMBERSHIP_MONTHS_KEPT,
    replace: bool = False,
    ward_ids: list[int] | None = None,
) -> int:
    """Record the last `count` closed months (two years and a month by default) that are not
    recorded yet (beat, daily: on the 1st it records the month just ended; other days it finds
    nothing to do in two queries: the wards, and the months they have recorded). `replace` and
    `ward_ids` as for membership_months_record."""
    months = closed_months(today=today or timezone.localdate(), count=count)
    return membership_months_record(months=months, replace=replace, ward_ids=ward_ids)


# --- writing the return -----------------------------------------------------------------------


@transaction.atomic
def return_narrative_update(*, highlight_return: HighlightReturn, actor, **sections: str) -> HighlightReturn:
    """Save the narrative sections given (engagement_highlights, partnership_highlights,
    best_practice, exceptions); the history names the sections that changed."""
    unknown = set(sections) - set(NARRATIVE_FIELDS)
    if unknown:
        raise ValueError(f"Not narrative sections: {sorted(unknown)}")
    locked = _locked_draft(highlight_return)
    too_long = _("Keep it under %(limit)s characters.") % {"limit": NARRATIVE_MAX_LENGTH}
    errors = {name: too_long for name, text in sections.items() if len(text.strip()) > NARRATIVE_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)
    changed = [name for name, text in sections.items() if getattr(locked, name) != text.strip()]
    if not changed:
        return _refresh(highlight_return, locked)
    for name in changed:
        setattr(locked, name, sections[name].strip())
    locked.full_clean()
    locked.save(update_fields=[*changed, "updated_at"])
    labels = ", ".join(HighlightReturn._meta.get_field(name).verbose_name for name in changed)
    _record(locked, actor=actor, verb=ReturnEventVerb.EDITED, note=f"Changed: {labels}.")
    return _refresh(highlight_return, locked)


@transaction.atomic
def return_pin_priorities(*, highlight_return: HighlightReturn, actor, priorities) -> HighlightReturn:
    """Make `priorities` the return's pinned "top" priorities (replacing the previous set)."""
    locked = _locked_draft(highlight_return)
    priorities = list(priorities)
    outside = [p for p in priorities if p.neighbourhood.division_id != locked.division_id]
    if outside:
        titles = ", ".join(f"“{p.title}”" for p in outside)
        raise ValidationError(
            {
                "priorities": _("Only %(division)s's priorities can be pinned, not %(titles)s.")
                % {"division": locked.division.name, "titles": titles}
            }
        )
    before = set(locked.top_priorities.values_list("pk", flat=True))
    proposals = [p for p in priorities if p.pk not in before and p.state not in AGREED_STATES]
    if proposals:
        titles = ", ".join(f"“{p.title}”" for p in proposals)
        raise ValidationError(
            {
                "priorities": _("Only priorities the community has agreed can be top priorities, not %(titles)s.")
                % {"titles": titles}
            }
        )
    if len({p.pk for p in priorities}) > MAX_PINNED:
        raise ValidationError(
            {
                "priorities": _("Pin at most %(count)s top priorities: unpin one before pinning another.")
                % {"count": MAX_PINNED}
            }
        )
    after = {p.pk for p in priorities}
    if before == after:
        return _refresh(highlight_return, locked)
    locked.top_priorities.set(priorities)
    locked.save(update_fields=["updated_at"])
    rows = pinned_rows(priorities)
    note = "Top priorities: " + ("; ".join(row["title"] for row in rows) if rows else "none pinned") + "."
    _record(locked, actor=actor, verb=ReturnEventVerb.EDITED, note=note)
    return _refresh(highlight_return, locked)


@transaction.atomic
def return_delegates_set(*, highlight_return: HighlightReturn, actor, delegates) -> HighlightReturn:
    """The inspectors who may write the narrative with the chief inspector (never sign it)."""
    locked = _locked_draft(highlight_return)
    delegates = list(delegates)
    allowed = set(delegate_candidates(division=locked.division).values_list("pk", flat=True))
    refused = [user for user in delegates if user.pk not in allowed]
    if refused:
        names = ", ".join(user.full_name for user in refused)
        raise ValidationError(
            {
                "delegates": _("Only inspectors working in %(division)s can help write its return, not %(names)s.")
                % {"division": locked.division.name, "names": names}
            }
        )
    before = set(locked.delegates.values_list("pk", flat=True))
    if before == {user.pk for user in delegates}:
        return _refresh(highlight_return, locked)
    locked.delegates.set(delegates)
    locked.save(update_fields=["updated_at"])
    names = ", ".join(sorted(user.full_name for user in delegates)) or "none"
    _record(locked, actor=actor, verb=ReturnEventVerb.EDITED, note=f"Delegates: {names}.")
    return _refresh(highlight_return, locked)


# --- submission and reopening ----------------------------------------------------------------


@transaction.atomic
def return_submit(*, highlight_return: HighlightReturn, actor) -> HighlightReturn:
    """Sign the return: freeze its figures and pinned priorities in the snapshot, with the
    fingerprint of those figures, and record who submitted it and when."""
    if not can(actor, "return.submit", highlight_return):
        raise PermissionDenied(f"Only the chief inspector of {highlight_return.division.name} submits its return.")
    locked = _locked_draft(highlight_return)
    figures = return_figures(
        division=locked.division,
        period_kind=locked.period_kind,
        period_start=locked.period_start,
        period_end=locked.period_end,
    )
    pinned = pinned_rows(locked.top_priorities.select_related("neighbourhood"))
    locked.snapshot = {"figures": figures, "pinned": pinned}
    locked.snapshot_fingerprint = figures_fingerprint(figures)
    locked.status = ReturnStatus.SUBMITTED
    locked.submitted_by = actor
    locked.submitted_at = timezone.now()
    locked.full_clean()
    locked.save(
        update_fields=["snapshot", "snapshot_fingerprint", "status", "submitted_by", "submitted_at", "updated_at"]
    )
    note = "Submitted after the due date." if locked.is_late else ""
    _record(locked, actor=actor, verb=ReturnEventVerb.SUBMITTED, note=note)
    return _refresh(highlight_return, locked)


@transaction.atomic
def return_reopen(*, highlight_return: HighlightReturn, actor, reason: str) -> HighlightReturn:
    """HQ sends a submitted return back to draft, with a reason; the history keeps the submission."""
    if not can(actor, "return.reopen", highlight_return):
        raise PermissionDenied("Only HQ reopens a submitted return.")
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the return is being reopened: the chief inspector reads it.")})
    locked = HighlightReturn.objects.select_for_update().select_related("division").get(pk=highlight_return.pk)
    if not locked.is_submitted:
        raise ValidationError(
            _(
                "The %(period)s return for %(division)s is still a draft: there is nothing to reopen. "
                "Nothing was changed."
            )
            % {"period": locked.period_label, "division": locked.division.name}
        )
    locked.status = ReturnStatus.DRAFT
    # The draft shows live figures again; the submission itself stays in the history.
    locked.snapshot = None
    locked.snapshot_fingerprint = ""
    locked.submitted_by = None
    locked.submitted_at = None
    locked.full_clean()
    locked.save(
        update_fields=["status", "snapshot", "snapshot_fingerprint", "submitted_by", "submitted_at", "updated_at"]
    )
    _record(locked, actor=actor, verb=ReturnEventVerb.REOPENED, note=reason.strip())
    return _refresh(highlight_return, locked)


# --- reminders and late marking (beat) --------------------------------------------------------


def _chief_inspectors(division_id: int) -> list[User]:
    return list(User.objects.filter(role=Role.CHIEF_INSPECTOR, division_id=division_id, is_active=True))


def _reminder_message(highlight_return: HighlightReturn, *, final: bool, to: list[str]) -> EmailMultiAlternatives:
    site = site_url()
    context = {
        "highlight_return": highlight_return,
        "final": final,
        "page_url": site + reverse("reports:detail", kwargs={"pk": highlight_return.pk}),
    }
    subject = render_to_string("reports/emails/return_reminder_subject.txt", context).strip()
    body = render_to_string("reports/emails/return_reminder_body.txt", context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(render_to_string("reports/emails/return_reminder_body.html", context), "text/html")
    return message


def returns_send_reminders(*, today: datetime.date | None = None) -> int:
    """On the 5th and the 8th, email each chief inspector whose return due this month is still a
    draft. Each return is claimed with a conditional UPDATE in its own transaction, so running
    twice sends once, and a failed send releases the claim for the retry. Returns emails sent."""
    today = today or timezone.localdate()
    if today.day not in REMINDER_DAYS:
        return 0
    final = today.day == REMINDER_DAYS[-1]
    claim_field = "final_reminder_at" if final else "first_reminder_at"
    due = HighlightReturn.objects.filter(
        status=ReturnStatus.DRAFT, due_date__year=today.year, due_date__month=today.month, **{claim_field: None}
    ).select_related("division")
    sent = 0
    for highlight_return in due:
        with transaction.atomic():
            claimed = HighlightReturn.objects.filter(
                pk=highlight_return.pk, status=ReturnStatus.DRAFT, **{claim_field: None}
            ).update(**{claim_field: timezone.now()})
            if not claimed:
                continue
            chiefs = _chief_inspectors(highlight_return.division_id)
            if chiefs:
                message = _reminder_message(highlight_return, final=final, to=[user.email for user in chiefs])
                sent += get_connection().send_messages([message]) or 0
            names = ", ".join(user.full_name for user in chiefs) or "no chief inspector in post"
            kind = "Final reminder" if final else "Reminder"
            _record(highlight_return, actor=None, verb=ReturnEventVerb.REMINDED, note=f"{kind} emailed to {names}.")
    return sent


def returns_mark_late(*, today: datetime.date | None = None) -> int:
    """Mark every draft past its due date (the 9th) late, once each. Returns how many were marked."""
    today = today or timezone.localdate()
    overdue = HighlightReturn.objects.filter(status=ReturnStatus.DRAFT, due_date__lt=today, marked_late_at=None)
    marked = 0
    for pk, due_date in overdue.values_list("pk", "due_date"):
        with transaction.atomic():
            claimed = HighlightReturn.objects.filter(pk=pk, status=ReturnStatus.DRAFT, marked_late_at=None).update(
                marked_late_at=timezone.now()
            )
            if claimed:
                _record(HighlightReturn(pk=pk), actor=None, verb=ReturnEventVerb.MARKED_LATE,
                        note=f"Not submitted by {_long_date(due_date)}.")  # fmt: skip
                marked += 1
    return marked
