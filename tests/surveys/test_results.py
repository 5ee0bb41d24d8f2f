import pytest
from django.urls import reverse

from neighbourhoods.models import Ward
from surveys.models import Question, QuestionKind, Section, Survey
from surveys.results import selectors
from tests.factories import ForceFactory, UserFactory
from tests.surveys.factories import respond, survey

BANK = ("police_good_job", "safe_after_dark", "pact_involved", "deal_with_what_matters")


def _ward(neighbourhood):
    return Ward.objects.get(neighbourhood=neighbourhood)


def _twelve_and_three(world):
    """12 responses in Daneshouse (9 say a good job, 8 White), 3 in Queensgate."""
    made = survey(world, bank=BANK)
    dane = _ward(world.daneshouse)
    for n in range(12):
        respond(made, ward=dane, age_band="25-34", ethnic_group="white_british" if n < 8 else "asian_pakistani",
                police_good_job="good" if n < 9 else "poor", pact_involved="yes" if n < 4 else "no",
                deal_with_what_matters=5 if n < 6 else 2)  # fmt: skip
    for _ in range(3):
        respond(made, ward=_ward(world.queensgate), police_good_job="excellent")
    return made


def test_it_counts_headline_shares_over_the_people_who_answered(world):
    made = _twelve_and_three(world)
    headline = dict((c.key, f) for c, f in selectors.survey_results(survey=made).headline)
    assert (headline["police_good_job"].base, headline["police_good_job"].favourable) == (15, 12)
    assert headline["police_good_job"].share == 80.0
    assert headline["deal_with_what_matters"].share == 50.0
    assert headline["safe_after_dark"].empty


def test_it_never_lets_the_division_total_give_a_small_ward_away(world):
    made = _twelve_and_three(world)
    geo = selectors.survey_results(survey=made).tabs[0]
    rows = {row.label: row.figures[0] for row in geo.rows}
    assert rows["East Division"].base == 15
    # Queensgate (3) is hidden, and so is Daneshouse (12): 15 - 12 would give Queensgate back.
    assert rows["Queensgate"].suppressed and rows["Daneshouse"].suppressed
    assert rows["Queensgate (E05005160)"].suppressed


def test_it_counts_each_option_and_the_mean(world):
    made = _twelve_and_three(world)
    results = {r.question.bank_key: r for r in selectors.survey_results(survey=made).questions}
    good_job = {b.label: b.count for b in results["police_good_job"].bars}
    assert good_job == {"Excellent": 3, "Good": 9, "Fair": 0, "Poor": 3, "Very poor": 0, "Don't know": 0}
    assert results["deal_with_what_matters"].mean == 3.5
    assert results["safe_after_dark"].answered.empty


def test_it_compares_white_and_bme_only_when_both_groups_hold_ten(world):
    made = _twelve_and_three(world)
    gap = selectors.survey_results(survey=made).gaps[0]
    # 8 White and 4 BME respondents: both below ten, so no gap is shown anywhere.
    assert gap.overall.white.suppressed and gap.overall.bme.suppressed and gap.overall.gap is None


def test_it_computes_the_confidence_gap_overall_and_per_division(world):
    made = survey(world, bank=BANK)
    for n in range(16):
        respond(
            made,
            ward=_ward(world.daneshouse),
            ethnic_group="black_african",
            police_good_job="good" if n < 4 else "poor",
        )
    for n in range(20):
        respond(
            made, ward=_ward(world.daneshouse), ethnic_group="white_irish", police_good_job="good" if n < 15 else "fair"
        )
    gap = selectors.survey_results(survey=made).gaps[0]
    assert (gap.overall.white.share, gap.overall.bme.share, gap.overall.gap) == (75.0, 25.0, 50.0)
    [east] = gap.divisions
    assert (east.label, east.gap) == ("East Division", 50.0)


def test_it_reads_the_results_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    made = _twelve_and_three(world)
    client.force_login(world.pcso)
    url = reverse("surveys:results", kwargs={"pk": made.pk})
    with django_assert_max_num_queries(
        9
    ):  # session, user, survey, questions, options, answered, counts, measures, scope
        assert client.get(url).status_code == 200
    for _ in range(30):
        respond(made, ward=_ward(world.fleetwood), police_good_job="fair", pact_involved="no")
    with django_assert_max_num_queries(9):
        response = client.get(url)
    assert b"fewer than 10 responses" in response.content


@pytest.mark.parametrize(
    "who, status", [("pcso", 200), ("chief_inspector_other", 200), ("partner", 404), ("resident", 404)]
)
def test_it_shows_results_to_police_staff_only(client, world, who, status):
    made = survey(world)
    client.force_login(getattr(world, who))
    assert client.get(reverse("surveys:results", kwargs={"pk": made.pk})).status_code == status


def test_it_hides_another_forces_survey(client, world):
    made = survey(world)
    client.force_login(UserFactory(role=world.hq.role, force=ForceFactory(slug="cumbria", name="Cumbria Constabulary")))
    assert client.get(reverse("surveys:results", kwargs={"pk": made.pk})).status_code == 404


def test_it_escapes_question_text(client, world):
    made = survey(world)
    Question.objects.filter(survey=made).update(text="<script>alert(1)</script>")
    client.force_login(world.pcso)
    response = client.get(reverse("surveys:results", kwargs={"pk": made.pk}))
    assert b"<script>alert(1)" not in response.content
    assert b"&lt;script&gt;alert(1)" in response.content


def _wave(world, label, good, total, ward):
    made = survey(world, wave_label=label, bank=("police_good_job", "safe_after_dark"))
    for n in range(total):
        respond(made, ward=ward, ethnic_group="white_british", police_good_job="good" if n < good else "poor",
                safe_after_dark="fairly_safe")  # fmt: skip
    return made


def test_it_shows_confidence_by_wave_at_a_fixed_query_count(client, world, django_assert_max_num_queries):
    _wave(world, "Spring 2026", 5, 10, _ward(world.daneshouse))
    _wave(world, "Autumn 2026", 9, 12, _ward(world.daneshouse))
    client.force_login(world.pcso)
    url = reverse("surveys:trends")
    with django_assert_max_num_queries(7):  # session, user, scope, surveys, divisions, measures (+1 spare)
        response = client.get(url, {"area": "divisions"})
    force, east = response.context["t"].measures[0][2]
    assert [f.share for f in force.figures] == [50.0, 75.0]
    assert east.label == "East Division" and [f.share for f in east.figures] == [50.0, 75.0]
    _wave(world, "Winter 2026", 1, 4, _ward(world.fleetwood))
    with django_assert_max_num_queries(7):
        response = client.get(url, {"area": f"division-{world.east.pk}"})
    force, *neighbourhoods = response.context["t"].measures[0][2]
    assert force.figures[2].suppressed
    assert [n.label for n in neighbourhoods] == ["Daneshouse"]


def test_it_refuses_trends_to_partners(client, world):
    survey(world)
    client.force_login(world.partner)
    assert client.get(reverse("surveys:trends")).status_code == 403


def test_it_explains_trends_before_any_survey_has_responses(client, world):
    client.force_login(world.pcso)
    response = client.get(reverse("surveys:trends"))
    assert response.status_code == 200 and "No survey of the force has taken responses yet" in response.content.decode()


def test_it_lists_only_the_forces_surveys_in_trends(client, world):
    survey(world, title="Ours")
    other = ForceFactory(slug="cumbria", name="Cumbria Constabulary")
    Survey.objects.create(force=other, title="Theirs", opens_at=Survey.objects.get().opens_at, status="open",
                          created_by=world.hq)  # fmt: skip
    client.force_login(world.pcso)
    titles = [s.title for s in client.get(reverse("surveys:trends")).context["surveys"]]
    assert titles == ["Ours"]


def _sectioned(world):
    """Twelve responses to a survey of three sections: the bank's four questions and two more."""
    made = _twelve_and_three(world)
    about = Section.objects.create(survey=made, title="About you", position=1)
    later = Section.objects.create(survey=made, title="Anything else", position=2)
    Question.objects.filter(survey=made, bank_key="pact_involved").update(section=about)
    Question.objects.create(survey=made, section=later, kind=QuestionKind.TEXT, text="Tell us more")
    return made, about, later


def test_it_groups_the_results_by_section_under_a_contents_list(client, world):
    made, about, later = _sectioned(world)
    client.force_login(world.hq)
    page = client.get(reverse("surveys:results", kwargs={"pk": made.pk})).content.decode()
    contents = page.split('aria-labelledby="contents-heading"')[1].split("</nav>")[0]
    anchors = ("#headline-heading", "#tab-1", "#gap-police_good_job", f"#section-{about.pk}", f"#section-{later.pk}")
    assert all(f'href="{anchor}"' in contents for anchor in anchors)
    assert "About you</a> (1 question)" in contents and "Your area</a> (3 questions)" in contents
    # Every part past the headline is a closed disclosure a keyboard opens: <details>, never open.
    section = page.split(f'<details class="results-part" id="section-{about.pk}">')[1].split("</details>")[0]
    assert "<summary" in section and Question.objects.get(bank_key="pact_involved").text in section
    # Four cross-tabs, a gap per headline measure, three sections.
    assert page.count('<details class="results-part"') == 4 + 4 + 3
    assert '<details class="results-part" open' not in page


def test_it_keeps_the_query_count_of_the_sectioned_page(client, world, django_assert_max_num_queries):
    made, _, _ = _sectioned(world)
    client.force_login(world.hq)
    url = reverse("surveys:results", kwargs={"pk": made.pk})
    with django_assert_max_num_queries(8):  # session, user, survey, questions, options, answered, counts, measures
        client.get(url)
    for n in range(6):
        extra = Section.objects.create(survey=made, title=f"Part {n}", position=3 + n)
        Question.objects.create(survey=made, section=extra, kind=QuestionKind.TEXT, text=f"More {n}")
    with django_assert_max_num_queries(8):
        assert client.get(url).content.decode().count('<details class="results-part"') == 4 + 4 + 3 + 6
