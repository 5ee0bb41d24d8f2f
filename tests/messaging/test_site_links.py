"""Links in emails and texts point where the portal really is: the address of the request they were
made in, or SITE_URL for background work (`make run PORT=8080` sets it)."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import RequestFactory

from messaging.delivery import fanout
from messaging.models import AlertStatus, OutboxMessage
from pact_portal import site
from tests.messaging.factories import alert, interest, subscriber

pytestmark = pytest.mark.django_db

URL = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.MESSAGING_EMAIL_SENDER = settings.MESSAGING_SMS_SENDER = settings.MESSAGING_VOICE_SENDER = "outbox"


def test_it_builds_a_background_sends_links_on_site_url(world, settings):
    settings.SITE_URL = "http://127.0.0.1:8080"
    subscriber(world, mobile="+447400123456")
    made = alert(world, send_sms=True, body="Read [the notice](https://example.org/notice).")
    type(made).objects.filter(pk=made.pk).update(status=AlertStatus.SENDING)
    fanout.alert_fan_out(alert_id=made.pk)
    messages = list(OutboxMessage.objects.all())
    found = [url for m in messages for url in URL.findall(m.body + m.html) if "example.org" not in url]
    assert len(messages) == 2 and len(found) >= 4  # manage, feedback, unsubscribe, the short link
    assert all(url.startswith("http://127.0.0.1:8080/") for url in found), found


def test_it_builds_a_sign_ups_confirm_link_on_the_requests_host(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = ["portal.test"]
    data = {"email": "amina@example.org", "mobile": "", "channels": ["email"], "language": "en-gb"}
    data |= {"ward": world.daneshouse.wards.first().code, "interests": [interest("burglary").pk]}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/in-the-know/", data, HTTP_HOST="portal.test:8080").status_code == 302
    body = OutboxMessage.objects.get(to="amina@example.org").body
    assert "http://portal.test:8080/in-the-know/confirm/" in body and ":8000" not in body


def test_it_uses_site_url_outside_a_request_and_in_threads_started_during_one(settings):
    settings.SITE_URL = "https://pact.example.police.uk/"
    assert site.absolute_url("/k/1/") == "https://pact.example.police.uk/k/1/"
    request = RequestFactory().get("/", HTTP_HOST="testserver:8080")

    def view(request):
        with ThreadPoolExecutor(1) as pool:
            return site.site_url(), pool.submit(site.site_url).result()

    assert site.RequestSiteMiddleware(view)(request) == ("http://testserver:8080", "https://pact.example.police.uk")
    assert site.site_url() == "https://pact.example.police.uk"
