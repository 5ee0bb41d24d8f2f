"""The figures dict shaped for the return's web pages. Numbers are formatted, and the roll-up
built, by the same functions the exports use, so the page and the PDF never disagree."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reports.exports import change, format_change, format_value, rollup_table
from reports.selectors import HEADLINE_NOTES


def _change(value, before, unit: str) -> dict | None:
    difference = change(value, before, unit)
    if difference is None:
        return None
    direction = "up" if difference > 0 else "down" if difference < 0 else "same"
    return {"text": format_change(value, before, unit), "direction": direction}


def headline_rows(figures: dict) -> list[dict]:
    return [
        {
            "key": row["key"],
            "label": gettext(row["label"]),
            "note": HEADLINE_NOTES.get(row["key"], ""),
            "value": format_value(row.get("value"), row["unit"]),
            "previous": format_value(row.get("previous"), row["unit"]),
            "last_year": format_value(row.get("last_year"), row["unit"]),
            "change_previous": _change(row.get("value"), row.get("previous"), row["unit"]),
            "change_last_year": _change(row.get("value"), row.get("last_year"), row["unit"]),
        }
        for row in figures.get("headline", [])
    ]


NEIGHBOURHOOD_COLUMNS = [
    ("meetings_held", _("Meetings held"), "count"),
    ("multi_agency_meetings", _("Multi-agency"), "count"),
    ("people_in_person", _("People in person"), "count"),
    ("people_online", _("People online"), "count"),
    ("small_meetings", _("Fewer than five"), "count"),
    ("officer_hours", _("Officer hours"), "hours"),
    ("officer_cost", _("Officer cost"), "money"),
    ("priorities_new", _("Priorities new"), "count"),
    ("priorities_agreed", _("Agreed"), "count"),
    ("priorities_resolved", _("Resolved"), "count"),
    ("priorities_signed_off", _("Signed off"), "count"),
    ("priorities_escalated", _("Escalated"), "count"),
    ("overdue_actions", _("Overdue actions"), "count"),
    ("members_total", _("ITK members"), "count"),
    ("members_new", _("New members"), "count"),
    ("field_sign_ups", _("Field sign-ups"), "count"),
    ("unsubscribes", _("Unsubscribes"), "count"),
]


def neighbourhood_rows(figures: dict) -> list[dict]:
    return [
        {"name": row["name"], "cells": [format_value(row.get(key), unit) for key, _l, unit in NEIGHBOURHOOD_COLUMNS]}
        for row in figures.get("neighbourhoods", [])
    ]


def rollup_rows(documents) -> list[dict]:
    """One row per measure, one cell per division, and the force total where it adds up."""
    if not documents:
        return []
    _headers, rows = rollup_table(documents=documents)
    # The table opens with status rows (no unit); the page shows status in its column headings.
    measures = [row for row in rows if row[1]]
    return [
        {
            "label": row[0],
            "cells": [format_value(value, unit) for value, unit in row[2:-1]],
            "total": format_value(*row[-1]),
        }
        for row in measures
    ]
