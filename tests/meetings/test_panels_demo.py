"""The demo's PACT panels, seeded once for the module on two districts' real wards."""

import shutil
from datetime import UTC, datetime

import pytest
import time_machine

from meetings.models import Meeting, MeetingType
from meetings.panels.models import Panel, PanelMember, PanelOffice, PanelRole
from meetings.panels.selectors import panel_quorum_problem
from neighbourhoods.demo import DATA_DIR, demo_force_seed
from neighbourhoods.models import Neighbourhood
from priorities.selectors.dates import priority_date_problems
from tests.support import module_data

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DISTRICTS = ["E07000117", "E06000009"]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("wards")
    for name in [f"{code}.json" for code in DISTRICTS] + ["districts.csv"]:
        shutil.copy(DATA_DIR / name, data_dir / name)
    with module_data(django_db_blocker), time_machine.travel(NOW, tick=False):
        yield demo_force_seed(data_dir=data_dir)


def test_it_gives_every_neighbourhood_a_panel_with_a_mixed_register(seeded):
    assert Neighbourhood.objects.filter(panel_area__isnull=True).count() == 0
    for panel in Panel.objects.all():
        roles = set(panel.members.values_list("role", flat=True))
        assert roles == set(PanelRole), panel
        assert panel.members.filter(office=PanelOffice.CHAIR).count() == 1
        assert panel.members.filter(office=PanelOffice.VICE_CHAIR).count() == 1


def test_it_puts_a_resident_in_the_chair_of_some_panels(seeded):
    chairs = PanelMember.objects.filter(office=PanelOffice.CHAIR)
    assert chairs.filter(role=PanelRole.RESIDENT).exists()
    assert chairs.exclude(role=PanelRole.RESIDENT).exists()


def test_it_records_a_quorum_at_every_held_panel_meeting(seeded):
    held = Meeting.objects.held().filter(meeting_type=MeetingType.PANEL)
    assert held.exists()
    with time_machine.travel(NOW, tick=False):
        assert [m.pk for m in held if panel_quorum_problem(meeting=m)] == []


def test_it_leaves_no_priority_agreed_at_a_meeting_without_quorum(seeded):
    with time_machine.travel(NOW, tick=False):
        assert priority_date_problems() == []
