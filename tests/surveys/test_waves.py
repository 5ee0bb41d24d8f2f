"""A wave's name agrees with the day it opens."""

from datetime import date

import pytest

from surveys.waves import season_label, wave_label_problem


@pytest.mark.parametrize(
    "opens, label",
    [(date(2025, 12, 3), "Winter 2025/26"), (date(2026, 2, 28), "Winter 2025/26"), (date(2026, 3, 1), "Spring 2026"),
     (date(2025, 8, 31), "Summer 2025"), (date(2026, 11, 30), "Autumn 2026"), (date(2099, 12, 1), "Winter 2099/00")],
)  # fmt: skip
def test_it_names_a_wave_from_the_season_it_opens_in(opens, label):
    assert season_label(opens) == label


@pytest.mark.parametrize(
    "label, opens",
    [("Summer 2025", date(2025, 12, 3)), ("Spring 2026", date(2025, 3, 10)), ("Fall 2026", date(2026, 7, 1)),
     ("Winter 2027", date(2025, 12, 3)), ("Wave 3, 2024", date(2026, 5, 1))],
)  # fmt: skip
def test_it_finds_a_name_that_contradicts_the_opening_date(label, opens):
    problem = wave_label_problem(label, opens)
    assert problem and f"“{label}” does not match the opening date" in problem and season_label(opens) in problem


@pytest.mark.parametrize(
    "label, opens",
    [("Winter 2025/26", date(2025, 12, 3)), ("winter 2026", date(2025, 12, 3)), ("Winter 2025", date(2026, 1, 9)),
     ("Autumn 2026", date(2026, 9, 1)), ("Fall 2026", date(2026, 10, 1)), ("Wave 3", date(2026, 5, 1)),
     ("Residents' panel 2026", date(2026, 5, 1)), ("", date(2026, 5, 1))],
)  # fmt: skip
def test_it_accepts_a_name_that_fits_the_opening_date(label, opens):
    assert wave_label_problem(label, opens) is None
