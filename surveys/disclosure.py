"""Disclosure control: no table, chart or export shows a group of fewer than MIN_GROUP respondents.

A group is a cell's base: the respondents in one ward, neighbourhood, division, demographic group
or wave who answered. A small group is suppressed (primary suppression): its figures become None,
which templates show as "fewer than 10 responses" and charts as a gap.

Hiding the small cell is not enough when its total is shown beside it: the total minus the other
cells gives it back. We keep the totals (they are what officers report) and apply secondary
suppression instead: in every row that adds up to a shown total, the smallest other non-empty
cells are hidden too, until at least two cells are hidden and together they hold at least
MIN_GROUP respondents, so neither the one cell nor the hidden pair can be worked out. Where cells
nest (wards in a neighbourhood, neighbourhoods in a division), a hidden parent hides all its
children, or adding them up would give the parent back.

Callers make every row a full partition of its total (an "area not known" or "not said" group
included), so that this reasoning holds.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from surveys import statistics

MIN_GROUP = 10
SUPPRESSED_TEXT = f"fewer than {MIN_GROUP} responses"


def is_small(n: int) -> bool:
    """An empty group discloses nothing; a group of 1 to MIN_GROUP - 1 does."""
    return 0 < n < MIN_GROUP


def _secondary(counts: Sequence[int], hidden: list[bool]) -> bool:
    """Hide the smallest other non-empty cells until the hidden ones cannot be recovered from the
    row's total; True if anything more was hidden."""
    changed = False
    while True:
        hidden_cells = [n for n, h in zip(counts, hidden, strict=True) if h and n > 0]
        if not hidden_cells or (len(hidden_cells) > 1 and sum(hidden_cells) >= MIN_GROUP):
            return changed
        candidates = [(n, i) for i, (n, h) in enumerate(zip(counts, hidden, strict=True)) if not h and n > 0]
        if not candidates:
            return changed
        hidden[min(candidates)[1]] = True
        changed = True


def suppress_row(counts: Sequence[int], *, hidden: Sequence[bool] | None = None) -> list[bool]:
    """Which cells of a row that adds up to a shown total must be hidden: small ones (primary), then
    the next smallest (secondary). `hidden` marks cells already hidden for another reason."""
    result = [is_small(n) or bool(hidden and hidden[i]) for i, n in enumerate(counts)]
    _secondary(counts, result)
    return result


def suppress_tree(counts: Mapping[Hashable, int], children: Mapping[Hashable, Sequence[Hashable]], root) -> set:
    """Hidden nodes of a hierarchy (force → divisions → neighbourhoods → wards), top down: each
    node's children are a row adding up to it, and a hidden node hides its whole subtree."""
    hidden = {root} if is_small(counts[root]) else set()
    queue = [root]
    while queue:
        parent = queue.pop()
        kids = list(children.get(parent, ()))
        if parent in hidden:
            hidden.update(kids)
        else:
            row = suppress_row([counts[k] for k in kids])
            hidden.update(k for k, h in zip(kids, row, strict=True) if h)
        queue.extend(kids)
    return hidden


def suppress_table(
    counts: Sequence[Sequence[int]], *, hidden_rows: Sequence[bool] = (), hidden_columns: Sequence[bool] = ()
) -> list[list[bool]]:
    """A two-way table whose row and column totals are both shown: every row and every column is
    a row in the sense above, so suppression runs across both until nothing changes. A row or
    column whose total is hidden (`hidden_rows`, `hidden_columns`) is hidden whole, or its cells
    would add up to that total."""
    rows = [list(r) for r in counts]
    hidden = [
        [is_small(n) or bool(hidden_rows and hidden_rows[i]) or bool(hidden_columns and hidden_columns[j])
         for j, n in enumerate(r)]
        for i, r in enumerate(rows)
    ]  # fmt: skip
    columns = len(rows[0]) if rows else 0
    changed = True
    while changed:
        changed = False
        for i, row in enumerate(rows):
            changed |= _secondary(row, hidden[i])
        for j in range(columns):
            column_hidden = [hidden[i][j] for i in range(len(rows))]
            if _secondary([r[j] for r in rows], column_hidden):
                changed = True
                for i, h in enumerate(column_hidden):
                    hidden[i][j] = h
    return hidden


@dataclass(frozen=True)
class Figure:
    """What may be shown of one cell: respondents in its base, how many gave the favourable answer,
    and that as a percentage. All None when suppressed; `empty` when nobody answered."""

    base: int | None
    favourable: int | None = None
    suppressed: bool = False

    @property
    def empty(self) -> bool:
        return not self.suppressed and not self.base

    @property
    def share(self) -> float | None:
        if self.suppressed or not self.base or self.favourable is None:
            return None
        return round(100 * self.favourable / self.base, 1)

    @property
    def interval(self) -> statistics.Interval | None:
        """The share's 95% confidence interval; None wherever the share is not shown."""
        if self.share is None:
            return None
        return statistics.wilson_interval(favourable=self.favourable, base=self.base)


def figure(base: int, favourable: int | None = None, *, hidden: bool = False) -> Figure:
    if hidden or is_small(base):
        return Figure(base=None, favourable=None, suppressed=True)
    return Figure(base=base, favourable=favourable)


def compare(first: Figure, second: Figure) -> statistics.Difference | None:
    """Whether two shown shares differ by more than sampling alone would explain; None unless
    both may be shown."""
    if first.share is None or second.share is None:
        return None
    return statistics.compare(first=(first.favourable, first.base), second=(second.favourable, second.base))


def gap(first: Figure, second: Figure) -> float | None:
    """Percentage points between two shares; None unless both may be shown."""
    if first.share is None or second.share is None:
        return None
    return round(first.share - second.share, 1)
