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

The published weighting names its dimensions and groups by key (with the English label beside it,
for the API), and the pages show each in the reader's language (`weighting_for_reader`).
"""

from collections import defaultdict

from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from priorities.voting.models import MAX_CHOICES, Ballot, BallotChoice, VoteMethod
from surveys import disclosure, statistics
from surveys.models import PopulationCategory
from surveys.weighting import (
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
    missing = [
        {"dimension": d, "group": g, "label": str(group_label(d, g))}
        for i, d in enumerate(dimensions)
        for g in targets[i]
        if g not in present[i]
    ]
    targets = [{g: t for g, t in target.items() if g in present[i]} for i, target in enumerate(targets)]
    published = {
        "dimensions": list(dimensions),
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
        groups = [g for g, _label in GROUPS[dimension]]
        counts = defaultdict(int)
        for ballot in ballots:
            counts[census_group(dimension, ballot[FIELDS[dimension]])] += 1
        row = [counts.get(g, 0) for g in groups] + [counts.get(None, 0)]
        hidden = disclosure.suppress_row(row)
        total = sum(targets[i].values()) if i < len(targets) else 0
        entries = [
            {
                "group": g,
                "label": str(group_label(dimension, g)),
                "population": round(100 * targets[i].get(g, 0) / total, 1) if total else None,
                "voters": None if h else n,
            }
            for g, n, h in zip([*groups, NOT_SAID], row, hidden, strict=True)
        ]
        entries[-1]["population"] = None
        published.append({"dimension": dimension, "label": str(DIMENSION_NAMES[dimension]), "groups": entries})
    return published


# --- the groups' names, in the reader's language ----------------------------------------------

NOT_SAID = "not_said"
# As surveys/weighting.py names them (a staff file), marked here for the public result page.
DIMENSION_NAMES = {
    PopulationCategory.AGE_BAND: gettext_lazy("Age band"),
    PopulationCategory.ETHNIC_GROUP: gettext_lazy("Ethnic group"),
    PopulationCategory.SEX: gettext_lazy("Sex"),
}
# The broad ethnic groups the census is weighted on (surveys/selectors_representation.py); their
# names there are staff English, so the public result names them here.
BROAD_ETHNIC_LABELS = {
    "white_british": pgettext_lazy("ethnic group", "White British"),
    "white_other": pgettext_lazy("ethnic group", "White other"),
    "asian": pgettext_lazy("ethnic group", "Asian"),
    "black": pgettext_lazy("ethnic group", "Black"),
    "mixed": pgettext_lazy("ethnic group", "Mixed"),
    "other": pgettext_lazy("ethnic group", "Other"),
}


def group_label(dimension: str, group: str):
    """A census group's name (lazy: it reads as the active language when shown)."""
    if group == NOT_SAID:
        return gettext_lazy("Not said")
    if dimension == PopulationCategory.ETHNIC_GROUP and group in BROAD_ETHNIC_LABELS:
        return BROAD_ETHNIC_LABELS[group]
    return dict(GROUPS[dimension]).get(group, group)


def _translated(english: str) -> str:
    # gettext("") would answer the catalogue's header.
    return gettext(english) if english else ""


def _dimension_name(dimension: str) -> str:
    """By key since keys are published; a vote counted before published English names only."""
    return str(DIMENSION_NAMES[dimension]) if dimension in DIMENSION_NAMES else _translated(dimension)


def _group_name(dimension: str, group: dict) -> str:
    if "group" in group and dimension in GROUPS:
        return str(group_label(dimension, group["group"]))
    return _translated(group.get("label", ""))


def weighting_for_reader(weighting: dict) -> dict:
    """The published weighting with every dimension and group named in the active language."""
    shown = dict(weighting)
    shown["dimension_labels"] = [_dimension_name(d) for d in weighting.get("dimensions", [])]
    shown["groups"] = [
        {
            "label": _dimension_name(row["dimension"]),
            "groups": [{**group, "label": _group_name(row["dimension"], group)} for group in row["groups"]],
        }
        for row in weighting.get("groups", [])
    ]
    shown["missing_labels"] = [
        str(group_label(m["dimension"], m["group"])) if isinstance(m, dict) else _translated(m)
        for m in weighting.get("missing", [])
    ]
    return shown
