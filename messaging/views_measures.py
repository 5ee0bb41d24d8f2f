"""The In the Know measures page: members, growth, sign-up conversion, unsubscribes and how
recent alerts were received, for the viewer's own area."""

from django import forms
from django.shortcuts import render
from django.utils.formats import date_format
from django.views.decorators.http import require_GET

from accounts.policy import policy_required
from meetings.analytics import period_of_full_months
from messaging import selectors_measures as selectors
from messaging.models import Channel

PERIODS = (6, 12, 18)
DEFAULT_PERIOD = 12


class PeriodForm(forms.Form):
    months = forms.TypedChoiceField(
        label="Period",
        choices=[(n, f"Last {n} months (this month so far included)") for n in PERIODS],
        coerce=int,
        initial=DEFAULT_PERIOD,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def _charts(measures: selectors.MessagingMeasures) -> list[dict]:
    """Chart.js specifications for static/js/messaging-charts.js; each repeats a table on the page."""
    growth = measures.growth
    labels = [date_format(month, "M Y") for month in growth.months]
    charts = [
        {
            "id": "chart-growth",
            "type": "bar",
            "labels": labels,
            "yTitle": "New members",
            "y1Title": "Members",
            "datasets": [
                {"label": "New members", "data": growth.overall.joined},
                {"label": "Members at the end of the month", "type": "line", "yAxisID": "y1",
                 "data": growth.overall.total},
            ],
        },
        {
            "id": "chart-unsubscribes",
            "type": "bar",
            "stacked": True,
            "labels": labels,
            "yTitle": "Unsubscribes",
            "datasets": [
                {"label": label, "data": [m.by_channel[i] for m in measures.unsubscribes]}
                for i, label in enumerate(Channel.labels)
            ],
        },
    ]  # fmt: skip
    if len(growth.groups) > 1:
        charts.append(
            {
                "id": "chart-growth-groups",
                "type": "line",
                "labels": labels,
                "yTitle": "Members",
                "datasets": [{"label": series.name, "data": series.total} for series in growth.groups],
            }
        )
    return charts


@require_GET
@policy_required("messaging.measures")
def measures(request):
    # An unknown period falls back to the default rather than failing: the page is bookmarkable.
    form = PeriodForm(request.GET)
    months = form.cleaned_data["months"] if form.is_valid() else DEFAULT_PERIOD
    area = selectors.measures_area_for(user=request.user)
    figures = selectors.messaging_measures(area=area, period=period_of_full_months(months=months))
    context = {
        "form": PeriodForm(initial={"months": months}),
        "months": months,
        "area": area,
        "m": figures,
        "channel_labels": Channel.labels,
        "channel_counts": [(label, figures.channels[value]) for value, label in Channel.choices],
        "chart_data": {"charts": _charts(figures)},
    }
    return render(request, "messaging/measures/measures.html", context)
