"""A survey invitation carries each member's own response link, on every channel."""

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging import links
from messaging.models import Delivery, OutboxMessage, Subscriber
from messaging.rendering import VOICE_OPT_OUT, VOICE_SURVEY, VOICE_SURVEY_NO_LINK, render_delivery, sms_segments
from surveys.build import services as services_build
from surveys.translations.services import survey_translation_save
from tests.messaging.factories import alert, subscriber
from tests.surveys.factories import survey

pytestmark = pytest.mark.django_db


def invitation(world, *, channel="email", **fields):
    person = subscriber(world, mobile="+447700900123", voice=True)
    made = alert(world, kind="survey", survey=survey(world), **fields)
    return Delivery.objects.create(alert=made, subscriber=person, channel=channel, queued_at=timezone.now())


def respond_url(delivery):
    return links.absolute(reverse("surveys:respond", kwargs={"token": delivery.token}))


def test_it_puts_the_members_own_link_unwrapped_in_the_email(world, settings):
    settings.MESSAGING_CLICK_TRACKING = True
    delivery = invitation(world)
    message = render_delivery(delivery=delivery)
    assert respond_url(delivery) in message.body
    assert f'href="{respond_url(delivery)}"' in message.html and "Take the survey" in message.html


def test_it_gives_each_member_a_different_link(world):
    first = invitation(world)
    person = subscriber(world, email="bo@example.org")
    other = Delivery.objects.create(alert=first.alert, subscriber=person, channel="email", queued_at=timezone.now())
    assert respond_url(first) != respond_url(other)
    assert respond_url(other) in render_delivery(delivery=other).body
    assert respond_url(first) not in render_delivery(delivery=other).body


def test_it_adds_no_survey_link_to_an_ordinary_alert(world):
    person = subscriber(world)
    delivery = Delivery.objects.create(alert=alert(world), subscriber=person, channel="email", queued_at=timezone.now())
    message = render_delivery(delivery=delivery)
    assert "Take the survey" not in message.body and "Take the survey" not in message.html


def test_it_texts_the_survey_link_before_the_manage_link(world):
    delivery = invitation(world, channel="sms", sms_text="Tell us how safe you feel.")
    body = render_delivery(delivery=delivery).body
    manage = links.short_manage_url(subscriber=delivery.subscriber)
    assert body == f"Tell us how safe you feel. Survey: {respond_url(delivery)} Manage: {manage} Reply STOP to stop."


def test_it_keeps_a_long_invitation_text_to_four_segments_with_the_link_whole(world):
    delivery = invitation(world, channel="sms", sms_text="word " * 200)
    body = render_delivery(delivery=delivery).body
    assert sms_segments(body) == 4 and f"Survey: {respond_url(delivery)} Manage:" in body


def test_it_tells_a_voice_member_the_link_comes_by_text_or_email(world):
    delivery = invitation(world, channel="voice", voice_script="Please take our survey.")
    Delivery.objects.create(
        alert=delivery.alert, subscriber=delivery.subscriber, channel="sms", queued_at=timezone.now()
    )
    assert render_delivery(delivery=delivery).body == f"Please take our survey. {VOICE_SURVEY} {VOICE_OPT_OUT}"


def test_it_tells_a_member_reached_only_by_phone_how_to_get_a_link(world):
    delivery = invitation(world, channel="voice", voice_script="Please take our survey.")
    body = render_delivery(delivery=delivery).body
    assert body == f"Please take our survey. {VOICE_SURVEY_NO_LINK} {VOICE_OPT_OUT}" and "sent to you" not in body


def test_it_sends_the_invitation_email_with_the_members_link(world, settings, django_capture_on_commit_callbacks):
    settings.MESSAGING_EMAIL_SENDER = "outbox"
    person = subscriber(world)
    made = survey(world)
    with django_capture_on_commit_callbacks(execute=True):  # the fan-out and sending run eagerly
        sent = services_build.survey_send(
            survey=made, actor=world.chief_inspector, title="Have your say", body="How safe do you feel?",
            channels=["email"], audience_level="neighbourhoods", neighbourhoods=[world.daneshouse],
        )  # fmt: skip
    delivery = Delivery.objects.get(alert=sent, subscriber=person)
    outgoing = OutboxMessage.objects.get()
    assert respond_url(delivery) in outgoing.body and sent.survey == made


def test_it_invites_an_urdu_member_by_the_surveys_urdu_title(world, settings, django_capture_on_commit_callbacks):
    settings.MESSAGING_EMAIL_SENDER = "outbox"
    urdu = subscriber(world)
    subscriber(world, email="bo@example.org")
    Subscriber.objects.filter(pk=urdu.pk).update(language="ur")
    made = survey(world)
    survey_translation_save(
        survey=made, actor=world.chief_inspector, language="ur", title="اس علاقے میں محفوظ محسوس کرنا",
        introduction="ہم ہر رہائشی کی رائے سننا چاہتے ہیں۔", sections={},
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        sent = services_build.survey_send(
            survey=made, actor=world.chief_inspector, title="Have your say: Feeling safe", body="How safe?",
            channels=["email"], audience_level="neighbourhoods", neighbourhoods=[world.daneshouse],
        )  # fmt: skip
    assert list(sent.translations.values_list("language", flat=True)) == ["ur"]
    to_urdu = OutboxMessage.objects.get(to="amina@example.org")
    assert "اس علاقے میں محفوظ محسوس کرنا" in to_urdu.subject and "ہم ہر رہائشی" in to_urdu.body
    assert respond_url(Delivery.objects.get(alert=sent, subscriber=urdu)) in to_urdu.body
    assert OutboxMessage.objects.get(to="bo@example.org").subject == "Have your say: Feeling safe"
