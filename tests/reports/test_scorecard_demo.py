"""The demo's scorecard figures: two years of them for every neighbourhood of the small test force,
an outcome for every sent appeal, the same demo each run, and nothing changed by a second run."""

from datetime import date

import pytest

from messaging.models import AlertKind
from reports.models import (
    AppealOutcome,
    Campaign,
    FeedbackMonth,
    ReachMonth,
    ReachPlatform,
    VolunteerCount,
    WatchSchemeCount,
)
from reports.scorecard.demo import MONTHS, demo_scorecard_seed
from reports.scorecard.figures import scorecard_for_area
from tests.reports.factories import at, sent_alert

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 3)


def _appeal(world):
    alert = sent_alert(world, released_at=at(date(2026, 8, 1)), neighbourhoods=[world.daneshouse])
    alert.kind = AlertKind.APPEAL
    alert.save(update_fields=["kind"])
    return alert


def _rows():
    return {
        "reach": sorted(ReachMonth.objects.values_list("neighbourhood_id", "platform", "month", "reach")),
        "feedback": sorted(FeedbackMonth.objects.values_list("neighbourhood_id", "kind", "category", "month", "count")),
        "volunteers": sorted(VolunteerCount.objects.values_list("neighbourhood_id", "role", "as_of", "count")),
        "watch": sorted(
            WatchSchemeCount.objects.values_list("neighbourhood_id", "kind", "as_of", "schemes", "members")
        ),
        "campaigns": sorted(Campaign.objects.values_list("division_id", "title", "starts_on", "ends_on", "outcome")),
    }


def test_it_gives_every_neighbourhood_two_years_of_reach_and_volunteers_at_quarter_ends(world):
    summary = demo_scorecard_seed(force=world.force, today=TODAY)
    neighbourhoods = list(world.force.divisions.values_list("neighbourhoods", flat=True))
    for neighbourhood_id in neighbourhoods:
        for platform in (ReachPlatform.FACEBOOK, ReachPlatform.X):
            months = ReachMonth.objects.filter(neighbourhood_id=neighbourhood_id, platform=platform)
            assert months.count() == MONTHS
            assert months.order_by("month").first().month == date(2025, 1, 1)
            assert months.order_by("month").last().month == date(2026, 12, 1)
    # Counted at the end of each quarter that has ended: March 2025 to September 2026.
    ends = set(VolunteerCount.objects.values_list("as_of", flat=True))
    assert min(ends) == date(2025, 3, 31) and max(ends) == date(2026, 9, 30) and len(ends) == 7
    assert summary.reach_months == ReachMonth.objects.count() >= 2 * MONTHS * len(neighbourhoods)
    # Special constables, support volunteers, cadets and community volunteers.
    assert summary.volunteer_counts == VolunteerCount.objects.count() == 7 * 4 * len(neighbourhoods)
    # Neighbourhood Watch and business watch, at the same quarter ends.
    assert summary.watch_counts == WatchSchemeCount.objects.count() == 7 * 2 * len(neighbourhoods)
    assert set(WatchSchemeCount.objects.values_list("as_of", flat=True)) == ends
    assert summary.campaigns == Campaign.objects.count() > 0
    # A campaign still running, or only just ended, is not yet assessed.
    recent = Campaign.objects.filter(ends_on__gte=date(2026, 11, 19))
    assert set(recent.values_list("outcome", flat=True)) <= {"not_assessed"}


def test_it_records_an_outcome_for_each_sent_appeal_and_keeps_one_already_there(world):
    first, second = _appeal(world), _appeal(world)
    AppealOutcome.objects.create(alert=second, information_received=False, arrests=0, closed=False,
                                 recorded_by=world.comms)  # fmt: skip
    summary = demo_scorecard_seed(force=world.force, today=TODAY)
    assert summary.appeal_outcomes == 2
    assert AppealOutcome.objects.filter(alert=first).exists()
    assert not AppealOutcome.objects.get(alert=second).information_received


def test_it_seeds_the_same_figures_each_time_and_a_second_run_changes_nothing(world):
    demo_scorecard_seed(force=world.force, today=TODAY)
    seeded = _rows()
    demo_scorecard_seed(force=world.force, today=TODAY)
    assert _rows() == seeded
    ReachMonth.objects.all().delete()
    FeedbackMonth.objects.all().delete()
    VolunteerCount.objects.all().delete()
    WatchSchemeCount.objects.all().delete()
    Campaign.objects.all().delete()
    demo_scorecard_seed(force=world.force, today=TODAY)
    assert _rows() == seeded


def test_the_scorecard_reads_the_demo_figures(world):
    demo_scorecard_seed(force=world.force, today=TODAY)
    card = scorecard_for_area(level="neighbourhood", area=world.daneshouse, day=date(2026, 8, 1))
    measures = {m.key: m for section in card.sections for m in section.measures}
    assert measures["reach"].now > 0
    assert measures["nhw_schemes"].now > 0 and measures["volunteers_community"].now > 0
