import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from meetings import services
from meetings.models import Meeting, MeetingStatus, MeetingType
from tests.factories import TeamMembershipFactory, UserFactory, WardFactory
from tests.meetings.test_services import PDF, at, new_meeting

pytestmark = pytest.mark.django_db


def form_data(world, **overrides):
    data = {
        "neighbourhood": world.daneshouse.pk,
        "meeting_type": MeetingType.HYBRID,
        "title": "Daneshouse hybrid PACT",
        "wards": [w.pk for w in world.daneshouse.wards.all()],
        "starts_at": "2026-12-01T19:00",
        "ends_at": "2026-12-01T20:30",
        "venue_name": "Stoneyholme Community Centre",
        "online_url": "https://facebook.example/live/1",
        "lead_officer": world.pcso.pk,
    }
    data.update(overrides)
    return data


def test_it_lets_a_pcso_create_a_meeting_in_their_neighbourhood(client, world):
    client.force_login(world.pcso)
    response = client.post(reverse("meetings:create"), form_data(world))
    meeting = Meeting.objects.get()
    assert response.url == reverse("meetings:detail", kwargs={"pk": meeting.pk})
    assert meeting.status == MeetingStatus.DRAFT and meeting.created_by == world.pcso


def test_it_creates_a_monthly_series_from_the_form(client, world):
    client.force_login(world.pcso)
    client.post(reverse("meetings:create"), form_data(world, repeat="monthly-nth"))
    meetings = list(Meeting.objects.order_by("starts_at"))
    assert len(meetings) == 12  # a year ahead: first Tuesdays from December 2026 to November 2027
    assert meetings[0].series.description == "first Tuesday of the month"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "2026-12-01T18:00"}, "must end after it starts"),
        ({"starts_at": "1926-12-01T19:00", "ends_at": "1926-12-01T21:00"}, "from 2000 on"),
        ({"online_url": ""}, "need the link"),
        ({"wards": []}, "This field is required"),
        ({"meeting_type": MeetingType.SPECIALIST}, "who this specialist PACT is for"),
        ({"repeat": "custom", "custom_rule": "FREQ=NEVER"}, "Not a valid repeat rule"),
    ],
)
def test_it_re_renders_the_form_with_errors_and_saves_nothing(client, world, overrides, message):
    client.force_login(world.pcso)
    response = client.post(reverse("meetings:create"), form_data(world, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Meeting.objects.count() == 0


def test_it_refuses_a_ward_of_another_neighbourhood(client, world):
    client.force_login(world.inspector)
    other_ward = world.queensgate.wards.get()
    response = client.post(reverse("meetings:create"), form_data(world, wards=[other_ward.pk]))
    assert "Not in the neighbourhoods it covers: Queensgate" in response.content.decode()
    assert Meeting.objects.count() == 0


def test_it_creates_a_town_wide_meeting_covering_another_neighbourhood_of_the_inspector(client, world):
    client.force_login(world.inspector)
    wards = [world.daneshouse.wards.get().pk, world.queensgate.wards.get().pk]
    data = form_data(world, wards=wards, also_covers=[world.queensgate.pk], meeting_type="online",
                     online_url="https://example.org/live")  # fmt: skip
    response = client.post(reverse("meetings:create"), data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and meeting.neighbourhood == world.daneshouse
    assert list(meeting.also_covers.all()) == [world.queensgate] and meeting.wards.count() == 2


def test_it_refuses_to_cover_a_neighbourhood_the_officer_does_not_work(client, world):
    client.force_login(world.pcso)  # Daneshouse's PCSO: Queensgate is not theirs
    data = form_data(world, also_covers=[world.queensgate.pk])
    response = client.post(reverse("meetings:create"), data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Meeting.objects.count() == 0


@pytest.mark.parametrize("person", ["chief_inspector", "partner", "resident"])
def test_it_refuses_the_create_page_to_those_who_may_not_create(client, world, person):
    client.force_login(getattr(world, person))
    assert client.get(reverse("meetings:create")).status_code == 403


@pytest.mark.parametrize(
    ("person", "detail", "edit"),
    [
        ("pcso", 200, 200),
        ("sergeant", 200, 200),
        ("chief_inspector", 200, 403),
        ("pcso_other", 404, 404),
        ("resident", 404, 404),
    ],
)
def test_it_scopes_meeting_pages(client, world, person, detail, edit):
    meeting = new_meeting(world)
    client.force_login(getattr(world, person))
    assert client.get(reverse("meetings:detail", kwargs={"pk": meeting.pk})).status_code == detail
    assert client.get(reverse("meetings:edit", kwargs={"pk": meeting.pk})).status_code == edit


def test_it_keeps_others_from_changing_a_meeting(client, world):
    meeting = new_meeting(world)
    client.force_login(world.pcso_other)
    for name in ("publish", "cancel", "record-outcome", "copy"):
        assert client.post(reverse(f"meetings:{name}", kwargs={"pk": meeting.pk}), {"reason": "x"}).status_code == 404
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.DRAFT


def test_it_publishes_and_cancels_with_a_reason(client, world):
    meeting = new_meeting(world)
    client.force_login(world.pcso)
    client.post(reverse("meetings:publish", kwargs={"pk": meeting.pk}))
    client.post(reverse("meetings:cancel", kwargs={"pk": meeting.pk}), {"reason": "Venue unavailable"})
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancellation_reason) == (MeetingStatus.CANCELLED, "Venue unavailable")


@time_machine.travel(at(2026, 12, 2, 9), tick=False)
def test_it_records_attendance_and_officer_hours(client, world):
    meeting = new_meeting(world)
    client.force_login(world.pcso)
    page = client.get(reverse("meetings:record-outcome", kwargs={"pk": meeting.pk}))
    assert page.context["officers"].initial == [{"officer": world.pcso, "rank": "pcso"}]
    data = {
        "public_attendees": "3",
        "online_live_viewers": "",
        "online_later_views": "",
        "questions_received": "2",
        "public_summary": "Parking near the school discussed.",
        "restricted_notes": "SECRET-INTEL-MARKER",
        "raised-TOTAL_FORMS": "2",
        "raised-INITIAL_FORMS": "0",
        "raised-0-description": "Parking outside St Mary's school",
        "raised-0-category": "parking",
        "raised-0-ward": meeting.wards.get().pk,
        "raised-1-description": "Drug dealing in the park",
        "raised-1-category": "drugs",
        "raised-1-ward": meeting.wards.get().pk,
        "officers-TOTAL_FORMS": "2",
        "officers-INITIAL_FORMS": "1",
        "officers-0-officer": world.pcso.pk,
        "officers-0-rank": "pcso",
        "officers-0-preparation_hours": "1",
        "officers-0-attending_hours": "1.5",
        "officers-0-follow_up_hours": "1",
        "officers-1-officer": "",
        "officers-1-rank": "",
        "officers-1-preparation_hours": "1",
        "officers-1-attending_hours": "1",
        "officers-1-follow_up_hours": "1",
        "partners-TOTAL_FORMS": "1",
        "partners-INITIAL_FORMS": "0",
        "partners-0-agency": world.partner.agency.pk,
        "partners-0-people": "2",
    }
    response = client.post(reverse("meetings:record-outcome", kwargs={"pk": meeting.pk}), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.public_attendees == 3 and meeting.issues_raised.count() == 2
    assert {i.source for i in meeting.issues_raised.all()} == {"meeting"}
    assert sorted(meeting.issues_raised.values_list("category", flat=True)) == ["drugs", "parking"]
    assert meeting.officer_attendance.get().total_hours == 3.5
    assert meeting.partner_attendance.get().people == 2


@time_machine.travel(at(2026, 12, 2, 9), tick=False)
def test_it_rejects_negative_counts_and_keeps_the_old_outcome(client, world):
    meeting = new_meeting(world)
    client.force_login(world.pcso)
    data = {"public_attendees": "-2", "officers-TOTAL_FORMS": "0", "officers-INITIAL_FORMS": "0"}
    data |= {"partners-TOTAL_FORMS": "0", "partners-INITIAL_FORMS": "0"}
    response = client.post(reverse("meetings:record-outcome", kwargs={"pk": meeting.pk}), data)
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.outcome_recorded_at is None


@time_machine.travel(at(2026, 12, 2, 9), tick=False)
def test_it_shows_restricted_notes_to_police_only(client, world):
    meeting = new_meeting(world, restricted_notes="SECRET-INTEL-MARKER", outcome_recorded_at=at(2026, 12, 1, 21))
    url = reverse("meetings:detail", kwargs={"pk": meeting.pk})
    client.force_login(world.sergeant)
    assert "SECRET-INTEL-MARKER" in client.get(url).content.decode()
    client.force_login(world.partner)
    page = client.get(url)
    assert page.status_code == 200 and "SECRET-INTEL-MARKER" not in page.content.decode()


def test_it_lists_meetings_in_scope_in_constant_queries(client, world, django_assert_max_num_queries):
    both = [*world.daneshouse.wards.all(), *world.queensgate.wards.all()]
    for day in range(1, 21):
        # Every other one a town-wide meeting that also covers Queensgate.
        town_wide = {"also_covers": [world.queensgate], "wards": both} if day % 2 else {}
        new_meeting(world, starts_at=at(2026, 12, day, 19), ends_at=at(2026, 12, day, 20), **town_wide)
    client.force_login(world.inspector)
    # session, user, scope, count, cost table, meetings, their wards, officer attendance, the
    # neighbourhoods they also cover, editable neighbourhoods (2), filter neighbourhoods, filter wards
    with django_assert_max_num_queries(13):
        response = client.get(reverse("meetings:list"))
    assert len(response.context["page"].object_list) == 20
    client.force_login(world.pcso_other)
    assert client.get(reverse("meetings:list")).context["page"].paginator.count == 0


@time_machine.travel(at(2026, 11, 20, 12), tick=False)
def test_it_lists_the_next_meetings_first_then_the_latest_past_ones(client, world):
    days = {"Next month": (2027, 1, 5), "Next": (2026, 11, 24), "Last": (2026, 11, 10), "Long ago": (2026, 10, 1)}
    for title, day in days.items():
        new_meeting(world, title=title, starts_at=at(*day, 19), ends_at=at(*day, 20))
    client.force_login(world.pcso)
    titles = [m.title for m in client.get(reverse("meetings:list")).context["page"].object_list]
    assert titles == ["Next", "Next month", "Last", "Long ago"]


@time_machine.travel(at(2026, 11, 20, 12), tick=False)
def test_it_says_the_order_the_list_is_in(client, world):
    for title, day in {"Next": (2026, 11, 24), "Last": (2026, 11, 10)}.items():
        new_meeting(world, title=title, starts_at=at(*day, 19), ends_at=at(*day, 20))
    client.force_login(world.pcso)
    page = client.get(reverse("meetings:list")).content.decode()
    assert "coming ones first, soonest first, then past ones, latest first" in page
    coming, past = page.index("Coming up, soonest first"), page.index("Past meetings, latest first")
    assert coming < page.index(">Next<") < past < page.index(">Last<")


def test_it_filters_the_list_by_type_and_date(client, world):
    new_meeting(world, title="Street meeting A", meeting_type=MeetingType.STREET)
    new_meeting(world, title="PACT B", starts_at=at(2027, 1, 5, 19), ends_at=at(2027, 1, 5, 20))
    client.force_login(world.pcso)
    page = client.get(reverse("meetings:list"), {"meeting_type": "street"}).content.decode()
    assert "Street meeting A" in page and "PACT B" not in page
    page = client.get(reverse("meetings:list"), {"date_from": "2027-01-01"}, headers={"HX-Request": "true"})
    assert "PACT B" in page.content.decode() and "<html" not in page.content.decode()


def test_it_shows_the_month_calendar_in_constant_queries(client, world, django_assert_max_num_queries):
    for day in (1, 8, 15, 22):
        new_meeting(world, title=f"Surgery {day}", starts_at=at(2026, 12, day, 10), ends_at=at(2026, 12, day, 11))
    client.force_login(world.pcso)
    # session, user, scope, neighbourhoods (for the filter), meetings, the neighbourhoods they also
    # cover, filter choices (neighbourhoods, wards) + 1
    with django_assert_max_num_queries(9):
        page = client.get(reverse("meetings:calendar"), {"month": "2026-12"}).content.decode()
    assert "Surgery 22" in page and "December 2026" in page


def test_it_copies_a_meeting_to_a_new_date(client, world):
    meeting = new_meeting(world)
    client.force_login(world.pcso)
    response = client.post(reverse("meetings:copy", kwargs={"pk": meeting.pk}), {"starts_at": "2027-03-02T19:00"})
    copy = Meeting.objects.exclude(pk=meeting.pk).get()
    assert response.url == reverse("meetings:edit", kwargs={"pk": copy.pk})
    assert copy.starts_at == at(2027, 3, 2, 19)


def test_it_serves_public_attachments_to_anyone_and_private_ones_to_staff(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = new_meeting(world, status=MeetingStatus.PUBLISHED)
    client.force_login(world.pcso)
    for name, public in (("public.pdf", "on"), ("private.pdf", "")):
        file = SimpleUploadedFile(name, PDF, content_type="application/pdf")
        data = {"kind": "minutes", "file": file, "is_public": public}
        client.post(reverse("meetings:attachment-add", kwargs={"pk": meeting.pk}), data)
    public, private = meeting.attachments.order_by("original_name").reverse()
    client.logout()
    assert client.get(reverse("meetings:attachment-download", kwargs={"pk": public.pk})).status_code == 200
    assert client.get(reverse("meetings:attachment-download", kwargs={"pk": private.pk})).status_code == 404
    client.force_login(world.sergeant)
    assert client.get(reverse("meetings:attachment-download", kwargs={"pk": private.pk})).status_code == 200


def test_it_rejects_a_fake_pdf_upload_with_a_message(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = new_meeting(world)
    client.force_login(world.pcso)
    fake = SimpleUploadedFile("minutes.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        reverse("meetings:attachment-add", kwargs={"pk": meeting.pk}), {"kind": "minutes", "file": fake}
    )
    assert response.status_code == 400
    assert "not a real .pdf" in response.content.decode()
    assert meeting.attachments.count() == 0


@time_machine.travel(at(2026, 12, 2, 9), tick=False)
def test_it_takes_the_rank_from_the_officer_and_ignores_untouched_spare_rows(client, world):
    meeting = new_meeting(world)
    client.force_login(world.pcso)
    page = client.get(reverse("meetings:record-outcome", kwargs={"pk": meeting.pk})).content.decode()
    # Post back exactly what the browser shows, with only the sergeant added to the first spare row.
    data = {"public_attendees": "7", "partners-TOTAL_FORMS": "0", "partners-INITIAL_FORMS": "0"}
    data |= {"raised-TOTAL_FORMS": "0", "raised-INITIAL_FORMS": "0"}
    data |= {"officers-TOTAL_FORMS": "3", "officers-INITIAL_FORMS": "1"}
    for i, officer in enumerate([world.pcso.pk, world.sergeant.pk, ""]):
        data |= {f"officers-{i}-officer": officer, f"officers-{i}-rank": ""}
        data |= {f"officers-{i}-{h}_hours": "1" for h in ("preparation", "attending", "follow_up")}
    assert 'value="" selected>Their rank' in page
    assert client.post(reverse("meetings:record-outcome", kwargs={"pk": meeting.pk}), data).status_code == 302
    assert sorted(meeting.officer_attendance.values_list("rank", flat=True)) == ["pcso", "sergeant"]


def test_it_filters_the_calendar_and_keeps_the_filter_across_months(client, world):
    new_meeting(world, title="Street meeting A", meeting_type=MeetingType.STREET)
    new_meeting(world, title="PACT B", starts_at=at(2026, 12, 9, 19), ends_at=at(2026, 12, 9, 20))
    client.force_login(world.pcso)
    page = client.get(reverse("meetings:calendar"), {"month": "2026-12", "meeting_type": "street"}).content.decode()
    assert "Street meeting A" in page and "PACT B" not in page
    assert "?meeting_type=street&amp;month=2027-01" in page


def _two_ward_meeting(world):
    second = WardFactory(neighbourhood=world.daneshouse, code="E05009998", name="Bank Hall", west=-2.23, south=53.8)
    return new_meeting(world, wards=[*world.daneshouse.wards.exclude(pk=second.pk), second]), second


def _outcome(meeting, rows):
    data = {"public_attendees": "5", "partners-TOTAL_FORMS": "0", "partners-INITIAL_FORMS": "0"}
    data |= {"officers-TOTAL_FORMS": "0", "officers-INITIAL_FORMS": "0"}
    data |= {"raised-TOTAL_FORMS": str(len(rows)), "raised-INITIAL_FORMS": "0"}
    for n, (description, category, ward) in enumerate(rows):
        data |= {f"raised-{n}-description": description, f"raised-{n}-category": category, f"raised-{n}-ward": ward}
    return data


@time_machine.travel(at(2026, 12, 2, 9), tick=False)
def test_it_files_each_issue_raised_under_its_own_category_and_ward(client, world):
    meeting, bank_hall = _two_ward_meeting(world)
    client.force_login(world.pcso)
    page = client.get(reverse("meetings:record-outcome", kwargs={"pk": meeting.pk})).content.decode()
    assert "Bank Hall" in page and "Choose a category" in page
    rows = [("Speeding on Colne Road", "speeding", bank_hall.pk), ("Begging outside the shops", "asb", "")]
    response = client.post(reverse("meetings:record-outcome", kwargs={"pk": meeting.pk}), _outcome(meeting, rows))
    assert response.status_code == 200 and "Choose the ward it is about." in response.content.decode()
    assert not meeting.issues_raised.exists()
    daneshouse = meeting.wards.exclude(pk=bank_hall.pk).get()
    rows[1] = ("Begging outside the shops", "asb", daneshouse.pk)
    response = client.post(reverse("meetings:record-outcome", kwargs={"pk": meeting.pk}), _outcome(meeting, rows))
    assert response.status_code == 302
    filed = {i.description: (i.category, i.ward) for i in meeting.issues_raised.all()}
    assert filed == {
        "Speeding on Colne Road": ("speeding", bank_hall),
        "Begging outside the shops": ("asb", daneshouse),
    }


@time_machine.travel(at(2026, 12, 2, 9), tick=False)
def test_it_refuses_a_ward_the_meeting_was_not_for(client, world):
    meeting = new_meeting(world)
    elsewhere = world.fleetwood.wards.get()
    client.force_login(world.pcso)
    rows = [("Speeding on Colne Road", "speeding", elsewhere.pk)]
    response = client.post(reverse("meetings:record-outcome", kwargs={"pk": meeting.pk}), _outcome(meeting, rows))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not meeting.issues_raised.exists()
    with pytest.raises(ValidationError, match="not one of this meeting's wards"):
        services.meeting_record_outcome(
            meeting=meeting, actor=world.pcso, officers=[],
            issues=[services.RaisedIssue("Speeding", "speeding", elsewhere)],
        )  # fmt: skip


def _town_wide_meeting(world, **fields):
    wards = [*world.daneshouse.wards.all(), *world.queensgate.wards.all()]
    return new_meeting(world, title="Burnley town PACT", also_covers=[world.queensgate], wards=wards, **fields)


def test_it_lists_a_town_wide_meeting_for_the_teams_of_every_neighbourhood_it_covers(client, world):
    meeting = _town_wide_meeting(world, restricted_notes="HOST-ONLY-NOTE")
    new_meeting(world, title="Daneshouse only")
    queensgate_pcso = UserFactory(role=Role.PCSO, force=world.force, division=world.east)
    TeamMembershipFactory(user=queensgate_pcso, neighbourhood=world.queensgate, role=Role.PCSO)
    client.force_login(queensgate_pcso)
    listed = client.get(reverse("meetings:list"))
    assert [m.title for m in listed.context["page"].object_list] == ["Burnley town PACT"]
    assert "Also covers Queensgate" in listed.content.decode()
    page = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert page.status_code == 200 and "HOST-ONLY-NOTE" not in page.content.decode()
    assert client.get(reverse("meetings:edit", args=[meeting.pk])).status_code == 403
    client.force_login(world.pcso_other)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404


def test_it_filters_a_neighbourhoods_meetings_with_the_town_wide_ones_that_cover_it(client, world):
    _town_wide_meeting(world)
    new_meeting(world, title="Daneshouse only")
    client.force_login(world.inspector)
    listed = client.get(reverse("meetings:list"), {"neighbourhood": world.queensgate.pk})
    assert [m.title for m in listed.context["page"].object_list] == ["Burnley town PACT"]
