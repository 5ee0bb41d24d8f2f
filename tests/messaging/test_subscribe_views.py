"""The In the Know pages a resident uses without a password, the STOP webhook and the officers'
doorstep sign-up: allowed and refused, bad input, escaping and query counts."""

import datetime
import json
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from messaging import links
from messaging.members.services import confirm as services_confirm
from messaging.members.services import manage as services_manage
from messaging.members.services import signup as services_signup
from messaging.models import Delivery, Interest, OutboxMessage, ReceiptEvent, Subscriber, SubscriberChannel
from tests.messaging.factories import alert, interest, subscriber

pytestmark = pytest.mark.django_db

MOBILE = "+447400123456"
SIGNUP = "/in-the-know/"
NOON = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.MESSAGING_EMAIL_SENDER = settings.MESSAGING_SMS_SENDER = settings.MESSAGING_VOICE_SENDER = "outbox"


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST with the messages a view sends actually sent (they wait for the commit)."""

    def call(url, data=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **extra)

    return call


def form_data(world, **fields):
    data = {"email": "amina@example.org", "mobile": "", "channels": ["email"], "language": "en-gb"}
    data["ward"] = world.daneshouse.wards.first().code
    data["interests"] = [interest("burglary").pk]
    return {**data, **fields}


def texted_code(to=MOBILE):
    return re.search(r"code is (\d{6})", OutboxMessage.objects.filter(to=to).latest("pk").body).group(1)


def confirm_path(to="amina@example.org"):
    body = OutboxMessage.objects.filter(to=to).latest("pk").body
    return re.search(r"(/in-the-know/confirm/[^/]+/)", body).group(1)


def manage_path(member):
    return reverse("messaging:manage", args=[links.manage_token(subscriber=member)])


# --- signing up --------------------------------------------------------------------------------


def test_it_offers_wards_with_their_neighbourhood_and_active_interests(client, world):
    Interest.objects.filter(slug="youth").update(is_active=False)
    page = client.get(SIGNUP).content.decode()
    assert "Daneshouse with Stoneyholme (Daneshouse)" in page and "Pharos (Fleetwood)" in page
    assert "Burglary" in page and "Youth" not in page
    assert "I agree to describe myself for equality monitoring" in page


def test_it_narrows_the_wards_to_a_neighbourhood_and_preselects_one(client, world):
    ward = world.daneshouse.wards.first()
    page = client.get(SIGNUP, {"neighbourhood": "daneshouse", "ward": ward.code}).content.decode()
    assert "Pharos" not in page and f'<option value="{ward.code}" selected>' in page


def test_it_builds_the_sign_up_page_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # wards with their neighbourhoods, interests
        client.get(SIGNUP)
    with django_assert_max_num_queries(3):  # the neighbourhood, its wards, interests
        client.get(SIGNUP, {"neighbourhood": "daneshouse"})


def test_it_signs_up_and_says_what_to_do_next(client, world, post):
    response = post(SIGNUP, form_data(world, mobile="07400 123456", channels=["email", "sms"]))
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "a••••@example.org" in page and "07••• ••3456" in page and "Enter the code" in page
    member = Subscriber.objects.get()
    assert member.source == "online" and member.consent_method == "online_form"
    assert {r.status for r in member.channels.all()} == {"pending"}
    assert OutboxMessage.objects.filter(channel="email").count() == 1 and OutboxMessage.objects.filter(channel="sms")


def test_it_answers_the_same_whether_or_not_the_address_was_known(world, django_capture_on_commit_callbacks):
    pages = []
    for _ in range(2):
        browser = Client()
        with django_capture_on_commit_callbacks(execute=True):
            done = browser.post(SIGNUP, form_data(world))
        pages.append(browser.get(done.url).content.decode())
    assert pages[0] == pages[1] and Subscriber.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"mobile": "01282 425001", "channels": ["email", "sms"]}, "not a mobile number"),
        ({"email": "not-an-email"}, "Enter an email address like"),
        ({"channels": []}, "Choose at least one way"),
        ({"email": "", "channels": ["email"]}, "Give an email address"),
        ({"ward": "E05999999"}, "Choose a ward from the list"),
        ({"describe_consent": "on"}, "Choose an age band"),
    ],
)
def test_it_rerenders_bad_sign_ups_with_errors_and_keeps_nothing(client, world, fields, message):
    response = client.post(SIGNUP, form_data(world, **fields))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert not Subscriber.objects.exists() and not OutboxMessage.objects.exists()


def test_it_ignores_a_self_description_without_its_consent(client, world, post):
    post(SIGNUP, form_data(world, age_band="75+", ethnic_group="white_irish"))
    member = Subscriber.objects.get()
    assert member.age_band == "" and member.ethnic_group == "" and member.demographics_consent_at is None
    post(SIGNUP, form_data(world, email="b@example.org", describe_consent="on", age_band="75+"))
    assert Subscriber.objects.get(channels__address="b@example.org").age_band == "75+"


def test_it_escapes_what_a_resident_typed(client, world):
    response = client.post(SIGNUP, form_data(world, email='"><script>alert(1)</script>', mobile="<b>07</b>"))
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page and "<b>07</b>" not in page
    assert "&lt;script&gt;" in page


def test_it_throttles_repeated_sign_ups_for_one_address(client, world, post):
    for _ in range(services_limit()):
        assert post(SIGNUP, form_data(world)).status_code == 302
    response = post(SIGNUP, form_data(world, language="pl"))
    assert response.status_code == 429 and "Try again later" in response.content.decode()
    assert Subscriber.objects.get().language == "en-gb"


def services_limit():
    from messaging.members.views.signup import SIGN_UPS_PER_CONTACT_PER_HOUR

    return SIGN_UPS_PER_CONTACT_PER_HOUR


def test_it_links_the_neighbourhood_page_to_its_sign_up(client, world):
    page = client.get(world.daneshouse.get_absolute_url()).content.decode()
    assert "Get In the Know alerts for Daneshouse" in page and f"{SIGNUP}?neighbourhood=daneshouse" in page


# --- confirming --------------------------------------------------------------------------------


def test_it_confirms_an_email_only_when_the_button_is_pressed(client, world, post):
    post(SIGNUP, form_data(world))
    path = confirm_path()
    page = client.get(path)
    assert page.status_code == 200 and "Confirm" in page.content.decode()
    assert SubscriberChannel.objects.get().status == "pending"  # a mail scanner's GET confirms nothing
    response = client.post(path)
    assert "Your email address is confirmed" in response.content.decode()
    assert SubscriberChannel.objects.get().status == "active"


def test_it_answers_400_to_a_tampered_link(client, world, post):
    post(SIGNUP, form_data(world))
    tampered = confirm_path()[:-3] + "x/"
    for response in (client.get(tampered), client.post(tampered)):
        assert response.status_code == 400 and "This link does not work" in response.content.decode()
    assert SubscriberChannel.objects.get().status == "pending"


def test_it_offers_a_fresh_link_for_an_expired_one(client, world, post):
    with time_machine.travel(NOON):
        post(SIGNUP, form_data(world))
        path = confirm_path()
    with time_machine.travel(NOON + datetime.timedelta(days=4)):
        for response in (client.get(path), client.post(path)):
            assert response.status_code == 410 and "Email me a new link" in response.content.decode()
        response = post(path + "new-link/")
        assert "We have sent a new link" in response.content.decode()
        assert client.post(path).status_code == 410  # the old link is now superseded
        assert "no longer in use" in client.post(path).content.decode()
        client.post(confirm_path())
    assert SubscriberChannel.objects.get().status == "active"


def test_it_confirms_a_mobile_with_the_texted_code(client, world, post):
    post(SIGNUP, form_data(world, email="", mobile=MOBILE, channels=["sms"]))
    path = client.get(reverse("messaging:signup-done")).content.decode().split('href="/in-the-know/confirm-mobile/')[1]
    path = "/in-the-know/confirm-mobile/" + path.split('"')[0]
    assert "07••• ••3456" in client.get(path).content.decode()
    wrong = client.post(path, {"code": "12345"})
    assert wrong.status_code == 400 and "Enter the 6 digits" in wrong.content.decode()
    response = client.post(path, {"code": texted_code()})
    assert "Your mobile number is confirmed" in response.content.decode()
    assert SubscriberChannel.objects.get().status == "active"


def test_it_answers_404_to_an_altered_code_link(client, world):
    member = subscriber(world, status="pending", email=None, mobile=MOBILE)
    token = services_signup.confirm_mobile_token(subscriber=member)
    assert client.get(reverse("messaging:confirm-mobile", args=[token + "x"])).status_code == 404
    manage_token = links.manage_token(subscriber=member)  # a manage link is not a code link
    assert client.get(reverse("messaging:confirm-mobile", args=[manage_token])).status_code == 404


# --- managing ----------------------------------------------------------------------------------


def test_it_shows_a_members_choices_without_a_password(client, world, django_assert_max_num_queries):
    member = subscriber(world, mobile=MOBILE, interests=("burglary",))
    with django_assert_max_num_queries(5):  # member, channels, interests, wards, all interests
        page = client.get(manage_path(member)).content.decode()
    assert "a•••@e•••.org" in page and "•••• ••• 456" in page and "Daneshouse with Stoneyholme" in page
    assert "amina@example.org" not in page and "123456" not in page


def test_it_saves_new_choices_from_the_manage_page(client, world, post):
    member = subscriber(world, mobile=MOBILE)
    data = form_data(world, ward=world.fleetwood.wards.first().code, mobile=MOBILE, channels=["email"])
    assert post(manage_path(member), data).status_code == 302
    member.refresh_from_db()
    assert member.ward.name == "Pharos" and member.channels.get(channel="sms").status == "unsubscribed"


def test_it_rerenders_bad_manage_input_and_changes_nothing(client, world):
    member = subscriber(world)
    response = client.post(manage_path(member), form_data(world, email="", channels=["email"], language="xx"))
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    member.refresh_from_db()
    assert member.language == "en-gb" and member.channels.get().address == "amina@example.org"


def test_it_answers_404_to_an_altered_or_erased_membership(client, world):
    member = subscriber(world)
    path = manage_path(member)
    assert client.get(path[:-3] + "x/").status_code == 404
    services_manage.subscriber_erase(subscriber=member)
    response = client.get(path)
    assert response.status_code == 404 and "This link does not work" in response.content.decode()
    assert client.post(path + "my-data/").status_code == 404


def test_it_stops_all_alerts_from_the_manage_page(client, world):
    member = subscriber(world, mobile=MOBILE)
    client.post(manage_path(member) + "stop/")
    assert set(member.channels.values_list("status", flat=True)) == {"unsubscribed"}


def test_it_downloads_a_members_data_as_json(client, world):
    member = subscriber(world, interests=("scams",))
    response = client.post(manage_path(member) + "my-data/")
    assert response["Content-Disposition"].startswith('attachment; filename="in-the-know-')
    data = json.loads(response.content)
    assert data["interests"] == ["Scams and fraud"] and data["channels"][0]["address"] == "amina@example.org"


def test_it_erases_a_member_only_after_they_confirm(client, world):
    member = subscriber(world)
    path = manage_path(member) + "erase/"
    assert "Erase your In the Know membership?" in client.get(path).content.decode()
    assert Subscriber.objects.current().exists()
    assert "has been erased" in client.post(path).content.decode()
    assert not Subscriber.objects.current().exists() and not SubscriberChannel.objects.exists()


def test_it_answers_the_same_to_every_lost_link_request(client, world, post):
    subscriber(world)
    known = post("/in-the-know/manage/", {"address": "amina@example.org"}).content.decode()
    unknown = post("/in-the-know/manage/", {"address": "nobody@example.org"}).content.decode()
    assert known == unknown and "If that address gets In the Know alerts" in known
    assert OutboxMessage.objects.get().to == "amina@example.org"


# --- unsubscribing -----------------------------------------------------------------------------


def delivery(world, member, channel="email", **fields):
    return Delivery.objects.create(
        alert=alert(world, **fields), subscriber=member, channel=channel, queued_at=timezone.now()
    )


def test_it_asks_before_unsubscribing_and_escapes_the_alert_title(client, world):
    message = delivery(world, subscriber(world), title="<b>Sheds</b> broken into")
    page = client.get(links.unsubscribe_url(delivery=message)).content.decode()
    assert "&lt;b&gt;Sheds&lt;/b&gt;" in page and "a••••@example.org" in page
    assert SubscriberChannel.objects.get().status == "active"


def test_it_unsubscribes_in_one_click_without_a_login_or_csrf_token(world):
    member = subscriber(world, mobile=MOBILE)
    message = delivery(world, member)
    mail_client = Client(enforce_csrf_checks=True)
    url = links.unsubscribe_url(delivery=message)
    response = mail_client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    row = member.channels.get(channel="email")
    assert row.status == "unsubscribed" and row.unsubscribed_from_alert == message.alert
    assert member.channels.get(channel="sms").status == "active"
    assert mail_client.post(url).status_code == 200  # again: harmless


def test_it_answers_404_to_an_unknown_unsubscribe_link(client, world):
    assert client.get("/in-the-know/unsubscribe/6f1c1b8e-8a1e-4a7e-9a55-0e8a4f0c9d11/").status_code == 404
    assert client.post("/in-the-know/unsubscribe/6f1c1b8e-8a1e-4a7e-9a55-0e8a4f0c9d11/").status_code == 404


# --- STOP by text ------------------------------------------------------------------------------

INBOUND = "/webhooks/notify/inbound-sms/"


CALLBACK_TOKEN = "notify-secret"  # noqa: S105 (a test value)


def inbound(client, body, token=CALLBACK_TOKEN):
    data = body if isinstance(body, str) else json.dumps(body)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return client.post(INBOUND, data, content_type="application/json", **headers)


def stop_text(id="n-1", message="STOP"):
    return {
        "id": id, "source_number": "447400123456", "destination_number": "07700900000", "message": message,
        "date_received": "2026-03-02T12:00:00.000000Z",
    }  # fmt: skip


@pytest.fixture
def notify_token(settings):
    settings.NOTIFY_CALLBACK_TOKEN = CALLBACK_TOKEN


def test_it_stops_texts_and_calls_when_a_resident_replies_stop(client, world, notify_token):
    member = subscriber(world, mobile=MOBILE, voice=True)
    assert inbound(client, stop_text(message=" stop ")).status_code == 200
    assert dict(member.channels.values_list("channel", "status")) == {
        "email": "active", "sms": "unsubscribed", "voice": "unsubscribed"
    }  # fmt: skip


def test_it_changes_nothing_for_a_replayed_or_ordinary_text(client, world, notify_token):
    member = subscriber(world, email=None, mobile=MOBILE)
    inbound(client, stop_text())
    member.channels.update(status="active")
    assert inbound(client, stop_text()).status_code == 200
    assert inbound(client, stop_text(id="n-2", message="Thanks for the alert")).status_code == 200
    assert member.channels.get().status == "active" and ReceiptEvent.objects.count() == 1


@pytest.mark.parametrize(("token", "status"), [(None, 401), ("wrong", 403), ("", 403)])
def test_it_refuses_unauthenticated_inbound_texts(client, world, notify_token, token, status):
    member = subscriber(world, mobile=MOBILE)
    assert inbound(client, stop_text(), token=token).status_code == status
    assert member.channels.get(channel="sms").status == "active"


def test_it_refuses_everything_while_no_callback_token_is_configured(client, world, settings):
    settings.NOTIFY_CALLBACK_TOKEN = ""
    subscriber(world, mobile=MOBILE)
    assert inbound(client, stop_text(), token="").status_code in (401, 403)
    assert inbound(client, stop_text(), token="anything").status_code == 403
    assert not ReceiptEvent.objects.exists()


@pytest.mark.parametrize("body", ["{not json", json.dumps({"message": "STOP"}), "[]"])
def test_it_answers_400_to_malformed_inbound_texts(client, world, notify_token, body):
    assert inbound(client, body).status_code == 400


# --- officers on the doorstep ------------------------------------------------------------------

FIELD = "/officer/in-the-know/sign-up/"


def field_data(world, **fields):
    return form_data(world, **{"consent_method": "doorstep_verbal", "agreed": "on", **fields})


def test_it_offers_an_officer_only_the_wards_they_work(client, world, django_assert_max_num_queries):
    client.force_login(world.pcso)
    client.get(FIELD)
    # session, user, team scope, neighbourhoods, wards, interests
    with django_assert_max_num_queries(6):
        page = client.get(FIELD).content.decode()
    assert "Daneshouse with Stoneyholme (Daneshouse)" in page and "Pharos" not in page and "Queensgate" not in page


def test_it_signs_up_a_household_and_offers_a_fresh_form(client, world, post):
    client.force_login(world.pcso)
    response = post(FIELD, field_data(world, mobile=MOBILE, channels=["sms"], email=""))
    # The next door is usually in the same ward: the fresh form keeps it chosen.
    assert response.status_code == 302 and response.url == FIELD + "?ward=E05005155"
    page = client.get(response.url).content.decode()
    assert "Signed up in Daneshouse with Stoneyholme" in page and MOBILE not in page
    member = Subscriber.objects.get()
    assert member.source == "field" and member.consent_taken_by == world.pcso
    assert member.consent_method == "doorstep_verbal" and member.channels.get().status == "pending"
    assert OutboxMessage.objects.get(channel="sms").to == MOBILE


def test_it_preselects_a_ward_the_link_names_only_if_the_officer_works_it(client, world):
    client.force_login(world.inspector)
    page = client.get(FIELD + "?ward=E05005160").content.decode()
    assert '<option value="E05005160" selected>' in page
    page = client.get(FIELD + "?ward=E05005400").content.decode()  # Pharos, West Division
    assert '<option value="" selected>Choose a ward' in page and "Pharos" not in page


def test_it_needs_the_residents_agreement(client, world):
    client.force_login(world.pcso)
    response = client.post(FIELD, field_data(world, agreed=""))
    assert response.status_code == 400 and "Tick to record that the resident agreed" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_it_refuses_another_neighbourhoods_officer(client, world):
    client.force_login(world.pcso_other)
    assert client.get(FIELD).status_code == 200  # their own Fleetwood households
    assert client.post(FIELD, field_data(world)).status_code == 403  # a Daneshouse ward
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize("outsider", ["partner", "resident", "chief_inspector_other"])
def test_it_refuses_people_who_do_not_work_a_neighbourhood(client, world, outsider):
    client.force_login(getattr(world, outsider))
    assert client.get(FIELD).status_code == 403
    assert client.post(FIELD, field_data(world)).status_code == 403
    assert not Subscriber.objects.exists()


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    assert client.get(FIELD).status_code == 302 and client.post(FIELD, field_data(world)).status_code == 302
    assert not Subscriber.objects.exists()


def test_it_texts_a_new_code_at_most_once_a_minute_and_a_few_times_an_hour(client, world, post):
    member = subscriber(world, email=None, mobile=MOBILE, status="pending")
    path = reverse("messaging:confirm-mobile-resend", args=[services_signup.confirm_mobile_token(subscriber=member)])
    with time_machine.travel(NOON, tick=False) as clock:
        assert "we have texted it a new code" in client.get(post(path).url).content.decode()
        assert "less than a minute ago" in client.get(post(path).url).content.decode()
        clock.shift(datetime.timedelta(minutes=2))
        assert "we have texted it a new code" in client.get(post(path).url).content.decode()
        clock.shift(datetime.timedelta(minutes=2))
        assert "Try again later" in client.get(post(path).url).content.decode()  # three requests an hour
        assert OutboxMessage.objects.filter(to=MOBILE).count() == 2
        assert services_confirm.channel_confirm_mobile(subscriber=member, code=texted_code())[0].status == "active"


# --- the short manage link at the end of a text ------------------------------------------------


def test_it_takes_a_texts_short_link_on_to_the_full_manage_page(client, world):
    member = subscriber(world, email=None, mobile="+447700900123")
    response = client.get(urlsplit_path(links.short_manage_url(subscriber=member)))
    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:manage", kwargs={"token": links.manage_token(subscriber=member)})


def test_it_refuses_an_altered_or_erased_short_link(client, world):
    member = subscriber(world, email=None, mobile="+447700900123")
    code = links.short_manage_code(subscriber=member)
    altered = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert client.get(reverse("messaging:manage-short", kwargs={"code": altered})).status_code == 404
    assert client.get(reverse("messaging:manage-short", kwargs={"code": "not-a-code"})).status_code == 404
    services_manage.subscriber_erase(subscriber=member)
    assert client.get(reverse("messaging:manage-short", kwargs={"code": code})).status_code == 404


def test_it_throttles_guessing_short_links_from_one_address(client, world):
    statuses = [client.get(reverse("messaging:manage-short", kwargs={"code": f"{n}-000000000000"})).status_code
                for n in range(31)]  # fmt: skip
    assert statuses[:30] == [404] * 30 and statuses[30] == 429


def urlsplit_path(url: str) -> str:
    return "/" + url.split("/", 3)[3]
