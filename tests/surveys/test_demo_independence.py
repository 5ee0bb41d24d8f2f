"""The demo's surveys come out the same whatever ran before them in the process: `make test` once
found 18 BME respondents instead of 27 because an earlier file on the same worker had changed
what the demo drew."""

import random
import shutil
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.roles import Role
from messaging.models import Interest, Subscriber
from neighbourhoods.demo import DATA_DIR, demo_force_seed
from surveys.models import Answer, Response, Survey, WardPopulation
from tests.factories import DivisionFactory, ForceFactory, NeighbourhoodFactory, UserFactory, WardFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
BURNLEY = "E07000117"


@pytest.fixture
def burnley(tmp_path):
    for name in [f"{BURNLEY}.json", "districts.csv"]:
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def _seeded_figures(data_dir) -> tuple:
    """Everything the surveys demo writes, named by codes and values, never by database ids."""
    with time_machine.travel(NOW, tick=False):
        demo_force_seed(data_dir=data_dir)
    return (
        list(Survey.objects.order_by("opens_at").values_list("title", "wave_label", "opens_at", "closes_at")),
        sorted(Response.objects.values_list("survey__title", "ward__code", "age_band", "ethnic_group", "submitted_at")),
        sorted(
            Answer.objects.values_list("question__bank_key", "option__value", "number", "text")
            .annotate(n=Count("pk"))
            .order_by()
        ),
        sorted(WardPopulation.objects.values_list("ward__code", "category", "group", "count")),
    )


def _disturb():
    """What other tests leave behind in the same process: the global random generator moved on,
    id sequences moved on by rows of another force, and the rows data migrations made gone (a
    transactional test's flush empties every table)."""
    random.seed()
    random.random()
    force = ForceFactory(slug="cumbria", name="Cumbria Constabulary")
    neighbourhood = NeighbourhoodFactory(division=DivisionFactory(force=force, code="north"), code="keswick")
    ward = WardFactory(neighbourhood=neighbourhood, code="E05009999", name="Keswick", west=-3.1, south=54.6)
    for _ in range(7):
        UserFactory(role=Role.PCSO, force=force)
        Subscriber.objects.create(ward=ward, consent_at=timezone.now())
    Interest.objects.all().delete()


def test_it_seeds_the_same_surveys_whatever_ran_before(burnley):
    savepoint = transaction.savepoint()
    undisturbed = _seeded_figures(burnley)
    transaction.savepoint_rollback(savepoint)
    _disturb()
    disturbed = _seeded_figures(burnley)
    assert len(undisturbed[1]) > 40 and disturbed == undisturbed
