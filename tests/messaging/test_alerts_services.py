import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role
from messaging.alerts import services
from messaging.models import Alert, AlertStatus, Delivery, DeliveryStatus, OutboxMessage
from neighbourhoods.models import TeamMembership
from tests.factories import UserFactory
from tests.messaging.factories import alert, subscriber

pytestmark = pytest.mark.django_db
NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def queued(monkeypatch):
    """Alert ids whose fan-out was queued (the task itself is the delivery engine's business)."""
    ids = []
    monkeypatch.setattr(services, "_queue_fan_out", ids.append)
    return ids


def compose(world, *, actor=None, **extra):
    fields = {
        "actor": actor or world.pcso,
        "force": world.force,
        "title": "Shed burglaries on Elm Street",
        "body": "Three sheds were broken into this week. **Lock yours** and mark your tools.",
        "channels": ["email"],
        "audience_level": "neighbourhoods",
        "neighbourhoods": [world.daneshouse],
    }
    fields.update(extra)
    return services.alert_create(**fields)


def field_errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- compose and scope --------------------------------------------------------------------------


def test_it_creates_a_draft_for_the_pcsos_neighbourhood(world):
    made = compose(world, channels=["email", "sms"], sms_text="Sheds broken into on Elm St. Lock yours.")
    assert (made.status, made.created_by, made.send_email, made.send_sms, made.send_voice) == (
        AlertStatus.DRAFT,
        world.pcso,
        True,
        True,
        False,
    )
    assert list(made.neighbourhoods.all()) == [world.daneshouse]


def test_it_refuses_a_pcso_another_neighbourhood_and_saves_nothing(world):
    with pytest.raises(ValidationError) as excinfo:
        compose(world, neighbourhoods=[world.daneshouse, world.fleetwood])
    assert field_errors(excinfo) == {"neighbourhoods": ["Outside the area you may send to: Fleetwood."]}
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    ("level", "area", "field"),
    [("divisions", {"divisions": ["east"]}, "divisions"), ("force", {}, "audience_level")],
)
def test_it_refuses_a_pcso_a_division_or_the_force(world, level, area, field):
    area = {name: [getattr(world, n) for n in names] for name, names in area.items()}
    with pytest.raises(ValidationError) as excinfo:
        compose(world, audience_level=level, **area)
    assert field in field_errors(excinfo)


def test_it_refuses_a_ward_of_another_neighbourhood(world):
    with pytest.raises(ValidationError) as excinfo:
        compose(world, audience_level="wards", wards=list(world.fleetwood.wards.all()))
    assert field_errors(excinfo) == {"wards": ["Outside the area you may send to: Pharos."]}


def test_it_lets_a_chief_inspector_target_only_their_division(world):
    made = compose(world, actor=world.chief_inspector, audience_level="divisions", divisions=[world.east])
    assert list(made.divisions.all()) == [world.east]
    with pytest.raises(ValidationError):
        compose(world, actor=world.chief_inspector, audience_level="divisions", divisions=[world.west])
    with pytest.raises(ValidationError):
        compose(world, actor=world.chief_inspector, audience_level="force")


def test_it_refuses_a_role_that_does_not_send_alerts(world):
    with pytest.raises(ValidationError, match="does not send alerts"):
        compose(world, actor=world.resident)


def test_it_keeps_only_the_places_of_the_chosen_level(world):
    made = compose(world, audience_level="wards", wards=list(world.daneshouse.wards.all()), divisions=[world.east])
    assert (made.wards.count(), made.neighbourhoods.count(), made.divisions.count()) == (1, 0, 0)


def test_it_refuses_a_text_message_over_four_segments(world):
    with pytest.raises(ValidationError) as excinfo:
        compose(world, channels=["sms"], sms_text="Lock your shed. " * 40)
    assert "the most allowed is 4" in field_errors(excinfo)["sms_text"][0]


def test_it_counts_the_title_when_the_sms_text_is_empty(world):
    # 60 Polish "ł" (outside GSM-7) and the STOP line make 80 UCS-2 units: two segments of 67.
    assert services.sms_segments_for(title="ł" * 60, sms_text="") == 2
    assert services.sms_segments_for(title="ł" * 60, sms_text="Lock your shed.") == 1
    assert compose(world, channels=["sms"], title="Sheds broken into on Elm Street").sms_text == ""


def test_it_refuses_no_channel_and_a_past_send_time(world):
    with pytest.raises(ValidationError) as excinfo:
        compose(world, channels=[], send_at=timezone.now() - datetime.timedelta(minutes=1))
    assert set(field_errors(excinfo)) == {"channels", "send_at"}


def test_it_updates_a_draft_but_not_a_submitted_alert(world, queued):
    subscriber(world)
    made = compose(world)
    services.alert_update(alert=made, actor=world.pcso, **_kwargs(world, title="Elm Street: lock your sheds"))
    assert Alert.objects.get().title == "Elm Street: lock your sheds"
    services.alert_submit(alert=made, actor=world.pcso)
    with pytest.raises(ValidationError, match="only a draft can be changed"):
        services.alert_update(alert=made, actor=world.pcso, **_kwargs(world, title="Changed after sending"))


def _kwargs(world, **extra):
    fields = {"title": "t", "body": "b", "channels": ["email"], "audience_level": "neighbourhoods"}
    fields["neighbourhoods"] = [world.daneshouse]
    fields.update(extra)
    return fields


# --- submit, approve, release -------------------------------------------------------------------


def test_it_refuses_to_submit_an_empty_audience(world, queued):
    subscriber(world, ward=world.fleetwood.wards.get())
    subscriber(world, email="sms-only@example.org", status="pending")
    made = compose(world)
    with pytest.raises(ValidationError, match="No one would receive this alert"):
        services.alert_submit(alert=made, actor=world.pcso)
    made.refresh_from_db()
    assert (made.status, made.released_at, queued) == (AlertStatus.DRAFT, None, [])


def test_it_releases_a_neighbourhood_alert_and_queues_the_fan_out_after_commit(
    world, queued, django_capture_on_commit_callbacks
):
    subscriber(world, mobile="+447700900001")
    made = compose(world, channels=["email", "sms"], sms_text="Lock your shed.")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.alert_submit(alert=made, actor=world.pcso)
        assert queued == []
    for callback in callbacks:
        callback()
    made.refresh_from_db()
    assert (made.status, made.audience_counts, queued) == (AlertStatus.SENDING, {"email": 1, "sms": 1}, [made.pk])
    assert made.released_at is not None


def test_it_schedules_an_alert_with_a_future_send_time(world, queued, django_capture_on_commit_callbacks):
    subscriber(world)
    made = compose(world, send_at=timezone.now() + datetime.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_submit(alert=made, actor=world.pcso)
    assert (Alert.objects.get().status, queued) == (AlertStatus.SCHEDULED, [])


def test_it_releases_scheduled_alerts_when_their_time_comes(world, queued, django_capture_on_commit_callbacks):
    subscriber(world)
    with time_machine.travel(NOON, tick=False):
        early = compose(world, send_at=NOON + datetime.timedelta(minutes=30))
        late = compose(world, send_at=NOON + datetime.timedelta(hours=3))
        for made in (early, late):
            services.alert_submit(alert=made, actor=world.pcso)
    with time_machine.travel(NOON + datetime.timedelta(minutes=31), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.alerts_release_due(now=timezone.now()) == 1
            assert services.alerts_release_due(now=timezone.now()) == 0
    statuses = dict(Alert.objects.values_list("pk", "status"))
    assert statuses == {early.pk: AlertStatus.SENDING, late.pk: AlertStatus.SCHEDULED}
    assert queued == [early.pk]


def test_it_sends_a_force_wide_alert_for_approval_by_another_communications_officer(
    world, queued, django_capture_on_commit_callbacks
):
    subscriber(world, ward=world.fleetwood.wards.get())
    made = compose(world, actor=world.comms, audience_level="force", neighbourhoods=[])
    services.alert_submit(alert=made, actor=world.comms)
    assert (Alert.objects.get().status, queued) == (AlertStatus.AWAITING_APPROVAL, [])
    with pytest.raises(ValidationError, match="another communications officer must approve"):
        services.alert_approve(alert=made, actor=world.comms)
    with pytest.raises(ValidationError, match="Only a communications officer"):
        services.alert_approve(alert=made, actor=world.hq)
    second = UserFactory(role=Role.COMMUNICATIONS, force=world.force)
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_approve(alert=made, actor=second)
    made.refresh_from_db()
    assert (made.status, made.approved_by, queued) == (AlertStatus.SENDING, second, [made.pk])


def test_it_refuses_to_approve_what_is_not_awaiting_approval(world):
    made = compose(world)
    with pytest.raises(ValidationError, match="not awaiting approval"):
        services.alert_approve(alert=made, actor=world.comms)


def test_it_re_checks_the_authors_area_on_submit(world, queued):
    subscriber(world)
    made = compose(world)
    TeamMembership.objects.filter(user=world.pcso).update(end_date=timezone.localdate() - datetime.timedelta(days=1))
    world.pcso._area_scope = None
    with pytest.raises(ValidationError, match="Outside the area"):
        services.alert_submit(alert=made, actor=world.pcso)
    assert Alert.objects.get().status == AlertStatus.DRAFT


# --- cancel -------------------------------------------------------------------------------------


def _deliveries(made, world, statuses):
    people = [subscriber(world, email=f"p{i}@example.org") for i in range(len(statuses))]
    Delivery.objects.bulk_create(
        Delivery(alert=made, subscriber=p, channel="email", status=s, queued_at=timezone.now())
        for p, s in zip(people, statuses, strict=True)
    )


def test_it_cancels_a_sending_alert_and_stops_only_its_queued_deliveries(world, queued):
    made = alert(world, status=AlertStatus.SENDING)
    other = alert(world, status=AlertStatus.SENDING)
    _deliveries(made, world, ["queued", "queued", "sending", "sent"])
    Delivery.objects.create(alert=other, subscriber=subscriber(world, email="x@example.org"), queued_at=timezone.now())
    services.alert_cancel(alert=made, actor=world.sergeant)
    made.refresh_from_db()
    assert (made.status, made.cancelled_by) == (AlertStatus.CANCELLED, world.sergeant)
    assert sorted(made.deliveries.values_list("status", flat=True)) == ["cancelled", "cancelled", "sending", "sent"]
    assert other.deliveries.get().status == DeliveryStatus.QUEUED


@pytest.mark.parametrize("status", [AlertStatus.DRAFT, AlertStatus.SENT, AlertStatus.CANCELLED])
def test_it_refuses_to_cancel_a_draft_or_a_finished_alert(world, status):
    made = alert(world, status=status)
    with pytest.raises(ValidationError, match="nothing to cancel|cannot be cancelled"):
        services.alert_cancel(alert=made, actor=world.pcso)
    made.refresh_from_db()
    assert (made.status, made.cancelled_at) == (status, None)


def test_it_cancels_a_scheduled_alert_before_its_time(world, queued, django_capture_on_commit_callbacks):
    subscriber(world)
    made = compose(world, send_at=timezone.now() + datetime.timedelta(hours=1))
    services.alert_submit(alert=made, actor=world.pcso)
    services.alert_cancel(alert=made, actor=world.pcso)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.alerts_release_due(now=timezone.now() + datetime.timedelta(hours=2)) == 0
    assert queued == []


def test_it_hands_a_released_alert_to_the_delivery_engine(world, django_capture_on_commit_callbacks, settings):
    """End to end with the real fan-out and sending (Celery runs eagerly in tests): one message per
    subscriber and channel lands in the outbox and the alert finishes as sent."""
    settings.MESSAGING_EMAIL_SENDER = settings.MESSAGING_SMS_SENDER = "outbox"
    subscriber(world, mobile="+447700900001")
    subscriber(world, email="b@example.org")
    made = compose(world, channels=["email", "sms"], sms_text="Lock your shed.")
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_submit(alert=made, actor=world.pcso)
    made.refresh_from_db()
    assert made.status == AlertStatus.SENT
    assert sorted(made.deliveries.values_list("channel", "status")) == [
        ("email", "sent"),
        ("email", "sent"),
        ("sms", "sent"),
    ]
    assert OutboxMessage.objects.filter(delivery__alert=made).count() == 3
