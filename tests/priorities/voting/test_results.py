"""The count and its weighting, against a hand-worked example."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from priorities.voting import results, services
from surveys.models import PopulationCategory, WardPopulation
from surveys.weighting import GROUPS
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
    assert vote.weighting["effective_n"] == 30.0 and vote.weighting["dimensions"] == ["age_band", "ethnic_group"]
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


def _young_only(world):
    """10 young voters in a census of young and old: the old are a group nobody from voted."""
    _census(world.daneshouse.wards.get())
    voters = members(world, 10, prefix="young", age_band="16-24", ethnic_group="white_british")
    vote = open_vote(world)
    for voter in voters:
        cast(vote, voter, [vote.options.first()])
    return services.vote_close(vote=vote, actor=world.sergeant)


def test_it_publishes_group_keys_beside_their_english_names(world):
    vote = _young_only(world)
    ages = vote.weighting["groups"][0]
    assert (ages["dimension"], ages["label"]) == ("age_band", "Age band")
    assert ages["groups"][0] == {"group": "16-24", "label": "16 to 24", "population": 100.0, "voters": 10}
    assert ages["groups"][-1]["group"] == "not_said" and ages["groups"][-1]["population"] is None
    assert vote.weighting["missing"] == [{"dimension": "age_band", "group": "65-74", "label": "65 to 74"}]


def test_the_polish_result_page_names_the_groups_in_polish(client, world):
    vote = _young_only(world)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pl"
    # The request leaves its language active in the thread: restore it for the tests after this one.
    with translation.override(translation.get_language()):
        page = client.get(reverse("priorities:vote-result", args=[vote.reference])).content.decode()
    with translation.override("pl"):
        polish = [translation.gettext(text) for text in ("65 to 74", "16 to 24", "Not said", "Ethnic group")]
    assert all(text in page for text in polish), polish
    # Nowhere in English: not in the table, nor among the groups nobody voted from, nor the dimensions.
    assert "65 to 74" not in page and "16 to 24" not in page and "Not said" not in page
    assert "Ethnic group" not in page


def test_it_translates_a_weighting_published_before_keys_from_its_english_names():
    legacy = {
        "dimensions": ["Age band", "Ethnic group"],
        "groups": [{"dimension": "Age band", "groups": [{"label": "16 to 24", "population": 50.0, "voters": 10}]}],
        "missing": ["65 to 74"],
    }
    with translation.override("pl"):
        shown = results.weighting_for_reader(legacy)
        assert shown["groups"][0]["groups"][0]["label"] == translation.gettext("16 to 24") != "16 to 24"
        assert shown["missing_labels"] == [translation.gettext("65 to 74")]
        assert shown["dimension_labels"][1] == translation.gettext("Ethnic group") != "Ethnic group"


def test_every_census_group_has_a_name_for_readers():
    for dimension, groups in GROUPS.items():
        for group, _english in groups:
            label = results.group_label(dimension, group)
            assert str(label) and label is not group, (dimension, group)
    assert set(results.BROAD_ETHNIC_LABELS) == {g for g, _label in GROUPS[PopulationCategory.ETHNIC_GROUP]}
