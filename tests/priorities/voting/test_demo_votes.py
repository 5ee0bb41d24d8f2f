"""The demo's votes, seeded with the force on Burnley's real wards at a fixed moment."""

import shutil
from datetime import UTC, date, datetime

import pytest
import time_machine

from neighbourhoods.demo import DATA_DIR, demo_force_seed
from neighbourhoods.models import Force, Ward
from priorities.models import PriorityState, SignOff, Vote
from priorities.selectors.dates import priority_date_problems
from priorities.voting.demo import demo_votes_seed
from tests.support import module_data

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("wards")
    for name in ["E07000117.json", "districts.csv"]:
        shutil.copy(DATA_DIR / name, data_dir / name)
    with module_data(django_db_blocker), time_machine.travel(NOW, tick=False):
        yield demo_force_seed(data_dir=data_dir)


def test_it_has_two_closed_votes_and_one_open_in_the_featured_ward(seeded):
    featured = Ward.objects.get(code="E05005155").neighbourhood
    votes = list(Vote.objects.filter(neighbourhood=featured))
    published = [v for v in votes if v.is_published]
    assert len(votes) == 3 and len(published) == 2 and all(v.voters and v.electorate for v in published)
    (still_open,) = [v for v in votes if not v.is_published]
    assert still_open.ballots.exists()
    with time_machine.travel(NOW, tick=False):
        assert still_open.is_taking_ballots()


def test_it_records_the_polls_counts_on_the_sign_off_and_leaves_winners_to_agree(seeded):
    poll = Vote.objects.published().get(purpose="sign_off")
    sign_off = SignOff.objects.get(poll=poll)
    answers = {o.answer: o.score for o in poll.options.all()}
    assert (sign_off.votes_for, sign_off.votes_partly, sign_off.votes_against) == (
        answers["yes"],
        answers["partly"],
        answers["no"],
    )
    assert sign_off.priority.state == PriorityState.SIGNED_OFF
    assert not [p for p in priority_date_problems() if p.priority_id == sign_off.priority_id]
    vote = Vote.objects.published().get(purpose="priorities")
    winners = [o.priority for o in vote.options.select_related("priority") if o.is_winner]
    assert winners and all(p.state == PriorityState.PROPOSED for p in winners)


def test_it_weights_the_demo_results_to_the_synthetic_census(seeded):
    first = Vote.objects.published().order_by("opens_at").first()
    assert not first.weighting["problem"], (first.voters, first.weighting)
    assert first.weighting["synthetic"]


def test_it_leaves_a_seeded_neighbourhood_alone(seeded):
    with time_machine.travel(NOW, tick=False):
        assert demo_votes_seed(force=Force.objects.get(), today=date(2026, 11, 23)) == 0
