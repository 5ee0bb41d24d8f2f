"""Joining In the Know and looking after a membership: merges, double opt-in, expiry, codes,
unsubscribing, STOP by text, and a member's own data."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from messaging import links
from messaging.members.services import confirm as services_confirm
from messaging.members.services import manage as services_manage
from messaging.members.services import signup as services_signup
from messaging.models import (
    ChannelStatus,
    ConsentMethod,
    Delivery,
    DeliveryAttempt,
    Feedback,
    OutboxMessage,
    ReceiptEvent,
    SignUpSource,
    Subscriber,
    SubscriberChannel,
)
from tests.factories import WardFactory
from tests.messaging.factories import alert, interest, subscriber

pytestmark = pytest.mark.django_db

MOBILE = "+447400123456"
NOON = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.MESSAGING_EMAIL_SENDER = settings.MESSAGING_SMS_SENDER = settings.MESSAGING_VOICE_SENDER = "outbox"


@pytest.fixture
def sign_up(world, django_capture_on_commit_callbacks):
    """Sign up online in Daneshouse with email only unless told otherwise; messages are sent."""

    def call(**fields):
        fields.setdefault("email", "amina@example.org")
        fields.setdefault("mobile", "")
        fields.setdefault("channels", ["email"])
        fields.setdefault("ward", world.daneshouse.wards.first())
        fields.setdefault("interests", [interest("burglary")])
        fields.setdefault("language", "en-gb")
        fields.setdefault("source", SignUpSource.ONLINE)
        fields.setdefault("consent_method", ConsentMethod.ONLINE_FORM)
        with django_capture_on_commit_callbacks(execute=True):
            return services_signup.subscriber_sign_up(**fields)

    return call


def sent(channel, to):
    return list(OutboxMessage.objects.filter(channel=channel, to=to).order_by("pk"))


def confirm_token(to="amina@example.org"):
    return re.search(r"/in-the-know/confirm/([^/]+)/", sent("email", to)[-1].body).group(1)


def texted_code(to=MOBILE):
    return re.search(r"code is (\d{6})", sent("sms", to)[-1].body).group(1)


def rows(member):
    return {row.channel: row for row in SubscriberChannel.objects.filter(subscriber=member)}


def test_it_leaves_every_channel_pending_and_sends_each_its_confirmation(sign_up):
    member = sign_up(mobile="07400 123456", channels=["email", "sms", "voice"])
    assert {c: r.status for c, r in rows(member).items()} == {"email": "pending", "sms": "pending", "voice": "pending"}
    assert rows(member)["sms"].address == MOBILE and rows(member)["email"].address == "amina@example.org"
    assert len(sent("email", "amina@example.org")) == 1 and len(sent("sms", MOBILE)) == 1  # one code for sms and voice
    code = texted_code()
    assert code not in rows(member)["sms"].confirmation_secret  # only a salted hash is kept


def test_it_merges_a_second_sign_up_with_the_same_email(sign_up, world):
    first = sign_up(email="Amina@Example.org")
    again = sign_up(email="amina@example.org ", ward=world.fleetwood.wards.first(), interests=[interest("scams")])
    assert again.pk == first.pk and Subscriber.objects.count() == 1
    again.refresh_from_db()
    assert again.ward == world.fleetwood.wards.first()
    assert [i.slug for i in again.interests.all()] == ["scams"]


def test_it_merges_by_mobile_and_adds_the_new_email_to_that_member(sign_up):
    first = sign_up(email="", mobile=MOBILE, channels=["sms"])
    again = sign_up(email="amina@example.org", mobile="07400123456", channels=["email", "sms"], language="pl")
    assert again.pk == first.pk and Subscriber.objects.count() == 1
    assert set(rows(first)) == {"email", "sms"} and Subscriber.objects.get().language == "pl"


def test_it_keeps_a_confirmed_channel_confirmed_and_tells_its_owner_privately(sign_up, world):
    member = subscriber(world, email="amina@example.org")
    assert sign_up(email="amina@example.org").pk == member.pk
    assert rows(member)["email"].status == ChannelStatus.ACTIVE
    [notice] = sent("email", "amina@example.org")
    assert "manage" in notice.body and "confirm" not in notice.subject.lower()


def test_it_never_lets_a_sign_up_replace_a_confirmed_number(sign_up, world):
    member = subscriber(world, email="amina@example.org", mobile="+447400111222")
    newcomer = sign_up(email="amina@example.org", mobile=MOBILE, channels=["email", "sms"])
    assert rows(member)["sms"].address == "+447400111222" and rows(member)["sms"].status == "active"
    assert newcomer.pk == member.pk
    other = SubscriberChannel.objects.get(address=MOBILE).subscriber
    assert other.pk != member.pk and rows(other)["sms"].status == "pending"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "", "mobile": ""}, "email"),
        ({"channels": []}, "channels"),
        ({"channels": ["email", "sms"]}, "mobile"),
        ({"email": "", "mobile": MOBILE, "channels": ["email"]}, "email"),
        ({"mobile": "01282 425001", "channels": ["email", "sms"]}, "mobile"),
        ({"mobile": MOBILE, "channels": ["email"]}, "mobile"),
    ],
)
def test_it_refuses_incomplete_sign_ups_and_keeps_nothing(sign_up, fields, field):
    with pytest.raises(ValidationError) as refused:
        sign_up(**fields)
    assert field in refused.value.message_dict
    assert not Subscriber.objects.exists() and not OutboxMessage.objects.exists()


def test_it_refuses_a_ward_without_a_team(sign_up):
    with pytest.raises(ValidationError):
        sign_up(ward=WardFactory(neighbourhood=None, code="E05009999", west=-2.0, south=53.0))
    assert not Subscriber.objects.exists()


def test_it_records_who_took_consent_on_the_doorstep(sign_up, world):
    member = sign_up(source=SignUpSource.FIELD, consent_method=ConsentMethod.DOORSTEP_VERBAL, actor=world.pcso)
    assert member.source == "field" and member.consent_taken_by == world.pcso and member.consent_at
    with pytest.raises(ValidationError):
        sign_up(email="b@example.org", source=SignUpSource.FIELD, consent_method=ConsentMethod.DOORSTEP_VERBAL)
    with pytest.raises(ValidationError):
        sign_up(email="c@example.org", source=SignUpSource.FIELD, actor=world.pcso)  # online_form consent


def test_it_keeps_a_self_description_only_with_its_own_consent(sign_up):
    without = sign_up()
    described = sign_up(email="b@example.org", demographics=services_signup.Demographics(age_band="65-74"))
    assert without.age_band == "" and without.demographics_consent_at is None
    assert described.age_band == "65-74" and described.demographics_consent_at is not None


def test_it_confirms_an_email_by_its_link_once(sign_up):
    member = sign_up()
    token = confirm_token()
    row = services_confirm.channel_confirm_email(token=token)
    assert row.status == ChannelStatus.ACTIVE and row.confirmed_at and row.confirmation_secret == ""
    assert services_confirm.channel_confirm_email(token=token).confirmed_at == row.confirmed_at  # a second click
    assert rows(member)["email"].status == "active"


def test_it_refuses_a_tampered_link_and_changes_nothing(sign_up):
    member = sign_up()
    token = confirm_token()
    for bad in (token[:-2] + "xx", "nonsense", token.replace(":", ":a", 1)):
        with pytest.raises(services_confirm.LinkTampered):
            services_confirm.channel_confirm_email(token=bad)
    assert rows(member)["email"].status == "pending"


def test_it_offers_a_new_link_when_one_has_expired(sign_up, django_capture_on_commit_callbacks):
    with time_machine.travel(NOON):
        member = sign_up()
        token = confirm_token()
    with time_machine.travel(NOON + datetime.timedelta(days=3, minutes=1)):
        with pytest.raises(services_confirm.LinkExpired):
            services_confirm.channel_confirm_email(token=token)
        with django_capture_on_commit_callbacks(execute=True):
            services_confirm.confirmation_resend_from_link(token=token)
        fresh = confirm_token()
        with pytest.raises(services_confirm.LinkSuperseded):  # the old link asked for a new one once
            services_confirm.confirmation_resend_from_link(token=token)
        assert services_confirm.channel_confirm_email(token=fresh).status == "active"
    assert rows(member)["email"].status == "active"


def test_it_explains_a_link_a_newer_one_replaced(sign_up):
    with time_machine.travel(NOON):
        sign_up()
        old = confirm_token()
    with time_machine.travel(NOON + datetime.timedelta(minutes=2)):
        services_confirm.confirmation_resend(channel=SubscriberChannel.objects.get())
    with pytest.raises(services_confirm.LinkSuperseded):
        services_confirm.channel_confirm_email(token=old)
    assert SubscriberChannel.objects.get().status == "pending"


def test_it_refuses_to_resend_within_a_minute(sign_up):
    sign_up()
    with pytest.raises(ValidationError, match="less than a minute"):
        services_confirm.confirmation_resend(channel=SubscriberChannel.objects.get())
    assert len(sent("email", "amina@example.org")) == 1


def test_it_confirms_texts_and_calls_with_the_texted_code(sign_up):
    member = sign_up(email="", mobile=MOBILE, channels=["sms", "voice"])
    confirmed = services_confirm.channel_confirm_mobile(subscriber=member, code=texted_code())
    assert {r.channel: r.status for r in confirmed} == {"sms": "active", "voice": "active"}


def test_it_counts_wrong_codes_and_locks_after_five(sign_up):
    member = sign_up(email="", mobile=MOBILE, channels=["sms"])
    code = texted_code()
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError, match=f"try {left} more"):
            services_confirm.channel_confirm_mobile(subscriber=member, code=wrong)
    with pytest.raises(ValidationError, match="too many times"):
        services_confirm.channel_confirm_mobile(subscriber=member, code=wrong)
    with pytest.raises(ValidationError, match="too many times"):
        services_confirm.channel_confirm_mobile(subscriber=member, code=code)  # even the right one, now
    assert rows(member)["sms"].status == "pending"


def test_it_lets_a_code_expire_after_fifteen_minutes(sign_up, django_capture_on_commit_callbacks):
    with time_machine.travel(NOON):
        member = sign_up(email="", mobile=MOBILE, channels=["sms"])
        code = texted_code()
    with time_machine.travel(NOON + datetime.timedelta(minutes=16)):
        with pytest.raises(ValidationError, match="expired"):
            services_confirm.channel_confirm_mobile(subscriber=member, code=code)
        with django_capture_on_commit_callbacks(execute=True):
            services_confirm.confirmation_resend(channel=rows(member)["sms"])
        services_confirm.channel_confirm_mobile(subscriber=member, code=texted_code())
    assert rows(member)["sms"].status == "active"


def test_it_asks_the_phone_for_a_code_before_adding_calls_from_the_public_form(sign_up, world):
    member = subscriber(world, email=None, mobile=MOBILE)
    sign_up(email="", mobile=MOBILE, channels=["sms", "voice"])
    assert rows(member)["voice"].status == "pending" and rows(member)["sms"].status == "active"
    services_confirm.channel_confirm_mobile(subscriber=member, code=texted_code())
    assert rows(member)["voice"].status == "active"


def test_it_will_not_let_a_sign_up_change_a_confirmed_members_choices(sign_up, world):
    # Anyone can type someone else's email into the public form.
    member = subscriber(world, email="amina@example.org", interests=("burglary",))
    sign_up(email="amina@example.org", ward=world.fleetwood.wards.first(), interests=[interest("scams")], language="pl")
    member.refresh_from_db()
    assert (member.ward, member.language) == (world.daneshouse.wards.first(), "en-gb")
    assert [i.slug for i in member.interests.all()] == ["burglary"]


def test_it_will_not_attach_a_strangers_number_to_a_confirmed_member(sign_up, world):
    member = subscriber(world, email="amina@example.org")
    sign_up(email="amina@example.org", mobile=MOBILE, channels=["email", "sms"])
    assert set(rows(member)) == {"email"}
    stranger = SubscriberChannel.objects.get(address=MOBILE).subscriber
    assert stranger.pk != member.pk and rows(stranger)["sms"].status == "pending"


def test_it_updates_a_members_choices_from_the_manage_page(sign_up, world, django_capture_on_commit_callbacks):
    member = subscriber(world, email="amina@example.org", mobile=MOBILE)
    with django_capture_on_commit_callbacks(execute=True):
        services_manage.subscriber_update(
            subscriber=member, ward=world.queensgate.wards.first(), interests=[interest("youth")], language="ur",
            channels=["email"], email="new@example.org", mobile=MOBILE,
        )  # fmt: skip
    member.refresh_from_db()
    assert member.ward == world.queensgate.wards.first() and member.language == "ur"
    assert rows(member)["email"].address == "new@example.org" and rows(member)["email"].status == "pending"
    assert rows(member)["sms"].status == "unsubscribed" and rows(member)["sms"].unsubscribed_at
    assert len(sent("email", "new@example.org")) == 1


def test_it_will_not_move_another_members_address_onto_a_membership(world):
    subscriber(world, email="taken@example.org")
    member = subscriber(world, email="amina@example.org")
    with pytest.raises(ValidationError) as refused:
        services_manage.subscriber_update(
            subscriber=member, ward=member.ward, interests=[], language="en-gb", channels=["email"],
            email="taken@example.org", mobile="",
        )  # fmt: skip
    assert "email" in refused.value.message_dict and rows(member)["email"].address == "amina@example.org"


def test_it_stops_everything_at_once(world):
    member = subscriber(world, mobile=MOBILE, voice=True)
    assert services_manage.subscriber_stop_all(subscriber=member) == 3
    assert {r.status for r in rows(member).values()} == {"unsubscribed"}


def delivery(world, member, channel="email", **fields):
    return Delivery.objects.create(
        alert=fields.pop("alert", None) or alert(world), subscriber=member, channel=channel,
        queued_at=timezone.now(), **fields,
    )  # fmt: skip


def test_it_unsubscribes_the_channel_a_message_came_by_once(world):
    member = subscriber(world, mobile=MOBILE)
    message = delivery(world, member)
    assert services_manage.channel_unsubscribe(delivery=message) is True
    first = rows(member)["email"]
    assert first.status == "unsubscribed" and first.unsubscribed_from_alert == message.alert
    later = delivery(world, member, alert=alert(world, title="Later"))
    assert services_manage.channel_unsubscribe(delivery=later) is False
    assert rows(member)["email"].unsubscribed_at == first.unsubscribed_at
    assert rows(member)["email"].unsubscribed_from_alert == message.alert and rows(member)["sms"].status == "active"


@pytest.mark.parametrize("word", ["STOP", " stop ", "Stop all", "UNSUBSCRIBE", "cancel", "End", "quit"])
def test_it_recognises_the_opt_out_words(word):
    assert services_manage.is_stop_message(word)


@pytest.mark.parametrize("text", ["", "Please stop", "STOPPED", "thanks"])
def test_it_does_not_mistake_other_texts_for_stop(text):
    assert not services_manage.is_stop_message(text)


def test_it_stops_texts_and_calls_to_a_number_that_replies_stop(world):
    member = subscriber(world, mobile=MOBILE, voice=True)
    other = subscriber(world, email="b@example.org", mobile="+447400999888")
    assert services_manage.sms_stop(number="447400123456", event_id="n-1", payload={"message": "STOP"}) == 2
    assert {c: r.status for c, r in rows(member).items()} == {
        "email": "active",
        "sms": "unsubscribed",
        "voice": "unsubscribed",
    }
    assert rows(other)["sms"].status == "active"


def test_it_ignores_a_replayed_stop(world):
    member = subscriber(world, email=None, mobile=MOBILE)
    services_manage.sms_stop(number="447400123456", event_id="n-1", payload={})
    SubscriberChannel.objects.filter(subscriber=member).update(status="active")  # signed up again since
    assert services_manage.sms_stop(number="447400123456", event_id="n-1", payload={}) == 0
    assert rows(member)["sms"].status == "active" and ReceiptEvent.objects.count() == 1


def test_it_exports_everything_held_about_a_member(world):
    member = subscriber(world, mobile=MOBILE, interests=("burglary",), age_band="50-64", demographics_consent_at=NOON)
    message = delivery(world, member, status="delivered", sent_at=NOON)
    Feedback.objects.create(delivery=message, useful=True, comment="Very helpful")
    data = services_manage.subscriber_export(subscriber=member)
    assert data["ward"]["name"] == "Daneshouse with Stoneyholme" and data["interests"] == ["Burglary"]
    assert {c["channel"]: c["address"] for c in data["channels"]} == {"email": "amina@example.org", "sms": MOBILE}
    assert data["alerts"] == [
        {"title": message.alert.title, "date": NOON.isoformat(), "channel": "email", "status": "delivered",
         "opened_at": None, "clicked_at": None}
    ]  # fmt: skip
    assert data["feedback"][0]["comment"] == "Very helpful" and data["self_description"]["age_band"] == "50-64"


def test_it_erases_a_member_but_keeps_anonymous_deliveries(world):
    member = subscriber(world, mobile=MOBILE, interests=("burglary",), age_band="50-64", demographics_consent_at=NOON)
    message = delivery(world, member)
    Feedback.objects.create(delivery=message, useful=True, comment="My neighbour at no. 4")
    OutboxMessage.objects.create(delivery=message, channel="email", to="amina@example.org", body="Alert")
    OutboxMessage.objects.create(channel="sms", to=MOBILE, body="Your code is 123456")
    Delivery.objects.filter(pk=message.pk).update(error="550 amina@example.org: no such user")
    DeliveryAttempt.objects.create(
        delivery=message, attempted_at=NOON, outcome="permanent", detail="550 amina@example.org: no such user"
    )
    services_manage.sms_stop(number=MOBILE, event_id="n-9", payload={"source_number": "447400123456"})
    erased = services_manage.subscriber_erase(subscriber=member)
    assert Delivery.objects.get().error == "" and DeliveryAttempt.objects.get().detail == ""
    assert erased.erased_at and erased.age_band == "" and erased.demographics_consent_at is None
    assert not SubscriberChannel.objects.exists() and not erased.interests.exists()
    assert not OutboxMessage.objects.exists() and ReceiptEvent.objects.get().payload == {"erased": True}
    assert Feedback.objects.get().comment == "" and Feedback.objects.get().useful is True
    assert Delivery.objects.get().subscriber_id == member.pk
    assert services_manage.subscriber_erase(subscriber=member).erased_at == erased.erased_at  # twice is harmless


def test_erasing_a_member_unlinks_their_survey_response_and_ballot_but_keeps_both(world):
    from priorities.voting.models import Ballot
    from surveys.models import Response
    from tests.priorities.voting.factories import cast, open_vote
    from tests.surveys.factories import respond, survey

    member, other = subscriber(world), subscriber(world, email="zaid@example.org")
    vote = open_vote(world)
    cast(vote, member, [vote.options.first()])
    cast(vote, other, [vote.options.first()])
    answered = survey(world)
    respond(answered, subscriber=member, ward=member.ward, police_good_job="good")
    respond(answered, subscriber=other, ward=other.ward, police_good_job="good")
    services_manage.subscriber_erase(subscriber=member)
    assert Ballot.objects.count() == 2 and Response.objects.count() == 2
    assert set(Ballot.objects.values_list("subscriber", flat=True)) == {None, other.pk}
    assert set(Response.objects.values_list("subscriber", flat=True)) == {None, other.pk}


# A manage link is signed with the time, so the clock stands still while the test compares links.
@time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC), tick=False)
def test_it_sends_a_lost_manage_link_only_to_a_confirmed_address(world, django_capture_on_commit_callbacks):
    member = subscriber(world, email="amina@example.org")
    subscriber(world, email="waiting@example.org", status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        assert services_manage.manage_link_send(address="AMINA@example.org") is True
        assert services_manage.manage_link_send(address="waiting@example.org") is False
        assert services_manage.manage_link_send(address="nobody@example.org") is False
    [message] = OutboxMessage.objects.all()
    assert message.to == "amina@example.org" and links.manage_url(subscriber=member) in message.body


def test_it_sends_the_confirmation_through_the_configured_email_sender(sign_up, settings, mailoutbox):
    settings.MESSAGING_EMAIL_SENDER = "email"
    sign_up(email="amina@example.org")
    [message] = mailoutbox
    assert message.to == ["amina@example.org"] and message.subject == "Confirm your In the Know alerts"
    assert "/in-the-know/confirm/" in message.body and "Daneshouse with Stoneyholme" in message.body
    assert message.alternatives[0][1] == "text/html" and not OutboxMessage.objects.exists()


def test_it_exports_the_members_replies_and_the_teams_answers(world):
    from messaging.models import InboundReply, ReplyAnswer

    member = subscriber(world, mobile=MOBILE)
    reply = InboundReply.objects.create(
        channel="sms", sender=MOBILE, body="Was it Elm Street?", provider="t", provider_message_id="1",
        received_at=NOON, subscriber=member,
    )  # fmt: skip
    ReplyAnswer.objects.create(reply=reply, author=world.pcso, channel="sms", to=MOBILE, body="Yes", created_at=NOON)
    [exported] = services_manage.subscriber_export(subscriber=member)["replies"]
    assert (exported["message"], exported["answers"][0]["message"]) == ("Was it Elm Street?", "Yes")
    assert "author" not in exported["answers"][0]  # the officer's name is not the member's data


def test_it_queues_confirmations_for_a_worker_rather_than_send_them_in_the_request(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from messaging.tasks import member_message_send_task

    queued = []
    monkeypatch.setattr(member_message_send_task, "delay", lambda **fields: queued.append(fields))
    with django_capture_on_commit_callbacks(execute=True):
        member = services_signup.subscriber_sign_up(
            email="amina@example.org",
            mobile="07400 123456",
            channels=["email", "sms", "voice"],
            ward=world.daneshouse.wards.first(),
            interests=[interest("burglary")],
            language="en-gb",
            source=SignUpSource.ONLINE,
            consent_method=ConsentMethod.ONLINE_FORM,
        )
    assert OutboxMessage.objects.count() == 0  # nothing left during the request
    # Ids only: no address or code reaches the broker, or Celery's logs.
    assert sorted((fields["kind"], fields["channel_id"]) for fields in queued) == [
        ("confirm_email", rows(member)["email"].pk),
        ("mobile_code", rows(member)["sms"].pk),
    ]
    assert {key for fields in queued for key in fields} == {"kind", "channel_id", "site_url"}
    for fields in queued:
        assert member_message_send_task.run(**fields) is True  # the worker's part
    assert len(sent("email", "amina@example.org")) == 1 and len(sent("sms", MOBILE)) == 1
    confirmed = services_confirm.channel_confirm_mobile(subscriber=member, code=texted_code())
    assert {r.channel: r.status for r in confirmed} == {"sms": "active", "voice": "active"}


def test_a_worker_sends_nothing_for_a_channel_confirmed_meanwhile(sign_up):
    from messaging.tasks import member_message_send_task

    member = sign_up()
    row = rows(member)["email"]
    row.status, row.confirmed_at = ChannelStatus.ACTIVE, timezone.now()
    row.save(update_fields=["status", "confirmed_at"])
    assert member_message_send_task.run(kind="confirm_email", channel_id=row.pk) is False
    assert len(sent("email", "amina@example.org")) == 1  # the sign-up's own, no second


def test_a_confirmation_the_server_refuses_is_logged_without_the_address(sign_up, caplog, monkeypatch):
    from messaging.tasks import member_message_send_task

    member = sign_up()

    def refuse(self, message):
        raise ConnectionRefusedError(f"no mail for {message.to}")

    monkeypatch.setattr("messaging.delivery.channels.outbox.OutboxSender.send", refuse)
    channel_id = rows(member)["email"].pk
    assert member_message_send_task.run(kind="confirm_email", channel_id=channel_id) is False
    assert "amina@example.org" not in caplog.text and "ConnectionRefusedError" in caplog.text
