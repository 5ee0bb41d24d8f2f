"""Emergencies first and members in control: the audience's one definition (kinds per channel,
quiet hours, a holiday pause, and an emergency over all of them), the held deliveries of the
fan-out, and the due sweep that sends them and every retry."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db.models import Max, Min
from django.urls import reverse

from messaging import links
from messaging.delivery import fanout, sending
from messaging.delivery.audience import alert_audience_kwargs, audience_summary, quiet_end_after, subscriber_channels
from messaging.delivery.channels import SendResult, TransientSendError
from messaging.models import AlertStatus, Delivery, DeliveryAttempt, DeliveryStatus, SubscriberChannel
from tests.messaging.factories import alert, interest, subscriber

pytestmark = pytest.mark.django_db

# A Saturday evening in winter (GMT): 22:00 in Lancashire.
EVENING = datetime(2026, 1, 17, 22, 0, tzinfo=UTC)
QUIET = {"quiet_start": time(21), "quiet_end": time(8)}


def pairs(made, at=None):
    return set(subscriber_channels(**alert_audience_kwargs(alert=made), at=at).values_list("subscriber_id", "channel"))


def released(world, **fields):
    made = alert(world, **fields)
    type(made).objects.filter(pk=made.pk).update(status=AlertStatus.SENDING, released_at=EVENING)
    made.refresh_from_db()
    return made


def accepts(person, **choices):
    for channel, value in choices.items():
        SubscriberChannel.objects.filter(subscriber=person, channel=channel).update(accepts=value)


@pytest.fixture
def no_sending(monkeypatch):
    monkeypatch.setattr(fanout, "sends_queue", lambda **kwargs: 0)


# --- emergencies first ----------------------------------------------------------------------------


def test_it_sends_an_emergency_to_a_member_with_no_interest_in_common_on_every_channel(world):
    person = subscriber(world, mobile="+447700900001", voice=True, interests=("scams",), **QUIET)
    accepts(person, sms="urgent", voice="emergency")
    person.paused_until = date(2026, 1, 31)
    person.save(update_fields=["paused_until"])
    made = alert(world, kind="emergency", interests=["burglary"], send_email=True)
    with time_machine.travel(EVENING, tick=False):
        assert pairs(made) == {(person.pk, "email"), (person.pk, "sms"), (person.pk, "voice")}


def test_it_keeps_interests_for_every_other_kind(world):
    person = subscriber(world, mobile="+447700900001", interests=("scams",))
    fan = subscriber(world, email="fan@example.org", interests=("burglary",))
    made = alert(world, kind="appeal", interests=["burglary"], send_sms=True)
    assert pairs(made) == {(fan.pk, "email")}
    assert person.pk not in {pk for pk, _ in pairs(made)}


def test_it_fans_an_emergency_out_on_every_channel_at_once(world, no_sending):
    person = subscriber(world, mobile="+447700900001", voice=True, interests=("scams",), **QUIET)
    made = released(world, kind="emergency", interests=["burglary"])
    with time_machine.travel(EVENING, tick=False):
        assert fanout.alert_fan_out(alert_id=made.pk) == 3
    rows = set(Delivery.objects.values_list("subscriber_id", "channel", "next_attempt_at"))
    assert rows == {(person.pk, c, None) for c in ("email", "sms", "voice")}
    made.refresh_from_db()
    assert made.audience_counts == {"email": 1, "sms": 1, "voice": 1}


# --- kinds per channel ----------------------------------------------------------------------------


def test_it_lets_through_on_each_channel_only_the_kinds_the_member_chose(world):
    person = subscriber(world, mobile="+447700900001", voice=True)
    accepts(person, sms="urgent", voice="emergency")
    general = alert(world, kind="general", send_sms=True, send_voice=True)
    appeal = alert(world, kind="appeal", send_sms=True, send_voice=True)
    assert pairs(general) == {(person.pk, "email")}
    assert pairs(appeal) == {(person.pk, "email"), (person.pk, "sms")}


def test_it_counts_choices_in_the_one_query(world, django_assert_num_queries):
    subscriber(world, mobile="+447700900001", voice=True)
    accepts(subscriber(world, email="b@example.org", mobile="+447700900002"), sms="emergency")
    with django_assert_num_queries(1):
        counts, held, _digest = audience_summary(force_id=world.force.pk, level="force", kind="general")
    assert counts == {"email": 2, "sms": 1, "voice": 1} and held == 0


# --- quiet hours ----------------------------------------------------------------------------------


def test_it_holds_texts_and_calls_in_quiet_hours_until_they_end(world, no_sending):
    person = subscriber(world, mobile="+447700900001", voice=True, **QUIET)
    made = released(world, send_sms=True, send_voice=True)
    with time_machine.travel(EVENING, tick=False):
        assert audience_summary(**alert_audience_kwargs(alert=made))[1] == 2
        fanout.alert_fan_out(alert_id=made.pk)
    held = dict(Delivery.objects.filter(subscriber=person).values_list("channel", "next_attempt_at"))
    assert held == {"email": None, "sms": datetime(2026, 1, 18, 8, tzinfo=UTC), "voice": held["sms"]}


@pytest.mark.parametrize(
    ("sent_at", "ends_at"),
    [
        # The clocks go forward at 01:00 GMT on 29 March 2026: 08:00 that morning is 07:00 UTC.
        (datetime(2026, 3, 28, 22, 0, tzinfo=UTC), datetime(2026, 3, 29, 7, 0, tzinfo=UTC)),
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 3, 29, 7, 0, tzinfo=UTC)),
        (datetime(2026, 3, 29, 21, 0, tzinfo=UTC), datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),
        # They go back at 01:00 UTC on 25 October 2026: 08:00 that morning is 08:00 UTC.
        (datetime(2026, 10, 24, 20, 30, tzinfo=UTC), datetime(2026, 10, 25, 8, 0, tzinfo=UTC)),
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), datetime(2026, 10, 25, 8, 0, tzinfo=UTC)),
        (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), datetime(2026, 10, 26, 8, 0, tzinfo=UTC)),
    ],
)
def test_it_ends_quiet_hours_at_the_right_instant_across_the_clock_changes(world, no_sending, sent_at, ends_at):
    assert quiet_end_after(at=sent_at, end=time(8)) == ends_at
    person = subscriber(world, email=None, mobile="+447700900001", **QUIET)
    made = released(world, send_email=False, send_sms=True)
    with time_machine.travel(sent_at, tick=False):
        fanout.alert_fan_out(alert_id=made.pk)
    assert Delivery.objects.get(subscriber=person).next_attempt_at == ends_at


def test_it_holds_nothing_outside_quiet_hours_or_for_a_member_without_them(world):
    subscriber(world, mobile="+447700900001", quiet_start=time(13), quiet_end=time(14))
    subscriber(world, email="b@example.org", mobile="+447700900002")
    made = alert(world, send_sms=True)
    at_noon, in_lunch = datetime(2026, 1, 17, 12, 59, tzinfo=UTC), datetime(2026, 1, 17, 13, 0, tzinfo=UTC)
    assert audience_summary(**alert_audience_kwargs(alert=made), at=at_noon)[1] == 0
    assert audience_summary(**alert_audience_kwargs(alert=made), at=in_lunch)[1] == 1


# --- holidays -------------------------------------------------------------------------------------


def test_it_leaves_out_a_paused_member_until_the_pause_ends_by_itself(world):
    person = subscriber(world, paused_until=date(2026, 1, 20))
    general, emergency = alert(world), alert(world, kind="emergency")
    on_holiday, back = datetime(2026, 1, 20, 23, 30, tzinfo=UTC), datetime(2026, 1, 21, 0, 0, tzinfo=UTC)
    assert pairs(general, at=on_holiday) == set()
    assert pairs(emergency, at=on_holiday) == {(person.pk, "email")}
    assert pairs(general, at=back) == {(person.pk, "email")}


# --- the due sweep --------------------------------------------------------------------------------


class Outage:
    """A provider that refuses every message while `down`, and keeps what it accepts."""

    def __init__(self):
        self.down = True
        self.sent = []

    def send(self, message):
        if self.down:
            raise TransientSendError("Notify 503: Service unavailable")
        self.sent.append(message.reference)
        return SendResult(provider_id=f"fake-{len(self.sent)}")


@pytest.fixture
def provider(monkeypatch):
    outage = Outage()
    monkeypatch.setattr(sending, "get_sender", lambda channel: outage)
    return outage


def test_it_sends_held_texts_once_when_quiet_hours_end(world, provider):
    provider.down = False
    for i in range(3):
        subscriber(world, email=None, mobile=f"+44770090000{i}", **QUIET)
    made = released(world, send_email=False, send_sms=True)
    with time_machine.travel(EVENING, tick=False):
        fanout.alert_fan_out(alert_id=made.pk)
        assert sending.deliveries_due_queue()["released"] == 0
    assert provider.sent == []
    with time_machine.travel(datetime(2026, 1, 18, 8, 0, 30, tzinfo=UTC), tick=False):
        assert sending.deliveries_due_queue()["released"] == 3
        assert sending.deliveries_due_queue()["released"] == 0  # a second sweep finds nothing
    assert sorted(provider.sent) == sorted(str(t) for t in Delivery.objects.values_list("token", flat=True))
    made.refresh_from_db()
    assert made.status == AlertStatus.SENT


def test_it_retries_through_a_provider_outage_by_the_sweep_alone(world, provider):
    for i in range(4):
        subscriber(world, email=f"m{i}@example.org")
    made = released(world)
    start = datetime(2026, 1, 17, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        fanout.alert_fan_out(alert_id=made.pk)  # sends at once (eagerly here): all four fail
        assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.QUEUED, 1)}
        assert sending.deliveries_due_queue()["released"] == 0  # not due yet: nothing is tried
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        assert sending.deliveries_due_queue()["released"] == 4  # due, tried again, still down
    assert DeliveryAttempt.objects.count() == 8
    provider.down = False
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        sending.deliveries_due_queue()
        sending.deliveries_due_queue()
    assert sorted(provider.sent) == sorted(str(t) for t in Delivery.objects.values_list("token", flat=True))
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    made.refresh_from_db()
    assert made.status == AlertStatus.SENT


def test_it_parks_no_delayed_task_for_a_failed_delivery(world, provider, monkeypatch):
    from messaging.tasks import deliveries_send_task

    subscriber(world)
    made = released(world)
    monkeypatch.setattr(fanout, "sends_queue", lambda **kwargs: 0)
    fanout.alert_fan_out(alert_id=made.pk)
    calls = []
    monkeypatch.setattr(deliveries_send_task, "apply_async", lambda *a, **kw: calls.append(kw))
    bounds = Delivery.objects.aggregate(first_id=Min("pk"), last_id=Max("pk"))
    assert sending.deliveries_send(alert_id=made.pk, channel="email", **bounds)["retrying"] == 1
    assert calls == [] and Delivery.objects.get().next_attempt_at is not None


# --- the compose page's preview -------------------------------------------------------------------


def test_it_previews_an_emergency_as_everyone_on_every_channel(client, world):
    subscriber(world, mobile="+447700900001", voice=True, interests=("scams",))
    client.force_login(world.pcso)
    query = {"audience_level": "neighbourhoods", "neighbourhoods": world.daneshouse.pk, "channels": "email"}
    query["interests"] = interest("burglary").pk
    page = client.get(reverse("messaging:alert-audience"), query).content.decode()
    assert "No one would receive it" in page
    page = client.get(reverse("messaging:alert-audience"), query | {"kind": "emergency"}).content.decode()
    assert "goes to everyone in the area, on every channel they have" in page
    assert "Voice call: <strong>1</strong></li>" in page
    assert "It would go to <strong>3</strong> confirmed subscriptions" in page


def test_it_previews_how_many_quiet_hours_would_hold(client, world, django_assert_max_num_queries):
    subscriber(world, mobile="+447700900001", **QUIET)
    client.force_login(world.pcso)
    query = {"audience_level": "neighbourhoods", "neighbourhoods": world.daneshouse.pk, "channels": ["email", "sms"]}
    with time_machine.travel(EVENING, tick=False), django_assert_max_num_queries(6):
        page = client.get(reverse("messaging:alert-audience"), query).content.decode()
    assert "If it were sent now, <strong>1</strong> text or call would be held" in page
    with time_machine.travel(EVENING, tick=False):
        page = client.get(reverse("messaging:alert-audience"), query | {"kind": "emergency"}).content.decode()
    assert "would be held" not in page


# --- the manage page ------------------------------------------------------------------------------


def controls_path(member):
    return reverse("messaging:manage-controls", args=[links.manage_token(subscriber=member)])


def controls_data(**fields):
    data = {"accepts_email": "everything", "accepts_sms": "urgent", "quiet_hours": "on"}
    return data | {"quiet_start": "22:30", "quiet_end": "07:00", "paused_until": ""} | fields


def test_it_shows_the_controls_on_the_manage_page_in_constant_queries(client, world, django_assert_max_num_queries):
    member = subscriber(world, mobile="+447700900001", voice=True, **QUIET)
    path = reverse("messaging:manage", args=[links.manage_token(subscriber=member)])
    with django_assert_max_num_queries(5):  # member, channels, interests, wards, all interests
        page = client.get(path).content.decode()
    assert "Emergency alerts always reach you" in page and 'name="accepts_voice"' in page
    assert 'value="21:00"' in page and 'value="08:00"' in page


def test_it_saves_kinds_quiet_hours_and_a_pause_from_the_manage_link(client, world):
    member = subscriber(world, mobile="+447700900001")
    with time_machine.travel(EVENING, tick=False):
        response = client.post(controls_path(member), controls_data(paused_until="2026-01-31"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.quiet_start, member.quiet_end, member.paused_until) == (time(22, 30), time(7), date(2026, 1, 31))
    assert dict(member.channels.values_list("channel", "accepts")) == {"email": "everything", "sms": "urgent"}
    client.post(controls_path(member), controls_data(quiet_hours=""))
    member.refresh_from_db()
    assert member.quiet_start is None and member.quiet_end is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quiet_start": "25:00"}, "Enter a time like 21:00."),
        ({"quiet_end": ""}, "Enter the time your quiet hours end"),
        ({"quiet_end": "22:30"}, "must end at a different time"),
        ({"paused_until": "2026-01-16"}, "That date has passed"),
        ({"paused_until": "2027-06-01"}, "A pause can last up to a year"),
        ({"accepts_sms": "never"}, "Choose one of the options."),
    ],
)
def test_it_refuses_bad_controls_with_a_message_and_changes_nothing(client, world, fields, message):
    member = subscriber(world, mobile="+447700900001", **QUIET)
    with time_machine.travel(EVENING, tick=False):
        response = client.post(controls_path(member), controls_data(**fields))
    assert response.status_code == 400 and message in response.content.decode()
    member.refresh_from_db()
    assert (member.quiet_start, member.quiet_end, member.paused_until) == (time(21), time(8), None)
    assert set(member.channels.values_list("accepts", flat=True)) == {"everything"}


def test_it_refuses_controls_from_a_tampered_link_and_changes_nothing(client, world):
    member = subscriber(world, mobile="+447700900001", **QUIET)
    path = controls_path(member)
    tampered = path.replace("/controls/", "").rstrip("/")[:-3] + "xyz/controls/"
    assert client.post(tampered, controls_data()).status_code == 404
    assert client.get(path).status_code == 405  # a change is a POST
    member.refresh_from_db()
    assert member.quiet_start == time(21) and set(member.channels.values_list("accepts", flat=True)) == {"everything"}


def test_it_asks_only_about_the_members_own_channels(client, world):
    member = subscriber(world)
    response = client.post(controls_path(member), controls_data(accepts_voice="emergency"))
    assert response.status_code == 302
    assert list(member.channels.values_list("channel", "accepts")) == [("email", "everything")]


def test_it_composes_an_emergency_for_every_channel_whatever_was_ticked(world):
    from messaging.alerts import services

    person = subscriber(world, mobile="+447700900001", voice=True, interests=("scams",))
    made = services.alert_create(
        actor=world.pcso, force=world.force, kind="emergency", title="Gas leak: stay indoors", body="Stay indoors.",
        channels=["email"], audience_level="neighbourhoods", neighbourhoods=[world.daneshouse],
        interests=[interest("burglary")],
    )  # fmt: skip
    assert made.channels == ["email", "sms", "voice"]
    assert pairs(made) == {(person.pk, "email"), (person.pk, "sms"), (person.pk, "voice")}


def test_it_puts_the_controls_in_the_members_own_data(client, world):
    import json

    member = subscriber(world, paused_until=date(2026, 2, 1), **QUIET)
    path = reverse("messaging:manage-download", args=[links.manage_token(subscriber=member)])
    data = json.loads(client.post(path).content)
    quiet = {"from": "21:00", "until": "08:00"}
    assert data["controls"] == {"quiet_hours": quiet, "paused_until": "2026-02-01", "email_digest": None}
    assert data["channels"][0]["accepts"] == "everything"
