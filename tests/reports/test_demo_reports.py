"""The demo force's returns, seeded once for the module at a fixed moment (the 3rd of December,
so November's draft is current and not yet late) on two East Division districts."""

import shutil
from datetime import UTC, date, datetime

import pytest
import time_machine

from neighbourhoods.demo import DATA_DIR, demo_force_seed
from neighbourhoods.models import Force, Ward
from reports.demo import demo_returns_seed
from reports.document.build import figures_fingerprint
from reports.models import HighlightReturn
from reports.selectors import return_figures
from reports.services import MEMBERSHIP_MONTHS_KEPT
from tests.support import module_data

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
BURNLEY, RIBBLE_VALLEY = "E07000117", "E07000124"
MONTHS = [date(2026, 11, 1), date(2026, 10, 1), date(2026, 9, 1), date(2026, 8, 1)]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("wards")
    for name in [f"{BURNLEY}.json", f"{RIBBLE_VALLEY}.json", "districts.csv"]:
        shutil.copy(DATA_DIR / name, data_dir / name)
    with module_data(django_db_blocker), time_machine.travel(NOW, tick=False):
        demo_force_seed(data_dir=data_dir)
        yield demo_returns_seed(force=Force.objects.get())


def returns(code):
    return {r.period_start: r for r in HighlightReturn.objects.filter(division__code=code, period_kind="month")}


def test_it_gives_every_division_four_months_the_latest_a_draft(seeded):
    assert seeded.returns == 12 and seeded.submitted == 9
    # Membership recorded for every ward over the two years and a month a return reads.
    assert seeded.ward_months == Ward.objects.count() * MEMBERSHIP_MONTHS_KEPT > 0
    for code in ("east", "south", "west"):
        by_month = returns(code)
        assert sorted(by_month, reverse=True) == MONTHS
        assert [by_month[month].status for month in MONTHS] == ["draft", "submitted", "submitted", "submitted"]


def test_it_has_the_featured_division_writing_its_current_draft(seeded):
    with time_machine.travel(NOW, tick=False):
        draft = returns("east")[MONTHS[0]]
        assert draft.due_date == date(2026, 12, 9) and not draft.is_late
    assert draft.engagement_highlights.startswith("SYNTHETIC: East Division's online PACT")
    assert returns("west")[MONTHS[0]].engagement_highlights == ""


def test_it_submits_on_the_sixth_with_the_real_snapshot_but_one_late(seeded):
    east = returns("east")[MONTHS[2]]
    assert east.submitted_at == datetime(2026, 10, 6, 10, 0, tzinfo=UTC) and not east.is_late  # 11:00 BST
    assert east.submitted_by.role == "chief_inspector" and east.submitted_by.division == east.division
    with time_machine.travel(NOW, tick=False):
        live = return_figures(division=east.division, period_kind="month", period_start=east.period_start,
                              period_end=east.period_end)  # fmt: skip
    assert east.snapshot["figures"] == live and east.snapshot_fingerprint == figures_fingerprint(live)
    assert len(east.snapshot["pinned"]) == 2
    late = returns("south")[MONTHS[1]]
    assert late.is_late and late.submitted_at.date() == date(2026, 11, 12) and late.marked_late_at is not None
    verbs = list(late.events.order_by("at", "pk").values_list("verb", flat=True))
    # South has no neighbourhoods in this slice of the demo, so no priorities to pin: one edit only.
    assert verbs == ["created", "reminded", "reminded", "marked_late", "edited", "submitted"]
    assert HighlightReturn.objects.filter(status="submitted", submitted_at__day=12).count() == 1


def test_it_changes_nothing_when_run_again(seeded):
    before = list(HighlightReturn.objects.order_by("pk").values_list("pk", "status", "submitted_at", "updated_at"))
    with time_machine.travel(NOW, tick=False):
        again = demo_returns_seed(force=Force.objects.get())
    assert (again.returns, again.submitted) == (12, 9)
    assert (
        list(HighlightReturn.objects.order_by("pk").values_list("pk", "status", "submitted_at", "updated_at")) == before
    )
