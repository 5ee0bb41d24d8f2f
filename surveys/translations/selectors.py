"""Reads for question translations: the words a respondent is shown, and a question's translations page."""

from django.db.models import Prefetch

from surveys.models import TRANSLATION_LANGUAGES, Option, OptionTranslation, Question, QuestionTranslation


def translations_prefetch(*, language: str) -> list:
    """What survey_questions prefetches so shown_in() needs no query: the language's translations only,
    and none for English (or a language the portal does not publish in), which reads the questions as they are."""
    if language not in dict(TRANSLATION_LANGUAGES):
        return ["options"]
    return [
        Prefetch("translations", queryset=QuestionTranslation.objects.filter(language=language), to_attr="in_language"),
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
    """Set each question's shown_text and shown_help_text and each option's shown_label: the translation
    prefetched by translations_prefetch, the English where there is none."""
    for question in questions:
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
