"""A return as a workbook: one sheet per part, numbers stored as numbers with their formats."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from pact_portal.spreadsheets import safe_value
from reports.document import ReturnDocument
from reports.exports.common import (
    CHANGE_FORMATS,
    NEIGHBOURHOOD_GROUPS,
    NEIGHBOURHOOD_UNITS,
    NUMBER_FORMATS,
    SURVEYS,
    category_text,
    change,
    iso_date,
    labels_by_key,
    late_text,
    priority_rows,
    status_text,
)

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def add_sheet(book, *, title: str, headers: list, rows: list[list], widths: list[int]):
    """A sheet with a bold, frozen header row. A row's cell may be (value, number_format)."""
    sheet = book.create_sheet(title)
    sheet.append([safe_value(h) for h in headers])
    for cell in sheet[1]:
        cell.font = BOLD
        cell.alignment = WRAP
    for row in rows:
        sheet.append([safe_value(v[0] if isinstance(v, tuple) else v) for v in row])
        for cell, value in zip(sheet[sheet.max_row], row, strict=False):
            if isinstance(value, tuple) and value[1]:
                cell.number_format = value[1]
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return sheet


def _headline_sheet(book, figures):
    rows = [
        [
            _(row["label"]),
            (row["value"], NUMBER_FORMATS.get(row["unit"])),
            (row["previous"], NUMBER_FORMATS.get(row["unit"])),
            (change(row["value"], row["previous"], row["unit"]), CHANGE_FORMATS.get(row["unit"])),
            (row["last_year"], NUMBER_FORMATS.get(row["unit"])),
            (change(row["value"], row["last_year"], row["unit"]), CHANGE_FORMATS.get(row["unit"])),
        ]
        for row in figures.get("headline", [])
    ]
    headers = [
        _("Measure"),
        _("This period (%(label)s)") % {"label": figures["period"]["label"]},
        _("Previous period (%(label)s)") % {"label": figures.get("previous_period", {}).get("label", "")},
        _("Change on previous period"),
        _("Same period last year (%(label)s)") % {"label": figures.get("last_year_period", {}).get("label", "")},
        _("Change on last year"),
    ]
    add_sheet(book, title=_("Headline"), headers=headers, rows=rows, widths=[34, 20, 22, 16, 24, 16])


def _neighbourhoods_sheet(book, figures):
    labels = labels_by_key(figures)
    keys = [key for _title, group in NEIGHBOURHOOD_GROUPS for key in group]
    types = figures.get("meetings_by_type", [])
    headers = [
        _("Neighbourhood"),
        *(labels.get(k, k) for k in keys),
        *(_("Meetings: %(type)s") % {"type": _(t["label"])} for t in types),
    ]
    rows = [
        [
            n["name"],
            *((n.get(k), NUMBER_FORMATS[NEIGHBOURHOOD_UNITS.get(k, "count")]) for k in keys),
            *((n.get("meetings_by_type", {}).get(t["type"], 0), NUMBER_FORMATS["count"]) for t in types),
        ]
        for n in figures.get("neighbourhoods", [])
    ]
    add_sheet(book, title=_("Neighbourhoods"), headers=headers, rows=rows, widths=[26] + [14] * (len(headers) - 1))


def _meetings_by_type_sheet(book, figures):
    rows = [[_(t["label"]), (t["count"], NUMBER_FORMATS["count"])] for t in figures.get("meetings_by_type", [])]
    headers = [_("Type of meeting"), _("Meetings held")]
    add_sheet(book, title=_("Meetings by type"), headers=headers, rows=rows, widths=[44, 16])


def _no_engagement_sheet(book, figures):
    """HMIC: every neighbourhood engages every month. One row per quiet neighbourhood and month; a
    month in which every neighbourhood engaged says so, rather than leaving the reader to guess."""
    if "no_engagement" not in figures:
        rows = [[_("Not recorded for this return"), ""]]
    else:
        rows = [
            [month["label"], name]
            for month in figures["no_engagement"]
            for name in (month["neighbourhoods"] or [_("none: every neighbourhood engaged")])
        ]
    headers = [_("Month"), _("Neighbourhood")]
    add_sheet(book, title=_("No engagement"), headers=headers, rows=rows, widths=[18, 40])


# Each share of the surveys section, with the key its interval and its change are kept under.
SURVEY_NAMES = {"confidence_percent": "confidence", "safe_after_dark_percent": "safe_after_dark",
                "safe_day_percent": "safe_day"}  # fmt: skip


def _surveys_sheet(book, figures):
    """The survey shares as the HTML return shows them: each with its 95% confidence interval and
    the change since the previous period in words (whether it could be chance)."""
    surveys = figures.get("surveys") or {}
    percent = NUMBER_FORMATS["percent"]
    rows = [[_("Survey responses"), (surveys.get("responses"), NUMBER_FORMATS["count"]), None, None, ""]]
    for key, label, _unit in SURVEYS:
        name = SURVEY_NAMES.get(key)
        if name is None:
            continue
        interval = surveys.get(f"{name}_interval") or [None, None]
        change_words = (surveys.get("changes") or {}).get(name, "")
        if surveys.get("suppressed"):
            change_words = _("Too few responses to show without risking identifying people")
        rows.append(
            [_(label), (surveys.get(key), percent), (interval[0], percent), (interval[1], percent), change_words]
        )
    headers = [_("Measure"), _("Share"), _("95% confidence interval, lower"), _("95% confidence interval, upper"),
               _("Change since the previous period")]  # fmt: skip
    sheet = add_sheet(book, title=_("Surveys"), headers=headers, rows=rows, widths=[40, 12, 16, 16, 90])
    for row in sheet.iter_rows(min_row=2):
        row[4].alignment = WRAP


def _priorities_sheet(book, document):
    rows = [
        [
            _(heading),
            p.get("title", ""),
            p.get("neighbourhood", ""),
            category_text(p),
            p.get("state_label", ""),
            (p.get("residents"), NUMBER_FORMATS["count"]),
            (iso_date(p.get("opened")), "d mmm yyyy"),
            (p.get("age_days"), NUMBER_FORMATS["count"]),
        ]
        for heading, p in priority_rows(document)
    ]
    headers = [
        _("List"),
        _("Priority"),
        _("Neighbourhood"),
        _("Category"),
        _("State"),
        _("Residents"),
        _("Opened"),
        _("Age (days)"),
    ]
    add_sheet(book, title=_("Top priorities"), headers=headers, rows=rows, widths=[22, 44, 20, 24, 16, 11, 13, 11])


def _narrative_sheet(book, document):
    sheet = add_sheet(
        book,
        title=_("Narrative"),
        headers=[_("Section"), _("Text")],
        rows=[[section.title, section.text] for section in document.narrative],
        widths=[28, 100],
    )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP


def _about_rows(document: ReturnDocument) -> list[list]:
    figures, highlight_return = document.figures, document.highlight_return
    return [
        [_("Division"), figures["division"]["name"]],
        [_("Period"), figures["period"]["label"]],
        [_("Period start"), (iso_date(figures["period"]["start"]), "d mmm yyyy")],
        [_("Period end"), (iso_date(figures["period"]["end"]), "d mmm yyyy")],
        [_("Due"), (highlight_return.due_date, "d mmm yyyy")],
        [_("Status"), status_text(highlight_return)],
        [_("Late"), late_text(highlight_return) or _("No")],
        [_("Figures changed since submission"), _("Yes") if document.data_changed else _("No")],
    ]


def return_xlsx(*, document: ReturnDocument) -> bytes:
    figures = document.figures
    book = Workbook()
    book.remove(book.active)
    _headline_sheet(book, figures)
    _neighbourhoods_sheet(book, figures)
    _meetings_by_type_sheet(book, figures)
    _no_engagement_sheet(book, figures)
    _surveys_sheet(book, figures)
    _priorities_sheet(book, document)
    _narrative_sheet(book, document)
    add_sheet(book, title=_("Return"), headers=["", ""], rows=_about_rows(document), widths=[34, 60])
    book.properties.title = (
        _("%(division)s highlight and headline return, %(period)s")
        % {"division": figures["division"]["name"], "period": figures["period"]["label"]}
    )[:250]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
