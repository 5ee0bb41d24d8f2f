"""Results, trends and exports: read-only pages for police staff of the survey's force. Every
figure comes through surveys/disclosure.py, so no page or file shows a group of fewer than ten."""

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.policy import policy_required
from neighbourhoods.models import Division
from surveys import exports, weighting
from surveys import trends as trends_selectors
from surveys.models import QuestionKind
from surveys.results import selectors


def _share(figure):
    return None if figure.suppressed else figure.share


def _charts(results: selectors.Results) -> list[dict]:
    """Chart.js specifications for static/js/survey-charts.js; each repeats a table on the page.
    A suppressed figure is null: a gap in the chart, never a bar."""
    charts = []
    if results.headline and not results.respondents.suppressed:
        charts.append({
            "id": "chart-headline", "type": "bar", "labels": [c.label for c, _ in results.headline],
            "yTitle": gettext("% of respondents"), "percent": True, "horizontal": True,
            "datasets": [{"label": gettext("All respondents"), "data": [_share(f) for _, f in results.headline]}],
        })  # fmt: skip
    for result in results.questions:
        if result.bars:
            charts.append({
                "id": result.chart_id, "type": "bar", "labels": [b.label for b in result.bars],
                "yTitle": gettext("Respondents"), "horizontal": len(result.bars) > 6,
                "datasets": [{"label": gettext("Respondents"), "data": [b.count for b in result.bars]}],
            })  # fmt: skip
    for gap in results.gaps:
        rows = [gap.overall, *gap.divisions]
        charts.append({
            "id": f"chart-gap-{gap.key}", "type": "bar", "labels": [r.label for r in rows],
            "yTitle": gettext("% favourable"), "percent": True,
            "datasets": [{"label": gettext("White"), "data": [_share(r.white) for r in rows]},
                         {"label": gettext("Black and minority ethnic"), "data": [_share(r.bme) for r in rows]}],
        })  # fmt: skip
    return charts


@require_GET
@never_cache
def results(request, pk):
    survey = selectors.survey_for_results(user=request.user, pk=pk)
    figures = selectors.survey_results(survey=survey)
    context = {
        "survey": survey,
        "r": figures,
        "text_kind": QuestionKind.TEXT,
        "chart_data": {"charts": _charts(figures)},
        "export_area": exports.export_area(viewer=request.user),
    }
    return render(request, "surveys/results/results.html", context)


@require_GET
@never_cache
def weighted(request, pk):
    survey = selectors.survey_for_results(user=request.user, pk=pk)
    context = {"survey": survey, "w": weighting.survey_weighted(survey=survey)}
    return render(request, "surveys/results/weighted.html", context)


class TrendsForm(forms.Form):
    area = forms.ChoiceField(label=gettext_lazy("Areas"), widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, divisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [
            ("force", gettext("The whole force")),
            ("divisions", gettext("Each division")),
            *(
                (f"division-{d.pk}", gettext("Neighbourhoods of %(division)s") % {"division": d.name})
                for d in divisions
            ),
        ]


@require_GET
@never_cache
@policy_required("survey.view_trends")
def trends(request):
    surveys = trends_selectors.trend_surveys(user=request.user)
    if not surveys:
        # Before the force's first survey takes responses there is nothing to compare, not a refusal.
        return render(request, "surveys/results/trends_empty.html")
    divisions = list(Division.objects.filter(force_id=surveys[0].force_id).order_by("name"))
    form = TrendsForm(request.GET or None, divisions=divisions)
    # An unknown choice falls back to the whole force: the page is bookmarkable.
    area = form.cleaned_data["area"] if form.is_valid() else "force"
    level, division_id = ("neighbourhoods", int(area.split("-")[1])) if area.startswith("division-") else (area, None)
    t = trends_selectors.survey_trends(surveys=surveys, level=level, division_id=division_id)
    charts = [
        {"id": f"chart-trend-{key}", "type": "line", "labels": t.waves, "yTitle": gettext("% favourable"),
         "percent": True,
         "datasets": [{"label": s.label, "data": [_share(f) for f in s.figures], "spanGaps": False}
                      for s in series]}
        for key, _, series in t.measures
    ]  # fmt: skip
    charts.append({
        "id": "chart-trend-gap", "type": "line", "labels": t.waves, "yTitle": gettext("% a good job"), "percent": True,
        "datasets": [{"label": gettext("White"), "data": [_share(g.white) for g in t.gaps]},
                     {"label": gettext("Black and minority ethnic"), "data": [_share(g.bme) for g in t.gaps]}],
    })  # fmt: skip
    context = {"form": TrendsForm(initial={"area": area}, divisions=divisions), "t": t, "surveys": surveys,
               "chart_data": {"charts": charts}}  # fmt: skip
    return render(request, "surveys/results/trends.html", context)


@require_GET
@never_cache
def export(request, pk, fmt):
    survey = selectors.survey_for_results(user=request.user, pk=pk)
    headers, rows = exports.export_rows(survey=survey, viewer=request.user)
    name = f"survey-{slugify(survey.title)[:50] or survey.pk}-responses"
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(headers, rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            exports.as_xlsx(headers, rows, title=survey.title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404("No such format.")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
