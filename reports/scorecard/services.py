"""Writes for the scorecard's own figures: one row typed in, a CSV import (all rows or none), and
an appeal's outcome. A row that already exists for the same key is replaced, so re-importing a
corrected export fixes the figures instead of doubling them."""

import csv
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import can
from reports.models import AppealOutcome, Campaign, FeedbackMonth, ReachMonth, VolunteerCount, WatchSchemeCount
from reports.scorecard import forms, platforms

# Each kind of figure: its model, its form, and the fields that name one row.
KINDS = {
    "reach": (ReachMonth, forms.ReachMonthForm, forms.ReachMonthForm.row_key),
    "feedback": (FeedbackMonth, forms.FeedbackMonthForm, forms.FeedbackMonthForm.row_key),
    "volunteers": (VolunteerCount, forms.VolunteerCountForm, forms.VolunteerCountForm.row_key),
    "watch": (WatchSchemeCount, forms.WatchSchemeCountForm, forms.WatchSchemeCountForm.row_key),
    "campaigns": (Campaign, forms.CampaignForm, forms.CampaignForm.row_key),
}
MAX_IMPORT_ROWS = 5000


def _check_area(*, actor, cleaned: dict) -> None:
    area = cleaned.get("neighbourhood") or cleaned.get("division")
    if not can(actor, "scorecard.enter_figures", area):
        raise PermissionDenied


@transaction.atomic
def scorecard_figure_record(*, kind: str, actor, cleaned: dict):
    """Save one row of `kind` from a form's cleaned data, replacing the row with the same key."""
    model, _form, key = KINDS[kind]
    _check_area(actor=actor, cleaned=cleaned)
    lookup = {name: cleaned.get(name) for name in key if name in cleaned}
    values = {name: value for name, value in cleaned.items() if name not in lookup}
    row = model.objects.filter(**lookup).first() or model(**lookup)
    for name, value in values.items():
        setattr(row, name, value)
    row.entered_by = actor
    row.entered_at = timezone.now()
    row.full_clean()
    row.save()
    return row


def _rows(upload) -> list[dict]:
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(_("The file is not UTF-8 text; export it again as CSV (UTF-8).")) from error
    reader = csv.DictReader(io.StringIO(text))
    rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader]
    if not rows:
        raise ValidationError(_("The file has no rows under its heading."))
    if len(rows) > MAX_IMPORT_ROWS:
        raise ValidationError(_("The file has more than %(n)s rows; split it.") % {"n": MAX_IMPORT_ROWS})
    return rows


@transaction.atomic
def scorecard_figures_import(*, kind: str, actor, upload, neighbourhoods, divisions=None) -> int:
    """Import a CSV of `kind` (columns named as the entry form's fields; areas by code). Every row
    is checked first: one bad row and nothing is saved, with each bad row's line and reason in
    the ValidationError. Returns the number of rows saved."""
    _model, form_class, _key = KINDS[kind]
    rows = _rows(upload)
    unknown = set(rows[0]) - set(form_class._meta.fields)
    if unknown:
        raise ValidationError(_("Unknown columns: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    checked, problems = [], []
    for line, row in enumerate(rows, start=2):
        form = form_class(data=row, neighbourhoods=neighbourhoods, divisions=divisions)
        if form.is_valid():
            checked.append(form.cleaned_data)
            continue
        for field, errors in form.errors.items():
            where = _("row") if field == "__all__" else field
            problems += [_("Line %(line)s, %(where)s: %(error)s") % {"line": line, "where": where, "error": e}
                         for e in errors]  # fmt: skip
    if problems:
        raise ValidationError(problems)
    for cleaned in checked:
        scorecard_figure_record(kind=kind, actor=actor, cleaned=cleaned)
    return len(checked)


@transaction.atomic
def reach_platform_import(*, actor, upload, export_format: str, neighbourhood, account: str) -> list:
    """Import a platform's own insights export (reports.scorecard.platforms) as one neighbourhood
    account's months, all or nothing. Returns the months saved (platforms.MonthFigures)."""
    if not can(actor, "scorecard.enter_figures", neighbourhood):
        raise PermissionDenied
    chosen = platforms.FORMATS[export_format]
    months = platforms.read_export(upload=upload, export_format=chosen)
    if not months:
        raise ValidationError(_("The file has dates but no figures in any of the columns recognised."))
    key = {"neighbourhood": neighbourhood, "platform": chosen.platform, "account": account}
    for month in months:
        scorecard_figure_record(kind="reach", actor=actor, cleaned=key | {"month": month.month} | month.figures)
    return months


@transaction.atomic
def appeal_outcome_record(*, alert, actor, information_received: bool, arrests: int, closed: bool) -> AppealOutcome:
    """Record (or correct) what an appeal for information produced."""
    if not can(actor, "scorecard.record_appeal_outcome", alert):
        raise PermissionDenied
    outcome = AppealOutcome.objects.filter(alert=alert).first() or AppealOutcome(alert=alert)
    outcome.information_received = information_received
    outcome.arrests = arrests
    outcome.closed = closed
    outcome.recorded_by = actor
    outcome.recorded_at = timezone.now()
    outcome.full_clean()
    outcome.save()
    return outcome
