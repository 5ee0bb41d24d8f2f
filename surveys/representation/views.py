"""The representativeness page: members and respondents against the ward population, for the
viewer's area or a neighbourhood or ward inside it, and the ranked "where to sign people up next"."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from accounts.policy import can, policy_required
from surveys.representation import selectors


def _chart(figures: selectors.Representation) -> dict:
    """Chart.js data for static/js/representation-chart.js; the tables on the page repeat it."""
    groups = [row for category in figures.categories for row in category.groups]
    return {
        "labels": [row.label for row in groups],
        "datasets": [
            {"label": gettext("In the Know members"), "data": [row.member_index for row in groups]},
            {"label": gettext("Survey respondents"), "data": [row.respondent_index for row in groups]},
        ],
    }


@require_GET
@policy_required("representation.view")
def representation(request):
    area = selectors.representation_area_for(
        user=request.user, neighbourhood=request.GET.get("neighbourhood", ""), ward=request.GET.get("ward", "")
    )
    if area is None:
        raise Http404
    surveys = selectors.surveys_for_representation(area=area)
    survey = None
    if chosen := request.GET.get("survey"):
        survey = next((s for s in surveys if str(s.pk) == chosen), None)
        if survey is None:
            raise Http404
    figures = selectors.representation_figures(area=area, survey=survey)
    sign_up_in = {n.pk for n in area.neighbourhoods if can(request.user, "subscriber.field_sign_up", n)}
    context = {
        "area": area,
        "figures": figures,
        "surveys": surveys,
        "survey": survey,
        "min_base": selectors.MIN_BASE,
        "sign_up_in": sign_up_in,
        "chart_data": _chart(figures),
    }
    return render(request, "surveys/representation/representation.html", context)
