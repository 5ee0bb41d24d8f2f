"""Cells a spreadsheet shows as typed: shared by every export that writes CSV or XLSX (survey
responses, highlight and headline returns), so one answer or narrative cannot break a file."""

from django.utils.functional import Promise
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pact_portal.i18n import in_source_language

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel refuses a cell longer than this.
CELL_LIMIT = 32_767


def safe_cell(value):
    """Quote a text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_value(value):
    """A value a spreadsheet will show as typed: no formula, and none of the control characters
    (bell, vertical tab…) an XLSX file cannot store, which openpyxl refuses with
    IllegalCharacterError; tab and line breaks are kept. A translatable label (an age band, a
    category) is written in English: exports are read and compared by staff whatever their language."""
    if isinstance(value, Promise):
        value = in_source_language(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(value) > CELL_LIMIT:
            value = value[: CELL_LIMIT - 1] + "…"
        return safe_cell(value)
    return value
