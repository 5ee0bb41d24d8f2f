"""Manage links expire, are tied to a secret the member can change, and show no address in full;
an expired or cancelled link offers a fresh one at the member's own address, and one-click
unsubscribe keeps working whatever happens to manage links."""

import datetime
import importlib
import re

import pytest
import time_machine
from django.apps import apps
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from messaging import links
from messaging.members.services import manage as services_manage
from messaging.models import Delivery, OutboxMessage, Subscriber, SubscriberChannel
from messaging.rendering import render_delivery
from tests.messaging.factories import alert, subscriber

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)
MOBILE = "+447400123456"


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.MESSAGING_EMAIL_SENDER = settings.MESSAGING_SMS_SENDER = settings.MESSAGING_VOICE_SENDER = "outbox"


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def call(url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return call


def manage_path(member):
    return reverse("messaging:manage", args=[links.manage_token(subscriber=member)])


def short_path(member):
    return reverse("messaging:manage-short", kwargs={"code": links.short_manage_code(subscriber=member)})


def test_it_opens_a_manage_link_for_thirty_days_and_then_offers_a_fresh_one(client, world):
    member = subscriber(world, mobile=MOBILE)
    with time_machine.travel(NOON, tick=False) as clock:
        path = manage_path(member)
        clock.shift(datetime.timedelta(days=29))
        assert client.get(path).status_code == 200
        clock.shift(datetime.timedelta(days=2))
        response = client.get(path)
    page = response.content.decode()
    assert response.status_code == 410 and "This link has expired" in page and "Send a fresh link" in page
    assert "amina" not in page and "e•••.org" not in page and "456" not in page


def test_it_refuses_every_action_from_an_expired_link_and_changes_nothing(client, world):
    member = subscriber(world)
    with time_machine.travel(NOON, tick=False) as clock:
        path = manage_path(member)
        clock.shift(datetime.timedelta(days=31))
        for action in ("stop/", "my-data/", "erase/", "resend/"):
            assert client.post(path + action).status_code == 410
    assert Subscriber.objects.current().get() == member
    assert member.channels.get().status == "active"


def test_it_sends_a_fresh_link_to_the_address_on_file_from_an_expired_one(client, world, post):
    member = subscriber(world)
    with time_machine.travel(NOON, tick=False) as clock:
        path = manage_path(member)
        clock.shift(datetime.timedelta(days=40))
        page = post(path + "fresh-link/").content.decode()
        assert "we have sent a fresh link" in page and "amina" not in page
        message = OutboxMessage.objects.get()
        fresh = re.search(r"(/in-the-know/manage/[^/\s]+/)", message.body).group(1)
        assert message.to == "amina@example.org" and client.get(fresh).status_code == 200


def test_it_treats_a_link_from_before_secrets_as_expired(client, world):
    member = subscriber(world)
    old = signing.dumps(str(member.reference), salt=links.MANAGE_SALT, compress=False)
    assert client.get(reverse("messaging:manage", args=[old])).status_code == 410


def test_it_cancels_every_earlier_link_when_the_member_asks(client, world):
    member = subscriber(world, email=None, mobile=MOBILE)
    old, old_short = manage_path(member), short_path(member)
    response = client.post(old + "new-links/")
    assert response.status_code == 302 and client.get(response["Location"]).status_code == 200
    assert client.get(old).status_code == 410
    assert client.get(old_short).status_code == 404
    member.refresh_from_db()
    assert client.get(short_path(member)).status_code == 302


def test_it_changes_the_secret_when_a_member_is_erased(world):
    member = subscriber(world)
    before = member.manage_secret
    services_manage.subscriber_erase(subscriber=member)
    member.refresh_from_db()
    assert member.manage_secret != before and len(member.manage_secret) >= 16


def test_it_gives_each_member_their_own_secret(world):
    first, second = subscriber(world), subscriber(world, email="bilal@example.org")
    assert first.manage_secret != second.manage_secret
    migration = importlib.import_module("messaging.migrations.0006_subscriber_manage_secret")
    Subscriber.objects.update(manage_secret="")
    migration.give_each_member_a_secret(apps, None)
    secrets = list(Subscriber.objects.values_list("manage_secret", flat=True))
    assert len(set(secrets)) == 2 and "" not in secrets


def test_it_expires_a_texts_short_link_after_at_most_thirty_days(client, world, post):
    member = subscriber(world, email=None, mobile=MOBILE)
    with time_machine.travel(NOON, tick=False) as clock:
        path = short_path(member)
        clock.shift(datetime.timedelta(days=15))
        assert client.get(path).status_code == 302
        clock.shift(datetime.timedelta(days=16))
        response = client.get(path)
        assert response.status_code == 410 and "Send a fresh link" in response.content.decode()
        post(path + "fresh-link/")
    text = OutboxMessage.objects.get()
    assert text.to == MOBILE and "/in-the-know/manage/" in text.body


def test_it_throttles_fresh_link_requests_for_one_member(client, world, post):
    member = subscriber(world)
    path = manage_path(member) + "fresh-link/"
    statuses = [post(path).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429] and OutboxMessage.objects.count() == 3


def test_it_masks_the_addresses_and_keeps_them_when_the_fields_are_left_empty(client, world, post):
    member = subscriber(world, mobile=MOBILE)
    page = client.get(manage_path(member)).content.decode()
    assert "a•••@e•••.org" in page and "•••• ••• 456" in page
    assert "amina@example.org" not in page and "7400123456" not in page
    data = {"email": "", "mobile": "", "channels": ["email", "sms"], "language": "en-gb"}
    data["ward"] = member.ward.code
    assert post(manage_path(member), data).status_code == 302
    rows = dict(SubscriberChannel.objects.values_list("channel", "address"))
    assert rows == {"email": "amina@example.org", "sms": MOBILE}
    assert not OutboxMessage.objects.exists()  # nothing changed, so nothing to confirm


def test_it_still_unsubscribes_in_one_click_after_a_year_and_a_cancelled_link(world, client):
    member = subscriber(world)
    message = Delivery.objects.create(alert=alert(world), subscriber=member, channel="email", queued_at=timezone.now())
    services_manage.subscriber_links_rotate(subscriber=member)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=400)):
        response = client.post(links.unsubscribe_url(delivery=message))
    assert response.status_code == 200 and member.channels.get().status == "unsubscribed"


def test_it_puts_a_fresh_working_manage_link_in_every_message(client, world):
    member = subscriber(world)
    message = Delivery.objects.create(alert=alert(world), subscriber=member, channel="email", queued_at=timezone.now())
    services_manage.subscriber_links_rotate(subscriber=member)
    body = render_delivery(delivery=message).body
    path = re.search(r"(/in-the-know/manage/[^/\s]+/)", body).group(1)
    assert client.get(path).status_code == 200
