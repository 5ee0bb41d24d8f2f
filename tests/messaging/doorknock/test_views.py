import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from messaging.models import DoorKnockRound, DoorOutcome, RoundStatus, Street, Subscriber
from tests.messaging.doorknock.factories import knock, planned, signed_up_earlier, street
from tests.messaging.factories import interest

pytestmark = pytest.mark.django_db


def test_it_plans_a_round_from_the_prioritised_streets(client, world):
    ward = world.daneshouse.wards.get()
    colne, oak = street(ward, "Colne Road", 10), street(ward, "Oak Avenue", 4)
    client.force_login(world.pcso)
    page = client.get(reverse("messaging:doorknock-plan"))
    assert ward.name in page.content.decode() and "Queensgate" not in page.content.decode()
    page = client.get(reverse("messaging:doorknock-plan"), {"ward": ward.code})
    assert [row.street for row in page.context["priorities"]] == [colne, oak]  # the larger street first
    response = client.post(f"{reverse('messaging:doorknock-plan')}?ward={ward.code}", {"streets": [oak.pk, colne.pk]})
    door_round = DoorKnockRound.objects.get()
    assert response.url == reverse("messaging:doorknock-round", kwargs={"pk": door_round.pk})
    assert door_round.doors.count() == 14 and door_round.doors.first().address.street == colne


def test_the_plan_re_renders_with_errors_and_refuses_another_teams_ward(client, world):
    ward = world.daneshouse.wards.get()
    street(ward, "Colne Road")
    client.force_login(world.pcso)
    response = client.post(f"{reverse('messaging:doorknock-plan')}?ward={ward.code}", {"streets": []})
    assert response.status_code == 400 and "Choose at least one street." in response.content.decode()
    assert not DoorKnockRound.objects.exists()
    other = world.fleetwood.wards.get()
    assert client.get(reverse("messaging:doorknock-plan"), {"ward": other.code}).status_code == 404


def test_the_plan_shows_the_wards_least_represented_groups_and_that_demo_streets_are_synthetic(client, world):
    ward = world.daneshouse.wards.get()
    Street.objects.create(ward=ward, name="Weaver Street", is_synthetic=True).addresses.create(number="1")
    client.force_login(world.pcso)
    page = client.get(reverse("messaging:doorknock-plan"), {"ward": ward.code}).content.decode()
    assert "These streets are synthetic demo data." in page


def test_a_door_outcome_by_htmx_swaps_the_door(client, world):
    door_round = planned(world)
    door = door_round.doors.first()
    client.force_login(world.pcso)
    url = reverse("messaging:doorknock-door", kwargs={"pk": door_round.pk, "door_pk": door.pk})
    response = client.post(url, {"outcome": DoorOutcome.NOT_IN}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Recorded: <strong>Not in</strong>" in response.content.decode()
    door.refresh_from_db()
    assert door.outcome == DoorOutcome.NOT_IN


def test_signed_up_opens_the_doorstep_sign_up_in_the_ward_and_is_recorded_once_signed_up(client, world):
    interest("burglary")
    door_round = planned(world)
    door = door_round.doors.first()
    client.force_login(world.pcso)
    url = reverse("messaging:doorknock-door", kwargs={"pk": door_round.pk, "door_pk": door.pk})
    response = client.post(url, {"outcome": DoorOutcome.SIGNED_UP}, headers={"HX-Request": "true"})
    target = response.headers["HX-Redirect"]
    assert target.startswith(reverse("messaging:field-signup")) and "ward=E05005155" in target
    page = client.get(target)
    back = f"{reverse('messaging:doorknock-round', kwargs={'pk': door_round.pk})}#door-{door.pk}"
    assert page.context["form"].initial["ward"] == door_round.ward and page.context["back"] == back
    door.refresh_from_db()
    assert door.outcome == ""  # begun, not made
    signed = {"email": "neighbour@example.org", "channels": ["email"], "ward": "E05005155", "language": "en-gb"}
    response = client.post(target, {**signed, "consent_method": "doorstep_verbal", "agreed": "on"})
    assert response.url == back
    door.refresh_from_db()
    assert (door.outcome, door.outcome_by) == (DoorOutcome.SIGNED_UP, world.pcso)


def test_a_sign_up_from_another_teams_door_leaves_that_door_alone(client, world):
    interest("burglary")
    door = planned(world).doors.first()
    client.force_login(world.pcso_other)
    signed = {"email": "x@example.org", "channels": ["email"], "ward": "E05005400", "language": "en-gb"}
    query = f"?door={door.pk}"
    client.post(
        reverse("messaging:field-signup") + query, {**signed, "consent_method": "doorstep_verbal", "agreed": "on"}
    )
    door.refresh_from_db()
    assert door.outcome == "" and Subscriber.objects.get().ward.code == "E05005400"


def test_issue_raised_opens_the_issue_log_preset_to_a_door_knock_in_the_ward(client, world):
    door_round = planned(world)
    door = door_round.doors.first()
    client.force_login(world.pcso)
    url = reverse("messaging:doorknock-door", kwargs={"pk": door_round.pk, "door_pk": door.pk})
    response = client.post(url, {"outcome": DoorOutcome.ISSUE})
    assert response.url.startswith(reverse("priorities:log-issue"))
    page = client.get(response.url)
    assert page.context["form"].initial == {"ward": "E05005155", "source": "door_knock"}
    assert page.context["back"].startswith(reverse("messaging:doorknock-round", kwargs={"pk": door_round.pk}))


def test_a_next_link_elsewhere_is_ignored(client, world):
    client.force_login(world.pcso)
    page = client.get(reverse("messaging:field-signup"), {"next": "https://evil.example/officer/door-knocks/"})
    assert page.context["back"] == ""
    page = client.get(reverse("messaging:field-signup"), {"next": "/officer/alerts/"})
    assert page.context["back"] == ""


def test_finishing_and_planning_the_next_round_from_not_in(client, world):
    door_round = planned(world)
    knock(door_round, [DoorOutcome.NOT_IN, DoorOutcome.DECLINED], actor=world.pcso)
    client.force_login(world.sergeant)
    client.post(reverse("messaging:doorknock-finish", kwargs={"pk": door_round.pk}))
    door_round.refresh_from_db()
    assert door_round.status == RoundStatus.FINISHED and door_round.meeting is not None
    page = client.get(reverse("messaging:doorknock-round", kwargs={"pk": door_round.pk})).content.decode()
    assert "Plan the next round from the 1 not in" in page
    response = client.post(reverse("messaging:doorknock-next", kwargs={"pk": door_round.pk}))
    following = DoorKnockRound.objects.get(follows=door_round)
    assert response.url == reverse("messaging:doorknock-round", kwargs={"pk": following.pk})
    assert [str(d.address) for d in following.doors.all()] == ["1 Colne Road"]


def test_another_team_gets_404_for_a_round_and_its_doors(client, world):
    door_round = planned(world)
    door = door_round.doors.first()
    for person in (world.pcso_other, world.chief_inspector, world.hq):
        client.force_login(person)
        assert client.get(reverse("messaging:doorknock-round", kwargs={"pk": door_round.pk})).status_code == 404
        url = reverse("messaging:doorknock-door", kwargs={"pk": door_round.pk, "door_pk": door.pk})
        assert client.post(url, {"outcome": "not_in"}).status_code == 404
    door.refresh_from_db()
    assert door.outcome == ""


def test_the_upload_page_imports_a_good_list_and_lists_bad_rows(client, world):
    client.force_login(world.pcso)
    url = reverse("messaging:doorknock-import")
    good = SimpleUploadedFile("streets.csv", b"ward_code,street,number\nE05005155,Colne Road,1\n", "text/csv")
    assert client.post(url, {"file": good}).status_code == 302
    assert Street.objects.get().addresses.count() == 1
    bad = SimpleUploadedFile("streets.csv", b"ward_code,street,number\nE05005155,Elm Street,\n<b>x</b>,A,1\n")
    response = client.post(url, {"file": bad})
    page = response.content.decode()
    assert response.status_code == 400 and "Line 2: number is empty." in page
    assert "Line 3: there is no ward &lt;B&gt;X&lt;/B&gt;." in page and "<B>X" not in page
    assert Street.objects.count() == 1


def test_the_round_list_runs_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    ward = world.daneshouse.wards.get()
    for n in range(5):
        planned(world, streets=[street(ward, f"Street {n}", 4)])
    client.force_login(world.pcso)
    # session, user, team memberships, rounds with their door counts
    with django_assert_max_num_queries(4):
        response = client.get(reverse("messaging:doorknock-rounds"))
    assert len(response.context["rounds"]) == 5


def test_the_round_page_runs_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    ward = world.daneshouse.wards.get()
    door_round = planned(world, streets=[street(ward, "Colne Road", 40), street(ward, "Elm Street", 40)])
    client.force_login(world.pcso)
    # session, user, the round, team memberships, doors with their streets, the tally
    with django_assert_max_num_queries(6):
        response = client.get(reverse("messaging:doorknock-round", kwargs={"pk": door_round.pk}))
    assert len(response.context["doors"]) == 80


def test_the_street_plan_runs_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    ward = world.daneshouse.wards.get()
    streets = [street(ward, f"Street {n}", 12) for n in range(8)]
    signed_up_earlier(world, ward, streets[0], count=10, actor=world.pcso)
    client.force_login(world.pcso)
    # session, user, memberships, wards, door sign-ups, streets, population, members, respondents
    with django_assert_max_num_queries(9):
        response = client.get(reverse("messaging:doorknock-plan"), {"ward": ward.code})
    assert len(response.context["priorities"]) == 8


def test_the_upload_page_refuses_a_file_that_is_not_a_street_list(client, world):
    client.force_login(world.pcso)
    picture = SimpleUploadedFile("streets.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "text/csv")
    response = client.post(reverse("messaging:doorknock-import"), {"file": picture})
    assert response.status_code == 400 and "not UTF-8 text" in response.content.decode()
    assert not Street.objects.exists()
