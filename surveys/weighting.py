"""Weighting a survey's respondents to the census population of its area, by raking.

Surveys hear more from some people than others (older, White British residents answer more than
young or minority ethnic ones), so an unweighted share leans towards their views. Raking (iterative
proportional fitting) gives each respondent a weight so that the weighted respondents match the
census on each characteristic in turn: age band, then ethnic group, then age band again, and so on
until both match. Someone from a group the survey under-heard counts for more than one.

The target is the census population (16 and over) of the wards the survey's respondents live in
(surveys/census.py imports it), on age band and ethnic group, and on sex too where every ward has
the census's sex table. Only respondents who gave each of these, in a ward with census figures,
can be weighted; the page says how many were left out. A census group
with no respondents at all cannot be made up by weighting: it is dropped from the target and named.

The price of weighting is precision: unequal weights make a share less certain than the same
number of unweighted answers would. The effective sample size (Kish) says how many unweighted
respondents the weighted figure is worth, and the interval and tests use it. Groups of fewer than
MIN_GROUP respondents stay suppressed (surveys/disclosure.py).

The raking itself is the short loop below (no well-kept library does only this without a data-frame
stack): tests/surveys/test_weighting.py checks it against a hand-worked example.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from surveys import disclosure, statistics
from surveys.models import BankKey, PopulationCategory, Question, Response, Sex, WardPopulation
from surveys.representation.selectors import CATEGORY_GROUPS, group_of
from surveys.results.selectors import (
    AGE_BANDS,
    BROAD_ETHNIC,
    HEADLINE_LABELS,
    HEADLINES,
    NOT_SAID,
    RESPONDENTS,
    age_group,
    broad_ethnic_group,
    measure_rows,
)

REQUIRED = [PopulationCategory.AGE_BAND, PopulationCategory.ETHNIC_GROUP]
GROUPS = {
    **CATEGORY_GROUPS,
    PopulationCategory.SEX: [(Sex.FEMALE.value, Sex.FEMALE.label), (Sex.MALE.value, Sex.MALE.label)],
}
FIELDS = {PopulationCategory.AGE_BAND: "age_band", PopulationCategory.ETHNIC_GROUP: "ethnic_group",
          PopulationCategory.SEX: "sex"}  # fmt: skip
DIMENSION_LABELS = {
    PopulationCategory.AGE_BAND: _("Age band"),
    PopulationCategory.ETHNIC_GROUP: _("Ethnic group"),
    PopulationCategory.SEX: _("Sex"),
}
MAX_ITERATIONS = 100
TOLERANCE = 1e-9


@dataclass
class Raked:
    weights: dict[tuple, float]  # per respondent in each cell
    iterations: int
    converged: bool


def rake(*, cells: dict[tuple, float], targets: list[dict[str, float]]) -> Raked:
    """Weights per respondent of each cell (a tuple of one group per dimension) such that the
    weighted respondents add up to each dimension's targets. Targets are shares in any scale; they
    are rescaled to the number of respondents, so the mean weight is 1. Every group of a cell must
    have a positive target, and every target group a respondent (the caller drops the others)."""
    total = sum(cells.values())
    scaled = [{g: total * t / sum(target.values()) for g, t in target.items()} for target in targets]
    weights = dict.fromkeys(cells, 1.0)
    for iteration in range(1, MAX_ITERATIONS + 1):
        for d, target in enumerate(scaled):
            sums = _margin(cells, weights, d)
            for cell in weights:
                weights[cell] *= target[cell[d]] / sums[cell[d]]
        worst = max(
            abs(_margin(cells, weights, d)[g] - t) for d, target in enumerate(scaled) for g, t in target.items()
        )
        if worst <= TOLERANCE * total:
            return Raked(weights=weights, iterations=iteration, converged=True)
    return Raked(weights=weights, iterations=MAX_ITERATIONS, converged=False)


def _margin(cells, weights, d) -> dict[str, float]:
    sums: dict[str, float] = defaultdict(float)
    for cell, n in cells.items():
        sums[cell[d]] += n * weights[cell]
    return sums


# --- a survey weighted ------------------------------------------------------------------------


@dataclass
class GroupShare:
    label: str
    population: float  # percent of the target population
    respondents: float | None  # percent of the weighted respondents before weighting; None: suppressed


@dataclass
class WeightedMeasure:
    key: str
    label: str
    unweighted: disclosure.Figure  # every respondent who answered, as on the results page
    weighted: float | None = None  # percent; None when suppressed or not possible
    interval: statistics.Interval | None = None
    effective_n: float | None = None
    design_effect: float | None = None
    base: int = 0  # weighted respondents who answered


@dataclass
class WeightedCell:
    """One group's share of one measure, weighted, beside the unweighted figure of the results page."""

    unweighted: disclosure.Figure
    weighted: float | None = None  # percent; None when suppressed or nobody in it could be weighted
    interval: statistics.Interval | None = None
    effective_n: float | None = None
    favourable: float | None = None  # weighted, on the effective sample size: what a test compares

    @property
    def counts(self) -> tuple[float, float] | None:
        return None if self.weighted is None else (self.favourable, self.effective_n)


@dataclass
class WeightedRow:
    label: str
    cells: list[WeightedCell]


@dataclass
class WeightedTab:
    """The results page's cross-tab of one breakdown (division, age band, ethnic group, PACT
    involvement), weighted: each respondent carries the weight the whole survey's raking gave them."""

    title: str
    rows: list[WeightedRow]
    compared: tuple[str, str] | None = None
    differences: list[tuple[str, str]] = field(default_factory=list)  # (measure, in words) where both are shown


@dataclass
class Weighting:
    respondents: int
    weighted: int  # respondents who could be weighted
    measures: list[WeightedMeasure]
    dimension_names: list[str] = field(default_factory=list)  # what it was raked on
    dimensions: list[tuple[str, list[GroupShare]]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # census groups no respondent is in
    sources: list[str] = field(default_factory=list)
    synthetic: bool = False
    effective_n: float | None = None
    design_effect: float | None = None
    iterations: int = 0
    converged: bool = True
    problem: str = ""  # why no weighted figures can be given
    tabs: list[WeightedTab] = field(default_factory=list)

    @property
    def left_out(self) -> int:
        return self.respondents - self.weighted

    @property
    def with_sex(self) -> bool:
        return str(DIMENSION_LABELS[PopulationCategory.SEX]) in self.dimension_names


def census_population(ward_ids: list[int]):
    """{dimension: {ward id: {group: people}}} in the groups respondents are counted in, the
    sources, and whether any figure is synthetic: one query."""
    population = {d: defaultdict(lambda: defaultdict(int)) for d in GROUPS}
    sources, synthetic = set(), False
    rows = WardPopulation.objects.filter(ward_id__in=ward_ids, category__in=list(GROUPS)).values_list(
        "ward_id", "category", "group", "count", "source", "is_synthetic"
    )
    for ward_id, category, value, count, source, is_synthetic in rows:
        group = census_group(category, value)
        if group is not None:
            population[category][ward_id][group] += count
            sources.add(source)
            synthetic = synthetic or is_synthetic
    return population, sources, synthetic


def census_group(dimension: str, value: str) -> str | None:
    if dimension == PopulationCategory.SEX:
        return value if value in dict(GROUPS[dimension]) else None
    return group_of(dimension, value)


def census_dimensions(population: dict, ward_ids: list[int]) -> tuple[list[str], set[int]]:
    """The dimensions to rake on and the wards whose census gives them all. Age band and ethnic
    group always; sex where every such ward has the sex table too, so each margin describes the
    same people."""
    wards = {w for w in ward_ids if all(w in population[d] for d in REQUIRED)}
    with_sex = {w for w in wards if w in population[PopulationCategory.SEX]}
    if wards and with_sex == wards:
        return [*REQUIRED, PopulationCategory.SEX], wards
    return list(REQUIRED), wards


def _cells(rows, dimensions, wards, targets) -> dict[tuple, dict]:
    """Respondents who can be weighted, summed by cell (one group per dimension)."""
    cells: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        cell = tuple(census_group(d, row[FIELDS[d]]) for d in dimensions)
        if row["ward_id"] in wards and all(g is not None and g in targets[i] for i, g in enumerate(cell)):
            for name, value in row.items():
                if name == RESPONDENTS or name.endswith(("_base", "_fav")):
                    cells[cell][name] += value
    return cells


def survey_weighted(*, survey) -> Weighting:
    """The headline measures weighted to the census, beside the unweighted ones, in three queries
    (bank questions asked, the measures' grouped counts, the wards' population)."""
    asked = set(Question.objects.filter(survey=survey).exclude(bank_key="").values_list("bank_key", flat=True))
    keys = [key for key, _label in HEADLINES if key in asked]
    rows = measure_rows(responses=Response.objects.filter(survey=survey), keys=keys, extra=("sex",))
    ward_ids = sorted({row["ward_id"] for row in rows if row["ward_id"]})
    population, sources, synthetic = census_population(ward_ids)
    dimensions, wards = census_dimensions(population, ward_ids)
    targets = [census_target({w: population[d][w] for w in wards}) for d in dimensions]
    cells = _cells(rows, dimensions, wards, targets)
    weighting = Weighting(
        respondents=sum(row[RESPONDENTS] for row in rows),
        weighted=sum(c[RESPONDENTS] for c in cells.values()),
        measures=[WeightedMeasure(k, HEADLINE_LABELS[k], _unweighted(rows, k)) for k in keys],
        dimension_names=[str(DIMENSION_LABELS[d]) for d in dimensions],
        sources=sorted(sources),
        synthetic=synthetic,
    )
    present = [{cell[i] for cell in cells} for i in range(len(dimensions))]
    weighting.missing = [str(dict(GROUPS[d])[g]) for i, d in enumerate(dimensions) for g in targets[i]
                         if g not in present[i]]  # fmt: skip
    targets = [{g: t for g, t in target.items() if g in present[i]} for i, target in enumerate(targets)]
    weighting.problem = _problem(weighting, wards)
    if not weighting.problem:
        raked = rake(cells={c: v[RESPONDENTS] for c, v in cells.items()}, targets=targets)
        weighting.iterations, weighting.converged = raked.iterations, raked.converged
        _fill(weighting, cells, raked.weights, dimensions, targets)
        weight_of = _weight_of(raked.weights, dimensions, wards)
        tabs = [_weighted_tab(title, rows, keys, order, key_of, weight_of, compare=compare)
                for title, order, key_of, compare in _breakdowns(rows)]  # fmt: skip
        weighting.tabs = [tab for tab in tabs if tab.rows]
    return weighting


def _weight_of(weights: dict, dimensions: list, wards: set):
    """Each fine row's weight per respondent: its cell's, or None for a row that could not be weighted."""

    def weight_of(row) -> float | None:
        if row["ward_id"] not in wards:
            return None
        return weights.get(tuple(census_group(d, row[FIELDS[d]]) for d in dimensions))

    return weight_of


def _breakdowns(rows) -> list[tuple]:
    """The groups the results page shows, as (title, [(group, label)], group of a row, compared)."""
    divisions = sorted(
        {(r["ward__neighbourhood__division_id"], r["ward__neighbourhood__division__name"]) for r in rows
         if r["ward__neighbourhood__division_id"] is not None},
        key=lambda d: d[1],
    )  # fmt: skip
    return [
        (_("By division"), [(pk, name) for pk, name in divisions], lambda r: r["ward__neighbourhood__division_id"],
         None),
        (_("By age band"), AGE_BANDS, lambda r: age_group(r["age_band"]), None),
        (_("By ethnic group"), BROAD_ETHNIC, lambda r: broad_ethnic_group(r["ethnic_group"]), None),
        (_("By involvement in PACT"), [("yes", _("Involved in PACT")), ("no", _("Not involved in PACT"))],
         lambda r: r["involved"] or NOT_SAID, ("yes", "no")),
    ]  # fmt: skip


def _weighted_tab(title, rows, keys, order, key_of, weight_of, *, compare=None) -> WeightedTab:
    """One breakdown, weighted. Suppression is the results page's own (each measure as one row of
    groups, including those who did not say, so no hidden group is given away by a total), and a
    weighted share also needs ten respondents who could be weighted in the group."""
    groups = defaultdict(list)
    for row in rows:
        groups[key_of(row)].append(row)
    named = [g for g, _label in order]
    # Everyone else (did not say, no ward) is one more group in the row, so a total cannot give it away.
    rest = [r for g, group_rows in groups.items() if g not in named for r in group_rows]
    tab = WeightedTab(title=str(title), rows=[])
    cells_by_group = defaultdict(list)
    for key in keys:
        bases = [sum(r[f"{key}_base"] for r in rows_of) for rows_of in [*(groups.get(g, []) for g in named), rest]]
        hidden = disclosure.suppress_row(bases)
        for i, group in enumerate(named):
            cells_by_group[group].append(_weighted_cell(groups.get(group, []), key, weight_of, hidden=hidden[i]))
    tab.rows = [WeightedRow(str(label), cells_by_group[g]) for g, label in order if groups.get(g)]
    if compare:
        labels = dict(order)
        tab.compared = (str(labels[compare[0]]), str(labels[compare[1]]))
        for i, key in enumerate(keys):
            first, second = cells_by_group[compare[0]][i].counts, cells_by_group[compare[1]][i].counts
            # Involvement against itself is 100 to 0 by definition: no finding to state.
            if first and second and key != BankKey.PACT_INVOLVED:
                difference = statistics.compare(first=first, second=second)
                text = statistics.gap_text(difference, first_label=tab.compared[0], second_label=tab.compared[1])
                tab.differences.append((str(HEADLINE_LABELS[key]), text))
    return tab


def _weighted_cell(rows, key, weight_of, *, hidden: bool) -> WeightedCell:
    cell = WeightedCell(
        unweighted=disclosure.figure(
            sum(r[f"{key}_base"] for r in rows), sum(r[f"{key}_fav"] for r in rows), hidden=hidden
        )  # fmt: skip
    )
    pairs = [(w, r[f"{key}_base"], r[f"{key}_fav"]) for r in rows if (w := weight_of(r)) is not None]
    base = sum(n for _w, n, _f in pairs)
    if cell.unweighted.share is None or disclosure.is_small(base) or not base:
        return cell
    share = sum(w * f for w, _n, f in pairs) / sum(w * n for w, n, _f in pairs)
    n_eff = _kish_n([(w, n) for w, n, _f in pairs])
    cell.weighted, cell.effective_n, cell.favourable = round(100 * share, 1), n_eff, share * n_eff
    cell.interval = statistics.wilson_interval(favourable=share * n_eff, base=n_eff)
    return cell


def census_target(by_ward: dict) -> dict[str, float]:
    total: dict[str, float] = defaultdict(float)
    for groups in by_ward.values():
        for group, people in groups.items():
            total[group] += people
    return {g: n for g, n in total.items() if n > 0}


def _unweighted(rows, key) -> disclosure.Figure:
    return disclosure.figure(sum(r[f"{key}_base"] for r in rows), sum(r[f"{key}_fav"] for r in rows))


def _problem(weighting: Weighting, wards) -> str:
    if not wards:
        return str(_("None of the wards the respondents live in has census figures yet."))
    if disclosure.is_small(weighting.weighted) or not weighting.weighted:
        return str(_("Fewer than 10 respondents said what the weighting needs and live in a ward with census figures."))
    return ""


def _fill(weighting: Weighting, cells: dict, weights: dict, dimensions: list, targets: list) -> None:
    """The weighted measures and how far the weighting moved the respondents."""
    every = [(weights[c], v[RESPONDENTS]) for c, v in cells.items()]
    weighting.effective_n = _kish_n(every)
    weighting.design_effect = weighting.weighted / weighting.effective_n if weighting.effective_n else None
    for measure in weighting.measures:
        pairs = [(weights[c], v[f"{measure.key}_base"], v[f"{measure.key}_fav"]) for c, v in cells.items()]
        measure.base = sum(n for _w, n, _f in pairs)
        if disclosure.is_small(measure.base) or not measure.base:
            continue
        answered = sum(w * n for w, n, _f in pairs)
        share = sum(w * f for w, _n, f in pairs) / answered
        n_eff = _kish_n([(w, n) for w, n, _f in pairs])
        measure.weighted = round(100 * share, 1)
        measure.effective_n = n_eff
        measure.design_effect = measure.base / n_eff
        measure.interval = statistics.wilson_interval(favourable=share * n_eff, base=n_eff)
    for i, dimension in enumerate(dimensions):
        labels = dict(GROUPS[dimension])
        groups = [g for g, _label in GROUPS[dimension] if g in targets[i]]
        counts = [sum(v[RESPONDENTS] for c, v in cells.items() if c[i] == g) for g in groups]
        hidden = disclosure.suppress_row(counts)
        population = sum(targets[i].values())
        weighting.dimensions.append(
            (
                str(DIMENSION_LABELS[dimension]),
                [
                    GroupShare(
                        str(labels[g]),
                        round(100 * targets[i][g] / population, 1),
                        None if h else round(100 * n / weighting.weighted, 1),
                    )
                    for g, n, h in zip(groups, counts, hidden, strict=True)
                ],  # fmt: skip
            )
        )


def _kish_n(weight_counts) -> float | None:
    """Kish's effective sample size of (weight, respondents) pairs, one weight per respondent."""
    return statistics.effective_sample_size(w for w, n in weight_counts for _ in range(n))
