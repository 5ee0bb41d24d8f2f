"""What reaches a member outside an alert (confirmations, manage links) and the pages their own
links open are in the language they chose; the switcher's cookie on the device still wins."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from messaging import links
from messaging.members.services import signup as services_signup
from messaging.models import ConsentMethod, Delivery, OutboxMessage, SignUpSource
from tests.messaging.factories import alert, interest, subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.MESSAGING_EMAIL_SENDER = settings.MESSAGING_SMS_SENDER = "outbox"


def sign_up(world, capture, **fields):
    fields.setdefault("mobile", "")
    fields.setdefault("email", "amina@example.org")
    fields.setdefault("channels", ["email"])
    with capture(execute=True):
        return services_signup.subscriber_sign_up(
            ward=world.daneshouse.wards.first(),
            interests=[interest("burglary")],
            source=SignUpSource.ONLINE,
            consent_method=ConsentMethod.ONLINE_FORM,
            **fields,
        )


def test_it_sends_the_confirmation_email_in_the_members_language(world, django_capture_on_commit_callbacks):
    sign_up(world, django_capture_on_commit_callbacks, language="pl")
    message = OutboxMessage.objects.get(to="amina@example.org")
    assert message.subject == "Potwierdź swoje powiadomienia In the Know"
    assert "Jeśli to nie Ty, nic nie rób" in message.body and "Potwierdź moje powiadomienia" in message.html


def test_it_sends_the_confirmation_code_in_the_members_language(world, django_capture_on_commit_callbacks):
    sign_up(world, django_capture_on_commit_callbacks, email="", mobile="07400123456", channels=["sms"], language="ur")
    body = OutboxMessage.objects.get(channel="sms").body
    assert body.startswith("آپ کا In the Know کوڈ") and "/in-the-know/" in body


def test_a_partly_translated_language_gets_what_its_catalogue_has(world, django_capture_on_commit_callbacks):
    # Romanian is not complete, but its catalogue has the confirmation (tests/i18n checks that a string
    # it lacks falls back to English).
    sign_up(world, django_capture_on_commit_callbacks, language="ro")
    assert OutboxMessage.objects.get().subject == "Confirmați alertele In the Know"


def test_it_sends_a_manage_link_in_the_members_language(world, django_capture_on_commit_callbacks):
    member = subscriber(world, email=None, mobile="+447400123456", language="cy")
    with django_capture_on_commit_callbacks(execute=True):
        services_signup.send_manage_link(member.channels.get())
    assert OutboxMessage.objects.get().body.startswith("Eich dolen i newid neu atal")


def _unsubscribe_url(world, member):
    made = alert(world)
    message = Delivery.objects.create(alert=made, subscriber=member, channel="email", queued_at=timezone.now())
    return links.unsubscribe_url(delivery=message)


def test_it_shows_the_unsubscribe_page_in_the_members_language(client, world):
    member = subscriber(world, language="ur")
    response = client.get(_unsubscribe_url(world, member), HTTP_ACCEPT_LANGUAGE="en-GB")
    page = response.content.decode()
    assert 'lang="ur"' in page and 'dir="rtl"' in page and "In the Know سے ان سبسکرائب کریں" in page
    assert response["Content-Language"] == "ur"


def test_it_follows_the_switchers_cookie_over_the_members_language(client, world):
    member = subscriber(world, language="ur")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pl"
    page = client.get(_unsubscribe_url(world, member)).content.decode()
    assert "Wypisz się z In the Know" in page and 'dir="rtl"' not in page


def test_it_unsubscribes_and_says_so_in_the_members_language(client, world):
    member = subscriber(world, language="cy")
    page = client.post(_unsubscribe_url(world, member)).content.decode()
    assert "Rydych wedi dad-danysgrifio" in page and member.channels.get().status == "unsubscribed"


def test_it_shows_an_expired_manage_link_page_in_the_browsers_language_when_no_member_is_known(client, world):
    page = client.get(reverse("messaging:manage", args=["not-a-token"]), HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Ten link nie działa" in page


def test_it_asks_for_feedback_in_the_members_language(client, world):
    member = subscriber(world, language="cy")
    message = Delivery.objects.create(alert=alert(world), subscriber=member, channel="email", queued_at=timezone.now())
    page = client.get(links.feedback_url(delivery=message)).content.decode()
    assert "Oedd y neges hon yn ddefnyddiol?" in page and "Nac oedd" in page


def test_it_shows_the_manage_page_and_its_form_in_the_members_language(client, world, django_assert_max_num_queries):
    member = subscriber(world, language="pl")
    path = reverse("messaging:manage", args=[links.manage_token(subscriber=member)])
    with django_assert_max_num_queries(5):  # member, channels, interests, wards, all interests
        page = client.get(path, HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert "Twoje powiadomienia In the Know" in page and "Preferowany język" in page


def test_it_shows_the_sign_up_page_in_the_readers_language(client, world):
    page = client.get(reverse("messaging:signup"), HTTP_ACCEPT_LANGUAGE="ur").content.decode()
    assert "In the Know الرٹس حاصل کریں" in page and 'dir="rtl"' in page


def test_it_names_the_alert_as_the_member_received_it(client, world):
    member = subscriber(world, language="pl")
    made = alert(world)
    made.translations.create(language="pl", title="Włamania do szop", body="Zamknij szopę.")
    message = Delivery.objects.create(alert=made, subscriber=member, channel="email", queued_at=timezone.now())
    assert "„Włamania do szop”" in client.get(links.unsubscribe_url(delivery=message)).content.decode()
    assert "Włamania do szop" in client.get(links.feedback_url(delivery=message)).content.decode()
