"""Reads for translations: the words a respondent is shown (the survey's, its sections' and its questions'),
and the builder's translations pages."""

from django.db.models import Prefetch
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from surveys.models import (
    TRANSLATION_LANGUAGES,
    Option,
    OptionTranslation,
    Question,
    QuestionTranslation,
    Section,
    SectionTranslation,
    Survey,
    SurveyTranslation,
)


def translations_prefetch(*, language: str) -> list:
    """What survey_questions prefetches so shown_in() needs no query: the language's translations only,
    and none for English (or a language the portal does not publish in), which reads the questions as they are."""
    if language not in dict(TRANSLATION_LANGUAGES):
        return ["options"]
    return [
        Prefetch("translations", queryset=QuestionTranslation.objects.filter(language=language), to_attr="in_language"),
        Prefetch(
            "section__translations",
            queryset=SectionTranslation.objects.filter(language=language),
            to_attr="in_language",
        ),
        Prefetch(
            "options",
            queryset=Option.objects.prefetch_related(
                Prefetch(
                    "translations",
                    queryset=OptionTranslation.objects.filter(language=language),
                    to_attr="in_language",
                )
            ),
        ),
    ]


def shown_in(questions: list[Question]) -> list[Question]:
    """Set each question's shown_text and shown_help_text, each option's shown_label and each section's
    shown_title and shown_description: the translation prefetched by translations_prefetch, the English
    where there is none."""
    for question in questions:
        _section_shown(question.section)
        own = question.in_language[0] if getattr(question, "in_language", None) else None
        question.shown_text = own.text if own else question.text
        question.shown_help_text = own.help_text if own and own.help_text else question.help_text
        # Marked on the page, so a screen reader reads the fallback English as English.
        question.shown_in_english = own is None
        for option in question.options.all():
            label = option.in_language[0] if getattr(option, "in_language", None) else None
            option.shown_label = label.label if label else option.label
    return questions


def question_translations(*, question: Question) -> dict[str, dict]:
    """Every language of the portal but English, with the question's translation in it (or None) and its
    options' labels by option id: the translations page, in two queries."""
    by_language = {code: {"name": name, "question": None, "options": {}} for code, name in TRANSLATION_LANGUAGES}
    for saved in question.translations.all():
        by_language[saved.language]["question"] = saved
    for label in OptionTranslation.objects.filter(option__question=question):
        by_language[label.language]["options"][label.option_id] = label.label
    return by_language


def _section_shown(section: Section) -> None:
    # No prefetch means the reader reads English, the source: nothing to mark as a fallback.
    translated = hasattr(section, "in_language")
    own = section.in_language[0] if translated and section.in_language else None
    section.shown_title = own.title if own else section.title
    section.shown_description = own.description if own and own.description else section.description
    section.title_in_english = translated and own is None
    section.description_in_english = translated and bool(section.description) and not (own and own.description)


def survey_shown_in(*, survey: Survey, language: str) -> Survey:
    """Set the survey's shown_title, shown_introduction and shown_thank_you in `language`, each the English
    where it is not translated, with a flag per field saying so (the page marks it lang="en-GB" for
    screen readers), and shown_title_html, the title for a sentence of the page (marked likewise). One
    query, none in English or a language the portal does not publish in."""
    own = None
    if language in dict(TRANSLATION_LANGUAGES):
        own = SurveyTranslation.objects.filter(survey=survey, language=language).first()
    survey.shown_title = own.title if own else survey.title
    survey.shown_introduction = own.introduction if own and own.introduction else survey.introduction
    survey.shown_thank_you = own.thank_you if own and own.thank_you else survey.thank_you
    # English as the source needs no marking: only a fallback inside another language's page does.
    translated = language in dict(TRANSLATION_LANGUAGES)
    survey.title_in_english = translated and own is None
    survey.introduction_in_english = translated and bool(survey.introduction) and not (own and own.introduction)
    survey.thank_you_in_english = translated and bool(survey.thank_you) and not (own and own.thank_you)
    if survey.title_in_english:
        survey.shown_title_html = format_html('<span lang="en-GB" dir="ltr">{}</span>', survey.shown_title)
    else:
        survey.shown_title_html = format_html("{}", survey.shown_title)
    return survey


def survey_title_in(*, survey: Survey, language: str) -> str:
    """The survey's title in `language`, the English where there is none (one query; none in English)."""
    if language not in dict(TRANSLATION_LANGUAGES):
        return survey.title
    title = SurveyTranslation.objects.filter(survey=survey, language=language).values_list("title", flat=True).first()
    return title or survey.title


def survey_translations(*, survey: Survey) -> tuple[list[Section], dict[str, dict]]:
    """The survey's sections, and every language of the portal but English with the survey's translation
    in it (or None) and its sections' translations by section id, and whether anything is still shown in
    English there: the survey's translations page, in three queries."""
    sections = list(survey.sections.order_by("position", "pk"))
    by_language = {
        code: {"name": name, "survey": None, "sections": {}, "missing": []} for code, name in TRANSLATION_LANGUAGES
    }
    for saved in SurveyTranslation.objects.filter(survey=survey):
        by_language[saved.language]["survey"] = saved
    for saved in SectionTranslation.objects.filter(section__survey=survey):
        by_language[saved.language]["sections"][saved.section_id] = saved
    for entry in by_language.values():
        entry["missing"] = _missing(survey, sections, entry)
    return sections, by_language


def _missing(survey: Survey, sections: list[Section], entry: dict) -> list[str]:
    """What a reader of this language still reads in English (staff page wording)."""
    own = entry["survey"]
    if own is None:
        return [gettext("everything")]
    missing = []
    if survey.introduction and not own.introduction:
        missing.append(gettext("the introduction"))
    if survey.thank_you and not own.thank_you:
        missing.append(gettext("the thank-you message"))
    untranslated = [section for section in sections if section.pk not in entry["sections"]]
    if untranslated:
        missing.append(
            ngettext("%(count)s of %(total)s section", "%(count)s of %(total)s sections", len(sections))
            % {"count": len(untranslated), "total": len(sections)}
        )
    return missing
