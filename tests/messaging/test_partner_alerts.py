"""Partner agencies' In the Know alerts: composed for the neighbourhoods they work with, approved
by the police (never by a partner), and signed with the agency's name on every channel."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from messaging.alerts import services
from messaging.models import AlertStatus, Delivery
from messaging.rendering import render_delivery
from tests.factories import PartnerAgencyFactory, TeamMembershipFactory, UserFactory
from tests.messaging.factories import subscriber
from tests.messaging.test_alerts_services import compose

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    ids = []
    monkeypatch.setattr(services, "_queue_fan_out", ids.append)
    return ids


def _partner_alert(world, **extra):
    fields = {"title": "Free smoke alarm checks", "channels": ["email", "sms", "voice"],
              "sms_text": "Book a free smoke alarm check."} | extra  # fmt: skip
    made = compose(world, actor=world.partner, **fields)
    services.alert_submit(alert=made, actor=world.partner)
    return made


def test_it_holds_every_partner_alert_for_approval(world, queued):
    subscriber(world)
    made = _partner_alert(world)
    made.refresh_from_db()
    assert (made.status, made.agency, queued) == (AlertStatus.AWAITING_APPROVAL, world.partner.agency, [])


def test_it_refuses_a_partner_a_neighbourhood_they_do_not_work_with(world):
    with pytest.raises(ValidationError):
        compose(world, actor=world.partner, neighbourhoods=[world.queensgate])


def test_it_lets_the_neighbourhoods_inspector_approve_it(world, queued, django_capture_on_commit_callbacks):
    subscriber(world)
    made = _partner_alert(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_approve(alert=made, actor=world.inspector)
    made.refresh_from_db()
    assert (made.status, made.approved_by, queued) == (AlertStatus.SENDING, world.inspector, [made.pk])


def test_it_refuses_a_partner_approving_their_own_alert_with_a_clear_message(world, queued):
    subscriber(world)
    made = _partner_alert(world)
    client = Client()
    client.force_login(world.partner)
    response = client.post(reverse("messaging:alert-approve", args=[made.pk]), follow=True)
    assert "approved by a police communications officer or the inspector" in response.content.decode()
    made.refresh_from_db()
    assert (made.status, made.approved_by, queued) == (AlertStatus.AWAITING_APPROVAL, None, [])


def test_it_refuses_another_partner_of_the_agency_and_a_sergeant(world, queued):
    subscriber(world)
    made = _partner_alert(world)
    colleague = UserFactory(role="partner", force=world.force, agency=world.partner.agency)
    TeamMembershipFactory(user=colleague, neighbourhood=world.daneshouse, role="partner")
    for actor in (colleague, world.sergeant):
        with pytest.raises(ValidationError, match="approved by a police communications officer"):
            services.alert_approve(alert=made, actor=actor)
    made.refresh_from_db()
    assert made.status == AlertStatus.AWAITING_APPROVAL


def test_it_shows_a_partner_only_their_agencys_alerts(world):
    mine = compose(world, actor=world.partner)
    compose(world, actor=world.pcso, title="Police alert")
    other = UserFactory(role="partner", force=world.force, agency=PartnerAgencyFactory(name="Lancashire Fire"))
    TeamMembershipFactory(user=other, neighbourhood=world.daneshouse, role="partner")
    compose(world, actor=other, title="Fire alert")
    client = Client()
    client.force_login(world.partner)
    content = client.get(reverse("messaging:alert-list")).content.decode()
    assert mine.title in content and "Police alert" not in content and "Fire alert" not in content


@pytest.mark.parametrize("channel", ["email", "sms", "voice"])
def test_it_signs_a_partner_alert_with_the_agencys_name_on_every_channel(world, channel):
    made = compose(world, actor=world.partner, channels=["email", "sms", "voice"], sms_text="Book a check.")
    person = subscriber(world, mobile="+447700900555", voice=True)
    delivery = Delivery.objects.create(alert=made, subscriber=person, channel=channel, queued_at=timezone.now())
    message = render_delivery(delivery=delivery)
    assert "Burnley Borough Council" in message.body
    if channel == "email":
        assert "Burnley Borough Council" in message.html


def test_it_does_not_sign_a_police_alert(world):
    made = compose(world, channels=["email"])
    delivery = Delivery.objects.create(
        alert=made, subscriber=subscriber(world), channel="email", queued_at=timezone.now()
    )
    assert "From " not in render_delivery(delivery=delivery).body.split("--")[0]


def test_it_counts_the_agencys_name_in_the_text_messages_length(world):
    name = world.partner.agency.name
    text = "x"
    while services.sms_segments_for(title="t", sms_text=text + "x") <= services.sms_max_segments():
        text += "x"
    # The longest text a police alert may send; the partner's signature pushes it over.
    assert services.sms_segments_for(title="t", sms_text=text, signature=name) > services.sms_max_segments()
    compose(world, channels=["sms"], sms_text=text)
    with pytest.raises(ValidationError) as error:
        compose(world, actor=world.partner, channels=["sms"], sms_text=text)
    assert "sms_text" in error.value.message_dict


@pytest.mark.parametrize("waiting", [1, 5])
def test_the_inspectors_home_lists_partner_alerts_to_approve_in_constant_queries(
    client, world, queued, django_assert_max_num_queries, waiting
):
    subscriber(world)
    for n in range(waiting):
        _partner_alert(world, title=f"Smoke alarms {n}")
    ward = world.daneshouse.wards.get()
    _partner_alert(world, title="By ward", audience_level="wards", neighbourhoods=[], wards=[ward])
    client.force_login(world.inspector)
    # The page's own (session, user, scope, neighbourhoods with counts and its panels), the waiting
    # alerts, and their areas in four: one query per alert before (the approval rule read each one's).
    with django_assert_max_num_queries(11):
        response = client.get(reverse("neighbourhoods:officer-home"))
    titles = [a.title for a in response.context["awaiting_approval"]]
    assert titles == [*(f"Smoke alarms {n}" for n in range(waiting)), "By ward"]
