"""A return as one tidy CSV table of its figures."""

import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pact_portal.spreadsheets import safe_value
from reports.document import ReturnDocument
from reports.exports.common import (
    IN_THE_KNOW,
    NEIGHBOURHOOD_GROUPS,
    NEIGHBOURHOOD_UNITS,
    SURVEY_INTERVALS,
    SURVEYS,
    labels_by_key,
    priority_rows,
)

CSV_HEADERS = ["division", "period", "section", "neighbourhood", "measure", "label", "unit", "value", "previous",
               "last_year"]  # fmt: skip


def _csv_rows(figures) -> list[list]:
    labels = labels_by_key(figures)
    rows = [["headline", "", r["key"], _(r["label"]), r["unit"], r["value"], r["previous"], r["last_year"]]
            for r in figures.get("headline", [])]  # fmt: skip
    rows += [["meetings_by_type", "", t["type"], _(t["label"]), "count", t["count"], None, None]
             for t in figures.get("meetings_by_type", [])]  # fmt: skip
    type_labels = {t["type"]: _(t["label"]) for t in figures.get("meetings_by_type", [])}
    for n in figures.get("neighbourhoods", []):
        for _title, keys in NEIGHBOURHOOD_GROUPS:
            rows += [["neighbourhood", n["name"], k, labels.get(k, k), NEIGHBOURHOOD_UNITS.get(k, "count"), n.get(k),
                      None, None] for k in keys]  # fmt: skip
        rows += [["neighbourhood_meetings_by_type", n["name"], t, type_labels.get(t, t), "count", count, None, None]
                 for t, count in n.get("meetings_by_type", {}).items()]  # fmt: skip
    for section, values, measures in (("in_the_know", figures.get("in_the_know"), IN_THE_KNOW),
                                      ("surveys", figures.get("surveys"), SURVEYS)):  # fmt: skip
        rows += [[section, "", k, _(label), unit, (values or {}).get(k), None, None] for k, label, unit in measures
                 if k in (values or {})]  # fmt: skip
    surveys = figures.get("surveys") or {}
    interval_ends = (("lower", gettext_noop("%(measure)s: 95%% confidence interval, lower end")),
                     ("upper", gettext_noop("%(measure)s: 95%% confidence interval, upper end")))  # fmt: skip
    rows += [["surveys", "", f"{key}_{end}", _(words) % {"measure": _(label)}, "percent", value, None, None]
             for key, label in SURVEY_INTERVALS if surveys.get(key)
             for (end, words), value in zip(interval_ends, surveys[key], strict=True)]  # fmt: skip
    representation = figures.get("representation") or {}
    rows += [["representation", "", f"{g['category']}:{g['group']}", g["label"], "index", g["index"], None, None]
             for g in representation.get("most_under_represented", [])]  # fmt: skip
    if "wards_with_population" in representation:
        rows.append(["representation", "", "wards_with_population", _("Wards with population figures"), "count",
                     representation["wards_with_population"], None, None])  # fmt: skip
    # A neighbourhood that recorded no engagement in a month: one row each, so a filter finds them.
    quiet = _("No engagement recorded in %(month)s")
    rows += [["no_engagement", name, f"month:{m['month']}", quiet % {"month": m["label"]}, "flag", 1, None, None]
             for m in figures.get("no_engagement", []) for name in m["neighbourhoods"]]  # fmt: skip
    return rows


def _priority_csv_rows(document: ReturnDocument) -> list[list]:
    sections = {"Pinned as top": "top_priority_pinned", "By residents' evidence": "top_priority_by_evidence",
                "Open longest": "top_priority_by_age"}  # fmt: skip
    return [
        [sections[heading], p.get("neighbourhood", ""), f"priority:{p.get('id', '')}", p.get("title", ""), "residents",
         p.get("residents"), None, None]
        for heading, p in priority_rows(document)
    ]  # fmt: skip


def write_csv(headers, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_value(h) for h in headers])
    writer.writerows([[safe_value(v) for v in row] for row in rows])
    return buffer.getvalue()


def return_csv(*, document: ReturnDocument) -> str:
    """One tidy table of the return's figures: a row per measure (per neighbourhood where it has
    one). The narrative is prose, not figures: it is in the workbook and the PDF."""
    figures = document.figures
    prefix = [figures["division"]["name"], figures["period"]["label"]]
    rows = [*_csv_rows(figures), *_priority_csv_rows(document)]
    return write_csv(CSV_HEADERS, [[*prefix, *row] for row in rows])
