"""The scorecard: every figure traced to its source with a small hand-made data set, the query
count pinned whatever the data, permissions both ways, and the PDF.

The quarter is July to September 2026; the one before is April to June 2026 and a year ago is
July to September 2025. Daneshouse and Queensgate are East Division; Fleetwood is West.
"""

import io
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from messaging.models import AlertKind, Feedback
from priorities.models import Category, Issue, IssueSource
from reports.models import AppealOutcome, FeedbackMonth, ReachMonth, VolunteerCount
from reports.scorecard.figures import scorecard_for_area
from reports.scorecard.quarters import LAST_YEAR, NOW, PREVIOUS
from tests.reports.factories import at, deliver, held_meeting, member, sent_alert
from tests.surveys.factories import respond, survey

pytestmark = pytest.mark.django_db
AUGUST = date(2026, 8, 1)


def _measures(card) -> dict:
    return {m.key: m for section in card.sections for m in section.measures}


def _card(world, level="neighbourhood", area=None):
    return _measures(scorecard_for_area(level=level, area=area or world.daneshouse, day=AUGUST))


def _three(measure) -> tuple:
    return measure.values[NOW], measure.values[PREVIOUS], measure.values[LAST_YEAR]


def test_it_counts_meetings_and_people_met_as_the_return_does(world):
    held_meeting(world, starts_at=at(date(2026, 7, 7)), public=12)
    held_meeting(world, starts_at=at(date(2026, 9, 1)), public=3)
    held_meeting(world, starts_at=at(date(2026, 5, 5)), public=8)
    held_meeting(world, starts_at=at(date(2025, 8, 5)), public=20)
    held_meeting(world, starts_at=at(date(2026, 8, 5)), public=50, neighbourhood=world.fleetwood)
    card = _card(world)
    assert _three(card["meetings_held"]) == (2, 1, 1)
    assert _three(card["people_in_person"]) == (15, 8, 20)
    assert _three(card["small_meetings"]) == (1, 0, 0)
    assert _card(world, "force", world.force)["people_in_person"].now == 65


def test_it_sums_reach_and_takes_followers_from_the_last_month_reported(world):
    for month, reach, followers in ((7, 1000, 500), (9, 2000, 520)):
        ReachMonth.objects.create(neighbourhood=world.daneshouse, platform="facebook", account="@d",
                                  month=date(2026, month, 1), reach=reach, followers=followers,
                                  entered_by=world.comms)  # fmt: skip
    card = _card(world)
    assert _three(card["reach"]) == (3000, None, None)
    assert card["followers"].now == 520
    assert card["shares"].now is None


def test_it_counts_division_wide_feedback_for_the_division_not_the_neighbourhood(world):
    FeedbackMonth.objects.create(kind="complaint", category="conduct", month=AUGUST, neighbourhood=world.daneshouse,
                                 count=2, entered_by=world.comms)  # fmt: skip
    FeedbackMonth.objects.create(kind="thanks", category="service", month=date(2026, 9, 1), division=world.east,
                                 count=4, entered_by=world.comms)  # fmt: skip
    neighbourhood, division = _card(world), _card(world, "division", world.east)
    assert (neighbourhood["complaints"].now, neighbourhood["thanks"].now) == (2, None)
    assert (division["complaints"].now, division["thanks"].now) == (2, 4)
    assert _card(world, "division", world.west)["complaints"].now is None


def test_it_counts_volunteers_at_each_quarters_end_from_the_latest_count(world):
    for as_of, count in ((date(2026, 3, 1), 5), (date(2026, 8, 15), 7)):
        VolunteerCount.objects.create(neighbourhood=world.daneshouse, role="cadet", as_of=as_of, count=count,
                                      entered_by=world.comms)  # fmt: skip
    assert _three(_card(world)["volunteers_cadet"]) == (7, 5, None)


def test_it_reports_what_appeals_produced(world):
    ward = world.daneshouse.wards.get()
    answered = sent_alert(world, released_at=at(AUGUST), wards=[ward])
    answered.kind = AlertKind.APPEAL
    answered.save(update_fields=["kind"])
    AppealOutcome.objects.create(alert=answered, information_received=True, arrests=2, closed=True,
                                 recorded_by=world.comms)  # fmt: skip
    pending = sent_alert(world, released_at=at(AUGUST), neighbourhoods=[world.daneshouse])
    pending.kind = AlertKind.APPEAL
    pending.save(update_fields=["kind"])
    sent_alert(world, released_at=at(AUGUST), neighbourhoods=[world.daneshouse])  # not an appeal
    card = _card(world)
    figures = [card[k].now for k in ("appeals_sent", "appeals_recorded", "appeals_information", "appeals_arrests",
                                     "appeals_closed")]  # fmt: skip
    assert figures == [2, 1, 1, 2, 1]
    assert _card(world, "neighbourhood", world.fleetwood)["appeals_sent"].now == 0


def test_it_counts_reports_made_online_only(world):
    ward = world.daneshouse.wards.get()
    for source in (IssueSource.ONLINE, IssueSource.MEETING):
        Issue.objects.create(neighbourhood=world.daneshouse, ward=ward, category=Category.SPEEDING,
                             description="Racing", source=source, created_at=at(AUGUST))  # fmt: skip
    assert _three(_card(world)["online_reports"]) == (1, 0, 0)


def test_it_measures_in_the_know_conversion_and_feedback(world):
    member(world, consent_at=at(AUGUST), confirmed_at=at(AUGUST))
    member(world, consent_at=at(AUGUST))
    person = member(world, consent_at=at(date(2026, 1, 5)), confirmed_at=at(date(2026, 1, 5)))
    alert = sent_alert(world, released_at=at(date(2026, 8, 20)), neighbourhoods=[world.daneshouse])
    delivery = deliver(alert, person, opened=True)
    Feedback.objects.create(delivery=delivery, useful=True, acted_on=True)
    other = member(world, consent_at=at(date(2026, 1, 5)), confirmed_at=at(date(2026, 1, 5)))
    Feedback.objects.create(delivery=deliver(alert, other), useful=False)
    card = _card(world)
    assert card["conversion_percent"].now == 50.0
    assert (card["useful_percent"].now, card["acted_on"].now, card["acted_on"].previous) == (50.0, 1, 0)
    assert (card["messages_delivered"].now, card["open_percent"].now, card["click_percent"].now) == (2, 50.0, 0.0)


def _answers(made, n, *, job, involved, ethnic_group, submitted_at):
    responses = [respond(made, ward=made.ward, police_good_job=job, pact_involved=involved,
                         ethnic_group=ethnic_group) for _ in range(n)]  # fmt: skip
    for response in responses:
        response.submitted_at = submitted_at
        response.save(update_fields=["submitted_at"])


def test_it_shows_survey_shares_with_intervals_and_hmics_comparisons(world):
    made = survey(world, bank=("police_good_job", "pact_involved"))
    made.ward = world.daneshouse.wards.get()
    when = at(date(2026, 8, 10))
    _answers(made, 12, job="good", involved="yes", ethnic_group="white_british", submitted_at=when)
    _answers(made, 12, job="poor", involved="no", ethnic_group="asian_pakistani", submitted_at=when)
    card = scorecard_for_area(level="neighbourhood", area=world.daneshouse, day=AUGUST)
    confidence = _measures(card)["police_good_job"]
    assert confidence.now == 50.0
    low, high = confidence.interval_now
    assert 29 < low < 50 < high < 71
    assert confidence.previous is None  # nobody answered: no share, not 0%
    involvement, ethnicity = card.comparisons[:2]
    assert (involvement["first"].share, involvement["second"].share) == (100.0, 0.0)
    assert "real" in involvement["text"]
    assert (ethnicity["first"].share, ethnicity["second"].share) == (100.0, 0.0)
    gap = _measures(card)["gap_police_good_job"]
    assert (gap.now, gap.previous) == (100.0, None)


def test_it_hides_survey_shares_from_too_few_respondents(world):
    made = survey(world, bank=("police_good_job", "pact_involved"))
    made.ward = world.daneshouse.wards.get()
    _answers(made, 4, job="good", involved="yes", ethnic_group="white_british", submitted_at=at(AUGUST))
    card = scorecard_for_area(level="neighbourhood", area=world.daneshouse, day=AUGUST)
    assert _measures(card)["police_good_job"].now is None
    assert card.comparisons[0]["first"].share is None


def _fill(world, first, n):
    ward = world.daneshouse.wards.get()
    for i in range(first, first + n):
        held_meeting(world, starts_at=at(date(2026, 7, 1 + i)), public=i)
        ReachMonth.objects.create(neighbourhood=world.daneshouse, platform="x", account=f"@{i}", month=AUGUST,
                                  reach=i, entered_by=world.comms)  # fmt: skip
        FeedbackMonth.objects.create(kind="thanks", category="other", month=date(2026, 1 + i, 1),
                                     neighbourhood=world.daneshouse, count=i, entered_by=world.comms)  # fmt: skip
        VolunteerCount.objects.create(neighbourhood=world.daneshouse, role="cadet", as_of=date(2026, 1, 1 + i),
                                      count=i, entered_by=world.comms)  # fmt: skip
        appeal = sent_alert(world, released_at=at(AUGUST), wards=[ward])
        AppealOutcome.objects.create(alert=appeal, recorded_by=world.comms)
        member(world, consent_at=at(AUGUST), confirmed_at=at(AUGUST))


def _queries_for_page(client, world, django_assert_max_num_queries, limit):
    client.force_login(world.hq)
    url = reverse("reports:scorecard-division", args=["east"]) + "?quarter=2026-08"
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_its_query_count_does_not_grow_with_the_data(client, world, django_assert_max_num_queries):
    # session, user, division; places (2); meetings, sign-ups, membership (3: no month recorded yet,
    # so counted live), deliveries, members' feedback, surveys, online reports, reach, appeals,
    # complaints and thanks, volunteers
    _fill(world, 0, 1)
    few = _queries_for_page(client, world, django_assert_max_num_queries, 18)
    _fill(world, 1, 5)
    assert _queries_for_page(client, world, django_assert_max_num_queries, 18) == few


@pytest.mark.parametrize(
    ("person", "url", "status"),
    [
        ("pcso", ("reports:scorecard-neighbourhood", ["daneshouse"]), 200),
        ("pcso", ("reports:scorecard-neighbourhood", ["fleetwood"]), 404),
        ("pcso", ("reports:scorecard-division", ["east"]), 404),
        ("partner", ("reports:scorecard-neighbourhood", ["daneshouse"]), 404),
        ("chief_inspector", ("reports:scorecard-division", ["east"]), 200),
        ("chief_inspector", ("reports:scorecard-neighbourhood", ["queensgate"]), 200),
        ("chief_inspector", ("reports:scorecard-division", ["west"]), 404),
        ("chief_inspector", ("reports:scorecard-force", []), 404),
        ("comms", ("reports:scorecard-force", []), 200),
        ("hq", ("reports:scorecard-division", ["west"]), 200),
        ("resident", ("reports:scorecard-force", []), 404),
    ],
)
def test_it_shows_a_scorecard_only_within_the_users_area(client, world, person, url, status):
    client.force_login(getattr(world, person))
    name, args = url
    assert client.get(reverse(name, args=args)).status_code == status


def test_it_links_each_measure_to_the_page_it_comes_from(client, world):
    client.force_login(world.pcso)
    page = client.get(reverse("reports:scorecard-neighbourhood", args=["daneshouse"]) + "?quarter=2026-08")
    html = page.content.decode()
    sources = [
        reverse("analytics:neighbourhood", args=["daneshouse"]),
        reverse("messaging:measures"),
        reverse("surveys:trends"),
        reverse("priorities:triage", args=["daneshouse"]),
        reverse("reports:scorecard-appeals"),
        reverse("reports:scorecard-figures", args=["reach"]),
    ]
    for url in sources:
        assert f'href="{url}"' in html
    assert "Jul to Sep 2026" in html


def test_it_says_when_the_quarter_asked_for_is_not_a_month(client, world):
    client.force_login(world.hq)
    page = client.get(reverse("reports:scorecard-force") + "?quarter=autumn")
    assert page.status_code == 200
    assert "Give the month as year and month" in page.content.decode()


def test_it_prints_the_quarter(client, world):
    held_meeting(world, starts_at=at(date(2026, 7, 7)), public=12)
    client.force_login(world.chief_inspector)
    page = client.get(reverse("reports:scorecard-division-export", args=["east", "print"]) + "?quarter=2026-08")
    html = page.content.decode()
    assert page.status_code == 200 and "@page" in html
    assert "Engagement scorecard: East Division, Jul to Sep 2026" in html


def test_it_renders_the_pdf(client, world):
    held_meeting(world, starts_at=at(date(2026, 7, 7)), public=12)
    client.force_login(world.chief_inspector)
    response = client.get(reverse("reports:scorecard-division-export", args=["east", "pdf"]) + "?quarter=2026-08")
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2  # the figures, then the two-year trend on a page of its own
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "East Division" in text and "People met face to face at meetings" in text


def test_it_refuses_an_unknown_format(client, world):
    client.force_login(world.hq)
    assert client.get(reverse("reports:scorecard-force-export", args=["docx"])).status_code == 404


@pytest.mark.parametrize(
    ("person", "destination"),
    [
        ("hq", ("reports:scorecard-force", [])),
        ("chief_inspector", ("reports:scorecard-division", ["east"])),
        ("inspector", ("reports:scorecard-neighbourhood", ["daneshouse"])),
    ],
)
def test_it_sends_each_user_to_the_widest_scorecard_they_may_see(client, world, person, destination):
    client.force_login(getattr(world, person))
    response = client.get(reverse("reports:scorecard"))
    assert response.url == reverse(destination[0], args=destination[1])


def test_it_refuses_the_scorecard_to_partners(client, world):
    client.force_login(world.partner)
    assert client.get(reverse("reports:scorecard")).status_code == 403


def test_it_links_a_division_to_its_neighbourhoods_scorecards(world):
    card = scorecard_for_area(level="division", area=world.east, day=AUGUST)
    assert [label for label, _url in card.children] == ["Daneshouse", "Queensgate"]
    assert card.children[0][1] == reverse("reports:scorecard-neighbourhood", args=["daneshouse"])
