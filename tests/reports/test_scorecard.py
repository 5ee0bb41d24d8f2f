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

from meetings.models import MeetingType
from messaging.models import AlertKind, DeliveryStatus, Feedback
from priorities.models import Category, Issue, IssueSource
from reports.models import AppealOutcome, Campaign, FeedbackMonth, ReachMonth, VolunteerCount, WatchSchemeCount
from reports.scorecard import charts
from reports.scorecard.figures import scorecard_for_area
from reports.scorecard.quarters import LAST_YEAR, NOW, PREVIOUS
from surveys.bank import BANK
from surveys.models import ResponseSource
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


def test_it_counts_multi_agency_meetings_and_people_online(world):
    held_meeting(world, starts_at=at(date(2026, 7, 8)), meeting_type=MeetingType.PANEL, public=2)
    held_meeting(world, starts_at=at(date(2026, 8, 8)), meeting_type=MeetingType.ONLINE, live=30, later=12)
    held_meeting(world, starts_at=at(date(2025, 9, 8)), meeting_type=MeetingType.HYBRID, public=6, live=4)
    card = _card(world)
    assert _three(card["multi_agency_meetings"]) == (1, 0, 0)
    assert _three(card["people_online"]) == (42, 0, 4)
    # The online meeting is not a small meeting however few came in person; the panel of two is.
    assert _three(card["small_meetings"]) == (1, 0, 0)


def test_it_sums_every_reach_figure_per_quarter_across_accounts(world):
    figures = {"reach": 10, "engagements": 4, "shares": 3, "comments": 2, "mentions": 1, "unique_visitors": 50,
               "return_visitors": 20}  # fmt: skip
    for account, month in (("@a", date(2026, 7, 1)), ("@b", date(2026, 8, 1)), ("@a", date(2025, 7, 1))):
        ReachMonth.objects.create(neighbourhood=world.daneshouse, platform="website", account=account, month=month,
                                  entered_by=world.comms, **figures)  # fmt: skip
    ReachMonth.objects.create(neighbourhood=world.fleetwood, platform="x", account="@f", month=date(2026, 7, 1),
                              reach=999, entered_by=world.comms)  # fmt: skip
    card = _card(world)
    for key, value in figures.items():
        assert _three(card[key]) == (2 * value, None, value), key
    assert _card(world, "force", world.force)["reach"].now == 1019


def test_it_counts_members_joiners_and_unsubscribes_as_the_return_does(world):
    member(world, consent_at=at(date(2026, 1, 5)), confirmed_at=at(date(2026, 1, 5)))
    member(world, consent_at=at(date(2026, 8, 5)), confirmed_at=at(date(2026, 8, 5)))
    member(world, consent_at=at(date(2026, 5, 5)), confirmed_at=at(date(2026, 5, 5)),
           status="unsubscribed", unsubscribed_at=at(date(2026, 8, 20)))  # fmt: skip
    card = _card(world)
    assert _three(card["members_total"]) == (2, 2, 0)
    assert _three(card["members_new"]) == (1, 1, 0)
    assert _three(card["unsubscribes"]) == (1, 0, 0)


def test_it_gives_each_legitimacy_and_satisfaction_share_from_its_own_question(world):
    keys = ("police_treat_fairly", "police_relied_on", "service_satisfaction", "influence_decisions",
            "deal_with_what_matters")  # fmt: skip
    made = survey(world, bank=keys)
    ward = world.daneshouse.wards.get()
    # Agreement questions take 1 to 5 (4 and 5 agree); the service question its options.
    service = BANK["service_satisfaction"]
    favourable = {key: 5 for key in keys} | {"service_satisfaction": sorted(service.favourable)[0]}
    unfavourable = {key: 2 for key in keys} | {
        "service_satisfaction": next(v for v, _label in service.options
                                     if v not in service.favourable and v not in service.not_applicable)
    }  # fmt: skip
    for i in range(20):
        # Question k is answered favourably by 10 + k of the twenty.
        answers = {key: favourable[key] if i < 10 + k else unfavourable[key] for k, key in enumerate(keys)}
        response = respond(made, ward=ward, **answers)
        response.submitted_at = at(date(2026, 8, 3))
        response.save(update_fields=["submitted_at"])
    card = _card(world)
    for k, key in enumerate(keys):
        assert card[key].now == 100 * (10 + k) / 20, key
        assert card[key].interval_now is not None and card[key].previous is None


def test_it_gives_face_to_face_contact_from_residents_own_answers_with_the_engagement_figures(world):
    made = survey(world, bank=("face_to_face",))
    ward = world.daneshouse.wards.get()
    for i, when in enumerate([date(2026, 8, 3)] * 20 + [date(2026, 4, 3)] * 5):
        response = respond(made, ward=ward, face_to_face="yes" if i < 12 else "no")
        response.submitted_at = at(when)
        response.save(update_fields=["submitted_at"])
    card = scorecard_for_area(level="neighbourhood", area=world.daneshouse, day=AUGUST)
    contact = next(m for m in card.sections[0].measures if m.key == "face_to_face")
    assert (contact.now, contact.previous) == (60.0, None)  # five in the spring: too few to show
    assert contact.interval_now is not None and contact.source == reverse("surveys:trends")


def test_it_counts_events_by_type_each_quarter_naming_open_days_and_others_events(world):
    held_meeting(world, starts_at=at(date(2026, 7, 7)), meeting_type=MeetingType.OPEN_DAY)
    held_meeting(world, starts_at=at(date(2026, 8, 7)), meeting_type=MeetingType.OPEN_DAY)
    held_meeting(world, starts_at=at(date(2026, 5, 7)), meeting_type=MeetingType.PARTNER_EVENT)
    held_meeting(world, starts_at=at(date(2025, 8, 7)), meeting_type=MeetingType.STALL)
    held_meeting(world, starts_at=at(date(2026, 8, 9)), meeting_type=MeetingType.STALL, recorded=False)
    card = _card(world)
    assert _three(card["events_open_day"]) == (2, 0, 0)
    assert _three(card["events_partner_event"]) == (0, 1, 0)
    assert _three(card["events_stall"]) == (0, 0, 1)  # the one not held (no outcome) is not counted
    assert _three(card["events_public_pact"]) == (0, 0, 0)  # named by the strategy: shown though none
    assert "events_door_knock" not in card  # never held in the eight quarters
    assert str(card["events_open_day"].label) == "Open day"


def test_it_counts_campaigns_running_ended_and_their_outcomes(world):
    def campaign(title, starts, ends, outcome="not_assessed", **area):
        Campaign.objects.create(title=title, starts_on=starts, ends_on=ends, outcome=outcome,
                                entered_by=world.comms, **area)  # fmt: skip

    campaign("Lock it", date(2026, 6, 20), date(2026, 7, 10), "met", neighbourhood=world.daneshouse)
    campaign("Slow down", date(2026, 8, 1), date(2026, 10, 31), neighbourhood=world.daneshouse)
    campaign("Bikes", date(2025, 7, 1), date(2025, 7, 30), "not_met", neighbourhood=world.daneshouse)
    campaign("Division week", date(2026, 9, 1), date(2026, 9, 7), "partly", division=world.east)
    campaign("Elsewhere", date(2026, 7, 1), date(2026, 7, 2), "met", neighbourhood=world.fleetwood)
    card = _card(world)
    assert _three(card["campaigns_running"]) == (2, 1, 1)
    assert _three(card["campaigns_ended"]) == (1, 0, 1)
    assert _three(card["campaigns_met"]) == (1, 0, 0)
    assert _three(card["campaigns_not_met"]) == (0, 0, 1)
    division = _card(world, "division", world.east)
    assert _three(division["campaigns_running"]) == (3, 1, 1)
    assert (division["campaigns_partly"].now, division["campaigns_not_assessed"].now) == (1, 0)


def test_it_counts_watch_schemes_and_members_at_each_quarters_end(world):
    def count(kind, as_of, schemes, members=None, neighbourhood=None):
        WatchSchemeCount.objects.create(neighbourhood=neighbourhood or world.daneshouse, kind=kind, as_of=as_of,
                                        schemes=schemes, members=members, entered_by=world.comms)  # fmt: skip

    count("neighbourhood_watch", date(2025, 9, 30), 3, 40)
    count("neighbourhood_watch", date(2026, 8, 1), 5, 70)
    count("rural", date(2026, 4, 1), 1)
    count("business", date(2026, 9, 1), 2, 15)
    count("neighbourhood_watch", date(2026, 8, 1), 9, 99, neighbourhood=world.fleetwood)
    card = _card(world)
    assert _three(card["nhw_schemes"]) == (5, 3, 3)
    assert _three(card["nhw_members"]) == (70, 40, 40)
    assert _three(card["other_watch_schemes"]) == (3, 1, None)
    assert _three(card["other_watch_members"]) == (15, None, None)  # the rural count gave no members


def test_it_counts_community_volunteers_beside_the_police_family(world):
    VolunteerCount.objects.create(neighbourhood=world.daneshouse, role="community", as_of=date(2026, 7, 1),
                                  count=12, entered_by=world.comms)  # fmt: skip
    assert _three(_card(world)["volunteers_community"]) == (12, None, None)


def test_it_counts_emails_never_opened_and_messages_withdrawn(world):
    alert = sent_alert(world, released_at=at(date(2026, 8, 20)), neighbourhoods=[world.daneshouse])
    people = [member(world, consent_at=at(date(2026, 1, 5)), confirmed_at=at(date(2026, 1, 5))) for _ in range(4)]
    deliver(alert, people[0], opened=True)
    deliver(alert, people[1], status=DeliveryStatus.SENT)
    deliver(alert, people[2], status=DeliveryStatus.FAILED)
    deliver(alert, people[3], status=DeliveryStatus.CANCELLED)
    card = _card(world)
    # Of the two emails that went (delivered, sent), one was never opened; the failed one never arrived.
    assert _three(card["unopened_percent"]) == (50.0, None, None)
    assert _three(card["withdrawn"]) == (1, 0, 0)


def test_it_counts_survey_responses_by_how_they_came_in_and_whose_survey(world):
    made = survey(world, bank=("police_good_job",))
    ward = world.daneshouse.wards.get()
    for source, n, when in ((ResponseSource.INVITED, 3, date(2026, 8, 2)), (ResponseSource.OPEN, 2, date(2026, 8, 3)),
                            (ResponseSource.OPEN, 4, date(2026, 5, 3))):  # fmt: skip
        for _ in range(n):
            response = respond(made, ward=ward, source=source, police_good_job="good")
            response.submitted_at = at(when)
            response.save(update_fields=["submitted_at"])
    opcc = survey(world, bank=("police_good_job",), programme="opcc")
    response = respond(opcc, ward=ward, police_good_job="good")
    response.submitted_at = at(date(2026, 8, 4))
    response.save(update_fields=["submitted_at"])
    card = _card(world)
    assert _three(card["responses_invited"]) == (3, 0, 0)
    assert _three(card["responses_open"]) == (3, 4, 0)
    assert _three(card["responses_programme_force"]) == (5, 4, 0)
    assert _three(card["responses_programme_opcc"]) == (1, 0, 0)
    assert _three(card["responses_programme_academic"]) == (0, 0, 0)
    assert card["responses_programme_opcc"].label == "Survey responses: Police and Crime Commissioner's survey"


def test_it_says_whether_the_white_bme_gap_really_moved_since_the_previous_quarter(world):
    made = survey(world, bank=("police_good_job", "pact_involved"))
    made.ward = world.daneshouse.wards.get()
    may, august = at(date(2026, 5, 10)), at(date(2026, 8, 10))
    _answers(made, 20, job="good", involved="yes", ethnic_group="white_british", submitted_at=may)
    _answers(made, 20, job="good", involved="no", ethnic_group="asian_pakistani", submitted_at=may, good=2)
    _answers(made, 20, job="good", involved="yes", ethnic_group="white_british", submitted_at=august, good=18)
    _answers(made, 20, job="good", involved="no", ethnic_group="asian_pakistani", submitted_at=august, good=17)
    gap = _card(world)["gap_police_good_job"]
    assert (gap.now, gap.previous) == (5.0, 90.0)
    assert gap.notes[0].startswith("The gap narrowed by 85 points since the previous quarter (from 90 to 5 points).")
    assert "real change" in gap.notes[0]
    involved = _card(world)["involved_gap_police_good_job"]
    assert (involved.now, involved.previous) == (5.0, 90.0)


def _answers(made, n, *, job, involved, ethnic_group, submitted_at, good=None):
    """`n` responses; `good` of them (all unless given) say `job`, the rest "poor"."""
    good = n if good is None else good
    responses = [respond(made, ward=made.ward, police_good_job=job if i < good else "poor", pact_involved=involved,
                         ethnic_group=ethnic_group) for i in range(n)]  # fmt: skip
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
        WatchSchemeCount.objects.create(neighbourhood=world.daneshouse, kind="rural", as_of=date(2026, 1, 1 + i),
                                        schemes=i, members=i, entered_by=world.comms)  # fmt: skip
        Campaign.objects.create(title=f"Week {i}", division=world.east, starts_on=date(2026, 7, 1 + i),
                                ends_on=date(2026, 8, 1 + i), outcome="met", entered_by=world.comms)  # fmt: skip
        appeal = sent_alert(world, released_at=at(AUGUST), wards=[ward])
        AppealOutcome.objects.create(alert=appeal, recorded_by=world.comms)
        member(world, consent_at=at(AUGUST), confirmed_at=at(AUGUST))


def _queries_for_page(client, world, django_assert_max_num_queries, limit, *, person="hq", url=None):
    client.force_login(getattr(world, person))
    url = (url or reverse("reports:scorecard-division", args=["east"])) + "?quarter=2026-08"
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_its_query_count_does_not_grow_with_the_data(client, world, django_assert_max_num_queries):
    # session, user, division; places (2); meetings, sign-ups, membership (3: no month recorded yet,
    # so counted live), deliveries, members' feedback, surveys, online reports, reach, appeals,
    # complaints and thanks, volunteers, watch schemes, campaigns
    _fill(world, 0, 1)
    few = _queries_for_page(client, world, django_assert_max_num_queries, 20)
    _fill(world, 1, 5)
    assert _queries_for_page(client, world, django_assert_max_num_queries, 20) == few


def test_a_neighbourhoods_query_count_does_not_grow_with_the_data(client, world, django_assert_max_num_queries):
    # As the division's, with the neighbourhood instead of the division, and whether the viewer's
    # team keeps the neighbourhood's triage queue (the link of its online reports)
    url = reverse("reports:scorecard-neighbourhood", args=["daneshouse"])
    _fill(world, 0, 1)
    few = _queries_for_page(client, world, django_assert_max_num_queries, 21, person="pcso", url=url)
    _fill(world, 1, 5)
    assert _queries_for_page(client, world, django_assert_max_num_queries, 21, person="pcso", url=url) == few


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


@pytest.mark.parametrize("level", ["neighbourhood", "division", "force"])
def test_every_measure_has_a_source_page_a_chart_and_three_quarters_shown(client, world, level):
    area = {"neighbourhood": world.daneshouse, "division": world.east, "force": world.force}[level]
    card = scorecard_for_area(level=level, area=area, day=AUGUST, viewer=world.hq)
    measures = [m for section in card.sections for m in section.measures]
    assert all(m.source.startswith("/") and len(m.values) == 8 for m in measures), [
        m.key for m in measures if not m.source
    ]
    charted = [s["label"] for chart in charts.trend_data(card)["charts"] for s in chart["series"]]
    assert sorted(charted) == sorted(str(m.label) for m in measures)
    client.force_login(world.hq)
    name = {"neighbourhood": "reports:scorecard-neighbourhood", "division": "reports:scorecard-division",
            "force": "reports:scorecard-force"}[level]  # fmt: skip
    html = client.get(reverse(name, args=[] if level == "force" else [area.code]) + "?quarter=2026-08").content.decode()
    for m in measures:
        assert f'href="{m.source}"' in html
    for url in {m.source for m in measures}:
        assert client.get(url).status_code == 200, url  # the viewer may open every page linked
    for chart in charts.trend_data(card)["charts"]:
        assert f'id="{chart["id"]}"' in html


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
    # A chief inspector has no triage queue of the neighbourhood's: their link is the report form.
    client.force_login(world.chief_inspector)
    page = client.get(reverse("reports:scorecard-neighbourhood", args=["daneshouse"]) + "?quarter=2026-08")
    html = page.content.decode()
    assert f'href="{reverse("priorities:triage", args=["daneshouse"])}"' not in html
    assert f'href="{reverse("priorities:raise-issue")}"' in html


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
    for label in ("Open day", "Campaigns running", "Neighbourhood Watch schemes", "White–BME gap", "PACT-involved gap"):
        assert label in text, label


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
