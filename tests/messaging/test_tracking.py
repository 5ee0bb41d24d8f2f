"""The links inside a message: click counter, open pixel and "was this useful?"."""

import re
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from messaging import links
from messaging.models import Delivery, Feedback, LinkClick
from tests.messaging.factories import alert, subscriber

pytestmark = pytest.mark.django_db
TARGET = "https://www.lancashire.police.uk/help-advice/burglary/"


@pytest.fixture
def delivery(world):
    sent = alert(world, status="sent", released_at=timezone.now())
    return Delivery.objects.create(
        alert=sent, subscriber=subscriber(world), channel="email", status="delivered", queued_at=timezone.now()
    )


def _path(url: str) -> str:
    return url.removeprefix(links.absolute(""))


def test_it_redirects_a_click_to_the_signed_target_without_signing_in(client, delivery):
    response = client.get(_path(links.tracked_url(delivery=delivery, url=TARGET)))
    assert response.status_code == 302 and response["Location"] == TARGET
    assert LinkClick.objects.get().url == TARGET


def test_it_keeps_every_click_but_stamps_the_first_one(client, delivery):
    url = _path(links.tracked_url(delivery=delivery, url=TARGET))
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        client.get(url)
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False):
        client.get(url)
    delivery.refresh_from_db()
    assert LinkClick.objects.filter(delivery=delivery).count() == 2
    assert delivery.clicked_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("query", ["", "?to=", "?to=https://evil.example/", "?to=tampered:abc"])
def test_it_refuses_a_missing_or_tampered_target(client, delivery, query):
    response = client.get(reverse("messaging:click", args=[delivery.token]) + query)
    assert response.status_code == 400 and "Location" not in response
    assert not LinkClick.objects.exists()


def test_it_refuses_a_tampered_signature(client, delivery):
    url = _path(links.tracked_url(delivery=delivery, url=TARGET))
    response = client.get(url[:-3] + ("abc" if not url.endswith("abc") else "xyz"))
    assert response.status_code == 400 and not LinkClick.objects.exists()


def test_it_refuses_a_signed_target_that_is_not_a_web_page(client, delivery):
    response = client.get(_path(links.tracked_url(delivery=delivery, url="javascript:alert(1)")))
    assert response.status_code == 400 and "Location" not in response


def test_it_answers_404_for_an_unknown_token(client, delivery):
    signed = _path(links.tracked_url(delivery=delivery, url=TARGET)).split("?")[1]
    response = client.get(reverse("messaging:click", args=[uuid.uuid4()]) + "?" + signed)
    assert response.status_code == 404 and not LinkClick.objects.exists()


def test_it_answers_a_link_checkers_head_without_counting_a_click(client, delivery):
    response = client.head(_path(links.tracked_url(delivery=delivery, url=TARGET)))
    assert response.status_code == 302 and not LinkClick.objects.exists()


def test_it_redirects_without_recording_when_click_tracking_is_off(client, delivery, settings):
    settings.MESSAGING_CLICK_TRACKING = False
    response = client.get(_path(links.tracked_url(delivery=delivery, url=TARGET)))
    assert response.status_code == 302 and not LinkClick.objects.exists()


def test_it_serves_the_pixel_but_records_no_open_by_default(client, delivery):
    response = client.get(_path(links.open_pixel_url(delivery=delivery)))
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert response.content.startswith(b"GIF89a") and "no-store" in response["Cache-Control"]
    delivery.refresh_from_db()
    assert delivery.opened_at is None


def test_it_records_the_first_open_when_tracking_is_on(client, delivery, settings):
    settings.MESSAGING_OPEN_TRACKING = True
    url = _path(links.open_pixel_url(delivery=delivery))
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        client.get(url)
    with time_machine.travel(datetime(2026, 3, 3, 9, 0, tzinfo=UTC), tick=False):
        client.get(url)
    delivery.refresh_from_db()
    assert delivery.opened_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_it_serves_the_pixel_for_an_unknown_token(client, settings):
    settings.MESSAGING_OPEN_TRACKING = True
    response = client.get(reverse("messaging:open", args=[uuid.uuid4()]))
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"


def test_it_preselects_the_answer_from_the_link_but_records_nothing_on_get(client, delivery):
    response = client.get(_path(links.feedback_url(delivery=delivery)) + "?useful=no")
    assert response.status_code == 200
    assert re.search(r'value="no"\s+id="id_useful_1" required checked', response.content.decode())
    assert not re.search(r'value="yes"\s+id="id_useful_0" required checked', response.content.decode())
    assert not Feedback.objects.exists()


def test_it_records_feedback_without_signing_in(client, delivery):
    url = reverse("messaging:feedback", args=[delivery.token])
    response = client.post(url, {"useful": "yes", "acted_on": "on", "comment": "  Locked the shed.  "})
    assert response.status_code == 302 and response["Location"] == url
    feedback = Feedback.objects.get(delivery=delivery)
    assert (feedback.useful, feedback.acted_on, feedback.comment) == (True, True, "Locked the shed.")


def test_it_updates_the_answer_on_a_second_submission(client, delivery):
    url = reverse("messaging:feedback", args=[delivery.token])
    client.post(url, {"useful": "yes", "acted_on": "on", "comment": "Thanks"})
    client.post(url, {"useful": "no", "comment": ""})
    feedback = Feedback.objects.get()
    assert (feedback.useful, feedback.acted_on, feedback.comment) == (False, False, "")
    page = client.get(url).content.decode()
    assert "replaces your earlier answer" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"comment": "No answer"}, "choose yes or no"),
        ({"useful": "maybe"}, "Choose yes or no"),
        ({"useful": "yes", "comment": "x" * 2001}, "2,000 characters or fewer"),
    ],
)
def test_it_rejects_bad_feedback_and_records_nothing(client, delivery, data, message):
    response = client.post(reverse("messaging:feedback", args=[delivery.token]), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Feedback.objects.exists()


def test_it_escapes_the_alert_title_and_the_comment(client, delivery):
    Alert = type(delivery.alert)
    Alert.objects.filter(pk=delivery.alert_id).update(title="<script>alert(1)</script>")
    url = reverse("messaging:feedback", args=[delivery.token])
    client.post(url, {"useful": "yes", "comment": "<b>bold</b>"})
    page = client.get(url).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page


def test_it_answers_404_for_feedback_on_an_unknown_token(client, delivery):
    assert client.get(reverse("messaging:feedback", args=[uuid.uuid4()])).status_code == 404
    assert client.post(reverse("messaging:feedback", args=[uuid.uuid4()]), {"useful": "yes"}).status_code == 404
    assert not Feedback.objects.exists()
