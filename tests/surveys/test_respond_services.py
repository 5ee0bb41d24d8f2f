"""Saving a response (one per member, only while open, only answers that fit) and sending a
written answer to the triage queue."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from priorities.models import Category, Issue, IssueSource
from surveys.models import Answer, Question, QuestionKind, Response, ResponseSource, SurveyStatus
from surveys.respond import selectors
from surveys.respond.services import (
    AlreadyAnswered,
    AnswerInput,
    SurveyClosed,
    answer_send_to_triage,
    response_submit,
)
from tests.factories import ForceFactory, WardFactory
from tests.messaging.factories import subscriber
from tests.surveys.factories import survey

pytestmark = pytest.mark.django_db


def _pick(made, key, value):
    question = made.questions.get(bank_key=key)
    return AnswerInput(question=question, option=question.options.get(value=value))


def _text_question(made, *, required=False):
    return Question.objects.create(
        survey=made, section=made.sections.first(), kind=QuestionKind.TEXT, text="Anything else?", required=required
    )


def _invited(made, member, *answers):
    return response_submit(survey=made, answers=list(answers), source=ResponseSource.INVITED, subscriber=member)


def test_it_saves_a_response_with_the_members_home_ward(world):
    made, member = survey(world), subscriber(world)
    response = _invited(made, member, _pick(made, "police_good_job", "good"))
    assert response.ward == member.ward and response.source == ResponseSource.INVITED
    assert Answer.objects.get(response=response).option.value == "good"


def test_it_takes_the_ward_from_a_ward_question(world):
    made, member = survey(world), subscriber(world)
    question = Question.objects.create(survey=made, section=made.sections.first(), kind=QuestionKind.WARD, text="Ward")
    pharos = world.fleetwood.wards.get()
    response = _invited(made, member, AnswerInput(question=question, ward=pharos))
    assert response.ward == pharos


def test_it_takes_about_you_from_the_answers_before_the_members_self_description(world):
    made = survey(world, bank=("police_good_job", "age_band", "ethnic_group"))
    member = subscriber(world, demographics_consent_at=timezone.now(), age_band="65-74", ethnic_group="white_british")
    response = _invited(made, member, _pick(made, "age_band", "25-34"))
    assert (response.age_band, response.ethnic_group) == ("25-34", "white_british")


def test_it_keeps_the_sex_a_respondent_gives_for_weighting(world):
    made = survey(world, bank=("police_good_job", "sex"))
    member = subscriber(world, demographics_consent_at=timezone.now(), age_band="65-74")
    assert _invited(made, member, _pick(made, "sex", "female")).sex == "female"
    assert _invited(survey(world, bank=("sex",)), member).sex == ""  # In the Know never asks it


def test_it_ignores_a_self_description_given_without_consent(world):
    made, member = survey(world), subscriber(world)
    member.age_band = "65-74"  # never saved: the model refuses it without consent
    assert _invited(made, member).age_band == ""


def test_it_refuses_a_second_response_from_one_member(world):
    made, member = survey(world), subscriber(world)
    _invited(made, member, _pick(made, "police_good_job", "good"))
    with pytest.raises(AlreadyAnswered):
        _invited(made, member, _pick(made, "police_good_job", "poor"))
    assert Response.objects.count() == 1 and Answer.objects.get().option.value == "good"


@pytest.mark.parametrize(
    "fields",
    [
        {"status": SurveyStatus.CLOSED},
        {"status": SurveyStatus.DRAFT},
        {"closes_at": timezone.now() - timedelta(minutes=1), "opens_at": timezone.now() - timedelta(days=2)},
        {"opens_at": timezone.now() + timedelta(days=1)},
    ],
)
def test_it_saves_nothing_to_a_survey_not_taking_responses(world, fields):
    made = survey(world, **fields)
    with pytest.raises(SurveyClosed):
        _invited(made, subscriber(world), _pick(made, "police_good_job", "good"))
    assert not Response.objects.exists()


def test_it_saves_nothing_when_a_required_question_is_missing(world):
    made = survey(world)
    _text_question(made, required=True)
    with pytest.raises(ValidationError, match="Anything else"):
        _invited(made, subscriber(world), _pick(made, "police_good_job", "good"))
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_it_refuses_forged_answers(world):
    made, other = survey(world), survey(world, title="Another")
    good_job = made.questions.get(bank_key="police_good_job")
    foreign_option = other.questions.get(bank_key="police_good_job").options.first()
    rating = Question.objects.create(
        survey=made, section=made.sections.first(), kind=QuestionKind.RATING, text="Stars", scale_max=5
    )
    ward_question = Question.objects.create(
        survey=made, section=made.sections.first(), kind=QuestionKind.WARD, text="Ward"
    )
    elsewhere = WardFactory(neighbourhood__division__force=ForceFactory(slug="cumbria"), west=-3.0, south=54.5)
    forgeries = [
        AnswerInput(question=good_job, option=foreign_option),
        AnswerInput(question=rating, number=6),
        AnswerInput(question=ward_question, ward=elsewhere),
        AnswerInput(question=other.questions.first(), option=other.questions.first().options.first()),
    ]
    for forged in forgeries:
        with pytest.raises(ValidationError, match="not one of its choices|another survey"):
            _invited(made, subscriber(world, email=None), forged)
    assert not Response.objects.exists()


def test_it_saves_an_open_response_without_a_member_or_ward(world):
    made = survey(world, is_open_to_all=True)
    response = response_submit(survey=made, answers=[_pick(made, "safe_after_dark", "very_safe")], source="open")
    assert response.subscriber is None and response.ward is None and response.source == ResponseSource.OPEN


def _written(world, *, ward=True):
    made = survey(world)
    question = _text_question(made)
    response = Response.objects.create(
        survey=made, source="open", submitted_at=timezone.now(), ward=world.daneshouse.wards.get() if ward else None
    )
    return Answer.objects.create(response=response, question=question, text="Cars race down Elm Street at night.")


def test_it_sends_a_written_answer_to_the_triage_queue_once(world):
    answer = selectors.text_answer_for_survey(
        survey=_written(world).response.survey, viewer=world.pcso, pk=Answer.objects.get().pk
    )
    issue = answer_send_to_triage(answer=answer, category=Category.SPEEDING, actor=world.pcso)
    assert (issue.source, issue.neighbourhood, issue.description) == (
        IssueSource.SURVEY,
        world.daneshouse,
        "Cars race down Elm Street at night.",
    )
    assert Answer.objects.get().issue == issue
    with pytest.raises(ValidationError, match="already"):
        answer_send_to_triage(answer=answer, category=Category.SPEEDING, actor=world.pcso)
    assert Issue.objects.count() == 1


def test_it_needs_a_ward_for_an_answer_without_one(world):
    answer = _written(world, ward=False)
    with pytest.raises(ValidationError, match="ward"):
        answer_send_to_triage(answer=answer, category=Category.ASB, actor=world.pcso)
    queensgate = world.queensgate.wards.get()
    assert answer_send_to_triage(answer=answer, category=Category.ASB, actor=world.pcso, ward=queensgate).ward == (
        queensgate
    )


def test_it_saves_each_ticked_box_once(world):
    made = survey(world, bank=())
    question = Question.objects.create(
        survey=made, section=made.sections.first(), kind=QuestionKind.MULTIPLE, text="Which worry you?"
    )
    speeding, litter = (question.options.create(label=label) for label in ("Speeding", "Litter"))
    _invited(
        made,
        subscriber(world),
        AnswerInput(question=question, option=speeding),
        AnswerInput(question=question, option=litter),
    )
    assert Answer.objects.count() == 2
    with pytest.raises(ValidationError, match="once"):
        _invited(made, subscriber(world, email="bo@example.org"), *[AnswerInput(question=question, option=litter)] * 2)
    assert Response.objects.count() == 1


def test_it_refuses_a_written_answer_with_a_control_character(world):
    made = survey(world)
    question = _text_question(made)
    with pytest.raises(ValidationError, match="not one of its choices|cannot be typed"):
        _invited(made, subscriber(world), AnswerInput(question=question, text="Bikes\x07 on the field"))
    assert not Response.objects.exists()
