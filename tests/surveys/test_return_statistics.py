"""The monthly return's survey figures carry their intervals and say whether a change is real."""

from datetime import UTC, date, datetime

from django.template.loader import render_to_string

from neighbourhoods.models import Ward
from reports.exports.tabular import _csv_rows
from reports.selectors import return_figures
from surveys.models import Response
from tests.surveys.factories import respond, survey


def _month(world, made, *, day, good, total):
    ward = Ward.objects.get(neighbourhood=world.daneshouse)
    for n in range(total):
        response = respond(made, ward=ward, police_good_job="good" if n < good else "poor")
        Response.objects.filter(pk=response.pk).update(
            submitted_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        )


def _october(world, *, september_good, october_good, total=100):
    made = survey(world, opens_at=datetime(2026, 8, 1, 12, tzinfo=UTC))
    _month(world, made, day=date(2026, 9, 10), good=september_good, total=total)
    _month(world, made, day=date(2026, 10, 10), good=october_good, total=total)
    return return_figures(
        division=world.east, period_kind="month", period_start=date(2026, 10, 1), period_end=date(2026, 10, 31)
    )["surveys"]


def test_it_gives_the_return_s_survey_shares_their_intervals(world):
    surveys = _october(world, september_good=61, october_good=67)
    # 67 of 100: Wilson 95% interval 57.3% to 75.4%.
    assert (surveys["confidence_percent"], surveys["confidence_interval"]) == (67.0, [57.3, 75.4])
    assert surveys["safe_day_interval"] is None  # nobody was asked


def test_it_says_a_small_change_since_last_month_could_be_chance(world):
    surveys = _october(world, september_good=61, october_good=67)
    assert surveys["changes"]["confidence"] == (
        "Up 6 points since the previous period (from 61% to 67%). This could be chance: the difference is "
        "within what sampling alone would produce."
    )
    html = render_to_string("reports/_survey_figures.html", {"surveys": surveys})
    assert '67.0% <span class="small text-body-secondary" data-interval>(57–75%)</span>' in html
    assert "This could be chance" in html


def test_it_says_a_large_change_since_last_month_is_real(world):
    surveys = _october(world, september_good=40, october_good=67)
    assert "a real change" in surveys["changes"]["confidence"]
    html = render_to_string("reports/_survey_uncertainty_print.html", {"surveys": surveys})
    assert "Good or excellent job: Up 27 points since the previous period" in html
    assert "good or excellent job 57–75%" in html


def test_it_gives_no_interval_or_change_for_a_suppressed_month(world):
    surveys = _october(world, september_good=61, october_good=5, total=9)
    assert surveys["suppressed"] and surveys["confidence_interval"] is None and surveys["changes"] == {}


def test_it_puts_the_intervals_in_the_return_s_csv(world):
    surveys = _october(world, september_good=61, october_good=67)
    rows = _csv_rows({"surveys": surveys})
    by_key = {row[2]: row for row in rows if row[0] == "surveys"}
    assert by_key["confidence_interval_lower"][3:5] == [
        "Police doing a good or excellent job: 95% confidence interval, lower end",
        "percent",
    ]
    assert (by_key["confidence_interval_lower"][5], by_key["confidence_interval_upper"][5]) == (57.3, 75.4)
    assert "safe_day_interval_lower" not in by_key  # nobody was asked
