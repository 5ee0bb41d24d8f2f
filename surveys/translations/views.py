"""The staff page where a question's translations are written, one language at a time."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from pact_portal.forms import form_add_service_errors
from surveys.build import selectors as selectors_build
from surveys.translations import selectors, services
from surveys.translations.forms import QuestionTranslationForm, SurveyTranslationForm


def _initial(language: str, saved: dict) -> dict:
    question = saved["question"]
    initial = {"language": language, "text": question.text if question else "", "help_text": ""}
    if question:
        initial["help_text"] = question.help_text
    return initial | {f"o{pk}": label for pk, label in saved["options"].items()}


@require_http_methods(["GET", "POST"])
def question_translations(request, pk, question_pk):
    survey = selectors_build.survey_get_for_user(user=request.user, pk=pk, write=True)
    question = selectors_build.question_for_survey(survey=survey, pk=question_pk)
    languages = selectors.question_translations(question=question)
    language = request.POST.get("language") or request.GET.get("language", "")
    if language not in languages:
        language = next(iter(languages))
    form = QuestionTranslationForm(
        request.POST or None, question=question, language=language, initial=_initial(language, languages[language])
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.question_translation_save(
                question=question,
                actor=request.user,
                language=language,
                text=data["text"],
                help_text=data["help_text"],
                option_labels=form.option_labels(),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request, gettext("Saved the question in %(language)s.") % {"language": languages[language]["name"]}
            )
            url = reverse("surveys:question-translations", kwargs={"pk": survey.pk, "question_pk": question.pk})
            return redirect(f"{url}?language={language}")
    context = {"survey": survey, "question": question, "languages": languages, "language": language, "form": form}
    return render(request, "surveys/build/question_translations.html", context, status=400 if form.errors else 200)


def _survey_initial(language: str, saved: dict) -> dict:
    own = saved["survey"]
    initial = {"language": language}
    if own:
        initial |= {"title": own.title, "introduction": own.introduction, "thank_you": own.thank_you}
    for pk, section in saved["sections"].items():
        initial |= {f"s{pk}_title": section.title, f"s{pk}_description": section.description}
    return initial


@require_http_methods(["GET", "POST"])
def survey_translations(request, pk):
    """The survey's own words (title, introduction, thank-you, sections) in each language, one at a time."""
    survey = selectors_build.survey_get_for_user(user=request.user, pk=pk, write=True)
    sections, languages = selectors.survey_translations(survey=survey)
    language = request.POST.get("language") or request.GET.get("language", "")
    if language not in languages:
        language = next(iter(languages))
    form = SurveyTranslationForm(
        request.POST or None,
        survey=survey,
        sections=sections,
        language=language,
        initial=_survey_initial(language, languages[language]),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.survey_translation_save(
                survey=survey,
                actor=request.user,
                language=language,
                title=data["title"],
                introduction=data["introduction"],
                thank_you=data["thank_you"],
                sections=form.section_words(),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request,
                gettext("Saved the survey's words in %(language)s.") % {"language": languages[language]["name"]},
            )
            url = reverse("surveys:translations", kwargs={"pk": survey.pk})
            return redirect(f"{url}?language={language}")
    context = {"survey": survey, "languages": languages, "language": language, "form": form}
    return render(request, "surveys/build/survey_translations.html", context, status=400 if form.errors else 200)
