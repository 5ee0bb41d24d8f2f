"""Ward reference populations from ONS Census 2021 tables: the denominator of every
representation index.

The input is what ONS's "create a custom dataset" tool and its bulk downloads give for electoral
wards: one CSV per table, in long format, one row per ward × category, e.g.

    Electoral wards and divisions Code,Electoral wards and divisions,Age (18 categories) Code,
        Age (18 categories),Observation   (one line in the file)
    E05005155,Daneshouse with Stoneyholme,4,Aged 15 to 19 years,812

The table is recognised from its category column ("Age (…)" or "Ethnic group (…)"); categories are
matched on their ONS label, which is stable between table versions where the numeric codes are not.

Age: alerts are for people of 16 and over, so ages under 16 are dropped. An ONS band that
straddles two of ours (15 to 19 straddles 16; 70 to 74 does not, but "Aged 70 to 79" would) is
split in proportion to the single years of age it covers in each, i.e. assuming residents are
spread evenly across the years of the band: 4/5 of "Aged 15 to 19 years" count as 16–24.
Counts are added up as fractions and rounded once per ward and band. An open-ended band
("Aged 85 years and over") goes wholly to 75+; one that starts below 75 ("Aged 65 years and over")
cannot be split without assuming an age profile, so it is refused: use a table with finer bands.
A ward's age ranges may not overlap: two tables mixed in one file would count people twice.

Ethnic group: the 19 ONS categories map one to one onto EthnicGroup; "Does not apply" is dropped.

Sex: "Sex (2 categories)" (TS008), Female and Male. That table counts residents of every age, not
only those of 16 and over; the share of women differs little between the two, so weighting uses it
as the adults' share (a table of sex by age would remove even that difference).

A file is imported whole or not at all: every problem is reported with its line number and
nothing from that file is written. Importing a table again replaces that category's counts for
the wards in the file.
"""

import csv
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TextIO

from django.db import transaction

from messaging.models import AgeBand, EthnicGroup
from neighbourhoods.models import Ward
from pact_portal.i18n import in_source_language
from surveys.models import PopulationCategory, Sex, WardPopulation

WARD_CODE_COLUMNS = ("Electoral wards and divisions Code", "Electoral wards Code", "Wards Code")
OBSERVATION_COLUMN = "Observation"
WARD_CODE = re.compile(r"^[EWSN]05[0-9]{6}\Z")
# England's largest wards hold tens of thousands; a count beyond this is a wrong column or a typo,
# and summed across bands it must still fit the database's integer.
MAX_OBSERVATION = 1_000_000
CATEGORY_PREFIXES = {
    "Age (": PopulationCategory.AGE_BAND,
    "Ethnic group (": PopulationCategory.ETHNIC_GROUP,
    "Sex (": PopulationCategory.SEX,
}
SEX_BY_LABEL = {"female": Sex.FEMALE, "male": Sex.MALE}

# Our bands as inclusive single years; None = no upper limit.
AGE_BAND_YEARS = [
    (AgeBand.A16_24, 16, 24),
    (AgeBand.A25_34, 25, 34),
    (AgeBand.A35_49, 35, 49),
    (AgeBand.A50_64, 50, 64),
    (AgeBand.A65_74, 65, 74),
    (AgeBand.A75_PLUS, 75, None),
]
OPEN_BAND_FROM = 75

# ONS labels are case and spacing sensitive in places ("Aged 4 years and under"); compare loosely.
ETHNIC_DROPPED = {"does not apply"}


@functools.cache
def _ethnic_by_label() -> dict[str, str]:
    # The census file is in English whatever language the page importing it is in.
    return {" ".join(in_source_language(label).lower().split()): value for value, label in EthnicGroup.choices}


_AGE_PATTERNS = [
    (re.compile(r"^aged (\d+) to (\d+) years?$"), lambda m: (int(m[1]), int(m[2]))),
    (re.compile(r"^aged (\d+) years? and under$"), lambda m: (0, int(m[1]))),
    (re.compile(r"^aged under (\d+) years?$"), lambda m: (0, int(m[1]) - 1)),
    (re.compile(r"^aged (\d+) years? and over$"), lambda m: (int(m[1]), None)),
    (re.compile(r"^aged (\d+) years?$"), lambda m: (int(m[1]), int(m[1]))),
]


class CensusError(Exception):
    """A census category this import cannot map onto the portal's bands."""


@dataclass
class CensusImportResult:
    name: str
    category: str = ""
    table: str = ""
    wards: int = 0
    rows_written: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def age_years(label: str) -> tuple[int, int | None]:
    """The first and last year of age an ONS age category covers (None: no upper limit)."""
    text = " ".join(label.lower().split())
    for pattern, years in _AGE_PATTERNS:
        if match := pattern.match(text):
            return years(match)
    raise CensusError(f"“{label}” is not an ONS age category this import knows")


def age_split(label: str) -> dict[str, Fraction]:
    """The share of an ONS age category that falls in each of our bands (empty for under-16s).

    Raises CensusError for a label that is not an age band, or an open band we cannot split."""
    low, high = age_years(label)
    if high is None:
        # Below 16 too: "Aged 10 years and over" holds every adult, and dropping it as children
        # would lose them all.
        if low < OPEN_BAND_FROM:
            raise CensusError(
                f"“{label}” is open-ended below {OPEN_BAND_FROM}, so it cannot be split between 65 to 74 "
                "and 75 and over; use a table with finer age bands (e.g. Age (18 categories))"
            )
        return {AgeBand.A75_PLUS: Fraction(1)}
    if high < low:
        raise CensusError(f"“{label}” is not an age range")
    span = high - low + 1
    split = {}
    for band, first, last in AGE_BAND_YEARS:
        overlap = min(high, last if last is not None else high) - max(low, first) + 1
        if overlap > 0:
            split[band] = Fraction(overlap, span)
    return split


def _ethnic_split(label: str) -> dict[str, Fraction]:
    text = " ".join(label.lower().split())
    if text in ETHNIC_DROPPED:
        return {}
    value = _ethnic_by_label().get(text)
    if value is None or value == EthnicGroup.NOT_SAID:
        raise CensusError(f"“{label}” is not one of the 19 ONS Census 2021 ethnic groups")
    return {value: Fraction(1)}


def _sex_split(label: str) -> dict[str, Fraction]:
    text = " ".join(label.lower().split())
    if text not in SEX_BY_LABEL:
        raise CensusError(f"“{label}” is not Female or Male, the 2021 Census categories of sex")
    return {SEX_BY_LABEL[text]: Fraction(1)}


def _label_key(label: str) -> str:
    # The loose form the categories are matched in, so "Aged 20 to 24 years" and
    # "aged 20  to 24 years" are one category, counted once.
    return " ".join(label.lower().split())


def _columns(header: list[str]) -> tuple[str, str, str]:
    """(ward code column, category label column, category) from the header, or CensusError."""
    names = [h.strip() for h in header]
    ward = next((c for c in WARD_CODE_COLUMNS if c in names), None)
    label_column, category = None, None
    for name in names:
        for prefix, kind in CATEGORY_PREFIXES.items():
            if name.startswith(prefix) and not name.endswith(" Code"):
                label_column, category = name, kind
    missing = []
    if ward is None:
        missing.append(f"a ward code column ({' or '.join(WARD_CODE_COLUMNS)})")
    if label_column is None:
        missing.append("an “Age (…)”, “Ethnic group (…)” or “Sex (…)” category column")
    if OBSERVATION_COLUMN not in names:
        missing.append(f"an “{OBSERVATION_COLUMN}” column")
    if missing:
        raise CensusError("the header lacks " + ", and ".join(missing))
    return ward, label_column, category


@dataclass
class CensusTable:
    result: CensusImportResult
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (ward code, group) -> people
    lines: dict[str, list[int]] = field(default_factory=dict)  # ward code -> the lines it is on


def census_parse(*, file: TextIO, name: str) -> CensusTable:
    """Read one table, collecting every row-level problem in table.result.errors."""
    result = CensusImportResult(name=name)
    lines: dict[str, list[int]] = defaultdict(list)
    reader = csv.DictReader(file)
    try:
        ward_column, label_column, category = _columns(reader.fieldnames or [])
    except CensusError as error:
        result.errors.append(f"{name}, line 1: {error}.")
        return CensusTable(result)
    result.category, result.table = category, label_column
    split = {PopulationCategory.AGE_BAND: age_split, PopulationCategory.SEX: _sex_split}.get(category, _ethnic_split)
    reader.fieldnames = [h.strip() for h in reader.fieldnames]
    totals: dict[tuple[str, str], Fraction] = defaultdict(Fraction)
    seen: dict[tuple[str, str], int] = {}
    spans: dict[str, list[tuple[int, float, str, int]]] = defaultdict(list)  # ward -> age ranges taken
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as error:
            # The reader cannot go on past a broken line (an oversized field, say).
            line = reader.reader.line_num  # DictReader's own count stops at the last good row
            result.errors.append(f"{name}, line {line}: this line cannot be read as CSV ({error}).")
            break
        line = reader.line_num
        try:
            code, label = (row[ward_column] or "").strip(), (row[label_column] or "").strip()
            count = _count(row[OBSERVATION_COLUMN])
            if not code:
                raise CensusError("the ward code is empty")
            if not WARD_CODE.match(code):
                raise CensusError(f"“{code}” is not an ONS ward code such as E05005155")
            if (code, _label_key(label)) in seen:
                raise CensusError(f"{code} “{label}” is repeated (first on line {seen[code, _label_key(label)]})")
            seen[code, _label_key(label)] = line
            shares = split(label)
            if category == PopulationCategory.AGE_BAND:
                _check_no_overlap(spans[code], label=label, line=line)
            lines[code].append(line)
            for group, share in shares.items():
                totals[code, group] += share * count
        except CensusError as error:
            result.errors.append(f"{name}, line {line}: {error}.")
    if not seen and not result.errors:
        result.errors.append(f"{name}: the file has a header but no rows.")
    # Round half up, once per ward and group, so split bands do not lose people to rounding.
    counts = {key: int(value + Fraction(1, 2)) for key, value in totals.items()}
    return CensusTable(result, counts, dict(lines))


def _check_no_overlap(taken: list, *, label: str, line: int) -> None:
    """Refuse an age range that overlaps one already read for the ward: two tables mixed in one
    file ("Aged 15 to 19" and "Aged 16 to 17") would count the same people twice."""
    low, high = age_years(label)
    high = float("inf") if high is None else high
    for other_low, other_high, other_label, other_line in taken:
        if low <= other_high and other_low <= high:
            raise CensusError(f"“{label}” overlaps “{other_label}” (line {other_line}); use one table per file")
    taken.append((low, high, label, line))


def _count(value) -> int:
    text = (value or "").strip().replace(",", "")
    # ASCII only: "²".isdigit() is true, and int() refuses it.
    if not (text.isascii() and text.isdigit()):
        raise CensusError(f"the observation “{value or ''}” is not a whole number of people")
    if int(text) > MAX_OBSERVATION:
        raise CensusError(f"the observation {text} is more people than any ward has")
    return int(text)


@transaction.atomic
def census_import(*, file: TextIO, name: str, is_synthetic: bool = False) -> CensusImportResult:
    """Write one census table's counts (replacing that category's counts for its wards), or, if any
    row is wrong, nothing at all: the result lists every problem with its line number."""
    table = census_parse(file=file, name=name)
    result, counts = table.result, table.counts
    wards = dict(Ward.objects.filter(code__in=table.lines).values_list("code", "pk"))
    unknown = [(line, code) for code, at in table.lines.items() if code not in wards for line in at]
    for line, code in sorted(unknown):
        result.errors.append(f"{name}, line {line}: ward code {code} is not a ward the portal knows.")
    if result.errors:
        return result
    source = f"ONS Census 2021, {result.table} ({name})"[:150]
    WardPopulation.objects.filter(ward_id__in=wards.values(), category=result.category).delete()
    created = WardPopulation.objects.bulk_create(
        WardPopulation(
            ward_id=wards[code], category=result.category, group=group, count=count, source=source,
            is_synthetic=is_synthetic,
        )
        for (code, group), count in sorted(counts.items())
    )  # fmt: skip
    result.wards, result.rows_written = len(wards), len(created)
    return result
