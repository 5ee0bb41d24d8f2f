"""Survey questions and options in the respondent's language: the bank's own translations, those staff
write on a question's translations page, English for the rest, and answers that count together."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from surveys.build import services as services_build
from surveys.models import Answer, Option, OptionTranslation, Question, QuestionKind, QuestionTranslation, SurveyStatus
from surveys.translations.services import question_translation_save, question_translations_from_bank
from tests.i18n.conftest import compiled_locale, translated  # noqa: F401 (fixtures)
from tests.surveys.factories import survey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("translated")]


def _open(world, bank=("police_good_job",)):
    made = survey(world, bank=bank, is_open_to_all=True)
    for question in made.questions.all():
        question_translations_from_bank(question=question)
    return made


def _page(client, made, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("surveys:open", args=[made.reference]))


def _custom(made, text="Which day suits a PACT meeting?"):
    question = Question.objects.create(survey=made, section=made.sections.first(), kind=QuestionKind.SINGLE, text=text)
    for n, label in enumerate(["Monday", "Saturday"]):
        Option.objects.create(question=question, label=label, value="", position=n)
    return question


def test_a_bank_question_brings_welsh_polish_and_urdu(world):
    made = survey(world, bank=(), status=SurveyStatus.DRAFT)
    question = services_build.question_add_from_bank(
        survey=made, actor=world.chief_inspector, section=made.sections.first(), bank_key="safe_after_dark"
    )
    languages = set(question.translations.values_list("language", flat=True))
    assert {"cy", "pl", "ur"} <= languages
    polish = question.translations.get(language="pl")
    assert polish.text == "Jak bezpiecznie czujesz się, spacerując samotnie po tej okolicy po zmroku?"
    assert OptionTranslation.objects.get(option__question=question, option__value="very_safe", language="cy").label == (
        "Diogel iawn"
    )


def test_a_respondent_reads_their_language_and_english_where_nothing_is_translated(client, world):
    made = _open(world)
    _custom(made)
    polish = _page(client, made, "pl").text
    assert "Biorąc wszystko pod uwagę, jak dobrze według ciebie pracuje policja w tej okolicy?" in polish
    assert "Bardzo dobrze" in polish
    # The custom question has no Polish yet: English, marked as English for screen readers.
    assert 'lang="en-GB" dir="ltr">Which day suits a PACT meeting?' in polish
    english = _page(client, made, "en-gb").text
    assert "Taking everything into account" in english and 'lang="en-GB" dir="ltr">' not in english


def test_answers_in_different_languages_count_against_the_same_option(client, world):
    made = _open(world)
    question = made.questions.get(bank_key="police_good_job")
    good = question.options.get(value="good")
    for language in ("ur", "en-gb"):
        client.cookies.clear()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.post(reverse("surveys:open", args=[made.reference]), {f"q{question.pk}": str(good.pk)})
        assert response.status_code == 302
    assert Answer.objects.filter(question=question, option=good).count() == 2


def test_staff_translate_a_custom_question_and_respondents_see_it(client, world):
    made = _open(world)
    question = _custom(made)
    monday, saturday = question.options.all()
    client.force_login(world.chief_inspector)
    url = reverse("surveys:question-translations", kwargs={"pk": made.pk, "question_pk": question.pk})
    page = client.get(url + "?language=ur")
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    response = client.post(
        url,
        {
            "language": "ur",
            "text": "PACT میٹنگ کے لیے کون سا دن موزوں ہے؟",
            f"o{monday.pk}": "پیر",
            f"o{saturday.pk}": "",
        },
    )
    assert response.status_code == 302 and response.url == url + "?language=ur"
    client.logout()
    urdu = _page(client, made, "ur").text
    assert "PACT میٹنگ کے لیے کون سا دن موزوں ہے؟" in urdu and "پیر" in urdu
    assert "Saturday" in urdu  # left blank: the English


def test_an_empty_question_removes_the_translation(world):
    made = _open(world)
    question = _custom(made)
    kwargs = {"question": question, "actor": world.chief_inspector, "language": "pl", "option_labels": {}}
    question_translation_save(text="Który dzień?", **kwargs)
    assert question_translation_save(text="  ", **kwargs) is None
    assert not QuestionTranslation.objects.filter(question=question).exists()


def test_options_without_the_question_are_refused_and_nothing_changes(client, world):
    made = _open(world)
    question = _custom(made)
    client.force_login(world.chief_inspector)
    url = reverse("surveys:question-translations", kwargs={"pk": made.pk, "question_pk": question.pk})
    monday = question.options.first()
    response = client.post(url, {"language": "cy", "text": "", f"o{monday.pk}": "Dydd Llun"})
    assert response.status_code == 400 and "Translate the question too" in response.text
    response = client.post(url, {"language": "cy", "text": "x" * 301})
    assert response.status_code == 400
    assert not OptionTranslation.objects.filter(option__question=question).exists()


@pytest.mark.parametrize("who", ["pcso", "pcso_other", "chief_inspector_other", "partner"])
def test_only_those_who_may_edit_the_survey_translate_it(client, world, who):
    made = _open(world)
    question = _custom(made)
    client.force_login(getattr(world, who))
    url = reverse("surveys:question-translations", kwargs={"pk": made.pk, "question_pk": question.pk})
    response = client.post(url, {"language": "pl", "text": "Który dzień?"})
    assert response.status_code in (403, 404)
    assert not QuestionTranslation.objects.filter(question=question).exists()


def test_the_translations_page_reads_in_constant_queries(client, world, django_assert_max_num_queries):
    made = _open(world)
    question = made.questions.get(bank_key="police_good_job")
    client.force_login(world.chief_inspector)
    url = reverse("surveys:question-translations", kwargs={"pk": made.pk, "question_pk": question.pk})
    # session, user, survey, question (+options), its translations, its options' translations, and the frame
    with django_assert_max_num_queries(12):
        assert client.get(url + "?language=cy").status_code == 200


def test_an_option_of_another_question_is_refused(world):
    made = _open(world)
    question, other = _custom(made), _custom(made, text="Which evening?")
    with pytest.raises(ValidationError):
        question_translation_save(
            question=question, actor=world.chief_inspector, language="pl", text="Który dzień?",
            option_labels={other.options.first().pk: "Poniedziałek"},
        )  # fmt: skip
    assert not QuestionTranslation.objects.filter(question=question).exists()
