"""Alerts in several languages: versions per language, each member's own on every channel, the
segments a text costs in GSM-7 or UCS-2, and the compose side that shows who chose which language."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from messaging.alerts import services
from messaging.delivery import fanout
from messaging.models import AlertStatus, AlertTranslation, Delivery, OutboxMessage
from messaging.rendering import sms_segments
from tests.messaging.factories import alert, subscriber

pytestmark = pytest.mark.django_db

POLISH_SMS = "Włamania do szop przy Elm Street. Zamknij szopę i oznacz narzędzia."
ENGLISH_SMS = "Sheds broken into on Elm Street. Lock yours, mark your tools."
URDU_SMS = "ایلم اسٹریٹ پر چوری۔ شیڈ بند رکھیں۔"


def version(made, language, **fields):
    fields.setdefault("title", f"Tytuł {language}")
    fields.setdefault("body", f"Treść {language}")
    return AlertTranslation.objects.create(alert=made, language=language, **fields)


def released(made):
    type(made).objects.filter(pk=made.pk).update(status=AlertStatus.SENDING, released_at=timezone.now())


def version_url(made, language):
    return reverse("messaging:alert-version", kwargs={"pk": made.pk, "language": language})


# --- segments -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("ب" * 70, 1),
        ("ب" * 71, 2),
        ("ب" * 134, 2),
        ("ب" * 135, 3),
        ("€" * 80, 1),
        ("€" + "a" * 159, 2),
        ("[" + "a" * 158, 1),
        ("ą" + "a" * 69, 1),
        ("ą" + "a" * 70, 2),
        ("", 0),
    ],
)
def test_it_counts_segments_as_gsm_7_or_ucs_2(text, segments):
    assert sms_segments(text) == segments


# --- sending: the test --------------------------------------------------------------------


def test_it_sends_each_member_their_languages_version_or_english(world, settings):
    settings.MESSAGING_EMAIL_SENDER = settings.MESSAGING_SMS_SENDER = "outbox"
    polish = subscriber(world, email="pl@example.org", mobile="+447700900001", language="pl")
    urdu = subscriber(world, email="ur@example.org", mobile="+447700900002", language="ur")
    romanian = subscriber(world, email="ro@example.org", mobile="+447700900003", language="ro")
    made = alert(world, send_sms=True, sms_text=ENGLISH_SMS)
    version(made, "pl", title="Włamania przy Elm Street", body="Zamknij szopę.", sms_text=POLISH_SMS)
    version(made, "ur", title="ایلم اسٹریٹ پر چوری", body="اپنا شیڈ بند رکھیں۔", sms_text=URDU_SMS)
    released(made)
    fanout.alert_fan_out(alert_id=made.pk)

    def sent(member, channel):
        delivery = Delivery.objects.get(alert=made, subscriber=member, channel=channel)
        return delivery, OutboxMessage.objects.get(delivery=delivery)

    assert sent(polish, "email")[1].subject == "Włamania przy Elm Street"
    assert sent(urdu, "email")[1].subject == "ایلم اسٹریٹ پر چوری"
    assert 'lang="ur" dir="rtl"' in sent(urdu, "email")[1].html
    assert sent(romanian, "email")[1].subject == "Burglaries on Elm Street"
    # Polish diacritics and Urdu script are outside GSM-7, so UCS-2 in parts of 67 units. Each
    # text ends with the manage link and how to stop in the member's language (STOP itself stays):
    # the Polish (67 characters) passes 134 with it and takes three segments, the Urdu (35) two.
    # The Romanian member gets the English, GSM-7, in one.
    cases = [
        (polish, POLISH_SMS, "Odpisz STOP", 3),
        (urdu, URDU_SMS, "STOP لکھ کر جواب دیں", 2),
        (romanian, ENGLISH_SMS, "Reply STOP to stop.", 1),
    ]
    for member, words, stop, segments in cases:
        delivery, message = sent(member, "sms")
        assert message.body.startswith(words) and stop in message.body
        assert delivery.segments == segments == sms_segments(message.body)
    assert Delivery.objects.get(alert=made, subscriber=polish, channel="email").segments is None


def test_it_sends_english_with_an_english_footer_to_a_member_whose_language_has_no_version(world, settings):
    settings.MESSAGING_SMS_SENDER = "outbox"
    subscriber(world, email=None, mobile="+447700900001", language="pl")
    made = alert(world, send_sms=True, send_email=False, sms_text=ENGLISH_SMS)
    released(made)
    fanout.alert_fan_out(alert_id=made.pk)
    body = OutboxMessage.objects.get().body
    assert body.startswith(ENGLISH_SMS) and body.endswith("Reply STOP to stop.")
    assert Delivery.objects.get().segments == 1


def test_it_reads_the_versions_once_per_batch_not_per_delivery(world, settings, monkeypatch):
    settings.MESSAGING_SMS_SENDER = "outbox"
    for i, language in enumerate(["pl", "ur", "ro", "pl", "ur", "en-gb"] * 2):
        subscriber(world, email=None, mobile=f"+4477009001{i:02d}", language=language)
    made = alert(world, send_sms=True, send_email=False)
    version(made, "pl", sms_text=POLISH_SMS)
    version(made, "ur", sms_text=URDU_SMS)
    released(made)
    with CaptureQueriesContext(connection) as queries:
        fanout.alert_fan_out(alert_id=made.pk)
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "messaging_alerttranslation"' in q["sql"]]
    assert len(reads) == 1
    assert OutboxMessage.objects.filter(body__contains=URDU_SMS).count() == 4


# --- the compose side -----------------------------------------------------------------------------


def test_it_shows_members_per_language_in_the_compose_preview(client, world, django_assert_max_num_queries):
    subscriber(world, email="a@example.org", mobile="+447700900001", language="ur")
    subscriber(world, email="b@example.org", language="ur")
    subscriber(world, email="c@example.org", language="pl")
    client.force_login(world.pcso)
    query = {"audience_level": "neighbourhoods", "neighbourhoods": world.daneshouse.pk, "channels": "email"}
    # session, user, force, scope, neighbourhoods (validating the choice), counts with languages
    with django_assert_max_num_queries(6):
        response = client.get(reverse("messaging:alert-audience"), query)
    text = " ".join(response.content.decode().split())
    assert "اردو (Urdu): <strong>2</strong>" in text and "Polski (Polish): <strong>1</strong>" in text


def test_it_shows_the_alerts_languages_versions_and_cost(client, world, django_assert_max_num_queries):
    subscriber(world, email="a@example.org", mobile="+447700900001", language="ur")
    subscriber(world, email="b@example.org", mobile="+447700900002", language="ur")
    subscriber(world, email="c@example.org", mobile="+447700900003", language="ro")
    made = alert(world, send_sms=True, sms_text="Lock your shed.")
    version(made, "ur", sms_text=URDU_SMS)
    client.force_login(world.pcso)
    # session, user, the alert, its neighbourhoods, interests and versions, the area check, the
    # audience's ids (area, interests) and the one grouped count by language
    with django_assert_max_num_queries(10):
        response = client.get(reverse("messaging:alert-detail", kwargs={"pk": made.pk}))
    page = " ".join(response.content.decode().split())
    urdu_row = page.split('data-language="ur"')[1].split("</tr>")[0]
    romanian_row = page.split('data-language="ro"')[1].split("</tr>")[0]
    # Two members, each a two-segment UCS-2 text: four segments; Romanian gets the English in one.
    assert '<td class="text-end">2</td>' in urdu_row and '<td class="text-end">4</td>' in urdu_row
    assert "No: gets English" in romanian_row and '<td class="text-end">1</td>' in romanian_row
    assert version_url(made, "ro") in romanian_row and version_url(made, "ur") in urdu_row


def test_it_lets_the_author_add_a_version(client, world):
    made = alert(world, send_sms=True)
    client.force_login(world.pcso)
    assert client.get(version_url(made, "pl")).status_code == 200
    data = {"title": "Włamania", "body": "Zamknij szopę.", "sms_text": POLISH_SMS, "voice_script": ""}
    assert client.post(version_url(made, "pl"), data).status_code == 302
    assert made.translations.get().sms_text == POLISH_SMS


def test_it_opens_the_version_page_in_constant_queries(client, world, django_assert_max_num_queries):
    made = alert(world, send_sms=True)
    version(made, "ur", sms_text=URDU_SMS)
    client.force_login(world.pcso)
    with django_assert_max_num_queries(7):  # session, user, the alert with its places and versions, area
        assert client.get(version_url(made, "ur")).status_code == 200


def test_it_refuses_a_version_text_too_long_and_saves_nothing(client, world):
    made = alert(world, send_sms=True)
    client.force_login(world.pcso)
    data = {"title": "Włamania", "body": "Zamknij szopę.", "sms_text": "ą" * 300, "voice_script": ""}
    response = client.post(version_url(made, "pl"), data)
    assert response.status_code == 200 and "segments; the most allowed is 4" in response.content.decode()
    assert not made.translations.exists()


@pytest.mark.parametrize(("who", "status"), [("sergeant", 403), ("pcso_other", 404), ("resident", 404)])
def test_it_lets_no_one_but_the_author_change_a_version(client, world, who, status):
    made = alert(world)
    client.force_login(getattr(world, who))
    data = {"title": "Włamania", "body": "Zamknij szopę.", "sms_text": "", "voice_script": ""}
    assert client.post(version_url(made, "pl"), data).status_code == status
    assert not made.translations.exists()


def test_it_refuses_english_or_an_unknown_language_as_a_version(client, world):
    made = alert(world)
    client.force_login(world.pcso)
    assert client.get(version_url(made, "en-gb")).status_code == 404
    assert client.get(version_url(made, "xx")).status_code == 404


def test_it_keeps_a_sent_alerts_versions_as_they_were(world):
    made = alert(world)
    released(made)
    made.refresh_from_db()
    with pytest.raises(services.ValidationError):
        services.alert_version_save(alert=made, actor=world.pcso, language="pl", title="T", body="B")


def test_it_removes_a_version(client, world):
    made = alert(world)
    version(made, "pl")
    client.force_login(world.pcso)
    assert client.post(version_url(made, "pl"), {"delete": "1"}).status_code == 302
    assert not made.translations.exists()
