from surveys import disclosure
from surveys.disclosure import suppress_row, suppress_table, suppress_tree


def test_it_hides_small_groups_and_keeps_large_ones():
    assert suppress_row([12, 30, 25, 3]) == [True, False, False, True]


def test_it_hides_the_next_smallest_so_the_total_does_not_give_a_small_group_away():
    # Ward A 12, ward B 3, total 15 shown: B alone hidden would be 15 - 12.
    assert suppress_row([12, 3]) == [True, True]


def test_it_keeps_hiding_until_the_hidden_groups_hold_ten():
    # 2 + 3 = 5 would be the total minus the shown groups: one more goes.
    assert suppress_row([2, 3, 11, 40]) == [True, True, True, False]


def test_it_leaves_empty_groups_alone():
    assert suppress_row([0, 20, 15]) == [False, False, False]
    assert suppress_row([0, 4, 15]) == [False, True, True]


def test_it_hides_a_whole_subtree_under_a_hidden_parent():
    counts = {"force": 45, "east": 30, "west": 15, "dane": 18, "queen": 12, "fleet": 15}
    children = {"force": ["east", "west"], "east": ["dane", "queen"], "west": ["fleet"]}
    assert suppress_tree(counts, children, "force") == set()
    counts.update(west=4, fleet=4, force=34)
    # West is small; East goes with it; so Daneshouse and Queensgate cannot add up to East.
    assert suppress_tree(counts, children, "force") == {"west", "fleet", "east", "dane", "queen"}


def test_it_protects_a_table_both_ways():
    # Rows: divisions; columns: White, BME. The BME column total is shown, so hiding 4 alone in
    # the first row is undone by the column: 30 - 26 = 4.
    hidden = suppress_table([[50, 4], [60, 26]])
    assert hidden[0][1] and hidden[0][0]
    assert hidden[1][1]


def test_it_shows_no_share_for_a_suppressed_figure():
    assert disclosure.figure(9, 5).share is None
    assert disclosure.figure(10, 5).share == 50.0
    assert disclosure.gap(disclosure.figure(20, 15), disclosure.figure(10, 5)) == 25.0
    assert disclosure.gap(disclosure.figure(20, 15), disclosure.figure(9, 5)) is None
