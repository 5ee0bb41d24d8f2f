"""Property-based tests of the ONS Census 2021 import: random age partitions and ethnic tables
against a model that spreads every count over its single years, and random damage that must
be refused by line with nothing written."""

import csv
import io
from collections import defaultdict
from fractions import Fraction

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from messaging.models import EthnicGroup
from surveys.census import census_import
from surveys.models import WardPopulation

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
WARDS = ("E05005155", "E05005160", "E05005400")  # the world's three wards
AGE_COLUMNS = ["Electoral wards and divisions Code", "Electoral wards and divisions", "Age (18 categories) Code",
               "Age (18 categories)", "Observation"]  # fmt: skip
ETHNIC_COLUMNS = ["Electoral wards Code", "Electoral wards", "Ethnic group (20 categories) Code",
                  "Ethnic group (20 categories)", "Observation"]  # fmt: skip
# Our bands by their first year; 75 has no upper limit.
BANDS = [("16-24", 16), ("25-34", 25), ("35-49", 35), ("50-64", 50), ("65-74", 65), ("75+", 75)]


def band_of(year: int) -> str | None:
    return next((band for band, first in reversed(BANDS) if year >= first), None)


def write_csv(columns, rows) -> io.StringIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return io.StringIO(buffer.getvalue(), newline="")


def stored(category) -> dict:
    rows = WardPopulation.objects.filter(category=category).values_list("ward__code", "group", "count")
    return {(code, group): count for code, group, count in rows}


def spaced(draw, label: str) -> str:
    """The label as a hand-edited file might carry it: any case, doubled spaces."""
    words = label.split(" ")
    cased = draw(st.sampled_from([str, str.lower, str.upper, str.title]))
    return "  ".join(words) if draw(st.booleans()) else cased(" ".join(words))


@st.composite
def age_partitions(draw):
    """One ward's ages 0 and up cut into contiguous ONS-style bands, as (low, high|None, count) rows."""
    cuts = sorted(draw(st.sets(st.integers(1, 99), min_size=1, max_size=12)))
    open_ended = cuts[-1] >= 75 and draw(st.booleans())
    edges = [0, *cuts] if open_ended else [0, *cuts, 101]
    rows = [(low, nxt - 1) for low, nxt in zip(edges, edges[1:], strict=False)]
    if open_ended:
        rows.append((cuts[-1], None))
    return [(low, high, draw(st.integers(0, 5000))) for low, high in rows]


def age_label(draw, low: int, high: int | None) -> str:
    if high is None:
        label = f"Aged {low} years and over"
    elif low == high:
        label = f"Aged {low} years"
    elif low == 0:
        label = draw(st.sampled_from([f"Aged {high} years and under", f"Aged under {high + 1} years"]))
    else:
        label = f"Aged {low} to {high} years"
    return spaced(draw, label)


def expected_ages(table: dict) -> dict:
    """Every count spread evenly over its single years, summed per band, rounded half up once."""
    totals = defaultdict(Fraction)
    for code, rows in table.items():
        for low, high, count in rows:
            years = range(low, (high if high is not None else low) + 1)
            for year in years:
                if band := band_of(year):
                    totals[code, band] += Fraction(count, len(years))
    return {key: int(value + Fraction(1, 2)) for key, value in totals.items()}


@st.composite
def age_tables(draw):
    codes = draw(st.lists(st.sampled_from(WARDS), min_size=1, max_size=3, unique=True))
    table = {code: draw(age_partitions()) for code in codes}
    rows = [
        [code, "Ward", str(i), age_label(draw, low, high), f"{count:,}" if draw(st.booleans()) else str(count)]
        for code, partition in table.items()
        for i, (low, high, count) in enumerate(partition)
    ]
    return table, draw(st.permutations(rows))


@FUZZ
@given(tables=st.lists(age_tables(), min_size=1, max_size=2))
def test_it_spreads_any_age_partition_over_our_bands_exactly(world, tables):
    with transaction.atomic():
        want = {}
        for table, rows in tables:
            result = census_import(file=write_csv(AGE_COLUMNS, rows), name="age.csv")
            assert result.ok, result.errors
            # Importing again replaces the counts of the wards in the file, and only theirs.
            want = {key: n for key, n in want.items() if key[0] not in table} | expected_ages(table)
        assert stored("age_band") == want
        transaction.set_rollback(True)


ETHNIC_LABELS = [label for value, label in EthnicGroup.choices if value != EthnicGroup.NOT_SAID]
ETHNIC_VALUES = {label: value for value, label in EthnicGroup.choices}


@st.composite
def ethnic_tables(draw):
    codes = draw(st.lists(st.sampled_from(WARDS), min_size=1, max_size=3, unique=True))
    table, rows = {}, []
    for code in codes:
        chosen = draw(st.lists(st.sampled_from([*ETHNIC_LABELS, "Does not apply"]), min_size=1, unique=True))
        counts = {label: draw(st.integers(0, 20_000)) for label in chosen}
        table[code] = counts
        rows += [[code, "Ward", "0", spaced(draw, label), str(n)] for label, n in counts.items()]
    return table, draw(st.permutations(rows))


@FUZZ
@given(tables=ethnic_tables())
def test_it_maps_any_ethnic_table_one_to_one_and_drops_does_not_apply(world, tables):
    table, rows = tables
    with transaction.atomic():
        result = census_import(file=write_csv(ETHNIC_COLUMNS, rows), name="ethnic.csv")
        assert result.ok, result.errors
        want = {
            (code, ETHNIC_VALUES[label]): n
            for code, counts in table.items()
            for label, n in counts.items()
            if label != "Does not apply"
        }
        assert stored("ethnic_group") == want
        transaction.set_rollback(True)


def bad_rows(code: str):
    return st.sampled_from(
        [
            [code, "W", "1", "Aged 20 to 24 years", "twelve"],
            [code, "W", "1", "Aged 20 to 24 years", "²"],
            [code, "W", "1", "Aged 20 to 24 years", "-3"],
            [code, "W", "1", "Aged 20 to 24 years", "99999999999999999999"],
            [code, "W", "1", "Aged twenty years", "5"],
            [code, "W", "1", "Aged 10 years and over", "5"],
            [code, "W", "1", "Aged 30 to 20 years", "5"],
            [code + "\x00", "W", "1", "Aged 20 to 24 years", "5"],
            ["E05999999", "W", "1", "Aged 20 to 24 years", "5"],
            ["", "W", "1", "Aged 20 to 24 years", "5"],
            [code, "W", "1", "Aged 16 to 17 years", "5"],  # overlaps any partition's band covering 16
            [code],
            [code, "W", "1", "x" * 140_000, "5"],
        ]
    )


@FUZZ
@given(data=st.data(), tables=age_tables())
def test_it_writes_nothing_from_a_file_with_one_bad_row_and_names_its_line(world, data, tables):
    table, rows = tables
    code = next(iter(table))
    bad = data.draw(bad_rows(code))
    at = data.draw(st.integers(0, len(rows)))
    rows = [*rows[:at], bad, *rows[at:]]
    with transaction.atomic():
        census_import(file=write_csv(AGE_COLUMNS, [[c, "W", "1", "Aged 16 to 99 years", "1"] for c in WARDS]), name="a")
        before = stored("age_band")
        result = census_import(file=write_csv(AGE_COLUMNS, rows), name="age.csv")
        assert not result.ok
        # The bad row's own line (header is line 1); an overlap may be reported on the later of the two.
        lines = {int(message.split("line ")[1].split(":")[0]) for message in result.errors if "line " in message}
        assert at + 2 in lines or any(f"(line {at + 2})" in message for message in result.errors)
        assert stored("age_band") == before
        transaction.set_rollback(True)


cells = st.text(st.characters(codec="utf-8", exclude_characters="\r"), max_size=12) | st.sampled_from(
    [*WARDS, "Aged 20 to 24 years", "Aged 85 years and over", *ETHNIC_LABELS[:3], "12", "1,234", ""]
)


@FUZZ
@given(
    header=st.sampled_from([AGE_COLUMNS, ETHNIC_COLUMNS]) | st.lists(cells, max_size=6),
    rows=st.lists(st.lists(cells, max_size=7), max_size=8),
)
def test_it_never_fails_on_arbitrary_csv_and_writes_all_or_nothing(world, header, rows):
    with transaction.atomic():
        result = census_import(file=write_csv(header, rows), name="any.csv")
        written = WardPopulation.objects.count()
        if result.ok:
            assert written == result.rows_written
            assert all(0 <= n <= 1_000_000 * len(rows) for n in WardPopulation.objects.values_list("count", flat=True))
        else:
            assert written == 0 and all(message.startswith("any.csv") for message in result.errors)
        transaction.set_rollback(True)
