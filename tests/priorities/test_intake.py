import datetime
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from meetings import services as meeting_services
from meetings.models import MeetingType
from priorities import services, similarity
from priorities.models import Category, Issue, IssueSource, IssueStatus, Priority
from priorities.selectors.intake import triage_queue
from priorities.views import intake as intake_views
from tests.factories import WardFactory
from tests.meetings.test_services import at, new_meeting
from tests.priorities.factories import propose, raise_issue

pytestmark = pytest.mark.django_db
DANESHOUSE_WARD = "E05005155"
# Inside the Daneshouse ward's test square (-2.25..-2.24, 53.79..53.80), and out in the Irish Sea.
IN_DANESHOUSE = {"latitude": "53.795", "longitude": "-2.245"}
AT_SEA = {"latitude": "53.9", "longitude": "-3.5"}


def png(name="photo.png", *, image_format="PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def report(**overrides) -> dict:
    data = {
        "category": Category.SPEEDING,
        "description": "Cars race along Burnley Road after 10pm.",
        "ward": DANESHOUSE_WARD,
        "contact_email": "amina@example.org",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def log(world, **overrides) -> dict:
    return report(**{"source": IssueSource.DOOR_KNOCK, "supporters": "1", **overrides})


def past_meeting(world, **extra):
    starts = timezone.now() - timedelta(days=3)
    return new_meeting(world, starts_at=starts, ends_at=starts + timedelta(hours=1), **extra)


def triage_url(world, code="daneshouse"):
    return reverse("priorities:triage", kwargs={"code": code})


# --- residents --------------------------------------------------------------------------------


def test_it_takes_a_residents_concern_with_a_photo_and_gives_a_reference(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.post(reverse("priorities:raise-issue"), report(photo=png()))
    assert response.url == reverse("priorities:issue-received")
    issue = Issue.objects.get()
    assert (issue.neighbourhood, issue.source, issue.status) == (world.daneshouse, IssueSource.ONLINE, IssueStatus.NEW)
    assert issue.photo and issue.contact_email == "amina@example.org" and issue.reported_by is None
    page = client.get(response.url).content.decode()
    assert issue.reference.hex[:8].upper() in page and "Daneshouse neighbourhood team" in page


def test_it_records_a_signed_in_resident_as_the_reporter(client, world):
    client.force_login(world.resident)
    client.post(reverse("priorities:raise-issue"), report())
    assert Issue.objects.get().reported_by == world.resident


def test_it_keeps_neither_name_nor_email_of_an_anonymous_report(client, world):
    client.force_login(world.resident)
    client.post(reverse("priorities:raise-issue"), report(anonymous="on"))
    issue = Issue.objects.get()
    assert (issue.anonymous, issue.contact_email, issue.reported_by) == (True, "", None)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"photo": SimpleUploadedFile("photo.jpg", b"not an image")}, "not a photo we can read"),
        ({"photo": png("photo.png", image_format="GIF")}, "Use a JPEG, PNG or WebP photo"),
        ({"description": "   "}, "Describe the problem"),
        ({"ward": None}, "Choose the ward, or put a pin on the map"),
        ({"ward": "E05005400", "category": "nonsense"}, "Select a valid choice"),
    ],
)
def test_it_re_renders_bad_reports_and_saves_nothing(client, world, settings, tmp_path, overrides, message):
    settings.MEDIA_ROOT = tmp_path
    response = client.post(reverse("priorities:raise-issue"), report(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode() and "There is a problem" in response.content.decode()
    assert Issue.objects.count() == 0


def test_it_finds_the_ward_from_a_map_pin(client, world):
    client.post(reverse("priorities:raise-issue"), report(ward=None, **IN_DANESHOUSE))
    issue = Issue.objects.get()
    assert (issue.ward.code, issue.latitude, issue.longitude) == (DANESHOUSE_WARD, 53.795, -2.245)


def test_it_explains_a_pin_at_sea_and_saves_nothing(client, world):
    response = client.post(reverse("priorities:raise-issue"), report(ward=None, **AT_SEA))
    assert "The pin is not in any ward we cover" in response.content.decode()
    assert Issue.objects.count() == 0


def test_it_throttles_a_flood_of_reports(client, world, monkeypatch):
    monkeypatch.setattr(intake_views, "REPORTS_PER_SESSION_PER_HOUR", 2)
    statuses = [client.post(reverse("priorities:raise-issue"), report()).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert Issue.objects.count() == 2


def test_it_throttles_one_address_whatever_the_session(client, world, monkeypatch):
    monkeypatch.setattr(intake_views, "REPORTS_PER_ADDRESS_PER_HOUR", 1)
    client.post(reverse("priorities:raise-issue"), report())
    client.cookies.clear()
    response = client.post(reverse("priorities:raise-issue"), report())
    assert response.status_code == 429 and "several reports in the last hour" in response.content.decode()


def test_it_offers_one_neighbourhoods_wards_from_its_page(client, world):
    page = client.get(reverse("priorities:raise-issue") + "?neighbourhood=daneshouse&ward=E05005155").content.decode()
    assert "Raise a concern in Daneshouse" in page
    assert f'value="{DANESHOUSE_WARD}" selected' in page and "Pharos" not in page


# --- officers logging -------------------------------------------------------------------------


def test_it_lets_an_officer_log_a_concern_raised_at_a_meeting(client, world):
    meeting = past_meeting(world)
    client.force_login(world.pcso)
    data = log(world, source=IssueSource.MEETING, meeting=meeting.pk, supporters="4")
    response = client.post(reverse("priorities:log-issue"), data)
    assert response.url == triage_url(world)
    issue = Issue.objects.get()
    assert (issue.source, issue.meeting, issue.supporters, issue.reported_by) == ("meeting", meeting, 4, world.pcso)


def test_it_asks_which_meeting_a_meeting_concern_came_from(client, world):
    client.force_login(world.pcso)
    response = client.post(reverse("priorities:log-issue"), log(world, source=IssueSource.MEETING))
    assert "Choose the meeting where it was raised" in response.content.decode()
    assert Issue.objects.count() == 0


def test_it_offers_only_the_officers_own_meetings_and_wards(client, world):
    starts = timezone.now() - timedelta(days=2)
    fleetwood_meeting = meeting_services.meeting_create(
        actor=world.pcso_other,
        neighbourhood=world.fleetwood,
        wards=list(world.fleetwood.wards.all()),
        meeting_type=MeetingType.STREET,
        title="Pharos street meeting",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        venue_name="Pharos Street",
    )
    client.force_login(world.pcso)
    for data in (log(world, meeting=fleetwood_meeting.pk), log(world, ward="E05005400")):
        response = client.post(reverse("priorities:log-issue"), data)
        assert "Select a valid choice" in response.content.decode()
    pinned = client.post(reverse("priorities:log-issue"), log(world, ward=None, latitude="53.925", longitude="-3.015"))
    assert "outside your neighbourhoods" in pinned.content.decode()
    assert Issue.objects.count() == 0


@pytest.mark.parametrize("who", ["resident", "partner", "chief_inspector"])
def test_it_refuses_the_log_page_to_those_outside_a_team(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("priorities:log-issue")).status_code == 403


# --- the triage queue -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("pcso", 200), ("inspector", 200), ("pcso_other", 404), ("resident", 404), ("partner", 404)]
    + [("chief_inspector", 404), ("hq", 404)],
)
def test_it_shows_the_triage_queue_to_the_neighbourhood_team_only(client, world, who, status):
    raise_issue(world)
    client.force_login(getattr(world, who))
    assert client.get(triage_url(world)).status_code == status


def test_it_sends_a_signed_out_visitor_to_sign_in(client, world):
    assert client.get(triage_url(world)).url.startswith(reverse("accounts:login"))


def test_it_lists_new_issues_by_evidence_weight_then_age(world):
    older = raise_issue(world, description="Older concern")
    heavier = raise_issue(world, description="Heavier concern", supporters=5)
    newer = raise_issue(world, description="Newer concern")
    assert triage_queue(neighbourhood=world.daneshouse) == [heavier, older, newer]


def test_it_suggests_open_issues_worded_alike_but_never_closed_ones(world):
    issue = raise_issue(world)
    duplicate = raise_issue(world, description="Racing cars on Burnley Road every night")
    linked = raise_issue(world, description="Cars racing up Burnley Road late at night")
    propose(world, issues=[linked])
    raise_issue(world, category=Category.DRUGS, description="Dealing by the park")
    closed = raise_issue(world, description="Cars racing on Burnley Road at night, last year")
    closed.status = IssueStatus.CLOSED
    closed.save()
    by_pk = {i.pk: i for i in triage_queue(neighbourhood=world.daneshouse)}
    assert {other.pk for other in by_pk[issue.pk].similar} == {duplicate.pk, linked.pk}


def pinned(world, description, category, latitude=None, longitude=None, ward=None):
    return services.issue_raise(
        ward=ward or world.daneshouse.wards.get(code="E05005155"), category=category, description=description,
        latitude=latitude, longitude=longitude,
    )  # fmt: skip


def suggestions(world) -> dict[int, list[int]]:
    return {i.pk: [o.pk for o in i.similar] for i in triage_queue(neighbourhood=world.daneshouse)}


def test_it_pairs_two_reports_of_speeding_on_one_road_and_not_unrelated_asb(world):
    racing = pinned(world, "Cars racing on Burnley Road at night", Category.SPEEDING, 53.7950, -2.2450)
    speeding = pinned(world, "Boy racers speeding on Burnley Road every night", Category.ASB, 53.7960, -2.2440)
    begging = pinned(world, "Begging outside the shops", Category.ASB)
    bikes = pinned(world, "Off-road motorbikes on the field", Category.ASB)
    found = suggestions(world)
    assert found[racing.pk] == [speeding.pk] and found[speeding.pk] == [racing.pk]
    assert found[begging.pk] == [] and found[bikes.pk] == []


def test_it_does_not_pair_unrelated_issues_that_name_the_same_long_ward(world):
    graffiti = pinned(world, "Graffiti on the underpass in Daneshouse with Stoneyholme", Category.CRIMINAL_DAMAGE)
    pinned(world, "Off-road motorbikes on the playing fields in Daneshouse with Stoneyholme", Category.ASB)
    again = pinned(world, "Graffiti on the underpass again", Category.CRIMINAL_DAMAGE)
    assert suggestions(world)[graffiti.pk] == [again.pk]


def test_it_does_not_pair_two_problems_on_one_street_or_one_problem_in_two_named_wards(world):
    other_ward = WardFactory(
        neighbourhood=world.daneshouse, code="E05009999", name="Queensgate", west=-2.23, south=53.8
    )
    tipping = pinned(world, "Fly-tipping in the back streets off Park Road", Category.LITTER)
    pinned(world, "Speeding on Park Road", Category.SPEEDING)
    bikes = pinned(world, "Off-road motorbikes on the playing fields in Daneshouse with Stoneyholme", Category.ASB)
    pinned(world, "Off-road motorbikes on the playing fields in Queensgate", Category.ASB, ward=other_ward)
    found = suggestions(world)
    assert found[tipping.pk] == [] and found[bikes.pk] == []


def test_it_does_not_pair_the_same_words_about_roads_far_apart(world):
    colne = pinned(world, "Speeding on Colne Road", Category.SPEEDING, 53.7950, -2.2450)
    pinned(world, "Speeding on Burnley Road", Category.SPEEDING, 53.8100, -2.2300)  # about 2 km away
    assert suggestions(world)[colne.pk] == []


def test_it_pairs_pins_on_one_spot_under_one_category_whatever_the_words(world):
    needles = pinned(world, "Needles left in the alley", Category.DRUGS, 53.7950, -2.2450)
    litter = pinned(world, "Drug litter behind the chippy", Category.DRUGS, 53.7951, -2.2451)
    pinned(world, "Bins set on fire", Category.CRIMINAL_DAMAGE, 53.7951, -2.2450)
    assert suggestions(world)[needles.pk] == [litter.pk]


def test_it_asks_more_of_the_words_without_pins_in_another_ward(world):
    other_ward = WardFactory(neighbourhood=world.daneshouse, code="E05009999", name="Bank Hall", west=-2.23, south=53.8)
    here = pinned(world, "Speeding on Colne Road near the school", Category.SPEEDING)
    there = pinned(world, "Cars speeding on Colne Road near the school", Category.SPEEDING, ward=other_ward)
    pinned(world, "Speeding near the school gates", Category.SPEEDING, ward=other_ward)  # 0.47: enough in one ward
    assert suggestions(world)[here.pk] == [there.pk]


def test_it_scores_text_as_postgresqls_pg_trgm_does():
    # pg_trgm's documented example: similarity('word', 'two words') = 0.363636.
    assert similarity.text_similarity(similarity.trigrams("word"), similarity.trigrams("two words")) == 4 / 11
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT similarity('Cars racing on Burnley Road', 'Boy racers on Burnley Road')")
            in_database = cursor.fetchone()[0]
        in_python = similarity.text_similarity(
            similarity.trigrams("Cars racing on Burnley Road"), similarity.trigrams("Boy racers on Burnley Road")
        )
        assert abs(in_database - in_python) < 1e-6


def test_it_shows_suggested_duplicates_with_a_merge_button(client, world):
    issue, duplicate = raise_issue(world), raise_issue(world, description="Racing cars on Burnley Road every night")
    client.force_login(world.pcso)
    page = client.get(triage_url(world)).content.decode()
    assert f"Merge no. {issue.pk} into no. {duplicate.pk}" in page
    assert f"Merge no. {duplicate.pk} into no. {issue.pk}" in page


def test_it_merges_a_duplicate_and_adds_its_residents(client, world):
    target = raise_issue(world, supporters=3)
    duplicate = raise_issue(world, description="Boy racers every night", supporters=2)
    client.force_login(world.pcso)
    response = client.post(
        reverse("priorities:issue-merge", kwargs={"pk": duplicate.pk}), {"into": target.pk}, HTTP_HX_REQUEST="true"
    )
    assert "5 residents now stand behind it" in response.content.decode()
    target.refresh_from_db(), duplicate.refresh_from_db()
    assert (target.supporters, duplicate.status, duplicate.merged_into) == (5, IssueStatus.MERGED, target)


def test_it_will_not_merge_into_another_areas_issue(client, world):
    issue = raise_issue(world)
    fleetwood = Issue.objects.create(
        neighbourhood=world.fleetwood, ward=world.fleetwood.wards.get(), category=Category.SPEEDING, description="x"
    )
    client.force_login(world.pcso)
    response = client.post(reverse("priorities:issue-merge", kwargs={"pk": issue.pk}), {"into": fleetwood.pk})
    assert response.url == triage_url(world)
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.NEW
    assert client.post(reverse("priorities:issue-merge", kwargs={"pk": fleetwood.pk}), {"into": 1}).status_code == 404


def test_it_needs_a_reason_to_close_an_issue(client, world):
    issue = raise_issue(world)
    client.force_login(world.pcso)
    url = reverse("priorities:issue-close", kwargs={"pk": issue.pk})
    response = client.post(url, {"reason": "  "}, HTTP_HX_REQUEST="true")
    assert "Say why" in response.content.decode()
    assert Issue.objects.get().status == IssueStatus.NEW
    client.post(url, {"reason": "Passed to the council: street lighting"})
    assert Issue.objects.get().closed_reason == "Passed to the council: street lighting"


def test_it_changes_an_issues_category(client, world):
    issue = raise_issue(world)
    client.force_login(world.sergeant)
    client.post(reverse("priorities:issue-recategorise", kwargs={"pk": issue.pk}), {"category": Category.ASB})
    assert Issue.objects.get().category == Category.ASB


def test_it_refuses_triage_actions_outside_the_team(client, world):
    issue = raise_issue(world)
    for who in (world.pcso_other, world.partner, world.chief_inspector):
        client.force_login(who)
        response = client.post(reverse("priorities:issue-close", kwargs={"pk": issue.pk}), {"reason": "Not ours"})
        assert response.status_code == 404
    assert Issue.objects.get().status == IssueStatus.NEW


def test_it_serves_the_photo_to_the_team_only(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    issue = raise_issue(world, photo=png("my house.html"))
    url = reverse("priorities:issue-photo", kwargs={"pk": issue.pk})
    client.force_login(world.pcso)
    response = client.get(url)
    assert (response.status_code, response["Content-Type"]) == (200, "image/png")
    for who in (world.pcso_other, world.resident, world.partner):
        client.force_login(who)
        assert client.get(url).status_code == 404


def test_it_proposes_a_priority_from_ticked_issues(client, world):
    issues = [raise_issue(world), raise_issue(world, description="Boy racers every night")]
    meeting = new_meeting(world)
    client.force_login(world.pcso)
    data = {
        "issues": [i.pk for i in issues],
        "title": "Speeding on Burnley Road",
        "category": Category.SPEEDING,
        "public_problem": "Residents told us cars speed on Burnley Road at night.",
        "wards": [w.pk for w in world.daneshouse.wards.all()],
        "review_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "meeting": meeting.pk,
    }
    response = client.post(reverse("priorities:propose", kwargs={"code": "daneshouse"}), data)
    priority = Priority.objects.get()
    assert response.url == f"/officer/priorities/{priority.pk}/"
    assert (priority.proposed_by, priority.proposed_at_meeting) == (world.pcso, meeting)
    assert set(priority.issues.values_list("status", flat=True)) == {IssueStatus.LINKED}


def test_it_re_renders_a_proposal_without_issues(client, world):
    raise_issue(world)
    client.force_login(world.pcso)
    response = client.post(reverse("priorities:propose", kwargs={"code": "daneshouse"}), {"title": "Speeding"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tick the issues the priority comes from" in page
    # The summary links each error to its field; a checkbox group links its first box.
    assert 'href="#id_issues"' in page and 'href="#id_wards_0"' in page and 'id="id_wards_0"' in page
    assert Priority.objects.count() == 0


def test_it_refuses_proposals_outside_the_team(client, world):
    client.force_login(world.pcso_other)
    assert client.post(reverse("priorities:propose", kwargs={"code": "daneshouse"}), {}).status_code == 404


def _triage_queries(client, world) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(triage_url(world)).status_code == 200
    return len(queries)


def test_it_builds_the_triage_page_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(3):
        raise_issue(world, description=f"Concern {n}", category=[Category.SPEEDING, Category.ASB][n % 2])
    client.force_login(world.pcso)
    # The first request after signing in may read the user from the database and later ones
    # from the cache (with Redis): compare two later ones.
    _triage_queries(client, world)
    few = _triage_queries(client, world)
    for n in range(27):
        issue = raise_issue(world, description=f"More {n}", category=[Category.SPEEDING, Category.DRUGS][n % 2])
        if n == 0:
            propose(world, issues=[issue])
    assert _triage_queries(client, world) == few
    # session, user, neighbourhood, team scope, queue, suggestions, wards, meetings, next meeting (review
    # date), and on PostgreSQL the suggestions' text similarity
    with django_assert_max_num_queries(9 + (connection.vendor == "postgresql")):
        client.get(triage_url(world))


def test_it_suggests_the_next_pact_meeting_as_the_review_date(client, world):
    with time_machine.travel(at(2026, 12, 6, 10), tick=False):
        client.force_login(world.pcso)
        new_meeting(world, title="Tonight", starts_at=at(2026, 12, 6, 19), ends_at=at(2026, 12, 6, 20))
        new_meeting(world, title="Stall", meeting_type=MeetingType.STALL, starts_at=at(2026, 12, 9, 10),
                    ends_at=at(2026, 12, 9, 12))  # fmt: skip
        new_meeting(world, title="January PACT", starts_at=at(2027, 1, 5, 19), ends_at=at(2027, 1, 5, 20))
        form = client.get(triage_url(world)).context["form"]
    assert form["review_date"].value() == datetime.date(2027, 1, 5)
    assert 'value="2027-01-05"' in str(form["review_date"])


def test_it_suggests_a_review_four_weeks_on_without_a_meeting_in_the_diary(client, world):
    with time_machine.travel(at(2026, 12, 6, 10), tick=False):
        client.force_login(world.pcso)
        form = client.get(triage_url(world)).context["form"]
    assert form["review_date"].value() == datetime.date(2027, 1, 3)


# --- where the resident put the pin ----------------------------------------------------------


def test_it_shows_the_residents_pin_on_the_triage_card_and_says_when_there_is_none(client, world, settings):
    settings.MAP_TILE_URL = 'https://tiles.example/{z}/{x}/{y}.png?key=a&style="dark"'
    pinned_issue = raise_issue(world, latitude=53.79512, longitude=-2.24567)
    unpinned = raise_issue(world, description="Begging outside the shops")
    client.force_login(world.pcso)
    page = client.get(triage_url(world)).content.decode()
    card = page[page.index(f'id="issue-{pinned_issue.pk}"') : page.index(f'id="issue-{unpinned.pk}"')]
    assert 'class="issue-pin-map' in card and 'data-lat="53.79512" data-lng="-2.24567"' in card
    assert "key=a&amp;style=&quot;dark&quot;" in card and 'style="dark"' not in card
    assert "js/issue-pin-map.js" in page and "vendor/leaflet/leaflet.js" in page
    assert "No pin: the resident gave the ward only (Daneshouse with Stoneyholme)." in page[page.index(
        f'id="issue-{unpinned.pk}"'
    ):]  # fmt: skip


def test_it_shows_an_issue_to_its_team_with_the_pin_open(client, world):
    issue = raise_issue(world, latitude=53.795, longitude=-2.245, contact_email="amina@example.org")
    client.force_login(world.pcso)
    page = client.get(reverse("priorities:issue-detail", kwargs={"pk": issue.pk})).content.decode()
    assert "Cars racing on Burnley Road at night" in page and "amina@example.org" in page
    assert '<details class="mb-2 issue-pin" open>' in page and 'data-lat="53.795" data-lng="-2.245"' in page
    unpinned = raise_issue(world, description="Begging outside the shops")
    page = client.get(reverse("priorities:issue-detail", kwargs={"pk": unpinned.pk})).content.decode()
    assert "No pin: the resident gave the ward only" in page and "issue-pin-map border" not in page


def test_it_hides_an_issue_from_anyone_outside_its_team(client, world):
    issue = raise_issue(world, latitude=53.795, longitude=-2.245)
    url = reverse("priorities:issue-detail", kwargs={"pk": issue.pk})
    for who in (world.pcso_other, world.partner, world.resident, world.chief_inspector_other):
        client.force_login(who)
        assert client.get(url).status_code == 404
    client.force_login(world.sergeant)
    assert client.get(url).status_code == 200
