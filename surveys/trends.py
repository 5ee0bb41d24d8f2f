"""Trends: the standard questions wave by wave, for the force, its divisions or one division's
neighbourhoods, each share with its interval and each change between waves tested (surveys/statistics.py).
Waves are separate surveys of different people, so each wave is its own tree for disclosure control."""

from dataclasses import dataclass
from functools import cached_property

from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.policy import can
from surveys import disclosure, statistics
from surveys.models import BankKey, Response, Survey, SurveyStatus
from surveys.results.selectors import HEADLINE_LABELS, GapRow, _counts, _gaps, _geo_tab, _group, measure_rows

TREND_KEYS = [BankKey.POLICE_GOOD_JOB, BankKey.SAFE_AFTER_DARK]


def trend_surveys(*, user) -> list[Survey]:
    """The user's force's surveys that have taken responses, oldest first; [] if they may read none."""
    surveys = list(
        Survey.objects.filter(force_id=user.force_id, status__in=[SurveyStatus.OPEN, SurveyStatus.CLOSED])
        .exclude(force_id=None)
        .order_by("opens_at", "pk")
    )
    return [s for s in surveys if can(user, "survey.view_results", s)]


def wave_of(survey: Survey) -> str:
    return survey.wave_label or date_format(survey.opens_at, "M Y")


@dataclass
class TrendSeries:
    label: str
    figures: list[disclosure.Figure]  # one per wave

    @cached_property
    def changes(self) -> list[statistics.Difference | None]:
        """Each wave against the one before it (None for the first, or where either is not shown)."""
        return [None, *(disclosure.compare(a, b) for a, b in zip(self.figures, self.figures[1:], strict=False))]

    @property
    def latest_change(self) -> str:
        """The last two waves in words, where both are shown."""
        difference = self.changes[-1] if len(self.changes) > 1 else None
        if difference is None:
            return ""
        return statistics.change_text(difference, since=gettext("since the last wave"))


@dataclass
class Trends:
    waves: list[str]
    measures: list[tuple[str, str, list[TrendSeries]]]  # key, label, one series per area
    gaps: list[GapRow]  # confidence, White against BME, one per wave


def survey_trends(*, surveys: list[Survey], level: str, division_id: int | None = None) -> Trends:
    """Confidence and safety after dark per wave for the force, its divisions, or one division's
    neighbourhoods, in one grouped query. Waves are separate surveys of different people, so each
    wave is its own tree for disclosure control."""
    waves = list(dict.fromkeys(wave_of(s) for s in surveys))
    wave_by_survey = {s.pk: wave_of(s) for s in surveys}
    rows = measure_rows(
        responses=Response.objects.filter(survey__in=[s.pk for s in surveys]), keys=TREND_KEYS, extra=("survey_id",)
    )
    by_wave = _group(rows, lambda r: wave_by_survey[r["survey_id"]])
    trees = {w: _geo_tab(by_wave.get(w, []), TREND_KEYS) for w in waves}
    measures = []
    for m, key in enumerate(TREND_KEYS, start=1):
        series: dict = {}
        for i, wave in enumerate(waves):
            tab, _ = trees[wave]
            force = _counts(by_wave.get(wave, []), TREND_KEYS)[key]
            series.setdefault(("force", None), (gettext("Whole force"), [None] * len(waves)))[1][i] = disclosure.figure(
                *force
            )
            for row in tab.rows:
                in_division = row.parent == ("division", division_id)
                wanted = (level == "divisions" and row.level == "division" and row.key[1] is not None) or (
                    level == "neighbourhoods" and row.level == "neighbourhood" and in_division
                )
                if wanted:
                    series.setdefault(row.key, (row.label, [None] * len(waves)))[1][i] = row.figures[m]
        empty = disclosure.Figure(base=0)
        measures.append(
            (key, HEADLINE_LABELS[key],
             [TrendSeries(label, [f or empty for f in figures]) for label, figures in series.values()])
        )  # fmt: skip
    gaps = []
    for wave in waves:
        gap = _gaps(by_wave.get(wave, []), TREND_KEYS[:1], trees[wave][1])
        gaps.append(GapRow(wave, gap[0].overall.white, gap[0].overall.bme))
    return Trends(waves=waves, measures=measures, gaps=gaps)
