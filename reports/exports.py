"""A return as a printable page, a PDF, a workbook and a CSV file, and the force roll-up of many
returns as a workbook and a CSV file.

Everything here reads a ReturnDocument (reports/document.py) and nothing else, so a submitted
return prints exactly the figures it was signed with. Nothing here runs a query, as long as the
caller selected the return's submitter with it (the division's name comes from the figures).
"""

import csv
import datetime
import io
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reports import charts
from reports.document import ReturnDocument
from surveys.exports import safe_cell

NO_FIGURE = "—"
# A ratio (cost per person) or a percentage has no force total: adding the divisions' ones up
# would be wrong, and their average would weight a small division like a large one.
ADDITIVE_UNITS = frozenset({"count", "hours", "money"})
NOT_ADDITIVE = frozenset({"cost_per_person"})
DECIMALS = {"count": 0, "hours": 1, "money": 2, "percent": 1}
NUMBER_FORMATS = {"count": "#,##0", "hours": "#,##0.0", "money": '"£"#,##0.00', "percent": '0.0"%"'}
CHANGE_FORMATS = {
    "count": "+#,##0;-#,##0;0",
    "hours": "+#,##0.0;-#,##0.0;0.0",
    "money": '+"£"#,##0.00;-"£"#,##0.00;"£"0.00',
    "percent": '+0.0" pts";-0.0" pts";0.0" pts"',
}
# Excel refuses a cell longer than this.
CELL_LIMIT = 32_767

NEIGHBOURHOOD_GROUPS = (
    (
        "Meetings and people reached",
        ("meetings_held", "multi_agency_meetings", "small_meetings", "people_in_person", "people_online",
         "officer_hours", "officer_cost"),
    ),
    (
        "Priorities",
        ("priorities_new", "priorities_agreed", "priorities_resolved", "priorities_signed_off",
         "priorities_escalated", "overdue_actions"),
    ),
    ("In the Know", ("members_total", "members_new", "field_sign_ups", "unsubscribes")),
)  # fmt: skip
NEIGHBOURHOOD_UNITS = {"officer_hours": "hours", "officer_cost": "money"}
IN_THE_KNOW = (
    ("members_total", "Members", "count"),
    ("members_new", "New members", "count"),
    ("field_sign_ups", "Signed up in the field", "count"),
    ("unsubscribes", "Unsubscribed", "count"),
    ("conversion_percent", "Conversion", "percent"),
    ("alerts_sent", "Alerts sent", "count"),
    ("messages_delivered", "Messages delivered", "count"),
    ("open_percent", "Emails opened", "percent"),
    ("click_percent", "Emails with a link followed", "percent"),
)
SURVEYS = (
    ("responses", "Survey responses", "count"),
    ("confidence_percent", "Police doing a good or excellent job", "percent"),
    ("safe_after_dark_percent", "Feel very or fairly safe after dark", "percent"),
    ("safe_day_percent", "Feel very or fairly safe during the day", "percent"),
)
# Measures drawn side by side: each chart keeps to one kind of number, so one scale fits.
CHARTS = (
    ("Meetings", ("meetings_held", "multi_agency_meetings", "small_meetings")),
    ("People reached", ("people_in_person", "people_online")),
    ("Priorities", ("priorities_new", "priorities_agreed", "priorities_resolved", "priorities_signed_off",
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


def _cell(value):
    """A value a spreadsheet will show as typed: no formula, no characters Excel cannot store."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(value) > CELL_LIMIT:
            value = value[: CELL_LIMIT - 1] + "…"
        return safe_cell(value)
    return value


def _iso_date(text):
    return datetime.date.fromisoformat(text) if text else None


def _period_dates(period) -> str:
    start, end = _iso_date(period["start"]), _iso_date(period["end"])
    return f"{date_format(start, 'j F Y')} to {date_format(end, 'j F Y')}"


def _local_date_text(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y") if moment else ""


# ---------------------------------------------------------------- what every format shows


def status_text(highlight_return) -> str:
    if highlight_return.is_submitted:
        who = str(highlight_return.submitted_by) if highlight_return.submitted_by_id else "an unknown user"
        return f"Submitted by {who} on {_local_date_text(highlight_return.submitted_at)}"
    return "Draft"


def late_text(highlight_return) -> str:
    if not highlight_return.is_late:
        return ""
    due = date_format(highlight_return.due_date, "j F Y")
    if highlight_return.is_submitted:
        return f"Submitted late: it was due on {due}."
    return f"Late: it was due on {due}."


def _labels(figures) -> dict[str, str]:
    return {row["key"]: row["label"] for row in figures.get("headline", [])}


def _headline(figures, key):
    return next((row for row in figures.get("headline", []) if row["key"] == key), None)


def _priority_rows(document: ReturnDocument) -> list[tuple[str, dict]]:
    top = document.figures.get("top_priorities") or {}
    return [
        *(("Pinned as top", p) for p in document.pinned),
        *(("By residents' evidence", p) for p in top.get("by_evidence", [])),
        *(("Open longest", p) for p in top.get("by_age", [])),
    ]


def _category(priority: dict) -> str:
    return priority.get("category_label") or priority.get("category") or ""


# ---------------------------------------------------------------- printable page and PDF


def _headline_rows(figures) -> list[dict]:
    return [
        {
            "label": row["label"],
            "value": format_value(row["value"], row["unit"]),
            "previous": format_value(row["previous"], row["unit"]),
            "change": format_change(row["value"], row["previous"], row["unit"]),
            "last_year": format_value(row["last_year"], row["unit"]),
            "change_last_year": format_change(row["value"], row["last_year"], row["unit"]),
        }
        for row in figures.get("headline", [])
    ]


def _charts(figures) -> list:
    series = [
        figures["period"]["label"],
        figures.get("previous_period", {}).get("label", "Previous period"),
        figures.get("last_year_period", {}).get("label", "Same period last year"),
    ]
    drawn = []
    for title, keys in CHARTS:
        rows = [row for key in keys if (row := _headline(figures, key))]
        if rows:
            groups = [(row["label"], [row["value"], row["previous"], row["last_year"]]) for row in rows]
            drawn.append(
                charts.grouped_bar_chart(
                    title=title, series=series, groups=groups, plot_height=90, scale_each_group=True
                )
            )
    return drawn


def _neighbourhood_tables(figures) -> list[dict]:
    labels = _labels(figures)
    neighbourhoods = figures.get("neighbourhoods", [])
    tables = [
        {
            "title": title,
            "headers": [labels.get(key, key) for key in keys],
            "rows": [
                (n["name"], [format_value(n.get(key), NEIGHBOURHOOD_UNITS.get(key, "count")) for key in keys])
                for n in neighbourhoods
            ],
        }
        for title, keys in NEIGHBOURHOOD_GROUPS
    ]
    # Only the kinds of meeting the division held: eleven mostly empty columns would not fit A4.
    held = [t for t in figures.get("meetings_by_type", []) if t["count"]]
    if held:
        tables.insert(
            1,
            {
                "title": "Meetings held by type, per neighbourhood",
                "headers": [t["label"] for t in held],
                "rows": [
                    (n["name"], [format_value(n.get("meetings_by_type", {}).get(t["type"], 0), "count") for t in held])
                    for n in neighbourhoods
                ],
            },
        )
    return tables


def _measure_rows(values: dict, measures) -> list[tuple[str, str]]:
    return [(label, format_value(values.get(key), unit)) for key, label, unit in measures if key in values]


def _print_context(document: ReturnDocument) -> dict:
    figures = document.figures
    by_type = figures.get("meetings_by_type", [])
    return {
        "document": document,
        "figures": figures,
        "highlight_return": document.highlight_return,
        "period_dates": _period_dates(figures["period"]),
        "status": status_text(document.highlight_return),
        "late": late_text(document.highlight_return),
        "headline_rows": _headline_rows(figures),
        "headline_charts": _charts(figures),
        "meetings_by_type": [(t["label"], format_value(t["count"], "count")) for t in by_type],
        "meetings_by_type_chart": charts.bar_chart(
            title="Meetings held by type", items=[(t["label"], t["count"]) for t in by_type]
        )
        if by_type
        else "",
        "neighbourhood_tables": _neighbourhood_tables(figures),
        "priority_lists": _priority_lists(document),
        "in_the_know": _measure_rows(figures.get("in_the_know") or {}, IN_THE_KNOW),
        "surveys": figures.get("surveys"),
        "survey_rows": _measure_rows(figures.get("surveys") or {}, SURVEYS),
        "representation": figures.get("representation"),
        "printed_at": timezone.localtime(),
    }


def _priority_lists(document: ReturnDocument) -> list[dict]:
    lists: dict[str, list] = {}
    for heading, priority in _priority_rows(document):
        lists.setdefault(heading, []).append({**priority, "category_text": _category(priority)})
    return [{"heading": heading, "priorities": priorities} for heading, priorities in lists.items()]


def return_print_html(*, document: ReturnDocument, request=None) -> str:
    """The whole return as one A4 page with nothing to fetch: styles and charts are inline."""
    return render_to_string("reports/print.html", _print_context(document), request=request)


def _static_base() -> Path:
    return Path(settings.BASE_DIR) / "static"


def _static_only_fetcher():
    from weasyprint.urls import URLFetcher

    allowed = _static_base().as_uri() + "/"

    class StaticOnlyFetcher(URLFetcher):
        # The page is self-contained; refusing everything but our static folder means no text on
        # it could ever make the server fetch a URL or read a file elsewhere.
        def fetch(self, url, headers=None):
            if not url.startswith(allowed):
                raise ValueError(f"Not fetched when printing a return: {url}")
            return super().fetch(url, headers)

    return StaticOnlyFetcher(allowed_protocols=("file",))


def return_pdf(*, document: ReturnDocument) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, which no other page needs.
    from weasyprint import HTML

    html = return_print_html(document=document)
    base_url = _static_base().as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=_static_only_fetcher()).write_pdf()


# ---------------------------------------------------------------- workbook


BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _add_sheet(book, *, title: str, headers: list, rows: list[list], widths: list[int]):
    """A sheet with a bold, frozen header row. A row's cell may be (value, number_format)."""
    sheet = book.create_sheet(title)
    sheet.append([_cell(h) for h in headers])
    for cell in sheet[1]:
        cell.font = BOLD
        cell.alignment = WRAP
    for row in rows:
        sheet.append([_cell(v[0] if isinstance(v, tuple) else v) for v in row])
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
            row["label"],
            (row["value"], NUMBER_FORMATS.get(row["unit"])),
            (row["previous"], NUMBER_FORMATS.get(row["unit"])),
            (change(row["value"], row["previous"], row["unit"]), CHANGE_FORMATS.get(row["unit"])),
            (row["last_year"], NUMBER_FORMATS.get(row["unit"])),
            (change(row["value"], row["last_year"], row["unit"]), CHANGE_FORMATS.get(row["unit"])),
        ]
        for row in figures.get("headline", [])
    ]
    headers = [
        "Measure",
        f"This period ({figures['period']['label']})",
        f"Previous period ({figures.get('previous_period', {}).get('label', '')})",
        "Change on previous period",
        f"Same period last year ({figures.get('last_year_period', {}).get('label', '')})",
        "Change on last year",
    ]
    _add_sheet(book, title="Headline", headers=headers, rows=rows, widths=[34, 20, 22, 16, 24, 16])


def _neighbourhoods_sheet(book, figures):
    labels = _labels(figures)
    keys = [key for _, group in NEIGHBOURHOOD_GROUPS for key in group]
    types = figures.get("meetings_by_type", [])
    headers = ["Neighbourhood", *(labels.get(k, k) for k in keys), *(f"Meetings: {t['label']}" for t in types)]
    rows = [
        [
            n["name"],
            *((n.get(k), NUMBER_FORMATS[NEIGHBOURHOOD_UNITS.get(k, "count")]) for k in keys),
            *((n.get("meetings_by_type", {}).get(t["type"], 0), NUMBER_FORMATS["count"]) for t in types),
        ]
        for n in figures.get("neighbourhoods", [])
    ]
    _add_sheet(book, title="Neighbourhoods", headers=headers, rows=rows, widths=[26] + [14] * (len(headers) - 1))


def _meetings_by_type_sheet(book, figures):
    rows = [[t["label"], (t["count"], NUMBER_FORMATS["count"])] for t in figures.get("meetings_by_type", [])]
    _add_sheet(book, title="Meetings by type", headers=["Type of meeting", "Meetings held"], rows=rows, widths=[44, 16])


def _priorities_sheet(book, document):
    rows = [
        [
            heading,
            p.get("title", ""),
            p.get("neighbourhood", ""),
            _category(p),
            p.get("state_label", ""),
            (p.get("residents"), NUMBER_FORMATS["count"]),
            (_iso_date(p.get("opened")), "d mmm yyyy"),
            (p.get("age_days"), NUMBER_FORMATS["count"]),
        ]
        for heading, p in _priority_rows(document)
    ]
    headers = ["List", "Priority", "Neighbourhood", "Category", "State", "Residents", "Opened", "Age (days)"]
    _add_sheet(book, title="Top priorities", headers=headers, rows=rows, widths=[22, 44, 20, 24, 16, 11, 13, 11])


def _narrative_sheet(book, document):
    sheet = _add_sheet(
        book,
        title="Narrative",
        headers=["Section", "Text"],
        rows=[[section.title, section.text] for section in document.narrative],
        widths=[28, 100],
    )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP


def _about_rows(document: ReturnDocument) -> list[list]:
    figures, highlight_return = document.figures, document.highlight_return
    return [
        ["Division", figures["division"]["name"]],
        ["Period", figures["period"]["label"]],
        ["Period start", (_iso_date(figures["period"]["start"]), "d mmm yyyy")],
        ["Period end", (_iso_date(figures["period"]["end"]), "d mmm yyyy")],
        ["Due", (highlight_return.due_date, "d mmm yyyy")],
        ["Status", status_text(highlight_return)],
        ["Late", late_text(highlight_return) or "No"],
        ["Figures changed since submission", "Yes" if document.data_changed else "No"],
    ]


def return_xlsx(*, document: ReturnDocument) -> bytes:
    figures = document.figures
    book = Workbook()
    book.remove(book.active)
    _headline_sheet(book, figures)
    _neighbourhoods_sheet(book, figures)
    _meetings_by_type_sheet(book, figures)
    _priorities_sheet(book, document)
    _narrative_sheet(book, document)
    _add_sheet(book, title="Return", headers=["", ""], rows=_about_rows(document), widths=[34, 60])
    book.properties.title = (
        f"{figures['division']['name']} highlight and headline return, {figures['period']['label']}"[:250]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- CSV


CSV_HEADERS = ["division", "period", "section", "neighbourhood", "measure", "label", "unit", "value", "previous",
               "last_year"]  # fmt: skip


def _csv_rows(figures) -> list[list]:
    labels = _labels(figures)
    rows = [["headline", "", r["key"], r["label"], r["unit"], r["value"], r["previous"], r["last_year"]]
            for r in figures.get("headline", [])]  # fmt: skip
    rows += [["meetings_by_type", "", t["type"], t["label"], "count", t["count"], None, None]
             for t in figures.get("meetings_by_type", [])]  # fmt: skip
    type_labels = {t["type"]: t["label"] for t in figures.get("meetings_by_type", [])}
    for n in figures.get("neighbourhoods", []):
        for _, keys in NEIGHBOURHOOD_GROUPS:
            rows += [["neighbourhood", n["name"], k, labels.get(k, k), NEIGHBOURHOOD_UNITS.get(k, "count"), n.get(k),
                      None, None] for k in keys]  # fmt: skip
        rows += [["neighbourhood_meetings_by_type", n["name"], t, type_labels.get(t, t), "count", count, None, None]
                 for t, count in n.get("meetings_by_type", {}).items()]  # fmt: skip
    for section, values, measures in (("in_the_know", figures.get("in_the_know"), IN_THE_KNOW),
                                      ("surveys", figures.get("surveys"), SURVEYS)):  # fmt: skip
        rows += [[section, "", k, label, unit, (values or {}).get(k), None, None] for k, label, unit in measures
                 if k in (values or {})]  # fmt: skip
    representation = figures.get("representation") or {}
    rows += [["representation", "", f"{g['category']}:{g['group']}", g["label"], "index", g["index"], None, None]
             for g in representation.get("most_under_represented", [])]  # fmt: skip
    if "wards_with_population" in representation:
        rows.append(["representation", "", "wards_with_population", "Wards with population figures", "count",
                     representation["wards_with_population"], None, None])  # fmt: skip
    return rows


def _priority_csv_rows(document: ReturnDocument) -> list[list]:
    sections = {"Pinned as top": "top_priority_pinned", "By residents' evidence": "top_priority_by_evidence",
                "Open longest": "top_priority_by_age"}  # fmt: skip
    return [
        [sections[heading], p.get("neighbourhood", ""), f"priority:{p.get('id', '')}", p.get("title", ""), "residents",
         p.get("residents"), None, None]
        for heading, p in _priority_rows(document)
    ]  # fmt: skip


def _write_csv(headers, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_cell(h) for h in headers])
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return buffer.getvalue()


def return_csv(*, document: ReturnDocument) -> str:
    """One tidy table of the return's figures: a row per measure (per neighbourhood where it has
    one). The narrative is prose, not figures: it is in the workbook and the PDF."""
    figures = document.figures
    prefix = [figures["division"]["name"], figures["period"]["label"]]
    rows = [*_csv_rows(figures), *_priority_csv_rows(document)]
    return _write_csv(CSV_HEADERS, [[*prefix, *row] for row in rows])


# ---------------------------------------------------------------- force roll-up


def _same_period(documents) -> None:
    periods = {(d.figures["period"]["kind"], d.figures["period"]["start"]) for d in documents}
    if len(periods) > 1:
        raise ValueError("A roll-up puts returns of one period side by side.")


def _force_total(key, unit, values):
    if unit not in ADDITIVE_UNITS or key in NOT_ADDITIVE:
        return None
    present = [v for v in values if v is not None]
    if not present:
        return None
    return round(sum(present), DECIMALS[unit])


def _rollup_status(highlight_return) -> str:
    if highlight_return.pk is None:
        # A division with no return for the period: the roll-up shows its live figures anyway.
        return "No return yet"
    return "Submitted" if highlight_return.is_submitted else "Draft"


def rollup_table(*, documents) -> tuple[list[str], list[list]]:
    """Rows of (measure, unit, one value per division, force total); the total is None where the
    measure cannot be added up. Each value cell is (value, unit) so callers can format it."""
    _same_period(documents)
    headers = ["Measure", "Unit", *(d.figures["division"]["name"] for d in documents), "Force total"]
    status = [
        ["Status", "", *((_rollup_status(d.highlight_return), "") for d in documents), ("", "")],
        ["Submitted on", "", *((_local_date_text(d.highlight_return.submitted_at), "") for d in documents), ("", "")],
        ["Late", "", *(("Yes" if d.highlight_return.is_late else "No", "") for d in documents), ("", "")],
        ["Figures changed since submission", "", *(("Yes" if d.data_changed else "No", "") for d in documents),
         ("", "")],
    ]  # fmt: skip
    keyed = [{row["key"]: row for row in d.figures.get("headline", [])} for d in documents]
    order = documents[0].figures.get("headline", []) if documents else []
    measures = []
    for first in order:
        key, unit = first["key"], first["unit"]
        values = [rows.get(key, {}).get("value") for rows in keyed]
        measures.append([first["label"], unit, *((v, unit) for v in values), (_force_total(key, unit, values), unit)])
    type_counts = [{t["type"]: t["count"] for t in d.figures.get("meetings_by_type", [])} for d in documents]
    for t in documents[0].figures.get("meetings_by_type", []) if documents else []:
        values = [counts.get(t["type"]) for counts in type_counts]
        measures.append([f"Meetings: {t['label']}", "count", *((v, "count") for v in values),
                         (_force_total(t["type"], "count", values), "count")])  # fmt: skip
    return headers, status + measures


def rollup_xlsx(*, documents) -> bytes:
    headers, rows = rollup_table(documents=documents)
    cells = [[row[0], row[1], *((value, NUMBER_FORMATS.get(unit)) for value, unit in row[2:])] for row in rows]
    book = Workbook()
    book.remove(book.active)
    _add_sheet(book, title="Force roll-up", headers=headers, rows=cells, widths=[40, 9] + [18] * (len(headers) - 2))
    if documents:
        book.properties.title = f"Highlight and headline returns, {documents[0].figures['period']['label']}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rollup_csv(*, documents) -> str:
    headers, rows = rollup_table(documents=documents)
    period = documents[0].figures["period"]["label"] if documents else ""
    return _write_csv(
        ["Period", *headers], [[period, row[0], row[1], *(value for value, _ in row[2:])] for row in rows]
    )
