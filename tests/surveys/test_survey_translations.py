"""The survey's own words (title, introduction, thank-you, sections) in the respondent's language: staff
write them on the survey's translations page; a reader with none gets the English, marked as English."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from surveys.models import Answer, Question, QuestionKind, Section, SectionTranslation, SurveyTranslation
from surveys.translations.services import question_translations_from_bank, survey_translation_save
from tests.i18n.conftest import compiled_locale, translated  # noqa: F401 (fixtures)
from tests.surveys.factories import survey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("translated")]

URDU = {
    "title": "اس علاقے میں محفوظ محسوس کرنا",
    "introduction": "ہم ڈینیش ہاؤس کے ہر رہائشی کی رائے سننا چاہتے ہیں۔",
    "thank_you": "آپ کے جوابات کا بہت شکریہ۔",
}


def _made(world, **fields):
    made = survey(world, is_open_to_all=True, introduction="We want to hear from everyone.", **fields)
    made.thank_you = "Thank you for your time."
    made.save()
    for question in made.questions.all():
        question_translations_from_bank(question=question)
    second = Section.objects.create(survey=made, title="About you", description="Optional questions.", position=1)
    Question.objects.create(survey=made, section=second, kind=QuestionKind.TEXT, text="Anything else?")
    return made, made.sections.get(position=0), second


def _in_urdu(world, made, first, second):
    return survey_translation_save(
        survey=made, actor=world.chief_inspector, language="ur",
        sections={first.pk: ("آپ کا علاقہ", "اپنے محلے کے بارے میں"), second.pk: ("آپ کے بارے میں", "")}, **URDU,
    )  # fmt: skip


def _get(client, made, language, name="surveys:open"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse(name, args=[made.reference]))


def test_it_shows_an_urdu_respondent_the_urdu_title_introduction_and_sections(client, world):
    made, first, second = _made(world)
    _in_urdu(world, made, first, second)
    page = _get(client, made, "ur").text
    assert f'<h1 class="survey-title">{URDU["title"]}</h1>' in page and URDU["introduction"] in page
    assert f'id="section-{first.pk}">آپ کا علاقہ</h2>' in page and "اپنے محلے کے بارے میں" in page
    assert f'id="section-{second.pk}">آپ کے بارے میں</h2>' in page
    # The second section's description was left untranslated: the English, marked as English.
    assert 'lang="en-GB" dir="ltr"><p>Optional questions.</p>' in page
    assert "Feeling safe in East Division" not in page


def test_it_thanks_an_urdu_respondent_in_urdu(client, world):
    made, first, second = _made(world)
    _in_urdu(world, made, first, second)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ur"
    assert client.post(reverse("surveys:open", args=[made.reference]), {}).status_code == 302
    thanks = _get(client, made, "ur", "surveys:thanks").text
    assert URDU["title"] in thanks and URDU["thank_you"] in thanks and "Thank you for your time." not in thanks
    # Answered once in this browser: the "already answered" page names the survey in Urdu too.
    assert URDU["title"] in _get(client, made, "ur").text


def test_it_shows_a_romanian_respondent_the_english_marked_as_english(client, world):
    made, first, second = _made(world)
    _in_urdu(world, made, first, second)
    page = _get(client, made, "ro").text
    assert '<h1 class="survey-title" lang="en-GB" dir="ltr">Feeling safe in East Division</h1>' in page
    assert 'class="lead" lang="en-GB" dir="ltr"><p>We want to hear from everyone.</p>' in page
    assert f'id="section-{second.pk}" lang="en-GB" dir="ltr">About you</h2>' in page
    assert URDU["title"] not in page
    english = _get(client, made, "en-gb").text
    assert (
        '<h1 class="survey-title">Feeling safe in East Division</h1>' in english
        and 'lang="en-GB" dir="ltr"' not in english
    )


def test_it_names_a_closed_survey_in_the_readers_language(client, world):
    made, first, second = _made(world)
    _in_urdu(world, made, first, second)
    made.status = "closed"
    made.save()
    page = _get(client, made, "ur")
    assert page.status_code == 410 and f'<h1 class="survey-title">{URDU["title"]}</h1>' in page.text


def test_the_urdu_form_reads_in_constant_queries(client, world, django_assert_max_num_queries):
    made, first, second = _made(world)
    _in_urdu(world, made, first, second)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ur"
    url = reverse("surveys:open", args=[made.reference])
    client.get(url)
    # session, survey, its translation, taking responses, questions, their translations, sections'
    # translations, options, options' translations, and the frame
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    for n in range(5):
        more = Section.objects.create(survey=made, title=f"More {n}", position=2 + n)
        Question.objects.create(survey=made, section=more, kind=QuestionKind.TEXT, text=f"Question {n}")
        SectionTranslation.objects.create(section=more, language="ur", title=f"مزید {n}")
    with django_assert_max_num_queries(12):
        assert "مزید 4" in client.get(url).text


def test_answers_in_urdu_and_romanian_count_together(client, world):
    made, first, second = _made(world)
    _in_urdu(world, made, first, second)
    question = made.questions.get(bank_key="police_good_job")
    good = question.options.get(value="good")
    for language in ("ur", "ro"):
        client.cookies.clear()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.post(reverse("surveys:open", args=[made.reference]), {f"q{question.pk}": str(good.pk)})
        assert response.status_code == 302
    assert Answer.objects.filter(question=question, option=good).count() == 2


def test_staff_save_a_language_on_the_translations_page(client, world):
    made, first, second = _made(world)
    client.force_login(world.chief_inspector)
    url = reverse("surveys:translations", args=[made.pk])
    page = client.get(url + "?language=ur")
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    data = {"language": "ur", f"s{first.pk}_title": "آپ کا علاقہ", f"s{second.pk}_title": "", **URDU}
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == url + "?language=ur"
    assert SurveyTranslation.objects.get(survey=made, language="ur").title == URDU["title"]
    assert list(SectionTranslation.objects.values_list("section_id", flat=True)) == [first.pk]
    listing = client.get(url).text
    # Urdu is missing one of its two sections; Welsh has nothing yet.
    assert "1 of 2 sections" in listing and "everything" in listing


@pytest.mark.parametrize(
    "data",
    [
        {"title": "", "introduction": "Cyflwyniad"},
        {"title": "Teitl", "s{second}_description": "Disgrifiad heb deitl"},
        {"title": "x" * 151},
        {"title": "Teitl", "language": "xx"},
    ],
)
def test_bad_input_on_the_translations_page_changes_nothing(client, world, data):
    made, first, second = _made(world)
    client.force_login(world.chief_inspector)
    survey_translation_save(survey=made, actor=world.chief_inspector, language="cy", title="Hen deitl", sections={})
    data = {key.format(second=second.pk): value for key, value in ({"language": "cy"} | data).items()}
    response = client.post(reverse("surveys:translations", args=[made.pk]) + "?language=cy", data)
    assert response.status_code in (200, 400)
    assert response.status_code == 400 or data["language"] == "xx"
    assert list(SurveyTranslation.objects.values_list("language", "title")) == [("cy", "Hen deitl")]
    assert not SectionTranslation.objects.exists()


def test_a_section_of_another_survey_is_refused(world):
    made, first, second = _made(world)
    other, other_section, _ = _made(world)
    with pytest.raises(ValidationError):
        survey_translation_save(
            survey=made, actor=world.chief_inspector, language="pl", title="Tytuł",
            sections={other_section.pk: ("Obca sekcja", "")},
        )  # fmt: skip
    assert not SurveyTranslation.objects.exists()


def test_an_empty_title_removes_the_language(world):
    made, first, second = _made(world)
    _in_urdu(world, made, first, second)
    assert (
        survey_translation_save(survey=made, actor=world.chief_inspector, language="ur", title=" ", sections={}) is None
    )
    assert not SurveyTranslation.objects.exists() and not SectionTranslation.objects.exists()


@pytest.mark.parametrize("who", ["pcso", "pcso_other", "chief_inspector_other", "partner"])
def test_only_those_who_may_edit_the_survey_translate_its_words(client, world, who):
    made, first, second = _made(world)
    client.force_login(getattr(world, who))
    url = reverse("surveys:translations", args=[made.pk])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"language": "pl", "title": "Tytuł"}).status_code in (403, 404)
    assert not SurveyTranslation.objects.exists()


def test_the_translations_page_reads_in_constant_queries(client, world, django_assert_max_num_queries):
    made, first, second = _made(world)
    _in_urdu(world, made, first, second)
    client.force_login(world.chief_inspector)
    url = reverse("surveys:translations", args=[made.pk]) + "?language=ur"
    client.get(url)
    # session, user, survey, its sections, its translations, its sections' translations, and the frame
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    Section.objects.create(survey=made, title="One more", position=5)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
