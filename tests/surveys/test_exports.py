import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from neighbourhoods.models import Ward
from surveys.models import Answer, Question, QuestionKind
from tests.factories import ForceFactory, UserFactory
from tests.surveys.factories import respond, survey


def _ward(neighbourhood):
    return Ward.objects.get(neighbourhood=neighbourhood)


def _survey_with_twelve_and_three(world):
    made = survey(world, bank=("police_good_job", "pact_involved"))
    for n in range(12):
        respond(made, ward=_ward(world.daneshouse), age_band="25-34" if n < 10 else "75+",
                ethnic_group="white_british", police_good_job="good")  # fmt: skip
    for _ in range(3):
        respond(
            made, ward=_ward(world.queensgate), age_band="25-34", ethnic_group="white_british", police_good_job="poor"
        )
    return made


def _csv(client, made):
    response = client.get(reverse("surveys:export", kwargs={"pk": made.pk, "fmt": "csv"}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_it_exports_one_anonymous_row_per_response(client, world):
    made = _survey_with_twelve_and_three(world)
    client.force_login(world.inspector)
    rows = _csv(client, made)
    assert [r["Row"] for r in rows] == [str(n) for n in range(1, 16)]
    first = rows[0]
    assert first["Ward code"] == "E05005155" and first["Neighbourhood"] == "Daneshouse"
    assert first["Division"] == "East Division" and first["Age band"] == "25 to 34"
    assert first["Ethnic group (broad)"] == "White"
    assert len(first["Month submitted"]) == 7  # YYYY-MM, never the time
    assert first[Question.objects.get(bank_key="police_good_job").text] == "Good"


def test_it_blanks_small_wards_and_small_groups(client, world):
    made = _survey_with_twelve_and_three(world)
    client.force_login(world.inspector)
    rows = _csv(client, made)
    queensgate = rows[-1]
    # Three responses from Queensgate: kept at division level, their groups too small to show.
    assert (queensgate["Ward"], queensgate["Neighbourhood"], queensgate["Division"]) == ("", "", "East Division")
    assert queensgate["Age band"] == "" and queensgate["Ethnic group (broad)"] == ""
    # Two aged 75+ in Daneshouse: too few to name.
    assert [r["Age band"] for r in rows[:12]].count("") == 2


def test_it_quotes_cells_a_spreadsheet_would_run(client, world):
    made = survey(world, bank=("police_good_job",))
    question = Question.objects.create(survey=made, section=made.sections.get(), kind=QuestionKind.TEXT, text="Tell us")
    response = respond(made, police_good_job="good")
    Answer.objects.create(response=response, question=question, text='=HYPERLINK("http://evil")')
    client.force_login(world.hq)
    assert _csv(client, made)[0]["Tell us"] == '\'=HYPERLINK("http://evil")'
    xlsx = client.get(reverse("surveys:export", kwargs={"pk": made.pk, "fmt": "xlsx"}))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=10).value == '\'=HYPERLINK("http://evil")'
    assert sheet.freeze_panes == "A2"


def test_it_exports_xlsx_with_a_header_row(client, world):
    made = _survey_with_twelve_and_three(world)
    client.force_login(world.inspector)
    response = client.get(reverse("surveys:export", kwargs={"pk": made.pk, "fmt": "xlsx"}))
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=1, column=3).value == "Ward code"
    assert sheet.max_row == 16


@pytest.mark.parametrize("who, status", [("sergeant", 200), ("partner", 404), ("resident", 404)])
def test_it_exports_to_police_staff_only(client, world, who, status):
    made = survey(world)
    client.force_login(getattr(world, who))
    assert client.get(reverse("surveys:export", kwargs={"pk": made.pk, "fmt": "csv"})).status_code == status


def test_it_refuses_an_unknown_format(client, world):
    made = survey(world)
    client.force_login(world.pcso)
    assert client.get(reverse("surveys:export", kwargs={"pk": made.pk, "fmt": "pdf"})).status_code == 404


def test_it_exports_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    made = _survey_with_twelve_and_three(world)
    client.force_login(world.inspector)
    url = reverse("surveys:export", kwargs={"pk": made.pk, "fmt": "csv"})
    with django_assert_max_num_queries(7):  # session, user, survey, scope, questions, responses, answers
        client.get(url)
    for _ in range(20):
        respond(made, ward=_ward(world.queensgate), police_good_job="fair")
    with django_assert_max_num_queries(7):
        assert len(_csv(client, made)) == 35


def _force_wide_wave(world):
    """A wave answered across the force: East (Daneshouse, Queensgate), West (Pharos), and no ward."""
    made = survey(world, bank=("police_good_job",))
    for neighbourhood, n in ((world.daneshouse, 10), (world.queensgate, 10), (world.fleetwood, 10)):
        for _ in range(n):
            respond(made, ward=_ward(neighbourhood), police_good_job="good")
    for _ in range(2):
        respond(made, police_good_job="poor")
    return made


def _export_divisions(client, made, fmt="csv"):
    response = client.get(reverse("surveys:export", kwargs={"pk": made.pk, "fmt": fmt}))
    assert response.status_code == 200
    if fmt == "csv":
        return [r["Division"] for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))]
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [row[5] or "" for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_exports_only_the_chief_inspectors_division(client, world, fmt):
    made = _force_wide_wave(world)
    client.force_login(world.chief_inspector)
    assert _export_divisions(client, made, fmt) == ["East Division"] * 20
    client.force_login(world.chief_inspector_other)
    assert _export_divisions(client, made, fmt) == ["West Division"] * 10


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("who", ["hq", "comms", "admin"])
def test_it_exports_the_whole_force_to_force_wide_staff(client, world, fmt, who):
    made = _force_wide_wave(world)
    client.force_login(getattr(world, who))
    divisions = _export_divisions(client, made, fmt)
    # The two responses that gave no ward belong to no division: only the force sees them.
    assert sorted(divisions) == [""] * 2 + ["East Division"] * 20 + ["West Division"] * 10


def test_it_exports_only_a_neighbourhood_officers_neighbourhoods(client, world):
    made = _force_wide_wave(world)
    client.force_login(world.inspector)
    rows = _csv(client, made)
    assert sorted({r["Neighbourhood"] for r in rows}) == ["Daneshouse", "Queensgate"] and len(rows) == 20
    client.force_login(world.pcso)
    assert {r["Neighbourhood"] for r in _csv(client, made)} == {"Daneshouse"}
    client.force_login(world.pcso_other)
    assert {r["Neighbourhood"] for r in _csv(client, made)} == {"Fleetwood"}


def test_it_hides_another_forces_survey_from_its_export(client, world):
    made = _force_wide_wave(world)
    outsider = UserFactory(role="hq", force=ForceFactory(slug="cumbria", name="Cumbria Constabulary"))
    client.force_login(outsider)
    assert client.get(reverse("surveys:export", kwargs={"pk": made.pk, "fmt": "csv"})).status_code == 404


@pytest.mark.parametrize(
    "who, words",
    [("chief_inspector", "in your division"), ("inspector", "neighbourhoods you work in"), ("hq", "whole force")],
)
def test_it_says_on_the_results_page_what_the_downloads_hold(client, world, who, words):
    made = survey(world)
    client.force_login(getattr(world, who))
    page = client.get(reverse("surveys:results", kwargs={"pk": made.pk})).content.decode()
    assert words in page.split('id="export-area"')[1].split("</p>")[0]


def test_it_exports_an_answer_with_control_characters(client, world):
    made = survey(world, bank=("police_good_job",))
    question = Question.objects.create(survey=made, section=made.sections.get(), kind=QuestionKind.TEXT, text="Tell us")
    response = respond(made, police_good_job="good")
    Answer.objects.create(response=response, question=question, text="Bikes\x0b on the\x07 field\nevery night")
    client.force_login(world.hq)
    xlsx = client.get(reverse("surveys:export", kwargs={"pk": made.pk, "fmt": "xlsx"}))
    assert xlsx.status_code == 200
    # The vertical tab and the bell are dropped; the line break is a character a cell may hold.
    assert load_workbook(io.BytesIO(xlsx.content)).active.cell(row=2, column=10).value == (
        "Bikes on the field\nevery night"
    )
    assert _csv(client, made)[0]["Tell us"] == "Bikes on the field\nevery night"
