"""Counting a closed vote: the raw result, and the same weighted to the census profile of the
neighbourhood's wards.

Raw: one member, one ballot. Approving, an option's score is the ballots that approved it; ranking,
a first choice earns 3 points, a second 2 and a third 1 (a Borda count over three places), and
first preferences are shown beside the points. The winners are the (up to) three options with
most support, ties at the edge included; the officer agrees from among them.

Weighted: those who vote are rarely a mirror of the area (older residents vote more than young
ones), so each ballot is also given a weight by raking (surveys/weighting.py): the weighted voters
match the census (16 and over) of their wards on age band and on ethnic group, and on sex where
every ward has the census's sex table. A ballot counts only if it says all of these and comes from
a ward with census figures; the page says how many were left out. Voters per group are published
with groups under 10 suppressed (surveys/disclosure.py), as on every other page.
"""

from collections import defaultdict

from django.utils.translation import gettext as _

from priorities.voting.models import MAX_CHOICES, Ballot, BallotChoice, VoteMethod
from surveys import disclosure, statistics
from surveys.weighting import (
    DIMENSION_LABELS,
    FIELDS,
    GROUPS,
    census_dimensions,
    census_group,
    census_population,
    census_target,
    rake,
)


def points(method: str, rank: int | None) -> int:
    return MAX_CHOICES + 1 - rank if method == VoteMethod.RANK else 1


def winners(scores: dict[int, int]) -> set[int]:
    """The options with the most support, up to MAX_CHOICES of them and any tied with the last;
    an option nobody chose never wins."""
    ranked = sorted((s for s in scores.values() if s > 0), reverse=True)
    if not ranked:
        return set()
    cut = ranked[min(MAX_CHOICES, len(ranked)) - 1]
    return {option for option, score in scores.items() if score >= cut and score > 0}


def count(*, vote) -> dict:
    """Everything the result page shows, from two queries (the ballots, their choices):
    {"voters", "options": {option id: {"score", "first", "weighted"}}, "winners", "weighting"}."""
    ballots = {
        row["pk"]: row
        for row in Ballot.objects.filter(vote=vote).values("pk", "ward_id", "age_band", "sex", "ethnic_group")
    }
    choices = list(BallotChoice.objects.filter(ballot__vote=vote).values_list("ballot_id", "option_id", "rank"))
    option_ids = list(vote.options.values_list("pk", flat=True))
    scores, firsts = dict.fromkeys(option_ids, 0), dict.fromkeys(option_ids, 0)
    for _ballot, option, rank in choices:
        scores[option] += points(vote.method, rank)
        firsts[option] += 1 if rank in (None, 1) else 0
    weighting, weights = weigh(ballots=list(ballots.values()))
    weighted = {}
    if weights:
        for option in option_ids:
            total = sum(weights[b] * points(vote.method, r) for b, o, r in choices if o == option and b in weights)
            # Approving: the weighted share who approved it; ranking: weighted points per 100 voters.
            weighted[option] = round(100 * total / sum(weights.values()), 1)
    return {
        "voters": len(ballots),
        "options": {o: {"score": scores[o], "first": firsts[o], "weighted": weighted.get(o)} for o in option_ids},
        "winners": winners(scores),
        "weighting": weighting,
    }


def weigh(*, ballots: list[dict]) -> tuple[dict, dict[int, float]]:
    """(the weighting as published, {ballot id: weight} for the ballots that could be weighted;
    empty when the weighting is not possible). One query: the wards' census figures."""
    ward_ids = sorted({b["ward_id"] for b in ballots})
    population, sources, synthetic = census_population(ward_ids)
    dimensions, wards = census_dimensions(population, ward_ids)
    targets = [census_target({w: population[d][w] for w in wards}) for d in dimensions]
    cell_of = {}
    for ballot in ballots:
        cell = tuple(census_group(d, ballot[FIELDS[d]]) for d in dimensions)
        if ballot["ward_id"] in wards and all(g is not None and g in targets[i] for i, g in enumerate(cell)):
            cell_of[ballot["pk"]] = cell
    cells = defaultdict(int)
    for cell in cell_of.values():
        cells[cell] += 1
    present = [{cell[i] for cell in cells} for i in range(len(dimensions))]
    missing = [str(dict(GROUPS[d])[g]) for i, d in enumerate(dimensions) for g in targets[i] if g not in present[i]]
    targets = [{g: t for g, t in target.items() if g in present[i]} for i, target in enumerate(targets)]
    published = {
        "dimensions": [str(DIMENSION_LABELS[d]) for d in dimensions],
        "groups": _groups(ballots, dimensions, targets),
        "weighted": len(cell_of),
        "left_out": len(ballots) - len(cell_of),
        "missing": missing,
        "sources": sorted(sources),
        "synthetic": synthetic,
        "problem": "",
    }
    if not wards:
        published["problem"] = _("None of the voters' wards has census figures yet.")
    elif not cell_of or disclosure.is_small(len(cell_of)):
        published["problem"] = _(
            "Fewer than 10 voters said their age band and ethnic group and live in a ward with census figures."
        )
    if published["problem"]:
        return published, {}
    raked = rake(cells=dict(cells), targets=targets)
    weights = {pk: raked.weights[cell] for pk, cell in cell_of.items()}
    effective = statistics.effective_sample_size(weights.values())
    published.update(effective_n=round(effective, 1) if effective else None, converged=raked.converged)
    return published, weights


def _groups(ballots, dimensions, targets) -> list[dict]:
    """Per dimension, each census group's share of the population and its number of voters, plus
    the voters who did not say (so each row adds up to all voters); small groups suppressed."""
    published = []
    for i, dimension in enumerate(dimensions):
        groups = [(g, str(label)) for g, label in GROUPS[dimension]]
        counts = defaultdict(int)
        for ballot in ballots:
            counts[census_group(dimension, ballot[FIELDS[dimension]])] += 1
        row = [counts.get(g, 0) for g, _label in groups] + [counts.get(None, 0)]
        hidden = disclosure.suppress_row(row)
        total = sum(targets[i].values()) if i < len(targets) else 0
        entries = [
            {
                "label": label,
                "population": round(100 * targets[i].get(g, 0) / total, 1) if total else None,
                "voters": None if h else n,
            }
            for (g, label), n, h in zip(groups, row, hidden, strict=False)
        ]
        entries.append({"label": _("Not said"), "population": None, "voters": None if hidden[-1] else row[-1]})
        published.append({"dimension": str(DIMENSION_LABELS[dimension]), "groups": entries})
    return published
