"""The count and its weighting, against a hand-worked example."""

import pytest

from priorities.voting import results, services
from surveys.models import WardPopulation
from tests.priorities.voting.factories import cast, members, open_vote

pytestmark = pytest.mark.django_db


def _census(ward):
    # Half the adults 16 to 24 and half 65 to 74, all White British: a census simple enough to
    # weight by hand.
    for category, group, count in (
        ("age_band", "16-24", 500),
        ("age_band", "65-74", 500),
        ("ethnic_group", "white_british", 1000),
    ):
        WardPopulation.objects.create(ward=ward, category=category, group=group, count=count, source="Test census")


def _hand_worked(world, *, unsaid: int = 0):
    """10 young voters approve the first option, 30 old ones the second; `unsaid` more (aged 25 to
    34, no ethnic group given) approve the first."""
    ward = world.daneshouse.wards.get()
    _census(ward)
    young = members(world, 10, prefix="young", age_band="16-24", ethnic_group="white_british")
    old = members(world, 30, prefix="old", age_band="65-74", ethnic_group="white_british")
    unsure = members(world, unsaid, prefix="unsaid")
    vote = open_vote(world, priorities=None)
    first, second, _third = vote.options.all()
    for voter in young + unsure:
        cast(vote, voter, [first], age_band="25-34" if voter in unsure else "")
    for voter in old:
        cast(vote, voter, [second])
    return services.vote_close(vote=vote, actor=world.sergeant), first, second


def test_it_weights_the_hand_worked_example(world):
    # Young voters are a quarter of the 40 but half the census: each counts 2, each old one 2/3.
    # Weighted, each option has 10 × 2 = 30 × 2/3 = 20 of 40: 50% each, against 25% and 75% raw.
    vote, first, second = _hand_worked(world)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.score, second.score) == (10, 30)
    assert (first.weighted_score, second.weighted_score) == (50.0, 50.0)
    # Kish: (Σw)² / Σw² = 40² / (10 × 4 + 30 × 4/9) = 30.
    assert vote.weighting["effective_n"] == 30.0 and vote.weighting["dimensions"] == ["Age band", "Ethnic group"]
    assert vote.weighting["weighted"] == 40 and vote.weighting["left_out"] == 0 and not vote.weighting["problem"]


def test_it_suppresses_groups_under_ten_and_leaves_out_who_did_not_say(world):
    vote, first, _second = _hand_worked(world, unsaid=5)
    ages = {g["label"]: g["voters"] for g in vote.weighting["groups"][0]["groups"]}
    # 5 aged 25 to 34 are hidden, and so the next smallest (16 to 24), or the total would give them away.
    assert ages["25 to 34"] is None and ages["16 to 24"] is None and ages["65 to 74"] == 30
    assert vote.weighting["left_out"] == 5 and vote.weighting["weighted"] == 40
    first.refresh_from_db()
    assert first.score == 15 and first.weighted_score == 50.0


def test_it_gives_no_weighted_figures_for_fewer_than_ten(world):
    _census(world.daneshouse.wards.get())
    voters = members(world, 9, age_band="16-24", ethnic_group="white_british")
    vote = open_vote(world)
    for voter in voters:
        cast(vote, voter, [vote.options.first()])
    vote = services.vote_close(vote=vote, actor=world.sergeant)
    assert "Fewer than 10" in vote.weighting["problem"]
    assert vote.options.first().weighted_score is None and vote.options.first().score == 9


def test_it_picks_up_to_three_winners_with_ties_at_the_edge():
    assert results.winners({1: 5, 2: 4, 3: 3, 4: 1}) == {1, 2, 3}
    assert results.winners({1: 5, 2: 3, 3: 3, 4: 3}) == {1, 2, 3, 4}
    assert results.winners({1: 2, 2: 0}) == {1}
