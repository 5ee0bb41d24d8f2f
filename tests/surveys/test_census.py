"""Importing ONS Census 2021 ward tables: whole files or nothing, with row-level messages."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from surveys.census import age_split
from surveys.models import WardPopulation

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR) / "surveys" / "data"
AGE_HEADER = "Electoral wards and divisions Code,Electoral wards and divisions,Age (18 categories) Code,Age (18 categories),Observation\n"  # noqa: E501
ETHNIC_HEADER = "Electoral wards and divisions Code,Electoral wards and divisions,Ethnic group (20 categories) Code,Ethnic group (20 categories),Observation\n"  # noqa: E501
WB = '"White: English, Welsh, Scottish, Northern Irish or British"'
PAKISTANI = '"Asian, Asian British or Asian Welsh: Pakistani"'


def _run(tmp_path, text, *args):
    path = tmp_path / "table.csv"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_census", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        return False, out.getvalue(), err.getvalue() + str(error)
    return True, out.getvalue(), err.getvalue()


def _counts(category):
    return dict(WardPopulation.objects.filter(category=category).values_list("group", "count"))


def test_it_imports_the_sample_tables(world):
    out = io.StringIO()
    call_command("import_census", "--synthetic", *sorted(map(str, DATA.glob("SAMPLE-*.csv"))), stdout=out)
    daneshouse = WardPopulation.objects.filter(ward__code="E05005155")
    assert daneshouse.filter(category="age_band").count() == 6
    assert daneshouse.filter(category="ethnic_group").count() == 19
    assert daneshouse.get(group="asian_pakistani").count == 4900
    assert not WardPopulation.objects.filter(is_synthetic=False).exists()
    assert "Ethnic group (20 categories)" in daneshouse.get(group="asian_pakistani").source
    assert "3 wards" in out.getvalue()


def test_it_splits_straddling_bands_by_single_years_and_drops_children(world, tmp_path):
    rows = [("1", "Aged 4 years and under", 500), ("4", "Aged 15 to 19 years", 100), ("5", "Aged 20 to 24 years", 50),
            ("17", "Aged 80 to 84 years", 30), ("18", "Aged 85 years and over", 20)]  # fmt: skip
    text = AGE_HEADER + "".join(f"E05005155,Daneshouse,{c},{label},{n}\n" for c, label, n in rows)
    ok, _, _ = _run(tmp_path, text)
    assert ok and _counts("age_band") == {"16-24": 130, "75+": 50}


def test_it_refuses_an_open_band_it_cannot_split():
    with pytest.raises(Exception, match="cannot be split"):
        age_split("Aged 65 years and over")
    assert age_split("Aged 70 to 79 years") == {"65-74": 0.5, "75+": 0.5}


def test_it_drops_does_not_apply_in_ethnic_tables(world, tmp_path):
    text = ETHNIC_HEADER + f"E05005155,D,-8,Does not apply,7\nE05005155,D,13,{WB},60\nE05005155,D,4,{PAKISTANI},40\n"
    ok, _, _ = _run(tmp_path, text)
    assert ok and _counts("ethnic_group") == {"white_british": 60, "asian_pakistani": 40}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (f"E05999999,Nowhere,13,{WB},60", "line 3: ward code E05999999 is not a ward"),
        (f"E05005160,Queensgate,13,{WB},sixty", "line 3: the observation “sixty” is not a whole number"),
        (f"E05005160,Queensgate,13,{WB},-4", "line 3: the observation “-4”"),
        ("E05005160,Queensgate,99,White: Martian,5", "line 3: “White: Martian” is not one of the 19"),
        (f"E05005155,D,13,{WB},5", "line 3: E05005155 “White: English"),
    ],
)
def test_it_writes_nothing_from_a_file_with_a_bad_row(world, tmp_path, row, message):
    ok, _, err = _run(tmp_path, ETHNIC_HEADER + f"E05005155,D,13,{WB},60\n{row}\n")
    assert not ok and f"table.csv, {message}" in err and "nothing imported" in err
    assert not WardPopulation.objects.exists()


def test_it_names_a_missing_column(world, tmp_path):
    header = "Electoral wards and divisions Code,Ethnic group (20 categories),Count\n"
    ok, _, err = _run(tmp_path, header + "E05005155,x,1\n")
    assert not ok and "table.csv, line 1: the header lacks an “Observation” column" in err
    assert not WardPopulation.objects.exists()


def test_it_replaces_counts_on_reimport_without_duplicates(world, tmp_path):
    _run(tmp_path, ETHNIC_HEADER + f"E05005155,D,13,{WB},60\nE05005155,D,4,{PAKISTANI},40\n")
    _run(tmp_path, AGE_HEADER + "E05005155,D,5,Aged 20 to 24 years,10\n")
    ok, _, _ = _run(tmp_path, ETHNIC_HEADER + f"E05005155,D,13,{WB},61\n")
    assert ok and _counts("ethnic_group") == {"white_british": 61}
    assert _counts("age_band") == {"16-24": 10}
    assert WardPopulation.objects.count() == 2


SEX_HEADER = "Electoral wards and divisions Code,Electoral wards and divisions,Sex (2 categories) Code,Sex (2 categories),Observation\n"  # noqa: E501


def test_it_imports_the_sex_table(world, tmp_path):
    ok, _, _ = _run(tmp_path, SEX_HEADER + "E05005155,D,1,Female,6100\nE05005155,D,2,Male,5900\n")
    assert ok and _counts("sex") == {"female": 6100, "male": 5900}


def test_it_refuses_a_sex_category_the_census_does_not_have(world, tmp_path):
    ok, _, err = _run(tmp_path, SEX_HEADER + "E05005155,D,1,Female,6100\nE05005155,D,3,Unknown,5\n")
    assert not ok and "line 3: “Unknown” is not Female or Male" in err
    assert not WardPopulation.objects.exists()
