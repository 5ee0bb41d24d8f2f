"""Writes for building a survey and sending it to In the Know members.

A survey is built while it is a draft: once it opens, its questions are what people answer, so
changing them would make earlier and later answers mean different things. Opening checks that it
can be answered; sending goes through an ordinary alert (kind "survey"), so the audience, the
area rules and force-wide approval are the alerts' own, and each delivery's token becomes that
member's response link.

Views ask accounts/policy.py first; every function here checks `survey.edit` again, whoever calls it.
"""

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext

from accounts.policy import can
from messaging.models import Alert, AlertKind
from pact_portal.i18n import in_source_language
from pact_portal.text import SINGLE_LINE_CONTROL
from surveys.bank import BANK
from surveys.models import BankKey, Option, Question, QuestionKind, Section, Survey, SurveyProgramme, SurveyStatus
from surveys.translations.services import question_translations_from_bank, survey_invitation_versions
from surveys.waves import wave_label_problem

CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
MIN_OPTIONS = 2
MAX_OPTIONS = 30
DEFAULT_SECTION_TITLE = "Your views"


# --- checks -------------------------------------------------------------------------------------


def _lock(survey: Survey) -> None:
    """Lock the survey's row for this transaction and read its current state, so two edits (or an
    edit and the opening) cannot interleave."""
    list(Survey.objects.select_for_update().filter(pk=survey.pk).values_list("pk"))
    survey.refresh_from_db()


def _check_may_edit(survey: Survey, actor) -> None:
    if not can(actor, "survey.edit", survey):
        raise PermissionDenied(gettext("Only the survey's author or the force's survey staff may change it."))


def _editable(survey: Survey, actor) -> None:
    """The survey may be changed by this actor now: a draft (locked for this transaction)."""
    _check_may_edit(survey, actor)
    _lock(survey)
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError(
            gettext(
                "This survey is %(status)s: only a draft's questions can be changed, so everyone answers the same "
                "survey."
            )
            % {"status": survey.get_status_display().lower()}
        )


def _clean_options(kind: str, options: Iterable[str]) -> list[str]:
    labels = [" ".join(label.split()) for label in options]
    labels = [label for label in labels if label]
    if kind not in CHOICE_KINDS:
        if labels:
            raise ValidationError({"options": gettext("Only single and multiple choice questions have options.")})
        return []
    if len(labels) < MIN_OPTIONS:
        raise ValidationError(
            {"options": gettext("Give at least %(count)s options, one per line.") % {"count": MIN_OPTIONS}}
        )
    if len(labels) > MAX_OPTIONS:
        raise ValidationError({"options": gettext("Give at most %(count)s options.") % {"count": MAX_OPTIONS}})
    seen, repeated = set(), []
    for label in labels:
        if label.casefold() in seen:
            repeated.append(label)
        seen.add(label.casefold())
    if repeated:
        raise ValidationError(
            {
                "options": gettext("Each option must be different; repeated: %(labels)s.")
                % {"labels": ", ".join(repeated)}
            }
        )
    # Options are written in bulk, past the model's own validator: a bell in one would reach every
    # form and export that shows it.
    if any(SINGLE_LINE_CONTROL.search(label) for label in labels):
        raise ValidationError({"options": gettext("Remove the control characters (such as a bell) from the options.")})
    for label in labels:
        if len(label) > Option._meta.get_field("label").max_length:
            raise ValidationError(
                {"options": gettext("An option may be at most 200 characters: “%(start)s…”.") % {"start": label[:40]}}
            )
    return labels


def _clean_scale(kind: str, scale_max) -> int | None:
    if kind != QuestionKind.RATING:
        return None
    if scale_max is None or not 2 <= scale_max <= 10:
        raise ValidationError({"scale_max": gettext("A rating goes from 1 to a top score between 2 and 10.")})
    return scale_max


def _check_section(survey: Survey, section: Section) -> None:
    if section.survey_id != survey.pk:
        raise ValidationError({"section": gettext("Choose a section of this survey.")})


def _check_dates(*, opens_at, closes_at, wave_label: str) -> None:
    if closes_at is not None and closes_at <= opens_at:
        raise ValidationError({"closes_at": gettext("The survey must close after it opens.")})
    # Trends line waves up by name: a season the survey does not open in would misplace its answers.
    if problem := wave_label_problem(wave_label, opens_at):
        raise ValidationError({"wave_label": problem})


# --- the survey ---------------------------------------------------------------------------------


@transaction.atomic
def survey_create(
    *,
    actor,
    force,
    title: str,
    opens_at,
    introduction: str = "",
    thank_you: str = "",
    closes_at=None,
    is_open_to_all: bool = False,
    wave_label: str = "",
    programme: str = SurveyProgramme.FORCE,
) -> Survey:
    """A draft survey with one empty section to put questions in."""
    if not can(actor, "survey.create"):
        raise PermissionDenied(gettext("Your role does not build surveys."))
    if force is None:
        raise ValidationError(gettext("Your account is not linked to a force."))
    _check_dates(opens_at=opens_at, closes_at=closes_at, wave_label=wave_label)
    survey = Survey(
        force=force,
        created_by=actor,
        title=title.strip(),
        introduction=introduction.strip(),
        thank_you=thank_you.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        is_open_to_all=is_open_to_all,
        wave_label=wave_label.strip(),
        programme=programme,
    )
    survey.full_clean()
    survey.save()
    Section.objects.create(survey=survey, title=DEFAULT_SECTION_TITLE, position=0)
    return survey


@transaction.atomic
def survey_update(
    *,
    survey: Survey,
    actor,
    title: str,
    opens_at,
    introduction: str = "",
    thank_you: str = "",
    closes_at=None,
    is_open_to_all: bool = False,
    wave_label: str = "",
    programme: str = SurveyProgramme.FORCE,
) -> Survey:
    _editable(survey, actor)
    _check_dates(opens_at=opens_at, closes_at=closes_at, wave_label=wave_label)
    survey.title, survey.introduction, survey.thank_you = title.strip(), introduction.strip(), thank_you.strip()
    survey.opens_at, survey.closes_at = opens_at, closes_at
    survey.is_open_to_all, survey.wave_label, survey.programme = is_open_to_all, wave_label.strip(), programme
    survey.full_clean()
    fields = ["title", "introduction", "thank_you", "opens_at", "closes_at", "is_open_to_all", "wave_label",
              "programme"]  # fmt: skip
    survey.save(update_fields=[*fields, "updated_at"])
    return survey


@transaction.atomic
def survey_open(*, survey: Survey, actor) -> Survey:
    """Start taking responses (from its opening date): it must have questions, every choice
    question something to choose between, and a closing date still ahead."""
    _editable(survey, actor)
    questions = list(survey.questions.annotate(option_count=Count("options")))
    if not questions:
        raise ValidationError(gettext("Add at least one question before opening the survey."))
    short = [q.text for q in questions if q.kind in CHOICE_KINDS and q.option_count < MIN_OPTIONS]
    if short:
        raise ValidationError(
            gettext("Each choice question needs at least %(count)s options: %(questions)s.")
            % {"count": MIN_OPTIONS, "questions": "; ".join(short)}
        )
    if survey.closes_at is not None and survey.closes_at <= timezone.now():
        raise ValidationError(gettext("The closing date has passed: change it before opening the survey."))
    survey.status = SurveyStatus.OPEN
    survey.save(update_fields=["status", "updated_at"])
    return survey


@transaction.atomic
def survey_close(*, survey: Survey, actor) -> Survey:
    """Stop taking responses; the results stay."""
    _check_may_edit(survey, actor)
    _lock(survey)
    if survey.status != SurveyStatus.OPEN:
        raise ValidationError(
            gettext("This survey is %(status)s: only an open one can close.")
            % {"status": survey.get_status_display().lower()}
        )
    survey.status = SurveyStatus.CLOSED
    survey.save(update_fields=["status", "updated_at"])
    return survey


# --- sections -----------------------------------------------------------------------------------


@transaction.atomic
def section_add(*, survey: Survey, actor, title: str, description: str = "") -> Section:
    _editable(survey, actor)
    last = survey.sections.aggregate(last=Max("position"))["last"]
    section = Section(survey=survey, title=title.strip(), description=description.strip())
    section.position = 0 if last is None else last + 1
    section.full_clean()
    section.save()
    return section


@transaction.atomic
def section_rename(*, section: Section, actor, title: str, description: str = "") -> Section:
    _editable(section.survey, actor)
    section.title, section.description = title.strip(), description.strip()
    section.full_clean()
    section.save(update_fields=["title", "description"])
    return section


@transaction.atomic
def section_move(*, section: Section, actor, direction: str) -> Section:
    _editable(section.survey, actor)
    _swap(list(section.survey.sections.order_by("position", "pk")), section, direction, Section)
    return section


@transaction.atomic
def section_delete(*, section: Section, actor) -> None:
    """Remove an empty section; questions are never deleted as a side effect of tidying sections."""
    _editable(section.survey, actor)
    if section.questions.exists():
        raise ValidationError(gettext("Delete or move this section's questions first: it still holds some."))
    if section.survey.sections.count() == 1:
        raise ValidationError(gettext("A survey keeps at least one section to hold its questions."))
    section.delete()


def _swap(ordered: list, item, direction: str, model) -> None:
    """Move `item` one place up or down among `ordered`, renumbering them all from 0 (positions
    start equal when rows are made in bulk, so swapping two numbers alone could do nothing)."""
    if direction not in ("up", "down"):
        raise ValidationError(gettext("Move up or down."))
    index = next(i for i, row in enumerate(ordered) if row.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, row in enumerate(ordered):
        row.position = position
    model.objects.bulk_update(ordered, ["position"])
    item.position = ordered.index(next(row for row in ordered if row.pk == item.pk))


# --- questions ----------------------------------------------------------------------------------


def _next_position(section: Section) -> int:
    last = section.questions.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


@transaction.atomic
def question_add(
    *,
    survey: Survey,
    actor,
    section: Section,
    kind: str,
    text: str,
    help_text: str = "",
    required: bool = False,
    scale_max: int | None = None,
    options: Sequence[str] = (),
) -> Question:
    """A question at the end of its section; choice questions get their options in the order given."""
    _editable(survey, actor)
    _check_section(survey, section)
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": gettext("Choose a kind of question.")})
    labels = _clean_options(kind, options)
    question = Question(
        survey=survey,
        section=section,
        kind=kind,
        text=text.strip(),
        help_text=help_text.strip(),
        required=required,
        scale_max=_clean_scale(kind, scale_max),
        position=_next_position(section),
    )
    question.full_clean()
    question.save()
    Option.objects.bulk_create(
        Option(question=question, label=label, position=position) for position, label in enumerate(labels)
    )
    return question


@transaction.atomic
def question_update(
    *,
    question: Question,
    actor,
    text: str,
    help_text: str = "",
    required: bool = False,
    scale_max: int | None = None,
    options: Sequence[str] | None = None,
) -> Question:
    """Change a question's wording, options and whether it must be answered. A bank question keeps
    the bank's wording and options: that is what makes its answers comparable across surveys."""
    _editable(question.survey, actor)
    question.required = required
    if question.bank_key:
        question.save(update_fields=["required"])
        return question
    labels = _clean_options(question.kind, options or ())
    question.text, question.help_text = text.strip(), help_text.strip()
    question.scale_max = _clean_scale(question.kind, scale_max)
    question.full_clean()
    question.save(update_fields=["text", "help_text", "required", "scale_max"])
    if question.kind in CHOICE_KINDS:
        # A draft has no answers yet, so its options can simply be replaced.
        question.options.all().delete()
        Option.objects.bulk_create(
            Option(question=question, label=label, position=position) for position, label in enumerate(labels)
        )
    return question


@transaction.atomic
def question_add_from_bank(*, survey: Survey, actor, section: Section, bank_key: str) -> Question:
    """A standard question, with the bank's wording, options and key; each at most once per survey,
    so a wave's answers to it can be compared with other waves and areas."""
    _editable(survey, actor)
    _check_section(survey, section)
    spec = BANK.get(bank_key)
    if spec is None:
        raise ValidationError({"bank_key": gettext("Choose a question from the bank.")})
    if survey.questions.filter(bank_key=bank_key).exists():
        raise ValidationError(
            {
                "bank_key": gettext(
                    "This survey already asks “%(question)s”: each standard question can be asked once."
                )
                % {"question": BankKey(bank_key).label}
            }
        )
    question = Question(
        survey=survey,
        section=section,
        kind=spec.kind,
        # Stored in English whatever the builder's language; residents read the bank's translations.
        text=in_source_language(spec.text),
        help_text=in_source_language(spec.help_text),
        scale_max=spec.scale_max,
        bank_key=bank_key,
        position=_next_position(section),
    )
    question.full_clean()
    question.save()
    Option.objects.bulk_create(
        Option(question=question, value=value, label=in_source_language(label), position=position)
        for position, (value, label) in enumerate(spec.options)
    )
    question_translations_from_bank(question=question)
    return question


@transaction.atomic
def question_move(*, question: Question, actor, direction: str) -> Question:
    """One place up or down within its section."""
    _editable(question.survey, actor)
    _swap(list(question.section.questions.order_by("position", "pk")), question, direction, Question)
    return question


@transaction.atomic
def question_delete(*, question: Question, actor) -> None:
    _editable(question.survey, actor)
    question.delete()


# --- sending ------------------------------------------------------------------------------------


@transaction.atomic
def survey_send(
    *,
    survey: Survey,
    actor,
    title: str,
    body: str,
    channels: Iterable[str],
    audience_level: str,
    sms_text: str = "",
    voice_script: str = "",
    wards=(),
    neighbourhoods=(),
    divisions=(),
    interests=(),
) -> Alert:
    """Invite an In the Know audience to an open survey: an alert of kind "survey" whose every
    message carries the member's own response link, with a version in each language the survey's
    own words are translated into (survey_invitation_versions). It can be sent again (a reminder); a
    member still answers once."""
    from messaging.alerts import services as services_alerts

    _check_may_edit(survey, actor)
    _lock(survey)
    if not Survey.objects.taking_responses(now=timezone.now()).filter(pk=survey.pk).exists():
        raise ValidationError(gettext("Only an open survey, between its opening and closing dates, can be sent."))
    alert = services_alerts.alert_create(
        actor=actor,
        force=survey.force,
        kind=AlertKind.SURVEY,
        title=title,
        body=body,
        channels=channels,
        audience_level=audience_level,
        sms_text=sms_text,
        voice_script=voice_script,
        wards=wards,
        neighbourhoods=neighbourhoods,
        divisions=divisions,
        interests=interests,
        survey=survey,
    )
    survey_invitation_versions(alert=alert, survey=survey, actor=actor)
    return services_alerts.alert_submit(alert=alert, actor=actor)
