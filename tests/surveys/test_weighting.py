"""Raking respondents to the census: the loop against hand-worked examples, and the weighted page."""

import pytest
from django.urls import reverse

from neighbourhoods.models import Ward
from surveys import weighting
from surveys.models import WardPopulation
from tests.factories import ForceFactory, UserFactory
from tests.surveys.factories import respond, survey

SAMPLE = {("young", "white"): 40, ("young", "bme"): 10, ("old", "white"): 40, ("old", "bme"): 10}


def test_it_rakes_the_hand_worked_example():
    # Ages already match the census (50/50); White respondents are 80% against 60% of residents.
    # By hand: White weight 60/80 = 0.75, BME weight 40/20 = 2; ages then still add up to 50 each,
    # so one round settles it.
    raked = weighting.rake(cells=SAMPLE, targets=[{"young": 500, "old": 500}, {"white": 600, "bme": 400}])
    assert raked.converged and raked.iterations == 1
    assert raked.weights == pytest.approx(
        {("young", "white"): 0.75, ("young", "bme"): 2.0, ("old", "white"): 0.75, ("old", "bme"): 2.0}
    )


def test_it_rakes_until_every_margin_matches():
    cells = {("young", "white"): 30, ("young", "bme"): 20, ("old", "white"): 45, ("old", "bme"): 5}
    raked = weighting.rake(cells=cells, targets=[{"young": 40, "old": 60}, {"white": 70, "bme": 30}])
    w = raked.weights
    assert raked.converged and raked.iterations > 1
    assert 30 * w["young", "white"] + 20 * w["young", "bme"] == pytest.approx(40)
    assert 20 * w["young", "bme"] + 5 * w["old", "bme"] == pytest.approx(30)
    # Raking multiplies a row factor by a column factor, so the sample's odds ratio survives.
    assert w["young", "white"] * w["old", "bme"] == pytest.approx(w["young", "bme"] * w["old", "white"])


def _census(ward, ages, ethnic):
    for category, groups in (("age_band", ages), ("ethnic_group", ethnic)):
        for group, count in groups.items():
            WardPopulation.objects.create(ward=ward, category=category, group=group, count=count, source="Test census")


def _hand_worked_survey(world, *, extra_ages=None):
    """SAMPLE as respondents of Daneshouse: 30 of the 80 White and 5 of the 20 Asian say a good job."""
    ward = Ward.objects.get(neighbourhood=world.daneshouse)
    _census(ward, {"16-24": 500, "25-34": 500, **(extra_ages or {})}, {"white_british": 600, "asian_pakistani": 400})
    made = survey(world, bank=("police_good_job",))
    for age in ("16-24", "25-34"):
        for n in range(40):
            respond(
                made,
                ward=ward,
                age_band=age,
                ethnic_group="white_british",
                police_good_job="good" if n < 15 else "poor",
            )
        for n in range(10):
            respond(made, ward=ward, age_band=age, ethnic_group="asian_pakistani",
                    police_good_job="good" if n < (3 if age == "16-24" else 2) else "poor")  # fmt: skip
    for _ in range(3):
        respond(made, ward=ward, police_good_job="good")  # gave no age or ethnic group
    return made


def test_it_weights_a_survey_to_its_wards_census(world):
    w = weighting.survey_weighted(survey=_hand_worked_survey(world))
    assert (w.respondents, w.weighted, w.left_out, w.problem) == (103, 100, 3, "")
    [measure] = w.measures
    # Unweighted: 38 of 103. Weighted by hand: (30 x 0.75 + 5 x 2) / (80 x 0.75 + 20 x 2) = 32.5%.
    assert (measure.unweighted.share, measure.weighted) == (36.9, 32.5)
    # Kish: (80 x 0.75 + 20 x 2)^2 / (80 x 0.5625 + 20 x 4) = 10000 / 125 = 80; design effect 100 / 80.
    assert measure.effective_n == pytest.approx(80) and measure.design_effect == pytest.approx(1.25)
    # Wilson on 26 of the effective 80: centre 0.3490 / 1.0480 = 0.3330, half-width 0.1006.
    assert (measure.interval.low, measure.interval.high) == (23.2, 43.4)


def test_it_names_census_groups_no_respondent_is_in(world):
    w = weighting.survey_weighted(survey=_hand_worked_survey(world, extra_ages={"75+": 300}))
    assert w.missing == ["75 and over"] and w.measures[0].weighted == 32.5


def test_it_gives_no_weighted_figure_without_census_figures(world):
    made = survey(world, bank=("police_good_job",))
    for _ in range(12):
        respond(made, ward=Ward.objects.get(neighbourhood=world.daneshouse), age_band="16-24",
                ethnic_group="white_british", police_good_job="good")  # fmt: skip
    w = weighting.survey_weighted(survey=made)
    assert w.problem.startswith("None of the wards") and w.measures[0].weighted is None
    assert w.measures[0].unweighted.share == 100.0


def test_it_keeps_small_groups_of_respondents_suppressed(world):
    w = weighting.survey_weighted(survey=_hand_worked_survey(world))
    age, ethnic = w.dimensions
    assert [(g.label, g.population, g.respondents) for g in ethnic[1]] == [("White British", 60.0, 80.0),
                                                                          ("Asian", 40.0, 20.0)]  # fmt: skip
    assert all(g.respondents is not None for g in age[1])


def test_it_shows_the_weighted_page_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    made = _hand_worked_survey(world)
    client.force_login(world.pcso)
    url = reverse("surveys:results-weighted", kwargs={"pk": made.pk})
    with django_assert_max_num_queries(7):  # session, user, survey, scope, questions, measures, population
        response = client.get(url)
    page = response.content.decode()
    assert "32.5%" in page and "How the weighting works" in page and "1.25" in page
    for _ in range(20):
        respond(
            made, ward=Ward.objects.get(neighbourhood=world.fleetwood), age_band="35-49", ethnic_group="black_african"
        )
    with django_assert_max_num_queries(7):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("who, status", [("pcso", 200), ("chief_inspector_other", 200), ("partner", 404),
                                         ("resident", 404)])  # fmt: skip
def test_it_shows_weighted_results_to_police_staff_only(client, world, who, status):
    made = survey(world)
    client.force_login(getattr(world, who))
    assert client.get(reverse("surveys:results-weighted", kwargs={"pk": made.pk})).status_code == status


def test_it_hides_another_forces_weighted_results(client, world):
    made = survey(world)
    client.force_login(UserFactory(role=world.hq.role, force=ForceFactory(slug="cumbria", name="Cumbria Constabulary")))
    assert client.get(reverse("surveys:results-weighted", kwargs={"pk": made.pk})).status_code == 404


def test_it_rakes_on_sex_too_where_the_census_has_it(world):
    made = _hand_worked_survey(world)
    ward = Ward.objects.get(neighbourhood=world.daneshouse)
    # Women are half the census but, here, a quarter of the respondents: each counts twice as much
    # as before, men two thirds as much, and the ethnic margins still match.
    for group, count in (("female", 500), ("male", 500)):
        WardPopulation.objects.create(ward=ward, category="sex", group=group, count=count, source="Test census")
    for n, response in enumerate(made.responses.exclude(age_band="").order_by("pk")):
        response.sex = "female" if n % 4 == 0 else "male"
        response.save(update_fields=["sex"])
    w = weighting.survey_weighted(survey=made)
    assert w.with_sex and w.dimension_names == ["Age band", "Ethnic group", "Sex"] and w.weighted == 100
    sex = dict(w.dimensions)["Sex"]
    assert [(g.label, g.population, g.respondents) for g in sex] == [("Female", 50.0, 25.0), ("Male", 50.0, 75.0)]
    assert w.measures[0].design_effect > 1.25


def test_it_leaves_sex_out_where_a_ward_lacks_the_table(world):
    w = weighting.survey_weighted(survey=_hand_worked_survey(world))
    assert not w.with_sex and w.dimension_names == ["Age band", "Ethnic group"]


def _tab(w, title):
    return {row.label: row.cells[0] for row in next(t for t in w.tabs if t.title == title).rows}


def test_it_weights_each_group_the_results_page_shows_by_hand(world):
    made = _hand_worked_survey(world)
    # Ten more who gave no age or ethnic group (13 in all): enough that no group is hidden beside them.
    for _ in range(10):
        respond(made, ward=Ward.objects.get(neighbourhood=world.daneshouse), police_good_job="good")
    w = weighting.survey_weighted(survey=made)
    # 16-24: 40 White (15 good, weight 0.75) and 10 Asian (3 good, weight 2):
    # (15 x 0.75 + 3 x 2) / (40 x 0.75 + 10 x 2) = 17.25 / 50 = 34.5%, unweighted 18 of 50;
    # Kish: 50^2 / (40 x 0.5625 + 10 x 4) = 2500 / 62.5 = 40.
    ages = _tab(w, "By age band")
    assert (ages["16 to 24"].weighted, ages["16 to 24"].unweighted.share) == (34.5, 36.0)
    assert ages["16 to 24"].effective_n == pytest.approx(40)
    # 25-34: (15 x 0.75 + 2 x 2) / 50 = 30.5%, unweighted 17 of 50.
    assert (ages["25 to 34"].weighted, ages["25 to 34"].unweighted.share) == (30.5, 34.0)
    # Within one ethnic group every weight is the same: the weighted share is the unweighted one.
    ethnic = _tab(w, "By ethnic group")
    assert (ethnic["White"].weighted, ethnic["Asian"].weighted, ethnic["Asian"].effective_n) == (37.5, 25.0, 20)
    # The division holds every respondent: its weighted share is the survey's, the unweighted
    # share counts the thirteen who could not be weighted too (48 of 113).
    division = _tab(w, "By division")
    assert (division["East Division"].weighted, division["East Division"].unweighted.share) == (32.5, 42.5)
    assert "By involvement in PACT" not in [t.title for t in w.tabs]  # the survey does not ask it


def test_it_tests_the_weighted_involved_against_not_involved_and_suppresses_small_groups(world, client):
    ward = Ward.objects.get(neighbourhood=world.daneshouse)
    _census(ward, {"16-24": 500}, {"white_british": 600})
    made = survey(world, bank=("police_good_job", "pact_involved"))
    for n in range(20):
        respond(made, ward=ward, age_band="16-24", ethnic_group="white_british", police_good_job="good",
                pact_involved="yes")  # fmt: skip
        respond(made, ward=ward, age_band="16-24", ethnic_group="white_british",
                police_good_job="good" if n < 5 else "poor", pact_involved="no")  # fmt: skip
    w = weighting.survey_weighted(survey=made)
    tab = next(t for t in w.tabs if t.title == "By involvement in PACT")
    assert [(r.label, r.cells[0].weighted) for r in tab.rows] == [("Involved in PACT", 100.0),
                                                                  ("Not involved in PACT", 25.0)]  # fmt: skip
    [(measure, text)] = [d for d in tab.differences if d[0] == "Police do a good or excellent job"]
    assert "real difference" in text
    client.force_login(world.pcso)
    page = client.get(reverse("surveys:results-weighted", kwargs={"pk": made.pk})).content.decode()
    assert "By involvement in PACT" in page and "unweighted 25.0%" in page
    # Four who did not say are too few to show, and would be given away by the total beside the
    # two groups: as on the results page, one of those is hidden too, and nothing is compared.
    for _ in range(4):
        respond(made, ward=ward, age_band="16-24", ethnic_group="white_british", police_good_job="good")
    tab = next(t for t in weighting.survey_weighted(survey=made).tabs if t.title == "By involvement in PACT")
    assert sorted(r.cells[0].weighted is None for r in tab.rows) == [False, True]
    assert tab.differences == []
