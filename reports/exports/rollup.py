"""The force roll-up: many divisions' returns for one period side by side, with force totals
where a measure can be added up."""

import io
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook

from reports.exports.common import (
    ADDITIVE_UNITS,
    DECIMALS,
    NOT_ADDITIVE,
    NUMBER_FORMATS,
    RATIOS,
    local_date_text,
)
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


def _force_ratio(key, unit, keyed) -> float | None:
    """A ratio's force total from the force's totals of its parts, as each division's is from its own
    (reports.selectors: rounded half up); None if a part is missing or nobody was reached."""
    numerator, denominators = RATIOS[key]
    parts = [[rows.get(part, {}).get("value") for rows in keyed] for part in (numerator, *denominators)]
    if any(value is None for values in parts for value in values):
        return None
    top, bottom = Decimal(str(sum(parts[0]))), sum(sum(values) for values in parts[1:])
    if not bottom:
        return None
    places = Decimal(1).scaleb(-DECIMALS[unit])
    return float((top / bottom).quantize(places, rounding=ROUND_HALF_UP))


def _rollup_status(highlight_return) -> str:
    if highlight_return.pk is None:
        # A division with no return for the period: the roll-up shows its live figures anyway.
        return _("No return yet")
    return _("Submitted") if highlight_return.is_submitted else _("Draft")


def rollup_table(*, documents) -> tuple[list[str], list[list]]:
    """Rows of (measure, unit, one value per division, force total); the total is None where the
    measure cannot be added up. Each value cell is (value, unit) so callers can format it."""
    _same_period(documents)
    headers = [_("Measure"), _("Unit"), *(d.figures["division"]["name"] for d in documents), _("Force total")]
    yes, no = _("Yes"), _("No")
    status = [
        [_("Status"), "", *((_rollup_status(d.highlight_return), "") for d in documents), ("", "")],
        [_("Submitted on"), "", *((local_date_text(d.highlight_return.submitted_at), "") for d in documents),
         ("", "")],
        [_("Late"), "", *((yes if d.highlight_return.is_late else no, "") for d in documents), ("", "")],
        [_("Figures changed since submission"), "", *((yes if d.data_changed else no, "") for d in documents),
         ("", "")],
    ]  # fmt: skip
    keyed = [{row["key"]: row for row in d.figures.get("headline", [])} for d in documents]
    order = documents[0].figures.get("headline", []) if documents else []
    measures = []
    for first in order:
        key, unit = first["key"], first["unit"]
        values = [rows.get(key, {}).get("value") for rows in keyed]
        total = _force_ratio(key, unit, keyed) if key in RATIOS else _force_total(key, unit, values)
        measures.append([_(first["label"]), unit, *((v, unit) for v in values), (total, unit)])
    type_counts = [{t["type"]: t["count"] for t in d.figures.get("meetings_by_type", [])} for d in documents]
    for t in documents[0].figures.get("meetings_by_type", []) if documents else []:
        values = [counts.get(t["type"]) for counts in type_counts]
        measures.append([_("Meetings: %(type)s") % {"type": _(t["label"])}, "count", *((v, "count") for v in values),
                         (_force_total(t["type"], "count", values), "count")])  # fmt: skip
    return headers, status + measures


def rollup_xlsx(*, documents) -> bytes:
    headers, rows = rollup_table(documents=documents)
    cells = [[row[0], row[1], *((value, NUMBER_FORMATS.get(unit)) for value, unit in row[2:])] for row in rows]
    book = Workbook()
    book.remove(book.active)
    add_sheet(book, title=_("Force roll-up"), headers=headers, rows=cells, widths=[40, 9] + [18] * (len(headers) - 2))
    if documents:
        book.properties.title = _("Highlight and headline returns, %(period)s") % {
            "period": documents[0].figures["period"]["label"]
        }
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rollup_csv(*, documents) -> str:
    headers, rows = rollup_table(documents=documents)
    period = documents[0].figures["period"]["label"] if documents else ""
    return write_csv(
        [_("Period"), *headers], [[period, row[0], row[1], *(value for value, _unit in row[2:])] for row in rows]
    )
