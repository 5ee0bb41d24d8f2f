"""Survey test data built straight on the models, so each part's tests stand alone."""

from datetime import timedelta

from django.utils import timezone

from surveys.bank import BANK
from surveys.models import Answer, Option, Question, Response, ResponseSource, Section, Survey, SurveyStatus


def survey(world, *, author=None, bank=("police_good_job", "safe_after_dark"), status=SurveyStatus.OPEN, **fields):
    """An open survey of the force, by the chief inspector, with one section of bank questions."""
    fields.setdefault("title", "Feeling safe in East Division")
    fields.setdefault("opens_at", timezone.now() - timedelta(days=1))
    made = Survey.objects.create(force=world.force, created_by=author or world.chief_inspector, status=status, **fields)
    section = Section.objects.create(survey=made, title="Your area", position=0)
    for position, key in enumerate(bank):
        bank_question(made, section, key, position=position)
    return made


def bank_question(made, section, key, *, position=0) -> Question:
    spec = BANK[key]
    question = Question.objects.create(
        survey=made, section=section, kind=spec.kind, text=spec.text, bank_key=key, position=position,
        scale_max=spec.scale_max, help_text=spec.help_text,
    )  # fmt: skip
    Option.objects.bulk_create(
        Option(question=question, value=value, label=label, position=n) for n, (value, label) in enumerate(spec.options)
    )
    return question


def respond(made, *, ward=None, age_band="", ethnic_group="", source=ResponseSource.OPEN, subscriber=None, **answers):
    """A response; `answers` maps a bank key to an option value (or a number for agreement/rating)."""
    response = Response.objects.create(
        survey=made, source=source, subscriber=subscriber, submitted_at=timezone.now(), ward=ward,
        age_band=age_band, ethnic_group=ethnic_group,
    )  # fmt: skip
    for key, value in answers.items():
        question = made.questions.get(bank_key=key)
        if isinstance(value, int):
            Answer.objects.create(response=response, question=question, number=value)
        else:
            Answer.objects.create(response=response, question=question, option=question.options.get(value=value))
    return response
