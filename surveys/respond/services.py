"""Writes for answering a survey, and for turning a free-text answer into a priorities issue.

A response stores what the results group by (ward, age band, ethnic group) and never who gave
it; the member is kept on it only so the database can refuse a second response from them.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from messaging.models import AgeBand, EthnicGroup, Subscriber
from neighbourhoods.models import Ward
from pact_portal.text import MULTI_LINE_CONTROL
from priorities import services as priorities_services
from priorities.models import Issue, IssueSource
from surveys.models import (
    AGREEMENT_LABELS,
    Answer,
    BankKey,
    Option,
    Question,
    QuestionKind,
    Response,
    ResponseSource,
    Sex,
    Survey,
)

TEXT_MAX = Answer._meta.get_field("text").max_length
# Control characters other than tab and line breaks: nobody types them and they break the wave's
# XLSX export, so a written answer holding one is refused. Answers are written in bulk, past the
# model's own validator, so the rule is checked here.
CONTROL_CHARACTERS = MULTI_LINE_CONTROL


class SurveyClosed(Exception):
    """The survey is not taking responses (closed, not open yet, or past its closing date)."""


class AlreadyAnswered(Exception):
    """This member, or this browser, has already answered the survey."""


@dataclass(frozen=True)
class AnswerInput:
    """One answer as given: an option (one row per ticked box), a number, a text or a ward."""

    question: Question
    option: Option | None = None
    number: int | None = None
    text: str = ""
    ward: Ward | None = None


@transaction.atomic
def response_submit(
    *,
    survey: Survey,
    answers: list[AnswerInput],
    source: str,
    subscriber: Subscriber | None = None,
    now=None,
) -> Response:
    """Save one response and its answers, or nothing.

    Raises SurveyClosed, AlreadyAnswered (one response per member, whatever link or channel they
    use, as the database's constraint decides), or ValidationError for an answer that does not fit
    its question or a required question left unanswered.
    """
    now = now or timezone.now()
    if not Survey.objects.taking_responses(now=now).filter(pk=survey.pk).exists():
        raise SurveyClosed
    if source == ResponseSource.INVITED and subscriber is None:
        raise ValueError("An invited response names the member it came from.")
    _check_answers(survey, answers)
    ward = next((item.ward for item in answers if item.question.kind == QuestionKind.WARD), None)
    if ward is None and subscriber is not None:
        ward = subscriber.ward
    response = Response(
        survey=survey, source=source, subscriber=subscriber, submitted_at=now, ward=ward, **_about(answers, subscriber)
    )
    # One response per member is the database's to enforce (below): a check here would race two tabs.
    response.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as error:
        raise AlreadyAnswered from error
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question=item.question,
            option=item.option,
            number=item.number,
            text=item.text,
            ward=item.ward,
        )
        for item in answers
    )
    return response


def _check_answers(survey: Survey, answers: list[AnswerInput]) -> None:
    """Every answer must belong to this survey and fit its question: a forged form is refused
    whole, never partly saved."""
    seen: dict[int, set] = {}
    for item in answers:
        question = item.question
        if question.survey_id != survey.pk:
            raise ValidationError("An answer was given to a question of another survey.")
        given = seen.setdefault(question.pk, set())
        if given and (question.kind != QuestionKind.MULTIPLE or item.option in given):
            raise ValidationError(f"“{question.text}” takes each answer once.")
        given.add(item.option)
        if CONTROL_CHARACTERS.search(item.text):
            raise ValidationError(f"The answer to “{question.text}” has a character that cannot be typed.")
        if not _fits(question, item, survey):
            raise ValidationError(f"The answer to “{question.text}” is not one of its choices.")
    missing = survey.questions.filter(required=True).exclude(pk__in=seen).values_list("text", flat=True)
    if missing:
        raise ValidationError([f"“{text}” needs an answer." for text in missing])


def _fits(question: Question, item: AnswerInput, survey: Survey) -> bool:
    kind = question.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return item.option is not None and item.option.question_id == question.pk
    if kind == QuestionKind.AGREEMENT:
        return item.number in AGREEMENT_LABELS
    if kind == QuestionKind.RATING:
        return item.number is not None and 1 <= item.number <= (question.scale_max or 0)
    if kind == QuestionKind.TEXT:
        return bool(item.text.strip()) and len(item.text) <= TEXT_MAX
    if kind == QuestionKind.WARD:
        neighbourhood = item.ward.neighbourhood if item.ward is not None else None
        return neighbourhood is not None and neighbourhood.division.force_id == survey.force_id
    return False


def _about(answers: list[AnswerInput], subscriber: Subscriber | None) -> dict:
    """Age band, ethnic group and sex: what the respondent said in the "about you" questions, else
    what the member described themselves as when they consented to it (In the Know asks no sex),
    else nothing."""
    given = {
        item.question.bank_key: item.option.value
        for item in answers
        if item.option is not None and item.question.bank_key in (BankKey.AGE_BAND, BankKey.ETHNIC_GROUP, BankKey.SEX)
    }
    consented = subscriber is not None and subscriber.demographics_consent_at is not None
    about = {}
    for key, choices in ((BankKey.AGE_BAND, AgeBand), (BankKey.ETHNIC_GROUP, EthnicGroup), (BankKey.SEX, Sex)):
        value = given.get(key, "")
        if value not in choices.values:
            value = getattr(subscriber, key) if consented and key != BankKey.SEX else ""
        about[str(key)] = value
    return about


@transaction.atomic
def answer_send_to_triage(*, answer: Answer, category: str, actor, ward: Ward | None = None) -> Issue:
    """Put a free-text answer in its neighbourhood's triage queue as an issue, once.

    The ward is the response's when it has one with a neighbourhood team; otherwise the officer
    chooses it (`ward`). Who may send it is the view's question (priority.propose on the ward's
    neighbourhood).
    """
    # Lock the row so two officers pressing the button together raise one issue, not two.
    issue_id = Answer.objects.select_for_update().filter(pk=answer.pk).values_list("issue_id", flat=True).first()
    if issue_id is not None:
        raise ValidationError("This answer is already in the triage queue.")
    if answer.question.kind != QuestionKind.TEXT or not answer.text.strip():
        raise ValidationError("Only a written answer can become an issue.")
    ward = issue_ward(answer) or ward
    if ward is None:
        raise ValidationError({"ward": "Choose the ward this concern is about."})
    issue = priorities_services.issue_raise(
        ward=ward, category=category, description=answer.text, actor=actor, source=IssueSource.SURVEY
    )
    answer.issue = issue
    answer.save(update_fields=["issue"])
    return issue


def issue_ward(answer: Answer) -> Ward | None:
    """The ward an answer's issue belongs to without asking the officer: the response's, when
    that ward has a neighbourhood team to send it to."""
    ward = answer.response.ward
    return ward if ward is not None and ward.neighbourhood_id is not None else None
