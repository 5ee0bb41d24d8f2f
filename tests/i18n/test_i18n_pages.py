"""Pages follow the reader's language: the switcher's cookie, else the browser's Accept-Language; lang
and dir on <html> are right, and right-to-left languages get Bootstrap's mirrored stylesheet."""

import datetime
import re

import polib
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from meetings.models import MeetingStatus
from tests.i18n.conftest import LOCALE
from tests.meetings.factories import MeetingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("translated")]

HOME = "/"


def _html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def _in(client, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_it_lays_out_urdu_right_to_left_with_the_rtl_stylesheet(client):
    response = _in(client, "ur").get(HOME)
    assert _html_tag(response) == '<html lang="ur" dir="rtl">'
    assert "vendor/bootstrap/css/bootstrap.rtl.min.css" in response.text
    assert "bootstrap.min.css" not in response.text
    assert "اپنے محلے کی پولیس ٹیم تلاش کریں" in response.text


def test_it_serves_welsh_left_to_right(client):
    response = _in(client, "cy").get(HOME)
    assert _html_tag(response) == '<html lang="cy" dir="ltr">'
    assert "vendor/bootstrap/css/bootstrap.min.css" in response.text
    assert "Dod o hyd i'ch tîm plismona cymdogaeth" in response.text


def test_it_serves_english_by_default(client):
    response = client.get(HOME)
    assert _html_tag(response) == '<html lang="en-gb" dir="ltr">'
    assert "Find your neighbourhood policing team" in response.text


def test_it_follows_the_browser_when_no_language_was_chosen(client):
    assert "Znajdź zespół policji swojego rejonu" in client.get(HOME, headers={"accept-language": "pl,en;q=0.5"}).text


def test_it_answers_in_english_to_a_browser_in_an_unsupported_language(client):
    response = client.get(HOME, headers={"accept-language": "de"})
    assert _html_tag(response) == '<html lang="en-gb" dir="ltr">'


def test_it_falls_back_to_english_for_a_string_not_yet_translated(client):
    # Romanian's catalogue is partial: the page is marked Romanian and a string it lacks is English, never blank.
    response = _in(client, "ro").get(reverse("messaging:signup"))
    assert 'lang="ro"' in _html_tag(response)
    assert "Primiți alerte In the Know" in response.text
    catalogue = polib.pofile(str(LOCALE / "ro" / "LC_MESSAGES" / "django.po"))
    missing = next(e.msgid for e in catalogue if not e.translated() and not e.msgid_plural and not e.msgctxt)
    with translation.override("ro"):
        assert gettext(missing) == missing


def test_the_switcher_is_on_public_pages_naming_each_language_in_itself(client):
    response = client.get(HOME)
    assert f'action="{reverse("set_language")}"' in response.text
    assert '<label for="language-select"' in response.text
    for code, name in settings.LANGUAGES:
        assert f'<option value="{code}" lang="{code}"' in response.text
        assert name in response.text


def test_the_switcher_changes_the_language_and_keeps_it_in_a_cookie(client):
    response = client.post(reverse("set_language"), {"language": "ur", "next": HOME}, follow=True)
    assert response.redirect_chain == [(HOME, 302)]
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ur"
    assert _html_tag(response) == '<html lang="ur" dir="rtl">'
    assert _html_tag(client.get(reverse("accounts:login"))) == '<html lang="ur" dir="rtl">'


def test_a_language_outside_the_supported_set_gives_english(client):
    # set_language stores any language Django itself has a catalogue for; LocaleMiddleware then
    # serves only those in LANGUAGES, so German falls back to the default.
    client.post(reverse("set_language"), {"language": "de", "next": HOME})
    assert _html_tag(client.get(HOME)) == '<html lang="en-gb" dir="ltr">'


def test_the_switcher_needs_no_csrf_token_so_public_pages_stay_cacheable():
    client = Client(enforce_csrf_checks=True)
    assert "csrfmiddlewaretoken" not in client.get(HOME).text
    client.post(reverse("set_language"), {"language": "pl", "next": HOME})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pl"


def test_the_public_cache_keeps_one_page_per_language(client, world, django_assert_max_num_queries):
    url = reverse("neighbourhoods:detail", args=["daneshouse"])
    urdu = _in(client, "ur").get(url).text
    welsh = _in(client, "cy").get(url).text
    with django_assert_max_num_queries(0):
        assert _in(client, "ur").get(url).text == urdu
        assert _in(client, "cy").get(url).text == welsh
    assert 'lang="ur"' in urdu and 'lang="cy"' in welsh


def test_the_switcher_does_not_redirect_off_site(client):
    response = client.post(reverse("set_language"), {"language": "cy", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_meeting_dates_follow_the_language_and_place_names_do_not(client, world):
    starts = datetime.datetime(2026, 12, 1, 18, 30, tzinfo=datetime.UTC)  # a Tuesday; GMT in December
    meeting = MeetingFactory(
        neighbourhood=world.daneshouse, status=MeetingStatus.PUBLISHED, created_by=world.pcso, starts_at=starts
    )
    polish = _in(client, "pl").get(meeting.get_absolute_url()).text
    assert "Wtorek 1 grudnia 2026, 18:30" in polish
    assert "Rejon Daneshouse" in polish
    welsh = _in(client, "cy").get(meeting.get_absolute_url()).text
    assert "Rhagfyr 2026, 18:30" in welsh


def test_the_not_found_page_is_in_the_visitors_language(client):
    response = _in(client, "cy").get("/no-such-page/")
    assert response.status_code == 404
    assert _html_tag(response) == '<html lang="cy" dir="ltr">'
    assert "Heb ddod o hyd i'r dudalen" in response.text


def test_the_server_error_page_stands_alone_in_the_language_of_the_request():
    # Django renders 500.html with no request context, so it may rely on nothing but the active language.
    with translation.override("ur"):
        page = render_to_string("500.html")
    assert '<html lang="ur" dir="rtl">' in page and "bootstrap.rtl.min.css" in page
    assert "معذرت، کچھ غلط ہو گیا" in page


def test_the_password_reset_email_is_written_in_the_language_of_the_page(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _in(client, "cy").post(reverse("accounts:password-reset"), {"email": world.pcso.email})
    (email,) = mailoutbox
    assert email.subject.startswith("Ailosod eich cyfrinair")
    assert "Dewiswch gyfrinair newydd yma; mae'r ddolen yn gweithio unwaith ac am 24 awr:" in email.body
