"""Reads for the results, trends and export pages. Every figure is counted in SQL (a handful of
grouped queries whatever the number of responses) and passes through surveys/disclosure.py
before it reaches a page."""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.policy import can
from messaging.models import AgeBand
from surveys import disclosure, statistics
from surveys.bank import BANK, is_white
from surveys.models import AGREEMENT_LABELS, Answer, BankKey, Question, QuestionKind, Response, Survey

# The headline measures, in the order officers report them: (bank key, what the share means).
HEADLINES = [
    (BankKey.POLICE_GOOD_JOB, _("Police do a good or excellent job")),
    (BankKey.SAFE_AFTER_DARK, _("Feel safe after dark")),
    (BankKey.SAFE_DURING_DAY, _("Feel safe during the day")),
    (BankKey.DEAL_WITH_WHAT_MATTERS, _("Agree police and partners deal with what matters")),
    (BankKey.PACT_AWARE, _("Aware of PACT")),
    (BankKey.PACT_INVOLVED, _("Involved in PACT")),
    (BankKey.ITK_SATISFACTION, _("Satisfied with In the Know")),
    (BankKey.POLICE_TREAT_FAIRLY, _("Agree the police treat people fairly")),
    (BankKey.POLICE_RELIED_ON, _("Agree the police can be relied on when needed")),
    (BankKey.SERVICE_SATISFACTION, _("Satisfied with the service received from the police")),
    (BankKey.INFLUENCE_DECISIONS, _("Agree they can influence decisions affecting their area")),
    (BankKey.FACE_TO_FACE, _("Spoke face to face with the neighbourhood team in the last year")),
]
HEADLINE_LABELS = dict(HEADLINES)
# The base of every cross-tab row: respondents, whatever they answered.
RESPONDENTS = "respondents"

BROAD_ETHNIC = [("white", "White"), ("asian", "Asian"), ("black", "Black"), ("mixed", "Mixed"), ("other", "Other")]
NOT_SAID = "not_said"
AGE_BANDS = [(value, label) for value, label in AgeBand.choices if value != AgeBand.NOT_SAID]
# Questions whose choices are themselves groups of people: their counts are suppressed like any group.
GROUP_QUESTIONS = frozenset({BankKey.AGE_BAND, BankKey.ETHNIC_GROUP, BankKey.SEX})


def broad_ethnic_group(value: str) -> str:
    """White / Asian / Black / Mixed / Other from the ONS value's prefix; "not_said" otherwise."""
    prefix = (value or "").split("_", 1)[0]
    return prefix if prefix in dict(BROAD_ETHNIC) else NOT_SAID


def age_group(value: str) -> str:
    return value if value in dict(AGE_BANDS) else NOT_SAID


def survey_for_results(*, user, pk: int) -> Survey:
    """A survey whose results the user may read; 404 for one that is missing or not theirs."""
    survey = Survey.objects.select_related("force").filter(pk=pk).first()
    if survey is None or not can(user, "survey.view_results", survey):
        raise Http404("No such survey.")
    return survey


# --- per-question results --------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    count: int | None  # None: suppressed
    share: float | None = None
    interval: statistics.Interval | None = None  # the share's 95% confidence interval


@dataclass
class QuestionResult:
    question: Question
    answered: disclosure.Figure
    bars: list[Bar] = field(default_factory=list)
    mean: float | None = None
    texts: int = 0

    @property
    def chart_id(self) -> str:
        return f"chart-question-{self.question.pk}"


def _bars(labels_counts: list[tuple[str, int]], answered: int, *, groups: bool) -> list[Bar]:
    hidden = disclosure.suppress_row([n for _, n in labels_counts]) if groups else [False] * len(labels_counts)
    # A question answered in several choices (multiple choice) has no single total to subtract from,
    # but its shares are still of the people who answered.
    return [
        Bar(label, None, None)
        if h or not answered
        else Bar(label, n, round(100 * n / answered, 1), statistics.wilson_interval(favourable=n, base=answered))
        for (label, n), h in zip(labels_counts, hidden, strict=True)
    ]


def _question_result(question, answered, texts, counts) -> QuestionResult:
    result = QuestionResult(question=question, answered=disclosure.figure(answered), texts=texts)
    if result.answered.suppressed or not answered:
        return result
    kind = question.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        pairs = [(o.label, counts.get(("option", o.pk), 0)) for o in question.options.all()]
        result.bars = _bars(pairs, answered, groups=question.bank_key in GROUP_QUESTIONS)
    elif kind in (QuestionKind.AGREEMENT, QuestionKind.RATING):
        top = 5 if kind == QuestionKind.AGREEMENT else (question.scale_max or 5)
        points = range(1, top + 1)
        pairs = [(AGREEMENT_LABELS[n] if kind == QuestionKind.AGREEMENT else str(n), counts.get(("number", n), 0))
                 for n in points]  # fmt: skip
        result.bars = _bars(pairs, answered, groups=False)
        total = sum(n for _, n in pairs)
        result.mean = round(sum(p * counts.get(("number", p), 0) for p in points) / total, 2) if total else None
    elif kind == QuestionKind.WARD:
        wards = sorted(((name, n) for (tag, name), n in counts.items() if tag == "ward"), key=lambda p: p[0])
        result.bars = _bars(wards, answered, groups=True)
    return result


def question_results(*, survey: Survey) -> list[QuestionResult]:
    """Each question's figures in three queries: questions (with options), how many answered,
    and the count behind every option, scale point and ward."""
    questions = list(
        Question.objects.filter(survey=survey)
        .select_related("section")
        .prefetch_related("options")
        # In the order residents see them, each section's questions together (Results.sections).
        .order_by("section__position", "section__pk", "position", "pk")
    )
    answers = Answer.objects.filter(question__survey=survey)
    answered = {
        row["question_id"]: row
        for row in answers.values("question_id").annotate(
            n=Count("response_id", distinct=True), texts=Count("pk", filter=~Q(text=""))
        )
    }
    counts: dict[int, dict] = defaultdict(dict)
    for row in (
        answers.filter(text="")
        .values("question_id", "option_id", "number", "ward__name")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    ):
        if row["option_id"]:
            key = ("option", row["option_id"])
        elif row["number"] is not None:
            key = ("number", row["number"])
        elif row["ward__name"]:
            key = ("ward", row["ward__name"])
        else:
            continue
        counts[row["question_id"]][key] = counts[row["question_id"]].get(key, 0) + row["n"]
    return [
        _question_result(
            q, answered.get(q.pk, {}).get("n", 0), answered.get(q.pk, {}).get("texts", 0), counts.get(q.pk, {})
        )
        for q in questions
    ]


# --- headline measures and cross-tabs --------------------------------------------------------


def _measure_annotations(keys) -> dict:
    """For each bank key: respondents who answered it, and those whose answer was favourable."""
    annotations = {RESPONDENTS: Count("pk", distinct=True)}
    for key in keys:
        favourable = BANK[key].favourable
        numbers = [int(v) for v in favourable if v.isdigit()]
        asked = Q(answers__question__bank_key=key)
        answered = Q(answers__option__isnull=False) | Q(answers__number__isnull=False)
        if BANK[key].not_applicable:
            answered &= ~Q(answers__option__value__in=BANK[key].not_applicable)
        annotations[f"{key}_base"] = Count("pk", distinct=True, filter=asked & answered)
        chosen = Q(answers__option__value__in=favourable) | Q(answers__number__in=numbers)
        annotations[f"{key}_fav"] = Count("pk", distinct=True, filter=asked & chosen)
    return annotations


GEO_FIELDS = (
    "ward_id",
    "ward__code",
    "ward__name",
    "ward__neighbourhood_id",
    "ward__neighbourhood__name",
    "ward__neighbourhood__division_id",
    "ward__neighbourhood__division__name",
)


def measure_rows(*, responses, keys, extra=()) -> list[dict]:
    """One SQL query: respondents and the measures' bases and favourable counts, grouped by area,
    age band, ethnic group and PACT involvement (the finest grain every cross-tab adds up from)."""
    involved = Subquery(
        Answer.objects.filter(response=OuterRef("pk"), question__bank_key=BankKey.PACT_INVOLVED)
        .exclude(option=None)
        .values("option__value")[:1]
    )
    return list(
        responses.annotate(involved=involved)
        .values(*GEO_FIELDS, "age_band", "ethnic_group", "involved", *extra)
        .annotate(**_measure_annotations(keys))
        .order_by()
    )


@dataclass
class Column:
    key: str
    label: str


@dataclass
class Row:
    key: object
    label: str
    figures: list[disclosure.Figure]
    level: str = ""
    parent: tuple | None = None


@dataclass
class CrossTab:
    title: str
    rows: list[Row]
    # Two of the rows' groups tested against each other, one per column (None where not shown):
    # HMIC compares residents involved in PACT with those not involved.
    compared: tuple[str, str] | None = None
    differences: list[statistics.Difference | None] = field(default_factory=list)


def _counts(rows, keys):
    """Sum the fine rows into {measure: (base, favourable)}."""
    total = {RESPONDENTS: [0, None]}
    for key in keys:
        total[key] = [0, 0]
    for row in rows:
        total[RESPONDENTS][0] += row[RESPONDENTS]
        for key in keys:
            total[key][0] += row[f"{key}_base"]
            total[key][1] += row[f"{key}_fav"]
    return total


def _group(rows, key_of):
    groups = defaultdict(list)
    for row in rows:
        groups[key_of(row)].append(row)
    return groups


def _row_tab(title, rows, keys, order: list[tuple[str, str]], key_of, *, compare=None) -> CrossTab:
    """A cross-tab whose groups partition every respondent, each measure suppressed as one row;
    `compare` names two groups whose shares are tested against each other."""
    groups = _group(rows, key_of)
    sums = {g: _counts(groups.get(g, []), keys) for g, _ in order}
    columns = [RESPONDENTS, *keys]
    hidden = {m: disclosure.suppress_row([sums[g][m][0] for g, _ in order]) for m in columns}
    figures = {g: [disclosure.figure(*sums[g][m], hidden=hidden[m][i]) for m in columns]
               for i, (g, _label) in enumerate(order)}  # fmt: skip
    tab = CrossTab(title=title, rows=[Row(g, label, figures[g]) for g, label in order if sums[g][RESPONDENTS][0]])
    if compare:
        labels = dict(order)
        tab.compared = (labels[compare[0]], labels[compare[1]])
        tab.differences = [None, *(disclosure.compare(figures[compare[1]][i], figures[compare[0]][i])
                                   for i in range(1, len(columns)))]  # fmt: skip
    return tab


def _geo_tab(rows, keys) -> CrossTab:
    """Divisions, their neighbourhoods and their wards as one tree, so no level can be subtracted
    from the one above it."""
    root = ("force", None)
    children: dict = defaultdict(list)
    labels = {}
    by_node: dict = defaultdict(list)
    for row in rows:
        division = ("division", row["ward__neighbourhood__division_id"])
        path = [root, division]
        if division[1] is not None:
            path += [("neighbourhood", row["ward__neighbourhood_id"]), ("ward", row["ward_id"])]
            labels[division] = row["ward__neighbourhood__division__name"]
            labels[path[2]] = row["ward__neighbourhood__name"]
            labels[path[3]] = f"{row['ward__name']} ({row['ward__code']})"
        else:
            labels[division] = gettext("Ward not given, or in no neighbourhood")
        for parent, child in zip(path, path[1:], strict=False):
            if child not in children[parent]:
                children[parent].append(child)
        for node in path:
            by_node[node].append(row)
    sums = {node: _counts(node_rows, keys) for node, node_rows in by_node.items()}
    columns = [RESPONDENTS, *keys]
    hidden = {
        m: disclosure.suppress_tree({n: s[m][0] for n, s in sums.items()}, children, root) if sums else set()
        for m in columns
    }
    out = []

    def walk(node):
        for child in sorted(children.get(node, []), key=lambda c: (c[1] is None, labels[c])):
            figures = [disclosure.figure(*sums[child][m], hidden=child in hidden[m]) for m in columns]
            out.append(Row(child, labels[child], figures, level=child[0], parent=node))
            walk(child)

    walk(root)
    return CrossTab(title=gettext("By area"), rows=out), hidden


@dataclass
class GapRow:
    label: str
    white: disclosure.Figure
    bme: disclosure.Figure

    @property
    def gap(self) -> float | None:
        return disclosure.gap(self.white, self.bme)

    @cached_property
    def difference(self) -> statistics.Difference | None:
        """BME against White, tested; None unless both are shown."""
        return disclosure.compare(self.white, self.bme)

    @property
    def text(self) -> str:
        if self.difference is None:
            return ""
        return statistics.gap_text(
            self.difference,
            first_label=gettext("White respondents"),
            second_label=gettext("black and minority ethnic respondents"),
        )


@dataclass
class Gap:
    key: str
    label: str
    overall: GapRow
    divisions: list[GapRow]


def _ethnic_side(row) -> str:
    white = is_white(row["ethnic_group"])
    return NOT_SAID if white is None else ("white" if white else "bme")


def _gaps(rows, keys, geo_hidden) -> list[Gap]:
    """White against black and minority ethnic respondents, overall and per division: a two-way
    table (divisions × White / BME / not said) whose margins are shown, so both ways are protected."""
    sides = ["white", "bme", NOT_SAID]
    divisions = sorted(
        {(r["ward__neighbourhood__division_id"], r["ward__neighbourhood__division__name"]) for r in rows},
        key=lambda d: (d[0] is None, d[1] or ""),
    )
    out = []
    for key in keys:
        overall = _counts_by(rows, keys, _ethnic_side)
        overall_hidden = disclosure.suppress_row([overall[s][key][0] for s in sides])
        cells = {d: _counts_by([r for r in rows if r["ward__neighbourhood__division_id"] == d[0]], keys, _ethnic_side)
                 for d in divisions}  # fmt: skip
        table = disclosure.suppress_table(
            [[cells[d][s][key][0] for s in sides] for d in divisions],
            hidden_rows=[("division", d[0]) in geo_hidden[key] for d in divisions],
            hidden_columns=overall_hidden,
        )
        out.append(
            Gap(
                key=key,
                label=HEADLINE_LABELS[key],
                overall=GapRow(gettext("All respondents"),
                               *(disclosure.figure(*overall[s][key], hidden=overall_hidden[i])
                                 for i, s in enumerate(sides[:2]))),
                divisions=[
                    GapRow(d[1] or gettext("Ward not given"), *(disclosure.figure(*cells[d][s][key], hidden=table[n][i])
                                                       for i, s in enumerate(sides[:2])))
                    for n, d in enumerate(divisions)
                ],
            )
        )  # fmt: skip
    return out


def _counts_by(rows, keys, key_of) -> dict:
    groups = _group(rows, key_of)
    return defaultdict(lambda: _counts([], keys), {g: _counts(r, keys) for g, r in groups.items()})


@dataclass
class Results:
    survey: Survey
    respondents: disclosure.Figure
    questions: list[QuestionResult]
    columns: list[Column]
    headline: list[tuple[Column, disclosure.Figure]]
    tabs: list[CrossTab]
    gaps: list[Gap]

    @property
    def sections(self) -> list[tuple]:
        """The questions' results grouped by the survey's sections, in order: (section, results).
        The questions come ordered by section with their section, so this costs no query."""
        grouped: list[tuple] = []
        for result in self.questions:
            if not grouped or grouped[-1][0].pk != result.question.section_id:
                grouped.append((result.question.section, []))
            grouped[-1][1].append(result)
        return grouped


def survey_results(*, survey: Survey) -> Results:
    """Everything on the results page, live, in five queries whatever the number of responses."""
    questions = question_results(survey=survey)
    keys = [key for key, _ in HEADLINES if any(r.question.bank_key == key for r in questions)]
    rows = measure_rows(responses=Response.objects.filter(survey=survey), keys=keys)
    totals = _counts(rows, keys)
    columns = [Column(RESPONDENTS, gettext("Respondents")), *(Column(k, HEADLINE_LABELS[k]) for k in keys)]
    geo, geo_hidden = _geo_tab(rows, keys)
    involvement = [
        ("yes", gettext("Involved in PACT")),
        ("no", gettext("Not involved in PACT")),
        (NOT_SAID, gettext("Did not say")),
    ]
    tabs = [
        geo,
        _row_tab(
            gettext("By age band"),
            rows,
            keys,
            [*AGE_BANDS, (NOT_SAID, gettext("Not said"))],
            lambda r: age_group(r["age_band"]),
        ),
        _row_tab(
            gettext("By ethnic group"),
            rows,
            keys,
            [*BROAD_ETHNIC, (NOT_SAID, gettext("Not said"))],
            lambda r: broad_ethnic_group(r["ethnic_group"]),
        ),  # fmt: skip
        _row_tab(
            gettext("By involvement in PACT"),
            rows,
            keys,
            involvement,
            lambda r: r["involved"] or NOT_SAID,
            compare=("yes", "no"),
        ),  # fmt: skip
    ]
    return Results(
        survey=survey,
        respondents=disclosure.figure(totals[RESPONDENTS][0]),
        questions=questions,
        columns=columns,
        headline=[(c, disclosure.figure(*totals[c.key])) for c in columns[1:]],
        tabs=tabs,
        gaps=_gaps(rows, keys, geo_hidden),
    )
