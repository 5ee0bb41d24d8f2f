"""The platforms' own insights exports, read as they come: a Facebook Page's "Page data" export and
an X (Twitter) account's analytics export, each a row per day (or per post), added up into the
scorecard's months (ReachMonth) for one neighbourhood account.

A communications officer downloads the file from the platform and uploads it unchanged: the
columns below are found by their heading, whatever their order, and any others are ignored (the
exports carry dozens). A file without a date column or without any column recognised is refused
with the names it has; a bad figure on any line refuses the whole file, line by line, and nothing is
saved. Only the figures the export gives are written, so a month's website figures or a typed-in
mention count are never wiped by an import that does not carry them.

How a day adds up to a month: counts of things done (reach, engagements, shares, comments) are
summed over the month's days; followers are a count at a moment, so the month takes the last day's.
A platform's daily reach counts the people reached that day: summed over a month it counts a person
once for each day reached, as the platforms' own monthly totals do not. X gives no reach at all:
its impressions (times a post was seen) are the nearest figure and are imported as reach, so an X
account's reach reads higher than a Facebook page's of the same audience.
"""

import csv
import datetime
import io
from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.models import ReachPlatform

SUM, LAST = "sum", "last"
MAX_LINES = 5000
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Column:
    field: str  # ReachMonth's
    headings: tuple[str, ...]  # lower case; the first the file has is read
    how: str = SUM


@dataclass(frozen=True)
class ExportFormat:
    key: str
    label: str
    platform: str
    date_headings: tuple[str, ...]
    columns: tuple[Column, ...]
    # Facebook's Page data export puts a line describing each column under the headings.
    description_row: bool = False


FORMATS = {
    "facebook": ExportFormat(
        key="facebook",
        label=gettext_lazy("Facebook Page insights export (Page data, CSV)"),
        platform=ReachPlatform.FACEBOOK,
        date_headings=("date",),
        columns=(
            Column(
                "followers",
                (
                    "lifetime total likes",
                    "lifetime total follows",
                    "page likes",
                    "facebook page likes",
                    "page followers",
                    "followers",
                    "facebook followers",
                ),
                LAST,
            ),
            Column("reach", ("daily total reach", "daily page reach", "facebook reach", "reach")),
            Column(
                "engagements",
                (
                    "daily page engaged users",
                    "daily post engagements",
                    "post engagements",
                    "content interactions",
                    "engagements",
                ),
            ),
            Column("shares", ("shares",)),
            Column("comments", ("comments",)),
            Column("mentions", ("daily page stories by story type - mention", "mentions")),
        ),  # fmt: skip
        description_row=True,
    ),
    "x": ExportFormat(
        key="x",
        label=gettext_lazy("X (Twitter) account analytics export (CSV)"),
        platform=ReachPlatform.X,
        date_headings=("date", "time"),
        columns=(
            Column("reach", ("impressions",)),
            Column("engagements", ("engagements",)),
            Column("shares", ("reposts", "retweets")),
            Column("comments", ("replies",)),
        ),
    ),
}

# "2026-10-01", "2026-10-01 00:00 Z", "2026-10-01T07:00:00+0000"; "10/01/2026" (the platforms write
# month first); "Thu, Oct 01, 2026" and "Oct 1, 2026" (X's account export).
DATE_FORMATS = ("%m/%d/%Y", "%a, %b %d, %Y", "%b %d, %Y")


def parse_date(text: str) -> datetime.date | None:
    text = text.strip()
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for date_format in DATE_FORMATS:
        try:
            # A calendar day as the export names it: no moment, so no time zone to attach.
            return datetime.datetime.strptime(text, date_format).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def parse_count(text: str) -> int | None:
    """A whole number as exports write it ("1,234", "1234.0"); None for an empty cell; ValueError else."""
    text = text.strip().replace(",", "")
    if text in ("", "-"):
        return None
    number = float(text)
    if number < 0 or not number.is_integer():
        raise ValueError(text)
    return int(number)


@dataclass
class MonthFigures:
    month: datetime.date
    figures: dict  # field -> int (only the fields the export gave)
    days: int  # distinct days the file covers in the month

    @property
    def partial(self) -> bool:
        return self.days < monthrange(self.month.year, self.month.month)[1]


def _lines(upload) -> list[list[str]]:
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(_("The file is not UTF-8 text; download the export again as CSV.")) from error
    lines = [line for line in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in line)]
    if len(lines) < 2:
        raise ValidationError(_("The file has no rows under its headings."))
    if len(lines) > MAX_LINES:
        raise ValidationError(_("The file has more than %(n)s rows; export fewer months at a time.") % {"n": MAX_LINES})
    return lines


def _find(headings: list[str], wanted: tuple[str, ...]) -> int | None:
    return next((headings.index(name) for name in wanted if name in headings), None)


def read_export(*, upload, export_format: ExportFormat) -> list[MonthFigures]:
    """The export's figures by month, oldest first; ValidationError (every problem, by line) if the
    file is not such an export or any figure in it is not a whole number."""
    lines = _lines(upload)
    headings = [cell.strip().lower() for cell in lines[0]]
    date_at = _find(headings, export_format.date_headings)
    columns = [(column, _find(headings, column.headings)) for column in export_format.columns]
    columns = [(column, at) for column, at in columns if at is not None]
    if date_at is None or not columns:
        recognised = sorted({h for c in export_format.columns for h in c.headings} | set(export_format.date_headings))
        raise ValidationError(
            _(
                "This does not look like a %(format)s: it needs a date column and at least one of the "
                "columns recognised (%(recognised)s). Its columns are: %(found)s."
            )
            % {"format": export_format.label, "recognised": ", ".join(recognised), "found": ", ".join(lines[0])}
        )
    body = list(enumerate(lines[1:], start=2))
    if export_format.description_row and parse_date(_cell(body[0][1], date_at)) is None:
        body = body[1:]
    problems, days = [], []
    for line, cells in body:
        day = parse_date(_cell(cells, date_at))
        if day is None:
            value = _cell(cells, date_at)
            problems.append(_("Line %(line)s: “%(value)s” is not a date.") % {"line": line, "value": value})
            continue
        values = {}
        for column, at in columns:
            try:
                values[column.field] = parse_count(_cell(cells, at))
            except ValueError:
                problems.append(
                    _("Line %(line)s, %(column)s: “%(value)s” is not a whole number.")
                    % {"line": line, "column": lines[0][at].strip(), "value": _cell(cells, at)}
                )
        days.append((day, values))
    if problems:
        more = len(problems) - MAX_PROBLEMS
        shown = problems[:MAX_PROBLEMS] + ([_("… and %(n)s more.") % {"n": more}] if more > 0 else [])
        raise ValidationError(shown)
    return _by_month(days, columns)


def _cell(cells: list[str], at: int) -> str:
    return cells[at].strip() if at < len(cells) else ""


def _by_month(days, columns) -> list[MonthFigures]:
    months = defaultdict(list)
    for day, values in sorted(days, key=lambda item: item[0]):
        months[day.replace(day=1)].append((day, values))
    result = []
    for month, rows in sorted(months.items()):
        figures = {}
        for column, _at in columns:
            given = [(day, values[column.field]) for day, values in rows if values[column.field] is not None]
            if given:
                figures[column.field] = given[-1][1] if column.how == LAST else sum(value for _day, value in given)
        if not figures:
            continue  # a month of empty cells says nothing: its row, if any, is left as it was
        result.append(MonthFigures(month=month, figures=figures, days=len({day for day, _values in rows})))
    return result
