"""What every format of a return shows: its measures, numbers as words and as spreadsheet
values, dates, status and the lists of top priorities."""

import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop

from reports.document import ReturnDocument

NO_FIGURE = "—"
# A ratio (cost per person) or a percentage cannot be added up across divisions, and their average
# would weight a small division like a large one: a ratio whose parts are in the figures is worked
# out again from the force's totals (RATIOS), a percentage has no force total.
ADDITIVE_UNITS = frozenset({"count", "hours", "money"})
NOT_ADDITIVE = frozenset({"cost_per_person"})
# Ratio measure → (numerator measure, denominator measures added together), as reports.selectors computes it.
RATIOS = {"cost_per_person": ("officer_cost", ("people_in_person", "people_online"))}
DECIMALS = {"count": 0, "hours": 1, "money": 2, "percent": 1}
NUMBER_FORMATS = {"count": "#,##0", "hours": "#,##0.0", "money": '"£"#,##0.00', "percent": '0.0"%"'}
CHANGE_FORMATS = {
    "count": "+#,##0;-#,##0;0",
    "hours": "+#,##0.0;-#,##0.0;0.0",
    "money": '+"£"#,##0.00;-"£"#,##0.00;"£"0.00',
    "percent": '+0.0" pts";-0.0" pts";0.0" pts"',
}

NEIGHBOURHOOD_GROUPS = (
    (
        gettext_noop("Meetings and people reached"),
        ("meetings_held", "multi_agency_meetings", "small_meetings", "people_in_person", "people_online",
         "officer_hours", "officer_cost"),
    ),
    (
        gettext_noop("Priorities"),
        ("priorities_new", "priorities_agreed", "priorities_resolved", "priorities_signed_off",
         "priorities_escalated", "overdue_actions"),
    ),
    (gettext_noop("In the Know"), ("members_total", "members_new", "field_sign_ups", "unsubscribes")),
)  # fmt: skip
NEIGHBOURHOOD_UNITS = {"officer_hours": "hours", "officer_cost": "money"}
IN_THE_KNOW = (
    ("members_total", gettext_noop("Members"), "count"),
    ("members_new", gettext_noop("New members"), "count"),
    ("field_sign_ups", gettext_noop("Signed up in the field"), "count"),
    ("unsubscribes", gettext_noop("Unsubscribed"), "count"),
    ("conversion_percent", gettext_noop("Conversion"), "percent"),
    ("alerts_sent", gettext_noop("Alerts sent"), "count"),
    ("messages_delivered", gettext_noop("Messages delivered"), "count"),
    ("open_percent", gettext_noop("Emails opened"), "percent"),
    ("click_percent", gettext_noop("Emails with a link followed"), "percent"),
)
SURVEYS = (
    ("responses", gettext_noop("Survey responses"), "count"),
    ("confidence_percent", gettext_noop("Police doing a good or excellent job"), "percent"),
    ("safe_after_dark_percent", gettext_noop("Feel very or fairly safe after dark"), "percent"),
    ("safe_day_percent", gettext_noop("Feel very or fairly safe during the day"), "percent"),
)
# Each survey share's 95% confidence interval (a [lower, upper] pair in the figures), for the CSV.
SURVEY_INTERVALS = (
    ("confidence_interval", gettext_noop("Police doing a good or excellent job")),
    ("safe_after_dark_interval", gettext_noop("Feel very or fairly safe after dark")),
    ("safe_day_interval", gettext_noop("Feel very or fairly safe during the day")),
)
# Measures drawn side by side: each chart keeps to one kind of number, so one scale fits.
CHARTS = (
    (gettext_noop("Meetings"), ("meetings_held", "multi_agency_meetings", "small_meetings")),
    (gettext_noop("People reached"), ("people_in_person", "people_online")),
    (gettext_noop("Priorities"), ("priorities_new", "priorities_agreed", "priorities_resolved", "priorities_signed_off",
                    "priorities_escalated")),
)  # fmt: skip


# ---------------------------------------------------------------- numbers as words and cells


def format_value(value, unit: str) -> str:
    if value is None:
        return NO_FIGURE
    if unit == "money":
        return f"£{value:,.2f}"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "hours":
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def change(value, base, unit: str):
    if value is None or base is None:
        return None
    difference = round(value - base, DECIMALS.get(unit, 1))
    return int(difference) if unit == "count" else difference


def format_change(value, base, unit: str) -> str:
    difference = change(value, base, unit)
    if difference is None:
        return NO_FIGURE
    sign = "+" if difference > 0 else "−" if difference < 0 else ""
    text = sign + format_value(abs(difference), unit).removesuffix("%")
    if unit == "percent":
        return text + " pts"
    if base and difference:
        text += f" ({sign}{abs(difference) / abs(base):.0%})"
    return text


def iso_date(text):
    return datetime.date.fromisoformat(text) if text else None


def period_dates(period) -> str:
    start, end = iso_date(period["start"]), iso_date(period["end"])
    return f"{date_format(start, 'j F Y')} to {date_format(end, 'j F Y')}"


def local_date_text(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y") if moment else ""


# ---------------------------------------------------------------- what every format shows


def status_text(highlight_return) -> str:
    if highlight_return.is_submitted:
        who = str(highlight_return.submitted_by) if highlight_return.submitted_by_id else gettext("an unknown user")
        return gettext("Submitted by %(who)s on %(date)s") % {
            "who": who,
            "date": local_date_text(highlight_return.submitted_at),
        }
    return gettext("Draft")


def late_text(highlight_return) -> str:
    if not highlight_return.is_late:
        return ""
    due = date_format(highlight_return.due_date, "j F Y")
    if highlight_return.is_submitted:
        return gettext("Submitted late: it was due on %(due)s.") % {"due": due}
    return gettext("Late: it was due on %(due)s.") % {"due": due}


def labels_by_key(figures) -> dict[str, str]:
    return {row["key"]: gettext(row["label"]) for row in figures.get("headline", [])}


def headline_row(figures, key):
    return next((row for row in figures.get("headline", []) if row["key"] == key), None)


def priority_rows(document: ReturnDocument) -> list[tuple[str, dict]]:
    """(heading, priority) pairs. The heading stays in English (the CSV keys its sections by it);
    the workbook and the printout translate it when they show it."""
    top = document.figures.get("top_priorities") or {}
    return [
        *((gettext_noop("Pinned as top"), p) for p in document.pinned),
        *((gettext_noop("By residents' evidence"), p) for p in top.get("by_evidence", [])),
        *((gettext_noop("Open longest"), p) for p in top.get("by_age", [])),
    ]


def category_text(priority: dict) -> str:
    return priority.get("category_label") or priority.get("category") or ""
