"""The uncertainty shown with every survey share: intervals, and whether differences are real."""

from django.urls import reverse

from neighbourhoods.models import Ward
from surveys.results import selectors
from surveys.trends import survey_trends
from tests.surveys.factories import respond, survey


def _ward(neighbourhood):
    return Ward.objects.get(neighbourhood=neighbourhood)


def _gap_survey(world, *, white_good, bme_good, n=20):
    made = survey(world, bank=("police_good_job",))
    ward = _ward(world.daneshouse)
    for i in range(n):
        respond(made, ward=ward, ethnic_group="white_irish", police_good_job="good" if i < white_good else "poor")
        respond(made, ward=ward, ethnic_group="black_african", police_good_job="good" if i < bme_good else "poor")
    return made


def test_it_gives_every_headline_share_a_wilson_interval(world):
    made = _gap_survey(world, white_good=15, bme_good=5)
    [(_, figure)] = selectors.survey_results(survey=made).headline
    # 20 of 40: Wilson 95% interval 35.2% to 64.8% (p = 0.5, z = 1.96, n = 40).
    assert (figure.share, figure.interval.low, figure.interval.high) == (50.0, 35.2, 64.8)


def test_it_calls_a_large_white_bme_gap_real(world):
    made = _gap_survey(world, white_good=15, bme_good=5)
    row = selectors.survey_results(survey=made).gaps[0].overall
    # 15/20 against 5/20: pooled 0.5, z = 0.5 / sqrt(0.25 x 0.1) = 3.16, p = 0.0016.
    assert row.difference.significant and round(row.difference.p_value, 4) == 0.0016
    assert row.text.startswith("White respondents 50 points more favourable")
    assert "real difference" in row.text


def test_it_calls_a_small_white_bme_gap_chance(world):
    made = _gap_survey(world, white_good=12, bme_good=10)
    row = selectors.survey_results(survey=made).gaps[0].overall
    assert not row.difference.significant
    assert "could be chance" in row.text


def test_it_tests_no_gap_where_a_group_is_suppressed(world):
    made = _gap_survey(world, white_good=5, bme_good=2, n=8)
    row = selectors.survey_results(survey=made).gaps[0].overall
    assert row.difference is None and row.text == ""


def test_it_shows_intervals_and_the_verdict_on_the_results_page(client, world):
    made = _gap_survey(world, white_good=15, bme_good=5)
    client.force_login(world.pcso)
    page = client.get(reverse("surveys:results", kwargs={"pk": made.pk})).content.decode()
    assert '50.0% <span class="small text-body-secondary" data-interval>(35–65%, n=40)' in page
    assert "Real difference (p = 0.002)" in page
    assert "95% confidence interval" in page


def _wave(world, label, good, total):
    made = survey(world, bank=("police_good_job", "safe_after_dark"), wave_label=label, title=label)
    for n in range(total):
        respond(made, ward=_ward(world.daneshouse), police_good_job="good" if n < good else "poor")
    return made


def test_it_says_whether_a_change_between_waves_could_be_chance(client, world):
    _wave(world, "Spring 2026", 61, 100)
    _wave(world, "Autumn 2026", 67, 100)
    client.force_login(world.pcso)
    response = client.get(reverse("surveys:trends"))
    force = response.context["t"].measures[0][2][0]
    assert force.latest_change == (
        "Up 6 points since the last wave (from 61% to 67%). This could be chance: the difference is within "
        "what sampling alone would produce."
    )
    assert force.latest_change in response.content.decode()


def test_it_calls_a_large_change_between_waves_real(world):
    spring, autumn = _wave(world, "Spring 2026", 30, 100), _wave(world, "Autumn 2026", 60, 100)
    trends = survey_trends(surveys=[spring, autumn], level="force")
    force = trends.measures[0][2][0]
    assert force.changes[0] is None and force.changes[1].significant
    assert "a real change" in force.latest_change and "p < 0.001" in force.latest_change


def test_it_tests_those_involved_in_pact_against_those_not(client, world):
    made = survey(world, bank=("police_good_job", "pact_involved"))
    ward = _ward(world.daneshouse)
    for n in range(20):
        respond(made, ward=ward, pact_involved="yes", police_good_job="good" if n < 16 else "poor")
        respond(made, ward=ward, pact_involved="no", police_good_job="good" if n < 6 else "poor")
    tab = selectors.survey_results(survey=made).tabs[-1]
    good_job = tab.differences[1]
    # 16/20 involved against 6/20 not: z = 0.5 / sqrt(0.55 x 0.45 x 0.1) = 3.18, p = 0.0015.
    assert tab.compared == ("Involved in PACT", "Not involved in PACT")
    assert (good_job.points, good_job.significant) == (50.0, True)
    client.force_login(world.pcso)
    page = client.get(reverse("surveys:results", kwargs={"pk": made.pk})).content.decode()
    assert "Involved in PACT against Not involved in PACT: could it be chance?" in page
