"""Legitimacy, confidence and satisfaction for the scorecard (strategy 6.2), and HMIC's two
comparisons: PACT-involved against not involved, and the White–BME gap. Surveys' own grouped
query, disclosure control and statistics; one query for every quarter together."""

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.scorecard.quarters import LAST_YEAR, NOW, PERCENT, PREVIOUS, Measure, Section
from surveys import disclosure, statistics
from surveys.bank import is_white
from surveys.models import BankKey, Response, ResponseSource, SurveyProgramme
from surveys.results.selectors import RESPONDENTS, measure_rows

# Legitimacy, confidence and satisfaction (strategy 6.2), in the bank's words.
SURVEY_KEYS = [
    BankKey.POLICE_GOOD_JOB,
    BankKey.POLICE_TREAT_FAIRLY,
    BankKey.POLICE_RELIED_ON,
    BankKey.SERVICE_SATISFACTION,
    BankKey.INFLUENCE_DECISIONS,
    BankKey.DEAL_WITH_WHAT_MATTERS,
]
# Face-to-face contact with the neighbourhood team, as residents report it (6.1): counted in the same
# query, shown with the engagement figures.
CONTACT_KEY = BankKey.FACE_TO_FACE


def survey_rows(window, places) -> list[dict]:
    """Surveys' own grouped query, for the area's wards and the eight quarters, by how each response
    came in too (one query)."""
    responses = Response.objects.filter(window.within("submitted_at"), ward_id__in=places.ward_ids).annotate(
        period=window.case("submitted_at")
    )
    return measure_rows(
        responses=responses, keys=[*SURVEY_KEYS, CONTACT_KEY], extra=("period", "source", "survey__programme")
    )


# 6.2 names the surveys it reads (the force's, the OPCC's, the academic partner's, the platforms'
# user surveys): each survey says whose it is, and each response came by invitation or openly.
SOURCE_LABELS = {
    ResponseSource.INVITED: gettext_lazy("Survey responses from In the Know members invited"),
    ResponseSource.OPEN: gettext_lazy("Survey responses to open surveys"),
}


def _responses_by_source(window, by_period, sources) -> list[Measure]:
    """Responses by how they came and by whose survey, each quarter; counts of people who answered
    are not suppressed, as the return shows its response count (no share is given away by a count)."""

    def counted(field, value):
        return [sum(row[RESPONDENTS] for row in by_period[name] if row[field] == value) for name in window.names]

    by_source = [
        Measure(f"responses_{source}", str(label), counted("source", source), sources["surveys"])
        for source, label in SOURCE_LABELS.items()
    ]
    by_programme = [
        Measure(
            f"responses_programme_{programme.value}",
            _("Survey responses: %(programme)s") % {"programme": programme.label},
            counted("survey__programme", programme.value),
            sources["surveys"],
        )
        for programme in SurveyProgramme
    ]
    return by_source + by_programme


def _summed(rows, key) -> tuple[int, int, int]:
    """(respondents, base, favourable) of `key` over `rows`."""
    return (
        sum(row[RESPONDENTS] for row in rows),
        sum(row[f"{key}_base"] for row in rows),
        sum(row[f"{key}_fav"] for row in rows),
    )


def _by_period(rows) -> dict[str, list]:
    by_period = defaultdict(list)
    for row in rows:
        by_period[row["period"]].append(row)
    return by_period


def share_measure(window, by_period, key, source, *, label=None) -> Measure:
    """One bank question's favourable share each quarter, with its interval, and this quarter's
    change since the previous one and a year ago in words."""
    figures = []
    for name in window.names:
        respondents, base, favourable = _summed(by_period[name], key)
        # As the return: no share at all from a quarter with fewer respondents than disclosure allows.
        figures.append(disclosure.figure(base, favourable, hidden=disclosure.is_small(respondents)))
    notes = []
    for other, since in ((PREVIOUS, _("since the previous quarter")), (LAST_YEAR, _("since a year ago"))):
        difference = disclosure.compare(figures[other], figures[NOW])
        if difference is not None:
            notes.append(statistics.change_text(difference, since=since))
    return Measure(
        str(key),
        str(label or BankKey(key).label),
        [f.share for f in figures],
        source,
        PERCENT,
        intervals=[(f.interval.low, f.interval.high) if f.interval else None for f in figures],
        notes=notes,
    )


def contact_measure(window, rows, sources) -> Measure:
    return share_measure(
        window,
        _by_period(rows),
        CONTACT_KEY,
        sources["surveys"],
        label=_("Residents who spoke face to face with the neighbourhood team in the last year (surveys)"),
    )


def survey_section(window, rows, sources) -> Section:
    by_period = _by_period(rows)
    measures = [share_measure(window, by_period, key, sources["surveys"]) for key in SURVEY_KEYS]
    measures += _gap_measures(window, by_period, sources)
    measures += _responses_by_source(window, by_period, sources)
    return Section(
        gettext_lazy("Legitimacy, confidence and satisfaction (6.2), with 95% confidence intervals"), measures
    )


# HMIC compares residents involved in PACT with those not involved, and tracks the White–BME gap.
COMPARED_KEYS = [BankKey.POLICE_GOOD_JOB, BankKey.SERVICE_SATISFACTION]


def _side_of_involvement(row) -> str:
    return {"yes": "first", "no": "second"}.get(row["involved"], "neither")


def _side_of_ethnicity(row) -> str:
    white = is_white(row["ethnic_group"])
    return "neither" if white is None else ("first" if white else "second")


def _pair(rows, key, side_of) -> tuple:
    """The two groups' figures for `key`, protected as surveys' own gap tables are: small groups
    hidden, and the next smallest with them where a total would give them away."""
    groups = defaultdict(list)
    for row in rows:
        groups[side_of(row)].append(row)
    sides = ["first", "second", "neither"]
    counts = {side: _summed(groups[side], key) for side in sides}
    hidden = disclosure.suppress_row([counts[side][1] for side in sides])
    return tuple(disclosure.figure(counts[s][1], counts[s][2], hidden=hidden[i]) for i, s in enumerate(sides[:2]))


def _gap_notes(pairs) -> list[str]:
    """The gap this quarter against the previous one and a year ago, tested, in words."""
    notes = []
    for other, since in ((PREVIOUS, _("since the previous quarter")), (LAST_YEAR, _("since a year ago"))):
        if any(f.share is None for f in (*pairs[other], *pairs[NOW])):
            continue
        change = statistics.compare_gaps(
            earlier=tuple((f.favourable, f.base) for f in pairs[other]),
            later=tuple((f.favourable, f.base) for f in pairs[NOW]),
        )
        notes.append(statistics.gap_change_text(change, since=since))
    return notes


def _gap_measures(window, by_period, sources) -> list[Measure]:
    """HMIC reviews the White–BME gap quarterly, and compares those involved in PACT with those not:
    the points between each two for each quarter, and whether this quarter's gap really moved."""
    kinds = [
        ("gap", _("White–BME gap in points (White minus BME): %(measure)s"), _side_of_ethnicity),
        ("involved_gap", _("PACT-involved gap in points (involved minus not): %(measure)s"), _side_of_involvement),
    ]
    measures = []
    for prefix, label, side_of in kinds:
        for key in COMPARED_KEYS:
            pairs = [_pair(by_period[name], key, side_of) for name in window.names]
            measures.append(
                Measure(
                    f"{prefix}_{key}",
                    label % {"measure": BankKey(key).label},
                    [disclosure.gap(*pair) for pair in pairs],
                    sources["surveys"],
                    notes=_gap_notes(pairs),
                )
            )
    return measures


def comparisons(window, rows) -> list[dict]:
    """This quarter's two HMIC comparisons for each compared measure, in words."""
    now = [row for row in rows if row["period"] == window.names[NOW]]
    kinds = [
        (_("Involved in PACT"), _("not involved"), _side_of_involvement),
        (_("White respondents"), _("black and minority ethnic respondents"), _side_of_ethnicity),
    ]
    result = []
    for key in COMPARED_KEYS:
        for first_label, second_label, side_of in kinds:
            first, second = _pair(now, key, side_of)
            difference = disclosure.compare(first, second)
            result.append(
                {
                    "measure": str(BankKey(key).label),
                    "first_label": first_label,
                    "second_label": second_label,
                    "first": first,
                    "second": second,
                    "text": statistics.gap_text(difference, first_label=first_label, second_label=second_label)
                    if difference
                    else _("Too few respondents in one group or the other to compare."),
                }
            )
    return result
