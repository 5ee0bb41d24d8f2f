"""Age bands and census ethnic groups are shown in the resident's language, yet every export, stored
survey option and census import reads them in English whatever language the staff member browses in."""

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from messaging.models import AgeBand, EthnicGroup
from neighbourhoods.models import Ward
from pact_portal.spreadsheets import safe_value
from surveys.build import services as services_build
from surveys.census import _ethnic_split
from surveys.models import Section, SurveyStatus
from tests.surveys.factories import respond, survey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("translated")]


def test_the_sign_up_form_offers_age_bands_and_ethnic_groups_in_urdu(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ur"
    page = client.get(reverse("messaging:signup")).text
    assert "25 سے 34" in page
    assert "ایشیائی، ایشیائی برطانوی یا ایشیائی ویلش: پاکستانی" in page


def test_a_spreadsheet_cell_takes_a_label_in_english_whatever_the_language():
    with translation.override("pl"):
        assert str(AgeBand.A75_PLUS.label) == "75 lat i więcej"
        assert safe_value(AgeBand.A75_PLUS.label) == "75 and over"
        assert safe_value(EthnicGroup.WHITE_IRISH.label) == "White: Irish"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_survey_export_stays_english_for_a_welsh_reader(client, world, fmt):
    made = survey(world, bank=("police_good_job",))
    ward = Ward.objects.get(neighbourhood=world.daneshouse)
    for _ in range(12):
        respond(made, ward=ward, age_band="25-34", ethnic_group="asian_pakistani", police_good_job="good")
    client.force_login(world.inspector)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    response = client.get(reverse("surveys:export", kwargs={"pk": made.pk, "fmt": fmt}))
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0]["Age band"] == "25 to 34"
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert "25 to 34" in [cell.value for cell in sheet[2]]


def test_a_bank_question_added_by_a_welsh_reader_is_stored_in_english(world):
    made = survey(world, bank=(), status=SurveyStatus.DRAFT)
    section = Section.objects.get(survey=made)
    with translation.override("cy"):
        question = services_build.question_add_from_bank(
            survey=made, actor=world.chief_inspector, section=section, bank_key="age_band"
        )
    assert question.text == "How old are you?"
    assert list(question.options.values_list("label", flat=True))[:2] == ["16 to 24", "25 to 34"]


def test_the_census_import_matches_english_ethnic_groups_in_any_language():
    with translation.override("ur"):
        assert _ethnic_split("White: Irish") == {"white_irish": 1}
