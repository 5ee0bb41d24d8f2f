import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.policy import can
from accounts.roles import Role
from meetings import services as meeting_services
from messaging.alerts import services
from messaging.alerts.selectors import alerts_for_user
from messaging.models import Alert, AlertStatus, Delivery, OutboxMessage
from tests.factories import UserFactory
from tests.meetings.test_services import new_meeting
from tests.messaging.factories import alert, interest, subscriber
from tests.priorities.factories import agreed

pytestmark = pytest.mark.django_db
STAFF = ["pcso", "pcso_other", "sergeant", "chief_inspector", "chief_inspector_other", "comms", "hq"]
# Who sees a Daneshouse alert written by the Daneshouse PCSO (404 for everyone else: ids leak nothing).
SEES_DANESHOUSE = {
    "pcso": 200,
    "pcso_other": 404,
    "sergeant": 200,
    "chief_inspector": 200,
    "chief_inspector_other": 404,
    "comms": 200,
    "hq": 200,
    "partner": 404,
    "resident": 404,
}


@pytest.fixture(autouse=True)
def _no_fan_out(monkeypatch):
    """Releasing queues the delivery engine's fan-out; these tests are about the pages."""
    monkeypatch.setattr(services, "_queue_fan_out", lambda alert_id: None)


def url(name, made=None, **query):
    path = reverse(f"messaging:{name}", kwargs={"pk": made.pk} if made else None)
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def form_data(world, **extra):
    data = {
        "kind": "general",
        "title": "Shed burglaries on Elm Street",
        "body": "Three sheds were broken into. Lock yours.",
        "sms_text": "",
        "voice_script": "",
        "audience_level": "neighbourhoods",
        "neighbourhoods": [world.daneshouse.pk],
        "channels": ["email"],
        "send_when": "now",
    }
    data.update(extra)
    return data


# --- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("person", [*STAFF, "partner", "resident"])
def test_it_opens_the_list_and_compose_pages_only_to_those_who_send_alerts(client, world, person):
    client.force_login(getattr(world, person))
    # Partner agencies write alerts for the neighbourhoods they work with (police approve them).
    expected = 200 if person in STAFF or person == "partner" else 403
    assert client.get(url("alert-list")).status_code == expected
    assert client.get(url("alert-create")).status_code == expected


@pytest.mark.parametrize("person", list(SEES_DANESHOUSE))
def test_it_shows_a_daneshouse_alert_only_in_that_area(client, world, person):
    made = alert(world, status=AlertStatus.SENDING, released_at=timezone.now())
    client.force_login(getattr(world, person))
    assert client.get(url("alert-detail", made)).status_code == SEES_DANESHOUSE[person]
    assert client.get(url("alert-progress", made)).status_code == SEES_DANESHOUSE[person]


def test_it_lists_exactly_the_alerts_the_policy_lets_each_person_see(world):
    alerts = [
        alert(world),
        alert(world, author=world.pcso_other, area={"neighbourhoods": [world.fleetwood]}),
        alert(world, author=world.inspector, area={"neighbourhoods": [world.daneshouse, world.queensgate]}),
        alert(world, author=world.chief_inspector, level="divisions", area={"divisions": [world.east]}),
        alert(world, author=world.pcso, level="wards", area={"wards": list(world.daneshouse.wards.all())}),
        alert(world, author=world.comms, level="force"),
    ]
    for person in [*STAFF, "inspector", "partner", "admin"]:
        user = getattr(world, person)
        listed = set(alerts_for_user(user=user))
        assert listed == {a for a in alerts if can(user, "alert.view", a)}, person


def test_it_filters_the_list_by_status(client, world):
    alert(world, title="A draft alert")
    alert(world, title="A sent alert", status=AlertStatus.SENT)
    client.force_login(world.pcso)
    page = client.get(url("alert-list", status="sent")).content.decode()
    assert "A sent alert" in page and "A draft alert" not in page


def test_it_shows_the_alerts_nav_item_to_those_who_may_compose(client, world):
    client.force_login(world.pcso)
    assert 'href="/officer/alerts/"' in client.get(reverse("meetings:list")).content.decode()
    client.force_login(UserFactory(role=Role.OPERATIONS_MANAGER, force=world.force, division=world.east))
    assert 'href="/officer/alerts/"' not in client.get(reverse("meetings:list")).content.decode()


# --- compose ------------------------------------------------------------------------------------


def test_it_saves_a_draft_and_shows_it_with_its_audience(client, world):
    subscriber(world, mobile="+447700900001")
    client.force_login(world.pcso)
    response = client.post(url("alert-create"), form_data(world, channels=["email", "sms"], sms_text="Lock it."))
    made = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == url("alert-detail", made)
    page = client.get(url("alert-detail", made)).content.decode()
    assert "Send it to 2 subscriptions" in page
    assert "Lock it. Manage: http" in page and "/k/zzzzzzz-ffffffffffff/ Reply STOP to stop." in page


@pytest.mark.parametrize(
    ("tampered", "field"),
    [
        ({"neighbourhoods": ["fleetwood"]}, "neighbourhoods"),
        ({"audience_level": "force"}, "audience_level"),
        ({"audience_level": "divisions", "divisions": ["east"]}, "divisions"),
        ({"audience_level": "wards", "wards": ["fleetwood"]}, "wards"),
    ],
)
def test_it_refuses_a_tampered_audience_and_saves_nothing(client, world, tampered, field):
    ids = {
        "fleetwood": [world.fleetwood.pk],
        "east": [world.east.pk],
    }
    data = {k: (ids.get(v[0], v) if isinstance(v, list) else v) for k, v in tampered.items()}
    if field == "wards":
        data["wards"] = [world.fleetwood.wards.get().pk]
    client.force_login(world.pcso)
    response = client.post(url("alert-create"), form_data(world, **data))
    assert response.status_code == 200
    assert f'href="#id_{field}' in response.content.decode()
    assert not Alert.objects.exists()


def test_it_refuses_a_text_message_over_four_segments_with_a_clear_message(client, world):
    client.force_login(world.pcso)
    response = client.post(url("alert-create"), form_data(world, channels=["sms"], sms_text="Lock your shed. " * 40))
    assert "the most allowed is 4" in response.content.decode()
    assert not Alert.objects.exists()


def test_it_refuses_a_send_time_in_the_past(client, world):
    client.force_login(world.pcso)
    past = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url("alert-create"), form_data(world, send_when="later", send_at=past))
    assert "That time has passed" in response.content.decode()
    assert not Alert.objects.exists()


def test_it_previews_the_audience_per_channel(client, world):
    subscriber(world, mobile="+447700900001", interests=("burglary",))
    subscriber(world, email="other@example.org", interests=("scams",))
    client.force_login(world.pcso)
    query = {"audience_level": "neighbourhoods", "neighbourhoods": world.daneshouse.pk, "channels": "email"}
    page = client.get(url("alert-audience"), query | {"interests": interest("burglary").pk}).content.decode()
    assert "Email: <strong>1</strong>" in page and "Text message (SMS): <strong>1</strong> (not chosen)" in page
    assert "It would go to <strong>1</strong> confirmed subscription " in page
    page = client.get(url("alert-audience"), query | {"interests": interest("youth").pk}).content.decode()
    assert "No one would receive it" in page
    page = client.get(url("alert-audience"), query | {"neighbourhoods": world.fleetwood.pk}).content.decode()
    assert "outside the area you may send to" in page


def test_it_fills_a_meeting_reminder_from_public_details_only(client, world):
    soon = timezone.now() + datetime.timedelta(days=7)
    meeting = new_meeting(
        world,
        starts_at=soon,
        ends_at=soon + datetime.timedelta(hours=1),
        restricted_notes="Informant lives at no. 4",
        public_agenda="Parking on Elm St",
    )
    meeting_services.meeting_publish(meeting=meeting, actor=world.pcso)
    client.force_login(world.pcso)
    page = client.get(url("alert-create", meeting=meeting.pk)).content.decode()
    assert "PACT meeting: Daneshouse PACT" in page and "Parking on Elm St" in page
    assert "Informant" not in page
    client.force_login(world.pcso_other)
    page = client.get(url("alert-create", meeting=meeting.pk)).content.decode()
    assert "not an upcoming published meeting in your area" in page and "Parking on Elm St" not in page


def test_it_fills_an_appeal_from_an_agreed_priority(client, world):
    priority = agreed(world, evidence="Intel: supplier at no. 12")
    client.force_login(world.pcso)
    page = client.get(url("alert-create", priority=priority.pk, kind="appeal")).content.decode()
    assert "Appeal for information: Speeding on Burnley Road" in page and "Crimestoppers" in page
    assert "supplier" not in page


def test_it_lets_only_the_author_edit_a_draft(client, world):
    made = alert(world)
    client.force_login(world.sergeant)
    assert client.get(url("alert-edit", made)).status_code == 403
    client.force_login(world.pcso)
    assert client.get(url("alert-edit", made)).status_code == 200
    response = client.post(url("alert-edit", made), form_data(world, title="Lock your sheds tonight"))
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.title == "Lock your sheds tonight"
    Alert.objects.filter(pk=made.pk).update(status=AlertStatus.SENT)
    assert client.get(url("alert-edit", made)).status_code == 302


# --- the workflow -------------------------------------------------------------------------------


def test_it_sends_the_authors_draft_and_refuses_others(client, world):
    subscriber(world)
    made = alert(world)
    client.force_login(world.pcso_other)
    assert client.post(url("alert-submit", made)).status_code == 404
    client.force_login(world.sergeant)
    assert client.post(url("alert-submit", made)).status_code == 403
    client.force_login(world.pcso)
    assert client.post(url("alert-submit", made)).status_code == 302
    assert Alert.objects.get().status == AlertStatus.SENDING


def test_it_refuses_to_send_an_empty_audience(client, world):
    made = alert(world)
    client.force_login(world.pcso)
    page = client.get(url("alert-detail", made)).content.decode()
    assert "No one would receive this alert." in page and url("alert-submit", made) not in page
    response = client.post(url("alert-submit", made), follow=True)
    assert "No one would receive this alert" in response.content.decode()
    assert Alert.objects.get().status == AlertStatus.DRAFT


def test_it_approves_a_force_wide_alert_with_four_eyes(client, world):
    subscriber(world)
    made = alert(world, author=world.comms, level="force", status=AlertStatus.AWAITING_APPROVAL)
    # Its author is told another officer must approve it (a message, nothing changed), not a bare 403.
    for person, expected in [("pcso", 404), ("hq", 403), ("comms", 302)]:
        client.force_login(getattr(world, person))
        assert client.post(url("alert-approve", made)).status_code == expected, person
    assert Alert.objects.get().status == AlertStatus.AWAITING_APPROVAL
    client.force_login(UserFactory(role=Role.COMMUNICATIONS, force=world.force))
    assert "Approve and send to 1 subscription" in client.get(url("alert-detail", made)).content.decode()
    assert client.post(url("alert-approve", made)).status_code == 302
    assert Alert.objects.get().status == AlertStatus.SENDING


@pytest.mark.parametrize(
    ("person", "expected"),
    [("pcso", 302), ("sergeant", 302), ("hq", 302), ("comms", 302), ("pcso_other", 404), ("partner", 404)],
)
def test_it_lets_the_author_and_managers_cancel(client, world, person, expected):
    made = alert(world, status=AlertStatus.SENDING)
    client.force_login(getattr(world, person))
    assert client.post(url("alert-cancel", made)).status_code == expected
    assert (Alert.objects.get().status == AlertStatus.CANCELLED) == (expected == 302)


def test_it_refuses_a_fellow_pcso_cancelling_and_explains_an_illegal_cancel(client, world):
    made = alert(world, status=AlertStatus.SENDING)
    colleague = UserFactory(role=Role.PCSO, force=world.force)
    colleague.memberships.create(neighbourhood=world.daneshouse, role=Role.PCSO, start_date=datetime.date(2020, 1, 1))
    client.force_login(colleague)
    assert client.post(url("alert-cancel", made)).status_code == 403
    Alert.objects.filter(pk=made.pk).update(status=AlertStatus.SENT)
    client.force_login(world.pcso)
    response = client.post(url("alert-cancel", made), follow=True)
    assert "already sent: it cannot be cancelled. Nothing was changed." in response.content.decode()


# --- progress -----------------------------------------------------------------------------------


def _with_deliveries(world, made, statuses):
    for i, status in enumerate(statuses):
        person = subscriber(world, email=f"p{i}@example.org")
        Delivery.objects.create(alert=made, subscriber=person, channel="email", status=status, queued_at=timezone.now())


def test_it_polls_progress_while_sending_and_stops_when_done(client, world):
    made = alert(world, status=AlertStatus.SENDING, released_at=timezone.now(), audience_counts={"email": 4})
    _with_deliveries(world, made, ["queued", "sent", "delivered", "failed"])
    client.force_login(world.pcso)
    panel = client.get(url("alert-progress", made), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 3s"' in panel and "Sending: 75% of 4 messages handled." in panel
    Alert.objects.filter(pk=made.pk).update(status=AlertStatus.SENT)
    panel = client.get(url("alert-progress", made), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in panel and "Finished" in panel


def test_it_shows_the_progress_counts_per_channel_and_status(client, world):
    made = alert(world, status=AlertStatus.CANCELLED, released_at=timezone.now())
    _with_deliveries(world, made, ["cancelled", "cancelled", "sent"])
    client.force_login(world.pcso)
    page = client.get(url("alert-detail", made)).content.decode()
    assert "Cancelled: 2 messages not sent." in page
    cells = '<td class="text-end">0</td><td class="text-end">0</td><td class="text-end">1</td>'
    assert cells + '<td class="text-end">0</td><td class="text-end">0</td><td class="text-end">2</td>' in page


# --- escaping -----------------------------------------------------------------------------------

NASTY = '<script>alert("x")</script>'


def test_it_escapes_what_staff_typed_on_the_list_and_the_page(client, world):
    made = alert(world, title=f"Title {NASTY}", body=f'Body {NASTY} <img src=x onerror="boom()">', sms_text=NASTY)
    made.send_sms = True
    made.save()
    client.force_login(world.pcso)
    for page in (client.get(url("alert-list")), client.get(url("alert-detail", made))):
        text = page.content.decode()
        assert NASTY not in text and "<img src=x" not in text
        assert html.escape(NASTY, quote=False) in text or "&lt;script&gt;" in text


def test_it_shows_the_email_preview_only_inside_a_sandboxed_srcdoc(client, world):
    made = alert(world, body="Visit [our page](https://example.org/x) <b>now</b>")
    client.force_login(world.pcso)
    page = client.get(url("alert-detail", made)).content.decode()
    assert "<iframe" in page and " sandbox srcdoc=" in page
    assert "&lt;a href=" in page and '<a href="https://example.org' not in page
    assert "&amp;lt;b&amp;gt;now" in page


# --- the outbox ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "expected"),
    [("comms", 200), ("hq", 200), ("admin", 200), ("pcso", 403), ("chief_inspector", 403), ("partner", 403)],
)
def test_it_opens_the_outbox_to_communications_and_hq_only(client, world, person, expected):
    client.force_login(getattr(world, person))
    assert client.get(url("outbox")).status_code == expected


def test_it_shows_stored_messages_escaped_and_filters_by_channel(client, world):
    OutboxMessage.objects.create(
        channel="email", to="a@example.org", subject="Hi", body="Plain", html=f"<p>{NASTY}</p>"
    )
    OutboxMessage.objects.create(channel="sms", to="+447700900001", body=f"Text {NASTY}")
    client.force_login(world.comms)
    page = client.get(url("outbox")).content.decode()
    assert NASTY not in page and "<p>" + NASTY not in page
    assert "&lt;p&gt;&lt;script&gt;" in page and "Text &lt;script&gt;" in page
    sms_only = client.get(url("outbox", channel="sms")).content.decode()
    assert "+447700900001" in sms_only and "a@example.org" not in sms_only


# --- query counts -------------------------------------------------------------------------------


def test_it_lists_alerts_in_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    for i in range(12):
        alert(world, title=f"Alert {i}", level="wards", area={"wards": list(world.daneshouse.wards.all())})
        alert(
            world,
            title=f"Division {i}",
            author=world.chief_inspector,
            level="divisions",
            area={"divisions": [world.east]},
        )
    client.force_login(world.chief_inspector)
    # session, user, count, page, wards, neighbourhoods, divisions (the area test is in SQL)
    with django_assert_max_num_queries(7):
        response = client.get(url("alert-list"))
    assert response.content.decode().count('href="/officer/alerts/') >= 24


def test_it_shows_an_alert_page_in_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    made = alert(world, status=AlertStatus.SENDING, released_at=timezone.now(), send_sms=True, sms_text="Lock it")
    _with_deliveries(world, made, ["queued", "sent", "delivered"])
    client.force_login(world.sergeant)
    # session, user, alert, wards, neighbourhoods, divisions, interests, scope, area (view), area (cancel),
    # progress
    with django_assert_max_num_queries(11):
        assert client.get(url("alert-detail", made)).status_code == 200


def test_it_polls_progress_in_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    made = alert(world, status=AlertStatus.SENDING, released_at=timezone.now())
    _with_deliveries(world, made, ["queued", "sent", "delivered", "failed", "sending"])
    client.force_login(world.pcso)
    # session, user, alert, wards, neighbourhoods, divisions, interests, area (view): scope is cached
    # on the user; then the one grouped progress query
    with django_assert_max_num_queries(8):
        client.get(url("alert-progress", made))


def test_it_opens_the_compose_page_and_the_preview_in_constant_queries(client, world, django_assert_max_num_queries):
    for i in range(5):
        subscriber(world, email=f"p{i}@example.org", interests=("burglary",))
    client.force_login(world.pcso)
    # session, user, force, scope, meetings, priorities, wards, neighbourhoods, interests
    with django_assert_max_num_queries(9):
        client.get(url("alert-create"))
    query = {"audience_level": "neighbourhoods", "neighbourhoods": world.daneshouse.pk, "channels": "email"}
    # session, user, force, scope, neighbourhoods (validating the choice), counts
    with django_assert_max_num_queries(6):
        client.get(url("alert-audience"), query)


def test_it_shows_the_outbox_in_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    for i in range(30):
        OutboxMessage.objects.create(channel="sms", to=f"+4477009000{i:02d}", body=f"Message {i}")
    client.force_login(world.comms)
    with django_assert_max_num_queries(4):  # session, user, count, page
        client.get(url("outbox"))


def test_it_starts_a_pcso_on_their_one_neighbourhood_and_asks_before_counting(client, world):
    client.force_login(world.pcso)
    page = client.get(url("alert-create")).content.decode()
    assert f'<option value="{world.daneshouse.pk}" selected>Daneshouse</option>' in page
    panel = client.get(url("alert-audience")).content.decode()
    assert "Choose who it is for to see how many people it reaches." in panel


def test_it_leaves_survey_invitations_to_the_surveys_pages(client, world):
    client.force_login(world.pcso)
    data = form_data(world, kind="survey")
    response = client.post(url("alert-create"), data)
    assert response.status_code in (200, 400) and not Alert.objects.exists()
    assert 'value="survey"' not in client.get(url("alert-create")).content.decode()
