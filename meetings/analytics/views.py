from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from accounts.policy import can, policy_required, scope_for
from accounts.roles import ScopeLevel
from meetings.analytics import selectors as analytics
from meetings.models import EngagementMode
from neighbourhoods.permissions import neighbourhood_get_for_user


def _period_choices() -> list[tuple[int, str]]:
    # A callable, so each choice is worded in the language of the request that shows the form.
    return [
        (
            n,
            ngettext(
                "Last %(n)s month (this month so far included)",
                "Last %(n)s months (this month so far included)",
                n,
            )
            % {"n": n},
        )
        for n in analytics.ANALYTICS_PERIODS
    ]


class PeriodForm(forms.Form):
    months = forms.TypedChoiceField(
        label=gettext_lazy("Period"),
        choices=_period_choices,
        coerce=int,
        initial=analytics.DEFAULT_PERIOD,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def _period(request) -> tuple[PeriodForm, analytics.Period]:
    # An unknown period falls back to the default rather than failing: these are bookmarkable pages.
    form = PeriodForm(request.GET)
    months = form.cleaned_data["months"] if form.is_valid() else analytics.DEFAULT_PERIOD
    return PeriodForm(initial={"months": months}), analytics.period_of_full_months(months=months)


def _number(value):
    return None if value is None else float(value)


def _month_labels(figures: analytics.EngagementAnalytics) -> list[str]:
    return [date_format(m.month, "M Y") for m in figures.months]


def _charts(figures: analytics.EngagementAnalytics) -> list[dict]:
    """Chart.js specifications for static/js/engagement-charts.js; each mirrors a table on the page."""
    labels = _month_labels(figures)
    months = figures.months
    modes = [_(label) for _value, label in EngagementMode.choices]
    return [
        {
            "id": "chart-held-by-type",
            "type": "bar",
            "stacked": True,
            "labels": labels,
            "yTitle": _("Meetings held"),
            "datasets": [
                {"label": _(t.label), "data": [m.held_by_type.get(t, 0) for m in months]} for t in figures.meeting_types
            ],
        },
        {
            "id": "chart-attendance",
            "type": "bar",
            "stacked": True,
            "labels": labels,
            "yTitle": _("People"),
            "datasets": [
                {"label": _("Public in person"), "data": [m.public_in_person for m in months]},
                {"label": _("Watched live online"), "data": [m.online_live for m in months]},
                {"label": _("Watched online later"), "data": [m.online_later for m in months]},
            ],
        },
        {
            "id": "chart-fewer-than-five",
            "type": "bar",
            "labels": labels,
            "yTitle": _("Meetings"),
            "y1Title": _("Share of in-person and hybrid meetings (%)"),
            "datasets": [
                {"label": _("Fewer than five of the public"), "data": [m.fewer_than_five for m in months]},
                {
                    "label": _("Share (%)"),
                    "type": "line",
                    "yAxisID": "y1",
                    "data": [_number(m.fewer_than_five_share) for m in months],
                },
            ],
        },
        {
            "id": "chart-reach-by-method",
            "type": "bar",
            "labels": modes,
            "yTitle": _("People per meeting"),
            "y1Title": _("£ per person"),
            "datasets": [
                {"label": _("Average reach"), "data": [_number(t.average_reach) for t in figures.by_mode.values()]},
                {
                    "label": _("Cost per person (£)"),
                    "yAxisID": "y1",
                    "data": [_number(t.cost_per_person) for t in figures.by_mode.values()],
                },
            ],
        },
        {
            "id": "chart-cost",
            "type": "bar",
            "labels": labels,
            "yTitle": _("Estimated cost (£)"),
            "y1Title": _("£ per person reached"),
            "datasets": [
                {"label": _("Estimated cost (£)"), "data": [_number(m.estimated_cost) for m in months]},
                {
                    "label": _("Cost per person reached (£)"),
                    "type": "line",
                    "yAxisID": "y1",
                    "data": [_number(m.cost_per_person) for m in months],
                },
            ],
        },
        {
            "id": "chart-multi-agency",
            "type": "bar",
            "labels": labels,
            "yTitle": _("Meetings held"),
            "datasets": [{"label": _("Multi-agency meetings"), "data": [m.multi_agency for m in months]}],
        },
    ]


def _comparison_charts(comparison: analytics.AreaComparison) -> list[dict]:
    labels = _month_labels(comparison.figures)
    return [
        {
            "id": f"chart-areas-{name}",
            "type": "line",
            "labels": labels,
            "yTitle": title,
            "datasets": [
                {"label": str(row.area), "data": [getattr(m, name) for m in row.figures.months]}
                for row in comparison.areas
            ],
        }
        for name, title in (("held", _("Meetings held")), ("people_reached", _("People reached")))
    ]


def _area_names(area_kind: str) -> dict[str, str]:
    """The words for the areas compared, each translated whole rather than built from "Division" + "s"."""
    if area_kind == "Division":
        return {"one": _("Division"), "many": _("Divisions"), "one_lower": _("division"), "many_lower": _("divisions")}
    if area_kind == "Neighbourhood":
        return {
            "one": _("Neighbourhood"),
            "many": _("Neighbourhoods"),
            "one_lower": _("neighbourhood"),
            "many_lower": _("neighbourhoods"),
        }
    return {}


def _render(request, *, title, breadcrumbs, form, figures, comparison=None, area_kind=""):
    charts = _charts(figures) + (_comparison_charts(comparison) if comparison else [])
    context = {
        "title": title,
        "breadcrumbs": breadcrumbs,
        "form": form,
        "months": len(figures.period.months),
        "figures": figures,
        "comparison": comparison,
        "area_kind": area_kind,
        "area_names": _area_names(area_kind),
        "few": analytics.FEW_PEOPLE,
        "multi_agency_means": analytics.MULTI_AGENCY_MEANS,
        "chart_data": {"charts": charts},
    }
    return render(request, "meetings/analytics.html", context)


@require_GET
@policy_required("staff.dashboard")
def analytics_home(request):
    """Send each user to the widest area they answer for."""
    user = request.user
    level = scope_for(user).level
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    if level == ScopeLevel.FORCE and analytics.analytics_force_for(user=user) is not None:
        return redirect(reverse("analytics:force") + query)
    if level == ScopeLevel.DIVISION and user.division_id:
        return redirect(reverse("analytics:division", kwargs={"code": user.division.code}) + query)
    neighbourhood = analytics.analytics_first_neighbourhood(user=user) if level == ScopeLevel.NEIGHBOURHOOD else None
    if neighbourhood is not None:
        return redirect(reverse("analytics:neighbourhood", kwargs={"code": neighbourhood.code}) + query)
    return render(request, "meetings/analytics_no_area.html")


@require_GET
def analytics_neighbourhood(request, code):
    neighbourhood = neighbourhood_get_for_user(user=request.user, code=code)
    form, period = _period(request)
    return _render(
        request,
        title=_("%(name)s neighbourhood") % {"name": neighbourhood.name},
        breadcrumbs=[neighbourhood.division.force.name, neighbourhood.division.name],
        form=form,
        figures=analytics.neighbourhood_engagement(neighbourhood=neighbourhood, period=period),
    )


@require_GET
def analytics_division(request, code):
    division = analytics.analytics_division_get(code=code, force_id=request.user.force_id)
    if division is None or not can(request.user, "division.view", division):
        raise Http404("No such division in your area.")
    form, period = _period(request)
    comparison = analytics.division_engagement(division=division, period=period)
    return _render(
        request,
        title=division.name,
        breadcrumbs=[division.force.name],
        form=form,
        figures=comparison.figures,
        comparison=comparison,
        area_kind="Neighbourhood",
    )


@require_GET
@policy_required("staff.dashboard")
def analytics_force(request):
    force = analytics.analytics_force_for(user=request.user)
    divisions = analytics.force_divisions(force=force) if force else []
    # The page shows every division, so only someone who may see each of them may see it.
    if not divisions or not all(can(request.user, "division.view", d) for d in divisions):
        raise Http404("No force-wide view in your area.")
    form, period = _period(request)
    comparison = analytics.force_engagement(force=force, divisions=divisions, period=period)
    return _render(
        request,
        title=force.name,
        breadcrumbs=[],
        form=form,
        figures=comparison.figures,
        comparison=comparison,
        area_kind="Division",
    )
