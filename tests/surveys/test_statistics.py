"""The survey statistics against published worked examples and hand-worked ones."""

import pytest

from surveys import statistics


@pytest.mark.parametrize(
    ("favourable", "base", "low", "high"),
    [
        # Newcombe RG (1998). Two-sided confidence intervals for the single proportion: comparison of
        # seven methods. Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score, no
        # continuity correction): 81/263 -> 0.2553 to 0.3662; 15/148 -> 0.0624 to 0.1605;
        # 0/20 -> 0 to 0.1611. Brown, Cai and DasGupta (2001, Statistical Science 16:101-133)
        # recommend the same interval.
        (81, 263, 25.5, 36.6),
        (15, 148, 6.2, 16.0),
        (0, 20, 0.0, 16.1),
    ],
)
def test_it_gives_the_wilson_interval_of_the_published_examples(favourable, base, low, high):
    interval = statistics.wilson_interval(favourable=favourable, base=base)
    assert (interval.low, interval.high) == (low, high)


def test_it_gives_no_interval_without_a_base():
    assert statistics.wilson_interval(favourable=0, base=0) is None


def test_it_reproduces_the_two_proportion_z_test_worked_by_hand():
    # Newcombe (1998b, Statistics in Medicine 17:873-890), example (a): 56/70 against 48/80.
    # By hand: pooled p = 104/150 = 0.69333; SE = sqrt(0.69333 x 0.30667 x (1/70 + 1/80)) = 0.075468;
    # z = (0.8 - 0.6) / 0.075468 = 2.6502; two-sided p = 2 x (1 - Phi(2.6502)) = 0.00805.
    difference = statistics.compare(first=(56, 70), second=(48, 80))
    assert difference.p_value == pytest.approx(0.00805, abs=1e-5)
    assert difference.points == -20.0
    assert difference.significant


def test_it_calls_a_small_difference_chance():
    # 61% of 100 against 67% of 100: pooled 0.64, SE = sqrt(0.64 x 0.36 x 0.02) = 0.06788,
    # z = 0.06 / 0.06788 = 0.884, p = 0.377.
    difference = statistics.compare(first=(61, 100), second=(67, 100))
    assert difference.p_value == pytest.approx(0.377, abs=1e-3)
    assert not difference.significant
    assert statistics.change_text(difference, since="since the last wave") == (
        "Up 6 points since the last wave (from 61% to 67%). This could be chance: the difference is within "
        "what sampling alone would produce."
    )


def test_it_calls_a_large_difference_real_with_its_p_value():
    difference = statistics.compare(first=(610, 1000), second=(670, 1000))  # z = 2.80, p = 0.005
    assert difference.significant
    assert statistics.change_text(difference, since="since the last wave") == (
        "Up 6 points since the last wave (from 61% to 67%). This is a real change: too large to be "
        "explained by sampling alone (p = 0.005)."
    )


def test_it_words_a_gap_from_the_side_that_is_more_favourable():
    difference = statistics.compare(first=(140, 200), second=(62, 100))
    text = statistics.gap_text(difference, first_label="White respondents", second_label="BME respondents")
    assert text.startswith("White respondents 8 points more favourable than BME respondents (70% against 62%).")
    assert "could be chance" in text


def test_it_finds_no_difference_where_everyone_agrees():
    difference = statistics.compare(first=(20, 20), second=(30, 30))
    assert difference.p_value == 1.0
    assert not difference.significant


def test_it_computes_kish_effective_sample_size_and_design_effect():
    # Four respondents weighted 1, 1, 2, 4: (sum w)^2 / sum w^2 = 64 / 22 = 2.909; deff = 4 / 2.909 = 1.375.
    weights = [1, 1, 2, 4]
    assert statistics.effective_sample_size(weights) == pytest.approx(2.909, abs=1e-3)
    assert statistics.design_effect(weights) == pytest.approx(1.375)
    assert statistics.design_effect([3, 3, 3]) == pytest.approx(1.0)


def test_it_words_the_points_as_the_rounded_shares_read():
    # 42.4% to 60.6% is 18.2 points unrounded, but reads "from 42% to 61%": say 19.
    difference = statistics.compare(first=(424, 1000), second=(606, 1000))
    assert statistics.change_text(difference, since="since the last wave").startswith(
        "Up 19 points since the last wave (from 42% to 61%)."
    )


def test_it_starts_a_gap_sentence_with_a_capital():
    difference = statistics.compare(first=(50, 200), second=(58, 200))
    text = statistics.gap_text(
        difference, first_label="White respondents", second_label="black and minority ethnic respondents"
    )
    assert text.startswith("Black and minority ethnic respondents 4 points more favourable than White respondents")


# ---------------------------------------------------------------- a gap between two groups, over time


def test_a_gap_that_narrowed_from_20_to_4_points_on_samples_of_100_could_be_chance():
    # By hand: variance .8×.2/100 + .6×.4/100 + .8×.2/100 + .76×.24/100 = .007424, standard error
    # .08616; z = (.04 − .20) / .08616 = −1.857, two-sided p = 2 × (1 − Φ(1.857)) = 0.0633.
    change = statistics.compare_gaps(earlier=((80, 100), (60, 100)), later=((80, 100), (76, 100)))
    assert (round(change.earlier, 1), round(change.later, 1)) == (20.0, 4.0)
    assert change.p_value == pytest.approx(0.0633, abs=0.0001)
    assert not change.significant
    text = statistics.gap_change_text(change, since="since the previous quarter")
    assert text.startswith("The gap narrowed by 16 points since the previous quarter (from 20 to 4 points).")
    assert "could be chance" in text


def test_a_gap_that_narrowed_from_30_to_2_points_is_a_real_change():
    # variance .0016 + .0025 + .0016 + .001716 = .007416; z = .28 / .08612 = 3.251, p = 0.00115.
    change = statistics.compare_gaps(earlier=((80, 100), (50, 100)), later=((80, 100), (78, 100)))
    assert change.p_value == pytest.approx(0.00115, abs=0.00002)
    assert "real change" in statistics.gap_change_text(change, since="since a year ago")


def test_a_gap_that_changed_sides_or_widened_says_so_and_none_without_a_base():
    flipped = statistics.compare_gaps(earlier=((60, 100), (50, 100)), later=((50, 100), (60, 100)))
    assert "changed sides" in statistics.gap_change_text(flipped, since="since a year ago")
    assert "(from +10 to -10 points)" in statistics.gap_change_text(flipped, since="since a year ago")
    wider = statistics.compare_gaps(earlier=((55, 100), (50, 100)), later=((70, 100), (50, 100)))
    assert "widened by 15 points" in statistics.gap_change_text(wider, since="since a year ago")
    assert statistics.compare_gaps(earlier=((5, 10), (0, 0)), later=((5, 10), (5, 10))) is None
    everyone = statistics.compare_gaps(earlier=((10, 10), (0, 10)), later=((10, 10), (0, 10)))
    assert everyone.p_value == 1.0
