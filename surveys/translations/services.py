"""Writes for translations: a question's words, and the survey's own (title, introduction, thank-you, sections)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from accounts.policy import can
from pact_portal.i18n import in_source_language
from surveys.bank import BANK
from surveys.models import (
    TRANSLATION_LANGUAGES,
    OptionTranslation,
    Question,
    QuestionTranslation,
    SectionTranslation,
    Survey,
    SurveyTranslation,
)


@transaction.atomic
def question_translation_save(
    *, question: Question, actor, language: str, text: str, help_text: str = "", option_labels: dict[int, str]
) -> QuestionTranslation | None:
    """Set (or with an empty text, remove) the question's words in `language`. An option left blank has
    no translation and shows in English. Answers are kept against the options, so this never changes a
    result, and a survey already open may gain a language."""
    if not can(actor, "survey.edit", question.survey):
        raise PermissionDenied(gettext("Only the survey's author or the force's survey staff may change it."))
    # One writer at a time per survey, as the builder's own services do.
    list(Survey.objects.select_for_update().filter(pk=question.survey_id).values_list("pk"))
    if language not in dict(TRANSLATION_LANGUAGES):
        raise ValidationError({"language": gettext("Choose one of the portal's languages.")})
    if set(option_labels) - set(question.options.values_list("pk", flat=True)):
        raise ValidationError(gettext("Translate only this question's own options."))
    question.translations.filter(language=language).delete()
    OptionTranslation.objects.filter(option__question=question, language=language).delete()
    text = " ".join(text.split())
    if not text:
        return None
    saved = QuestionTranslation(question=question, language=language, text=text, help_text=" ".join(help_text.split()))
    saved.full_clean()
    saved.save()
    options = [
        OptionTranslation(option_id=pk, language=language, label=" ".join(label.split()))
        for pk, label in option_labels.items()
        if label.strip()
    ]
    for option in options:
        option.full_clean(exclude=["option"])
    OptionTranslation.objects.bulk_create(options)
    return saved


def question_translations_from_bank(*, question: Question) -> int:
    """Give a standard question the translations the bank ships (the portal's catalogues): each
    language whose catalogue has the question's wording. Returns the number of languages added."""
    spec = BANK.get(question.bank_key)
    if spec is None:
        return 0
    english = in_source_language(spec.text)
    options = {option.value: option for option in question.options.all()}
    added = 0
    for language, _name in TRANSLATION_LANGUAGES:
        with translation.override(language):
            text, help_text = str(spec.text), str(spec.help_text)
            labels = {value: str(label) for value, label in spec.options}
        if text == english:
            continue
        QuestionTranslation.objects.create(question=question, language=language, text=text, help_text=help_text)
        OptionTranslation.objects.bulk_create(
            OptionTranslation(option=options[value], language=language, label=label)
            for value, label in labels.items()
            if value in options and label != in_source_language(dict(spec.options)[value])
        )
        added += 1
    return added


def _tidy(text: str) -> str:
    """One line's spaces collapsed; a paragraph's line breaks kept (the pages show them)."""
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip()


@transaction.atomic
def survey_translation_save(
    *,
    survey: Survey,
    actor,
    language: str,
    title: str,
    introduction: str = "",
    thank_you: str = "",
    sections: dict[int, tuple[str, str]],
) -> SurveyTranslation | None:
    """Set (or with an empty title, remove) the survey's own words in `language`: its title, introduction
    and thank-you, and each section's title and description (`sections`: id -> (title, description); a
    section left without a title shows in English). Like a question's translations, this never changes
    what is counted, so an open survey may gain a language."""
    if not can(actor, "survey.edit", survey):
        raise PermissionDenied(gettext("Only the survey's author or the force's survey staff may change it."))
    list(Survey.objects.select_for_update().filter(pk=survey.pk).values_list("pk"))
    if language not in dict(TRANSLATION_LANGUAGES):
        raise ValidationError({"language": gettext("Choose one of the portal's languages.")})
    if set(sections) - set(survey.sections.values_list("pk", flat=True)):
        raise ValidationError(gettext("Translate only this survey's own sections."))
    title = " ".join(title.split())
    if not title and (
        introduction.strip() or thank_you.strip() or any(t.strip() or d.strip() for t, d in sections.values())
    ):
        raise ValidationError({"title": gettext("Translate the title too, or leave everything empty.")})
    if any(description.strip() and not section_title.strip() for section_title, description in sections.values()):
        raise ValidationError(gettext("A section's description needs its title translated too."))
    survey.translations.filter(language=language).delete()
    SectionTranslation.objects.filter(section__survey=survey, language=language).delete()
    if not title:
        return None
    saved = SurveyTranslation(
        survey=survey, language=language, title=title, introduction=_tidy(introduction), thank_you=_tidy(thank_you)
    )
    saved.full_clean()
    saved.save()
    rows = [
        SectionTranslation(section_id=pk, language=language, title=" ".join(t.split()), description=_tidy(d))
        for pk, (t, d) in sections.items()
        if t.strip()
    ]
    for row in rows:
        row.full_clean(exclude=["section"])
    SectionTranslation.objects.bulk_create(rows)
    return saved


def survey_invitation_versions(*, alert, survey: Survey, actor) -> list[str]:
    """Give a survey's invitation (a draft alert) a version in each members' language the survey is
    translated into, so a member reading Urdu is invited to the survey by its Urdu name: the title is
    "Have your say: <the translated title>" (the translated title alone where the catalogue lacks the
    phrase) and the body the translated introduction. A language whose introduction is not translated
    gets the catalogue's standard invitation, or no version (the English) if that is not translated
    either; so does one whose version would not fit the text message's segments. Returns the languages
    given a version."""
    from messaging.alerts import services as services_alerts
    from messaging.models import Language

    added = []
    for saved in survey.translations.filter(language__in=Language.values).order_by("language"):
        with translation.override(saved.language):
            phrase = gettext("Have your say: %(title)s")
            standard = gettext(STANDARD_INVITATION)
        title = phrase % {"title": saved.title} if phrase != "Have your say: %(title)s" else saved.title
        body = saved.introduction or (standard if standard != STANDARD_INVITATION else "")
        if not body:
            continue
        try:
            with transaction.atomic():
                services_alerts.alert_version_save(
                    alert=alert, actor=actor, language=saved.language, title=title[:150], body=body
                )
        except ValidationError:
            continue
        added.append(saved.language)
    return added


# The invitation's body for a language whose survey introduction is not translated.
STANDARD_INVITATION = gettext_noop(
    "We want to hear from everyone who lives here, not only those we usually hear from. It takes a few minutes "
    "and your answers are anonymous."
)
