from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from neighbourhoods.models import Force
from surveys.models import Survey
from tests.surveys.factories import respond, survey

pytestmark = pytest.mark.django_db

LIST = reverse("api-survey-list")


def url(name, made):
    return reverse(name, kwargs={"pk": made.pk})


def other_force_survey(world):
    other = Force.objects.create(slug="cumbria", name="Cumbria Constabulary")
    return Survey.objects.create(
        force=other, created_by=world.chief_inspector, title="Cumbria survey", opens_at=timezone.now()
    )


def test_it_lists_the_forces_surveys_for_police_staff(api, world):
    made = survey(world)
    api.force_login(world.pcso)
    rows = api.get(LIST).json()["results"]
    assert [(s["id"], s["question_count"], s["response_count"]) for s in rows] == [(made.pk, 2, 0)]


def test_it_refuses_surveys_to_partners_and_residents(api, world):
    made = survey(world)
    for user in (world.partner, world.resident):
        api.force_login(user)
        assert api.get(LIST).status_code == 403
        assert api.get(url("api-survey-detail", made)).status_code == 403
        assert api.get(url("api-survey-results", made)).status_code == 403


def test_it_answers_404_for_another_forces_survey(api, world):
    theirs = other_force_survey(world)
    api.force_login(world.chief_inspector)
    assert api.get(url("api-survey-detail", theirs)).status_code == 404
    assert api.get(url("api-survey-results", theirs)).status_code == 404
    assert api.get(LIST).json()["results"] == []


def test_it_shows_a_survey_with_its_questions_in_order(api, world):
    made = survey(world)
    api.force_login(world.sergeant)
    data = api.get(url("api-survey-detail", made)).json()
    questions = data["sections"][0]["questions"]
    assert [q["bank_key"] for q in questions] == ["police_good_job", "safe_after_dark"]
    assert data["question_count"] == 2 and questions[0]["options"]


def test_it_lists_surveys_in_constant_queries(api, world, django_assert_max_num_queries):
    api.force_login(world.hq)
    survey(world)
    api.get(LIST)
    for n in range(5):
        survey(world, title=f"Wave {n}", opens_at=timezone.now() - timedelta(days=n + 2))
    # session, user, count, surveys with their counts
    with django_assert_max_num_queries(4):
        assert len(api.get(LIST).json()["results"]) == 6


def _numbers(value):
    """Every number anywhere in a JSON document."""
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


def test_it_serves_results_without_any_group_under_ten(api, world):
    made = survey(world)
    daneshouse, pharos = world.daneshouse.wards.get(), world.fleetwood.wards.get()
    for _ in range(12):
        respond(made, ward=daneshouse, police_good_job="excellent", ethnic_group="white_british")
    for _ in range(3):
        respond(made, ward=pharos, police_good_job="poor", ethnic_group="asian_pakistani")
    api.force_login(world.pcso)
    data = api.get(url("api-survey-results", made)).json()
    assert data["respondents"] == {"base": 15, "favourable": None, "share": None, "interval_low": None,
                                   "interval_high": None, "suppressed": False}  # fmt: skip
    by_area = next(tab for tab in data["tabs"] if tab["title"] == "By area")
    pharos_row = next(row for row in by_area["rows"] if "Pharos" in row["label"])
    assert pharos_row["figures"][0] == {"base": None, "favourable": None, "share": None, "interval_low": None,
                                        "interval_high": None, "suppressed": True}  # fmt: skip
    for tab in data["tabs"]:
        for row in tab["rows"]:
            for figure in row["figures"]:
                # An empty group discloses nothing; any other shown group has ten or more people.
                assert figure["suppressed"] or figure["base"] in (None, 0) or figure["base"] >= 10
    assert 3 not in _numbers(data["tabs"]) and 3 not in _numbers(data["gaps"])
