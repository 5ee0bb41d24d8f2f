"""The force roll-up: many divisions' returns for one period side by side, with force totals
where a measure can be added up."""

import io

from openpyxl import Workbook

from reports.exports.common import ADDITIVE_UNITS, DECIMALS, NOT_ADDITIVE, NUMBER_FORMATS, local_date_text
from reports.exports.tabular import write_csv
from reports.exports.workbook import add_sheet


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
        ["Submitted on", "", *((local_date_text(d.highlight_return.submitted_at), "") for d in documents), ("", "")],
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
    add_sheet(book, title="Force roll-up", headers=headers, rows=cells, widths=[40, 9] + [18] * (len(headers) - 2))
    if documents:
        book.properties.title = f"Highlight and headline returns, {documents[0].figures['period']['label']}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rollup_csv(*, documents) -> str:
    headers, rows = rollup_table(documents=documents)
    period = documents[0].figures["period"]["label"] if documents else ""
    return write_csv(["Period", *headers], [[period, row[0], row[1], *(value for value, _ in row[2:])] for row in rows])
