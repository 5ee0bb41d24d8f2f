"""The standard question bank and the factories built on it."""

import pytest

from surveys.bank import BANK, is_white
from surveys.models import BankKey, Question
from surveys.results import selectors as selectors_results
from tests.surveys.factories import respond, survey

pytestmark = pytest.mark.django_db


def test_it_has_a_question_for_every_bank_key():
    assert set(BANK) == set(BankKey.values)


def test_it_marks_only_real_choices_as_favourable():
    for spec in BANK.values():
        values = {value for value, _ in spec.options} or {"1", "2", "3", "4", "5"}
        assert spec.favourable <= values, spec.key


def test_it_groups_white_and_minority_ethnic_respondents_as_hmic_does():
    assert is_white("white_irish") is True and is_white("white_gypsy_traveller") is True
    assert is_white("asian_pakistani") is False and is_white("mixed_white_asian") is False
    assert is_white("") is None and is_white("not_said") is None


def test_it_builds_a_survey_of_bank_questions_and_a_response(world):
    made = survey(world, bank=("police_good_job", "deal_with_what_matters"))
    response = respond(made, ward=world.daneshouse.wards.first(), police_good_job="good", deal_with_what_matters=4)
    assert Question.objects.filter(survey=made).count() == 2
    values = {a.question.bank_key: (a.option.value if a.option else a.number) for a in response.answers.all()}
    assert values == {"police_good_job": "good", "deal_with_what_matters": 4}


def test_it_asks_legitimacy_and_influence_on_the_agreement_scale():
    for key in ("police_treat_fairly", "police_relied_on", "influence_decisions"):
        assert BANK[key].kind == "agreement" and BANK[key].favourable == {"4", "5"}, key
    assert "treat everyone fairly" in str(BANK["police_treat_fairly"].text)
    assert "relied on" in str(BANK["police_relied_on"].text)


def test_it_leaves_people_without_contact_out_of_service_satisfaction(world):
    made = survey(world, bank=("service_satisfaction",))
    ward = world.daneshouse.wards.first()
    for value in ["very_satisfied"] * 6 + ["very_dissatisfied"] * 4 + ["no_contact"] * 5:
        respond(made, ward=ward, service_satisfaction=value)
    headline = dict((c.key, f) for c, f in selectors_results.survey_results(survey=made).headline)
    assert (headline["service_satisfaction"].base, headline["service_satisfaction"].favourable) == (10, 6)
