"""A return as a printable page, a PDF, a workbook and a CSV file, and the force roll-up of many
returns as a workbook and a CSV file.

Everything here reads a ReturnDocument (reports/document/) and nothing else, so a submitted
return prints exactly the figures it was signed with. Nothing here runs a query, as long as the
caller selected the return's submitter with it (the division's name comes from the figures).
"""

from reports.exports.common import change, format_change, format_value
from reports.exports.printed import return_pdf, return_print_html
from reports.exports.rollup import rollup_csv, rollup_table, rollup_xlsx
from reports.exports.tabular import CSV_HEADERS, return_csv
from reports.exports.workbook import return_xlsx

__all__ = [
    "CSV_HEADERS",
    "change",
    "format_change",
    "format_value",
    "return_csv",
    "return_pdf",
    "return_print_html",
    "return_xlsx",
    "rollup_csv",
    "rollup_table",
    "rollup_xlsx",
]
