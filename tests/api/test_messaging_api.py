import pytest
from django.urls import reverse

from messaging.models import Alert, AlertStatus, Delivery, SignUpSource
from tests.messaging.factories import alert, subscriber

pytestmark = pytest.mark.django_db

ALERTS = reverse("api-alert-list")
SUBSCRIBERS = reverse("api-subscriber-list")
WARD_COUNTS = reverse("api-subscriber-wards")


def new_alert(**changes):
    body = {
        "title": "Sheds broken into",
        "body": "Lock your shed and mark your tools.",
        "channels": ["email"],
        "audience_level": "neighbourhoods",
        "neighbourhoods": ["daneshouse"],
        "interests": ["burglary"],
    }
    body.update(changes)
    return body


# --- alerts -----------------------------------------------------------------------------------


def test_it_lists_the_alerts_a_composer_may_see(api, world):
    mine = alert(world)
    alert(world, author=world.pcso_other, area={"neighbourhoods": [world.fleetwood]})
    api.force_login(world.pcso)
    data = api.get(ALERTS).json()
    assert [(a["id"], a["neighbourhoods"], a["channels"]) for a in data["results"]] == [
        (mine.pk, ["daneshouse"], ["email"])
    ]


def test_it_refuses_alerts_to_residents(api, world):
    api.force_login(world.resident)
    assert api.get(ALERTS).status_code == 403
    assert api.post(ALERTS, new_alert(), format="json").status_code == 403


def test_a_partner_agency_reads_and_drafts_only_its_own_alerts_over_the_api(api, world):
    alert(world)  # the police's own
    api.force_login(world.partner)
    created = api.post(ALERTS, new_alert(title="Bonfire safety"), format="json")
    assert created.status_code == 201, created.json()
    made = Alert.objects.get(pk=created.json()["id"])
    assert made.agency == world.partner.agency and made.status == AlertStatus.DRAFT
    assert [a["title"] for a in api.get(ALERTS).json()["results"]] == ["Bonfire safety"]


def test_it_answers_404_for_an_alert_outside_the_area(api, world):
    theirs = alert(world, author=world.pcso_other, area={"neighbourhoods": [world.fleetwood]})
    api.force_login(world.pcso)
    assert api.get(reverse("api-alert-detail", kwargs={"pk": theirs.pk})).status_code == 404
    api.force_login(world.comms)  # force-wide: sees the force's alerts
    assert api.get(reverse("api-alert-detail", kwargs={"pk": theirs.pk})).status_code == 200


def test_it_lists_alerts_in_constant_queries(api, world, django_assert_max_num_queries):
    api.force_login(world.pcso)
    alert(world, interests=["burglary"])
    api.get(ALERTS)
    for n in range(6):
        alert(world, title=f"Alert {n}", interests=["scams"], area={"wards": list(world.daneshouse.wards.all())})
    # session, user, team, count, alerts, wards, neighbourhoods, divisions, interests
    with django_assert_max_num_queries(9):
        assert len(api.get(ALERTS).json()["results"]) == 7


def test_it_saves_a_draft_and_sends_nothing(api, world):
    subscriber(world, interests=("burglary",))
    api.force_login(world.pcso)
    response = api.post(ALERTS, new_alert(), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "draft" and response.json()["interests"] == ["burglary"]
    made = Alert.objects.get()
    assert made.created_by == world.pcso and made.status == AlertStatus.DRAFT
    assert not Delivery.objects.exists()


def test_it_refuses_a_bad_alert_with_field_errors_and_stores_nothing(api, world):
    api.force_login(world.pcso)
    response = api.post(ALERTS, new_alert(channels=[], neighbourhoods=["fleetwood"], kind="survey"), format="json")
    assert response.status_code == 400
    assert {"channels", "neighbourhoods", "kind"} <= set(response.json())
    response = api.post(ALERTS, new_alert(audience_level="force"), format="json")
    assert response.status_code == 400 and set(response.json()) == {"audience_level"}
    response = api.post(ALERTS, new_alert(channels=["sms"], sms_text="Lock your shed. " * 60), format="json")
    assert set(response.json()) == {"sms_text"}
    assert not Alert.objects.exists()


# --- subscribers ------------------------------------------------------------------------------


def test_it_lists_subscribers_masked_for_the_communications_office(api, world):
    subscriber(world, email="amina.khan@example.org", mobile="+447700900123", interests=("burglary",))
    api.force_login(world.comms)
    response = api.get(SUBSCRIBERS)
    row = response.json()["results"][0]
    assert row["ward"] == "E05005155" and row["interests"] == ["burglary"]
    assert {c["address"] for c in row["channels"]} == {"a•••••••••@example.org", "07••• ••0123"}
    body = response.content.decode()
    assert "amina.khan" not in body and "900123" not in body
    assert "age_band" not in row and "ethnic_group" not in row


def test_it_refuses_subscribers_to_everyone_else(api, world):
    subscriber(world)
    for user in (world.pcso, world.sergeant, world.chief_inspector, world.partner, world.resident):
        api.force_login(user)
        assert api.get(SUBSCRIBERS).status_code == 403
        assert api.get(WARD_COUNTS).status_code == 403


def test_it_lists_subscribers_in_constant_queries(api, world, django_assert_max_num_queries):
    api.force_login(world.hq)
    subscriber(world, email="first@example.org", interests=("burglary",))
    api.get(SUBSCRIBERS)
    for n in range(6):
        subscriber(world, email=f"member{n}@example.org", mobile=f"+44770090010{n}", interests=("scams",))
    # session, user, count, subscribers, channels, interests
    with django_assert_max_num_queries(6):
        assert len(api.get(SUBSCRIBERS).json()["results"]) == 7


def test_it_counts_members_per_ward_in_one_query(api, world, django_assert_max_num_queries):
    pharos = world.fleetwood.wards.get()
    subscriber(world, email="a@example.org")
    subscriber(world, email="b@example.org", source=SignUpSource.FIELD)
    subscriber(world, email="c@example.org", status="pending")
    subscriber(world, email="d@example.org", ward=pharos)
    api.force_login(world.comms)
    # session, user, count, wards with their counts
    with django_assert_max_num_queries(4):
        rows = api.get(WARD_COUNTS).json()["results"]
    counts = {r["code"]: (r["members"], r["field_members"]) for r in rows}
    assert counts == {"E05005155": (2, 1), "E05005160": (0, 0), "E05005400": (1, 0)}
    filtered = api.get(WARD_COUNTS, {"neighbourhood": "fleetwood"}).json()["results"]
    assert [r["code"] for r in filtered] == ["E05005400"]
