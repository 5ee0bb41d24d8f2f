"""The retention job deletes or anonymises exactly what is past the schedule, leaves everything
else, and changes no figure of a built return."""

import io
from datetime import date, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from messaging.models import (
    ChannelStatus,
    Delivery,
    DeliveryAttempt,
    OutboxMessage,
    Subscriber,
    SubscriberChannel,
)
from pact_portal.beat import BEAT_SCHEDULE
from pact_portal.observability import heartbeats
from pact_portal.retention.services import retention_apply, retention_due
from priorities.models import IssueStatus, Open311Request
from priorities.services import open311 as services_open311
from reports.models import PeriodKind
from reports.selectors import return_figures
from tests.messaging.factories import alert, subscriber
from tests.priorities.factories import raise_issue
from tests.reports import factories as f

pytestmark = pytest.mark.django_db

NOW = f.NOVEMBER_3RD + timedelta(days=400)
OCTOBER = {"period_kind": PeriodKind.MONTH, "period_start": date(2026, 10, 1), "period_end": date(2026, 10, 31)}


def days_ago(days: int):
    return NOW - timedelta(days=days)


def delivery_at(world, person, *, queued_at, **fields):
    made = alert(world)
    return Delivery.objects.create(alert=made, subscriber=person, channel="email", queued_at=queued_at, **fields)


def closed_issue(world, *, created_at, tmp_path, status=IssueStatus.CLOSED):
    issue = raise_issue(world, contact_email="reporter@example.org")
    issue.photo.save("street.png", ContentFile(b"png"), save=False)
    type(issue).objects.filter(pk=issue.pk).update(status=status, created_at=created_at, photo=issue.photo.name)
    issue.refresh_from_db()
    return issue


def test_it_removes_exactly_what_is_past_the_schedule(world, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    person = subscriber(world, email="kept@example.org")
    old = delivery_at(world, person, queued_at=days_ago(91), provider_id="p-1", error="550 <kept@example.org>")
    recent = delivery_at(world, person, queued_at=days_ago(89), provider_id="p-2", error="timeout")
    DeliveryAttempt.objects.create(delivery=old, attempted_at=days_ago(91), outcome="sent")
    kept_attempt = DeliveryAttempt.objects.create(delivery=recent, attempted_at=days_ago(89), outcome="sent")
    for days in (31, 29):
        message = OutboxMessage.objects.create(channel="email", to="kept@example.org", body="b")
        OutboxMessage.objects.filter(pk=message.pk).update(created_at=days_ago(days))
    Session.objects.create(session_key="gone", session_data="x", expire_date=days_ago(1))
    Session.objects.create(session_key="live", session_data="x", expire_date=NOW + timedelta(hours=1))
    for days in (91, 89):
        attempt = AccessAttempt.objects.create(user_agent="ua", ip_address="198.51.100.1", username=f"u{days}",
                                               http_accept="*", path_info="/", failures_since_start=1,
                                               get_data="", post_data="")  # fmt: skip
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=days_ago(days))
    old_issue = closed_issue(world, created_at=days_ago(181), tmp_path=tmp_path)
    key = services_open311.open311_api_key_issue(actor=world.hq, force=world.force, name="FixMyStreet")[0]
    Open311Request.objects.create(issue=old_issue, api_key=key, first_name="Amina", phone="07400123456")
    new_issue = closed_issue(world, created_at=days_ago(179), tmp_path=tmp_path)
    linked = closed_issue(world, created_at=days_ago(400), tmp_path=tmp_path, status=IssueStatus.LINKED)
    photo_path = tmp_path / old_issue.photo.name

    with time_machine.travel(NOW, tick=False):
        due = retention_due()
        with django_capture_on_commit_callbacks(execute=True):  # the photo's file goes once the blank commits
            done = retention_apply()
    assert done == due
    assert due["messaging_delivery (provider id and error text)"] == 1
    assert Delivery.objects.filter(pk=old.pk, provider_id="", error="").exists()
    assert Delivery.objects.get(pk=recent.pk).provider_id == "p-2"
    assert list(DeliveryAttempt.objects.all()) == [kept_attempt]
    assert OutboxMessage.objects.count() == 1 and due["messaging_outboxmessage"] == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    assert AccessAttempt.objects.count() == 1 and due["axes_accessattempt"] == 1
    old_issue.refresh_from_db(), new_issue.refresh_from_db(), linked.refresh_from_db()
    assert (old_issue.contact_email, old_issue.photo.name) == ("", "") and not photo_path.exists()
    assert Open311Request.objects.get().first_name == "" and Open311Request.objects.get().phone == ""
    assert new_issue.contact_email and new_issue.photo.name
    assert linked.contact_email and linked.photo.name  # its priority may still write to the reporter
    with time_machine.travel(NOW, tick=False):
        assert sum(retention_due().values()) == 0  # a second night finds nothing


def test_it_anonymises_lapsed_members_and_leaves_current_ones(world):
    with time_machine.travel(days_ago(400), tick=False):
        never_confirmed = subscriber(world, email="pending@example.org", status=ChannelStatus.PENDING)
        lapsed = subscriber(world, email="lapsed@example.org", status=ChannelStatus.UNSUBSCRIBED)
        current = subscriber(world, email="current@example.org")
    SubscriberChannel.objects.filter(subscriber=lapsed).update(unsubscribed_at=days_ago(366))
    with time_machine.travel(days_ago(20), tick=False):
        fresh = subscriber(world, email="fresh@example.org", status=ChannelStatus.PENDING)
    with time_machine.travel(NOW, tick=False):
        done = retention_apply()
    assert done["messaging_subscriber (never confirmed)"] == 1
    assert done["messaging_subscriber (unsubscribed)"] == 1
    addresses = set(SubscriberChannel.objects.values_list("address", flat=True))
    assert "pending@example.org" not in addresses and "lapsed@example.org" not in addresses
    assert {"current@example.org", "fresh@example.org"} <= addresses
    lapsed_channel = SubscriberChannel.objects.get(subscriber=lapsed)
    assert lapsed_channel.confirmed_at is not None and lapsed_channel.unsubscribed_at == days_ago(366)
    erased = set(Subscriber.objects.filter(erased_at__isnull=False).values_list("pk", flat=True))
    assert erased == {never_confirmed.pk, lapsed.pk}
    assert current.pk not in erased and fresh.pk not in erased


def test_applying_retention_changes_no_figure_of_a_built_return(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(f.NOVEMBER_3RD, tick=False):
        made = f.division_month(world)
        for delivery in Delivery.objects.all():
            DeliveryAttempt.objects.create(delivery=delivery, attempted_at=delivery.queued_at, outcome="sent")
        Delivery.objects.update(provider_id="provider-ref", error="550 refused")
        before = return_figures(division=world.east, **OCTOBER)
    with time_machine.travel(NOW, tick=False):
        done = retention_apply()
    assert done["messaging_subscriber (never confirmed)"] >= 1  # S3
    assert done["messaging_subscriber (unsubscribed)"] >= 1  # S4, S7
    assert done["messaging_deliveryattempt"] >= 1
    assert made.members["S4"].channels.get().address.startswith("erased:")
    with time_machine.travel(f.NOVEMBER_3RD, tick=False):
        after = return_figures(division=world.east, **OCTOBER)
    assert after == before
    assert any(row["value"] for row in before["headline"])


def test_the_command_prints_what_would_go_per_table_and_changes_nothing(world):
    person = subscriber(world, email="kept@example.org")
    delivery = delivery_at(world, person, queued_at=timezone.now() - timedelta(days=100), provider_id="p")
    DeliveryAttempt.objects.create(delivery=delivery, attempted_at=timezone.now() - timedelta(days=100), outcome="x")
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    [line] = [line for line in out.getvalue().splitlines() if line.startswith("messaging_deliveryattempt ")]
    assert line.split()[-3:] == ["1", "would", "go"]
    assert DeliveryAttempt.objects.count() == 1
    call_command("apply_retention", stdout=io.StringIO())
    assert DeliveryAttempt.objects.count() == 0


def test_it_runs_nightly_from_beat_and_beats_heartbeat_notes_it(world):
    from pact_portal.tasks import retention_apply_task

    assert BEAT_SCHEDULE["retention-apply"]["task"] == retention_apply_task.name
    result = retention_apply_task.apply()
    assert result.get()["messaging_deliveryattempt"] == 0
    assert heartbeats.heartbeats()["retention-apply"] is not None


def test_it_strips_deliveries_a_batch_at_a_time(world, monkeypatch):
    from pact_portal.retention import services

    monkeypatch.setattr(services, "STRIP_BATCH", 2)
    people = [subscriber(world, email=f"p{i}@example.org") for i in range(5)]
    made = alert(world)
    for person in people:
        Delivery.objects.create(alert=made, subscriber=person, channel="email", queued_at=days_ago(100), error="x")
    with time_machine.travel(NOW, tick=False):
        assert retention_apply()["messaging_delivery (provider id and error text)"] == 5
    assert not Delivery.objects.exclude(error="").exists()


def test_it_deletes_replies_a_year_old_and_blanks_old_bounce_addresses(world):
    from messaging.models import BounceRecovery, InboundReply, ReplyAnswer

    person = subscriber(world, email="amina@example.org")
    replies = {}
    for days in (366, 364):
        replies[days] = InboundReply.objects.create(
            channel="email", sender="amina@example.org", body="Was it Elm Street?", provider="t",
            provider_message_id=str(days), received_at=days_ago(days), subscriber=person,
        )  # fmt: skip
        ReplyAnswer.objects.create(
            reply=replies[days], author=world.pcso, channel="email", to="amina@example.org", body="Yes",
            created_at=days_ago(days),
        )  # fmt: skip
    old = BounceRecovery.objects.create(subscriber=person, address="old@example.org", bounced_at=days_ago(366))
    recent = BounceRecovery.objects.create(subscriber=person, address="new@example.org", bounced_at=days_ago(364))
    with time_machine.travel(NOW, tick=False):
        due = retention_due()
        done = retention_apply()
    assert done == due
    assert (due["messaging_inboundreply"], due["messaging_bouncerecovery (addresses)"]) == (1, 1)
    assert list(InboundReply.objects.all()) == [replies[364]] and ReplyAnswer.objects.count() == 1
    old.refresh_from_db(), recent.refresh_from_db()
    assert (old.address, recent.address) == ("", "new@example.org")


def test_erasing_a_member_deletes_their_replies(world):
    from messaging.members.services.manage import subscriber_erase
    from messaging.models import InboundReply

    person = subscriber(world, email="amina@example.org")
    InboundReply.objects.create(
        channel="email", sender="amina@example.org", body="Hi", provider="t", provider_message_id="1",
        received_at=NOW, subscriber=person,
    )  # fmt: skip
    subscriber_erase(subscriber=person)
    assert not InboundReply.objects.exists()
