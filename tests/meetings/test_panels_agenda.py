"""The standard panel agenda, pre-filled from open issues and priorities, and the meeting pack."""

import datetime

import pytest
from django.urls import reverse

from meetings.models import MeetingType
from meetings.panels import agenda
from meetings.panels.models import AgendaSection
from priorities.models import Action, Priority
from tests.meetings.factories import MeetingFactory
from tests.priorities.factories import agreed, held_meeting, propose, raise_issue

pytestmark = pytest.mark.django_db


def _world_with_business(world):
    raise_issue(world, description="PLANTED-ISSUE-WORDS racing at night")
    raise_issue(world, description="More racing")
    done = agreed(world, title="Drug dealing in the park", evidence="PLANTED-EVIDENCE")
    Priority.objects.filter(pk=done.pk).update(restricted_notes="PLANTED-NOTE")
    due = datetime.date(2027, 1, 5)
    Action.objects.create(priority=done, description="Patrols at dusk", owner_agency=world.partner.agency, due_date=due)
    Action.objects.create(
        priority=done, description="PLANTED-PRIVATE-ACTION", owner_agency=world.partner.agency,
        due_date=datetime.date(2027, 1, 5), is_public=False,
    )  # fmt: skip
    propose(world, title="Parking on the pavement")


def test_it_fills_a_new_panel_meetings_agenda_in_hmics_order(world):
    _world_with_business(world)
    meeting = held_meeting(world, meeting_type=MeetingType.PANEL)
    sections = {s["section"]: s["items"] for s in agenda.agenda_sections(meeting=meeting)}
    assert list(sections) == list(AgendaSection)
    assert [i.title for i in sections[AgendaSection.REVIEW]] == ["Drug dealing in the park"]
    assert "Patrols at dusk (Burnley Borough Council: not started)" in sections[AgendaSection.REVIEW][0].detail
    [issues] = sections[AgendaSection.NEW_ISSUES]
    assert issues.evidence_weight == 2 and "Daneshouse with Stoneyholme" in issues.title
    assert [i.title for i in sections[AgendaSection.AGREEMENT]] == ["Parking on the pavement"]
    assert sections[AgendaSection.ACTIONS] and sections[AgendaSection.OTHER]


def test_it_gives_no_agenda_to_other_meetings(world):
    _world_with_business(world)
    meeting = held_meeting(world, meeting_type=MeetingType.PUBLIC_PACT)
    assert not meeting.agenda_items.exists()


def test_it_keeps_restricted_text_and_residents_words_out_of_the_pack(client, world):
    _world_with_business(world)
    meeting = held_meeting(world, meeting_type=MeetingType.PANEL)
    client.force_login(world.partner)
    body = client.get(reverse("meetings:pack", args=[meeting.pk])).content.decode()
    assert "Drug dealing in the park" in body and "Parking on the pavement" in body
    for secret in ("PLANTED-ISSUE-WORDS", "PLANTED-EVIDENCE", "PLANTED-NOTE", "PLANTED-PRIVATE-ACTION"):
        assert secret not in body, secret


def test_it_prints_the_pack_as_pdf(client, world):
    meeting = held_meeting(world, meeting_type=MeetingType.PANEL)
    client.force_login(world.pcso)
    response = client.get(reverse("meetings:pack-pdf", args=[meeting.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_it_refills_the_agenda_on_demand_for_the_team(client, world):
    meeting = held_meeting(world, meeting_type=MeetingType.PANEL)
    propose(world, title="Fly-tipping behind the shops")
    client.force_login(world.pcso)
    assert client.post(reverse("meetings:agenda-prefill", args=[meeting.pk])).status_code == 302
    assert meeting.agenda_items.filter(title="Fly-tipping behind the shops").exists()


def test_it_refuses_refilling_to_others(client, world):
    meeting = held_meeting(world, meeting_type=MeetingType.PANEL)
    before = list(meeting.agenda_items.values_list("pk", flat=True))
    for person, status in ((world.pcso_other, 404), (world.chief_inspector, 403), (world.partner, 403)):
        client.force_login(person)
        assert client.post(reverse("meetings:agenda-prefill", args=[meeting.pk])).status_code == status
    assert list(meeting.agenda_items.values_list("pk", flat=True)) == before


def test_it_has_no_pack_for_a_meeting_that_is_not_a_panel(client, world):
    meeting = MeetingFactory(neighbourhood=world.daneshouse)
    client.force_login(world.pcso)
    assert client.get(reverse("meetings:pack", args=[meeting.pk])).status_code == 404


@pytest.mark.parametrize("proposals", [1, 8])
def test_it_prints_the_pack_in_constant_queries(client, world, django_assert_max_num_queries, proposals):
    for i in range(proposals):
        propose(world, title=f"Proposal {i}")
    meeting = held_meeting(world, meeting_type=MeetingType.PANEL)
    client.force_login(world.pcso)
    # session, user, scope, the meeting with its staff-page prefetches (9), the agenda
    with django_assert_max_num_queries(13):
        assert client.get(reverse("meetings:pack", args=[meeting.pk])).status_code == 200


def test_it_adds_an_item_to_the_end_of_its_section(client, world):
    meeting = held_meeting(world, meeting_type=MeetingType.PANEL)
    client.force_login(world.pcso)
    data = {"agenda-section": AgendaSection.REVIEW, "agenda-title": "Update from the school", "agenda-detail": ""}
    assert client.post(reverse("meetings:agenda-item-add", args=[meeting.pk]), data).status_code == 302
    titles = [(i.section, i.title) for s in agenda.agenda_sections(meeting=meeting) for i in s["items"]]
    assert titles[0] == (AgendaSection.REVIEW, "Update from the school")  # before the standing items


def test_it_refuses_an_item_without_a_title_and_adds_nothing(client, world):
    meeting = held_meeting(world, meeting_type=MeetingType.PANEL)
    before = meeting.agenda_items.count()
    client.force_login(world.pcso)
    data = {"agenda-section": AgendaSection.OTHER, "agenda-title": "", "agenda-detail": "x"}
    response = client.post(reverse("meetings:agenda-item-add", args=[meeting.pk]), data)
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    assert meeting.agenda_items.count() == before


def test_it_refuses_agenda_changes_to_others(client, world):
    meeting = held_meeting(world, meeting_type=MeetingType.PANEL)
    item = meeting.agenda_items.first()
    data = {"agenda-section": AgendaSection.OTHER, "agenda-title": "Sneaky"}
    for person, status in ((world.pcso_other, 404), (world.chief_inspector, 403)):
        client.force_login(person)
        assert client.post(reverse("meetings:agenda-item-add", args=[meeting.pk]), data).status_code == status
        assert client.post(reverse("meetings:agenda-item-remove", args=[item.pk])).status_code == status
    assert meeting.agenda_items.filter(pk=item.pk).exists() and not meeting.agenda_items.filter(title="Sneaky")


def test_it_lets_the_team_remove_an_item(client, world):
    meeting = held_meeting(world, meeting_type=MeetingType.PANEL)
    item = meeting.agenda_items.first()
    client.force_login(world.sergeant)
    assert client.post(reverse("meetings:agenda-item-remove", args=[item.pk])).status_code == 302
    assert not meeting.agenda_items.filter(pk=item.pk).exists()


def _titles(meeting, section):
    return [i.title for s in agenda.agenda_sections(meeting=meeting) if s["section"] == section for i in s["items"]]


def _agenda_with_three_reviews(world):
    meeting = held_meeting(world, meeting_type=MeetingType.PANEL)
    meeting.agenda_items.all().delete()
    for title in ("First", "Second", "Third"):
        agenda.agenda_item_add(meeting=meeting, actor=world.pcso, section=AgendaSection.REVIEW, title=title)
    agenda.agenda_item_add(meeting=meeting, actor=world.pcso, section=AgendaSection.OTHER, title="AOB")
    return meeting


def test_it_moves_an_item_up_and_down_within_its_section(client, world):
    meeting = _agenda_with_three_reviews(world)
    third = meeting.agenda_items.get(title="Third")
    client.force_login(world.pcso)
    url = reverse("meetings:agenda-item-move", args=[third.pk])
    assert client.post(url, {"direction": "up"}).status_code == 302
    assert _titles(meeting, AgendaSection.REVIEW) == ["First", "Third", "Second"]
    client.post(url, {"direction": "up"})
    assert _titles(meeting, AgendaSection.REVIEW) == ["Third", "First", "Second"]
    client.post(
        reverse("meetings:agenda-item-move", args=[meeting.agenda_items.get(title="First").pk]), {"direction": "down"}
    )
    assert _titles(meeting, AgendaSection.REVIEW) == ["Third", "Second", "First"]
    assert _titles(meeting, AgendaSection.OTHER) == ["AOB"]


def test_it_will_not_move_an_item_out_of_its_section_and_says_why(client, world):
    meeting = _agenda_with_three_reviews(world)
    first = meeting.agenda_items.get(title="First")
    client.force_login(world.pcso)
    response = client.post(reverse("meetings:agenda-item-move", args=[first.pk]), {"direction": "up"}, follow=True)
    assert "“First” is already first in its section." in response.content.decode()
    response = client.post(
        reverse("meetings:agenda-item-move", args=[first.pk]), {"direction": "sideways"}, follow=True
    )
    assert "Move an item up or down." in response.content.decode()
    assert _titles(meeting, AgendaSection.REVIEW) == ["First", "Second", "Third"]


def test_it_keeps_positions_distinct_when_older_edits_left_ties(world):
    meeting = _agenda_with_three_reviews(world)
    meeting.agenda_items.update(position=0)
    second = meeting.agenda_items.get(title="Second")
    agenda.agenda_item_move(item=second, actor=world.pcso, direction="down")
    assert _titles(meeting, AgendaSection.REVIEW) == ["First", "Third", "Second"]


def test_it_edits_an_items_words_and_moves_it_to_the_end_of_another_section(client, world):
    meeting = _agenda_with_three_reviews(world)
    first = meeting.agenda_items.get(title="First")
    client.force_login(world.sergeant)
    url = reverse("meetings:agenda-item-edit", args=[first.pk])
    assert "First" in client.get(url).content.decode()
    data = {"section": AgendaSection.OTHER, "title": "Youth club <b>funding</b>", "detail": "From the council"}
    assert client.post(url, data).status_code == 302
    assert _titles(meeting, AgendaSection.REVIEW) == ["Second", "Third"]
    assert _titles(meeting, AgendaSection.OTHER) == ["AOB", "Youth club <b>funding</b>"]
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Youth club &lt;b&gt;funding&lt;/b&gt;" in page and "<b>funding</b>" not in page


def test_it_refuses_an_edit_without_a_title_and_changes_nothing(client, world):
    meeting = _agenda_with_three_reviews(world)
    first = meeting.agenda_items.get(title="First")
    client.force_login(world.pcso)
    data = {"section": AgendaSection.OTHER, "title": "", "detail": "changed"}
    response = client.post(reverse("meetings:agenda-item-edit", args=[first.pk]), data)
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    first.refresh_from_db()
    assert (first.section, first.title, first.detail) == (AgendaSection.REVIEW, "First", "")


def test_it_refuses_edits_and_moves_to_others(client, world):
    meeting = _agenda_with_three_reviews(world)
    second = meeting.agenda_items.get(title="Second")
    data = {"section": AgendaSection.OTHER, "title": "Sneaky"}
    for person, status in ((world.pcso_other, 404), (world.chief_inspector, 403)):
        client.force_login(person)
        assert client.post(reverse("meetings:agenda-item-edit", args=[second.pk]), data).status_code == status
        move = reverse("meetings:agenda-item-move", args=[second.pk])
        assert client.post(move, {"direction": "up"}).status_code == status
    assert _titles(meeting, AgendaSection.REVIEW) == ["First", "Second", "Third"]
