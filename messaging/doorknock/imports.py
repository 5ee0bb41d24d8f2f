"""Reading a street and address list (CSV) into rows, every problem with its line number.

The columns, in any order, with a header row (names are matched without regard to case):

    ward_code   the ward's ONS code (E05…), a ward of the force the portal knows
    street      the street's name as the sign says it ("Colne Road")
    number      the door: "12", "12a", "Flat 3, Weavers Court"
    postcode    optional ("BB10 1AA")

Addresses are walked in the order the file gives them within each street.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

REQUIRED_COLUMNS = ("ward_code", "street", "number")
OPTIONAL_COLUMNS = ("postcode",)
MAX_ROWS = 50_000
MAX_FILE_BYTES = 10 * 1024 * 1024
# The UK format loosely (outward code, space optional, inward code), as the Royal Mail writes them.
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


@dataclass(frozen=True)
class ListRow:
    line: int
    ward_code: str
    street: str
    number: str
    postcode: str


def _clean(value) -> str:
    # Collapsed whitespace, so "Colne  Road" and "Colne Road" are one street.
    return " ".join(str(value or "").split())


def _postcode(value: str) -> str:
    compact = value.replace(" ", "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def line_problem(line: int, problem: str) -> tuple[int, str]:
    """A problem as (line, "Line n: what"): the number kept apart, to sort by whatever the language."""
    return line, _("Line %(line)s: %(problem)s") % {"line": line, "problem": problem}


def read_street_list(data: bytes) -> tuple[list[ListRow], list[tuple[int, str]]]:
    """The rows of the file and, for anything wrong, (line, "Line n: what") (the header is line 1;
    a problem with the whole file has line 0)."""
    if len(data) > MAX_FILE_BYTES:
        megabytes = MAX_FILE_BYTES // (1024 * 1024)
        return [], [(0, _("The file is larger than %(megabytes)s MB: split it by ward.") % {"megabytes": megabytes})]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [(0, _("The file is not UTF-8 text: save it from the spreadsheet as 'CSV UTF-8'."))]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [_clean(name).lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        has = ", ".join(header) or _("none")
        problem = _("the header needs the columns %(missing)s (it has: %(has)s).")
        return [], [line_problem(1, problem % {"missing": ", ".join(missing), "has": has})]
    reader.fieldnames = header
    rows, problems, seen = [], [], {}
    for raw in reader:
        line = reader.line_num
        if len(rows) + len(problems) >= MAX_ROWS:
            problem = _("more than %(most)s addresses in one file: split it by ward.") % {"most": f"{MAX_ROWS:,}"}
            problems.append(line_problem(line, problem))
            break
        values = {name: _clean(raw.get(name)) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
        if not any(values.values()):
            continue  # a blank line, as spreadsheets leave at the end
        row_problems = _row_problems(values)
        key = (values["ward_code"].upper(), values["street"].lower(), values["number"].lower())
        if not row_problems and key in seen:
            row_problems.append(_("the same address as line %(line)s") % {"line": seen[key]})
        if row_problems:
            problems.append(line_problem(line, "; ".join(row_problems) + "."))
            continue
        seen[key] = line
        rows.append(
            ListRow(
                line=line,
                ward_code=values["ward_code"].upper(),
                street=values["street"],
                number=values["number"],
                postcode=_postcode(values["postcode"]) if values["postcode"] else "",
            )
        )
    if not rows and not problems:
        problems.append((0, _("The file has a header but no addresses.")))
    return rows, problems


def _row_problems(values: dict) -> list[str]:
    problems = [_("%(column)s is empty") % {"column": name} for name in REQUIRED_COLUMNS if not values[name]]
    if len(values["street"]) > 120:
        problems.append(_("street is longer than 120 characters"))
    if len(values["number"]) > 60:
        problems.append(_("number is longer than 60 characters"))
    if values["postcode"] and not POSTCODE.match(_postcode(values["postcode"])):
        problems.append(_("postcode %(postcode)r is not a UK postcode") % {"postcode": values["postcode"]})
    return problems
