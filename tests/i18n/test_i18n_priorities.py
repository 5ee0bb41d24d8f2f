"""The priorities' public pages, the concern form and the follow emails in the resident's language; the
staff's return document keeps its labels English whatever language the request is in."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from pact_portal.i18n import in_source_language
from priorities import services
from priorities.images import check_photo
from priorities.models import Category, Follower, PriorityState
from priorities.notifications import follow_confirmation_send
from tests.priorities.factories import agreed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("translated")]


def _in(client, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_neighbourhood_priorities_page_is_in_welsh(client, world):
    agreed(world, title="Speeding on Burnley Road")
    page = _in(client, "cy").get(reverse("priorities:public-list", args=[world.daneshouse.code])).text
    assert "Ein blaenoriaethau yn Daneshouse" in page
    assert "Goryrru a diogelwch ar y ffyrdd" in page  # the category
    assert "Speeding on Burnley Road" in page  # what staff wrote stays as written


def test_a_priority_page_in_urdu_names_its_state_and_category(client, world):
    priority = agreed(world)
    page = _in(client, "ur").get(reverse("priorities:public-detail", args=[priority.reference])).text
    assert 'dir="rtl"' in page
    assert "منظور شدہ" in page and "تیز رفتاری اور سڑک کی حفاظت" in page
    assert "اس ترجیح کو فالو کریں" in page


def test_the_neighbourhood_page_summary_is_translated(client, world):
    agreed(world)
    page = _in(client, "pl").get(world.daneshouse.get_absolute_url()).text
    assert "Nasze priorytety" in page and "Zgłoś problem w rejonie Daneshouse" in page


def test_the_concern_form_and_its_errors_are_in_polish(client, world):
    url = reverse("priorities:raise-issue")
    page = _in(client, "pl").get(url).text
    assert "Czego dotyczy?" in page and "Włamania" in page and "Gdzie to się dzieje?" in page
    assert 'data-placed="Pinezka postawiona w okręgu {ward}."' in page  # the map script's words
    response = _in(client, "pl").post(url, {"category": "", "description": ""})
    assert "Opisz problem: co się dzieje, gdzie i kiedy." in response.text
    assert "Wybierz okręg albo postaw pinezkę na mapie w miejscu, gdzie to się dzieje." in response.text


def test_a_follower_gets_their_emails_in_the_language_they_followed_in(
    client, world, django_capture_on_commit_callbacks
):
    priority = agreed(world)
    with django_capture_on_commit_callbacks(execute=True):
        _in(client, "pl").post(
            reverse("priorities:public-follow", args=[priority.reference]), {"email": "a@example.org"}
        )
    follower = Follower.objects.get(priority=priority)
    assert follower.language == "pl"
    [confirmation] = mail.outbox
    assert confirmation.subject == f"Potwierdź, że chcesz obserwować: {priority.title}"
    services.priority_follow_confirm(token=services.follow_confirm_token(follower=follower))
    with django_capture_on_commit_callbacks(execute=True):
        services.priority_start(priority=priority, actor=world.sergeant)
    assert "Obserwowany przez ciebie priorytet rejonu Daneshouse zmienił się." in mail.outbox[-1].body
    assert "Teraz: W realizacji" in mail.outbox[-1].body


def test_a_follow_from_a_language_outside_the_set_is_kept_in_english(world):
    priority = agreed(world)
    follower = services.priority_follow(priority=priority, email="b@example.org", language="de")
    assert follower.language == settings.LANGUAGE_CODE
    mail.outbox.clear()
    follow_confirmation_send(follower_id=follower.pk)
    assert mail.outbox[0].subject.startswith("Confirm you want to follow")


def test_labels_read_as_plain_text_stay_english_in_any_language():
    with translation.override("cy"):
        assert str(Category.BURGLARY.label) == "Bwrgleriaeth"
        assert in_source_language(Category.BURGLARY.label) == "Burglary"
        assert in_source_language(PriorityState.IN_ACTION.label) == "In action"


def test_a_photo_too_large_is_measured_in_the_readers_numbers():
    class Photo:
        size = 9 * 1024 * 1024 + 200 * 1024

    with translation.override("pl"), pytest.raises(ValidationError) as refused:
        check_photo(Photo())
    assert refused.value.message_dict["photo"] == ["Zdjęcie ma 9,2 MB; limit to 8 MB."]


def test_the_feedback_and_priority_dates_use_the_month_as_a_date_needs_it():
    # "E" gives Polish its genitive month ("grudnia"), where "F" would give "grudzień".
    with translation.override("pl"):
        assert Template('{{ d|date:"j E Y" }}').render(Context({"d": datetime.date(2026, 12, 1)})) == "1 grudnia 2026"
