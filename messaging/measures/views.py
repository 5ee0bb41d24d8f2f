"""Measures: the links inside a message (click counter, open pixel, "was this useful?") and the
staff measures page.

The links are public (`@login_not_required`): residents have no account. The delivery's token in
the URL is a random UUID carried only in the message, so holding it is what authorises recording a
click or an answer for that one delivery, and nothing else.

The measures page shows members, growth, sign-up conversion, unsubscribes and how recent alerts
were received, for the viewer's own area.
"""

import base64
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from accounts.policy import policy_required
from meetings.analytics.selectors import period_of_full_months
from messaging import links
from messaging.inbox.selectors import bounce_counts
from messaging.measures import selectors
from messaging.measures.forms import FeedbackForm
from messaging.measures.selectors import delivery_for_feedback, delivery_for_tracking
from messaging.measures.services import delivery_record_click, delivery_record_open, feedback_record
from messaging.members.views.signup import speak_members_language
from messaging.models import Channel
from messaging.rendering import alert_text

# The smallest transparent GIF: 1×1, one colour, fully transparent.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
SAFE_SCHEMES = frozenset({"http", "https"})


def _delivery_or_404(token, *, loader=delivery_for_tracking):
    delivery = loader(token=token)
    if delivery is None:
        raise Http404("This link is not from one of our messages.")
    return delivery


@login_not_required
@never_cache
@require_safe
def click(request, token):
    """Count the click, then send the reader on. Only a target we signed when the message was
    built is followed, so the portal's address cannot be used to bounce people to any other site.
    A HEAD is a link checker asking whether the link works: answered, never counted."""
    delivery = _delivery_or_404(token)
    target = links.tracked_target_load(request.GET.get("to", ""))
    # Signed by us, but checked again: a redirect to javascript: or data: is never right.
    if not target or urlsplit(target).scheme not in SAFE_SCHEMES:
        return render(request, "messaging/feedback/link_broken.html", status=400)
    if settings.MESSAGING_CLICK_TRACKING and request.method == "GET":
        delivery_record_click(delivery=delivery, url=target)
    return HttpResponseRedirect(target)


@login_not_required
@require_safe
def open_pixel(request, token):
    """A transparent 1×1 GIF that records the message's first open.

    Open tracking is off unless MESSAGING_OPEN_TRACKING is set, for two reasons. Privacy: loading
    a remote image tells the sender when, and roughly where, a resident read their mail, which
    residents have not asked us to know (the ICO's guidance on PECR treats tracking pixels like
    cookies, needing consent). Accuracy: most mail clients block remote images or fetch them through a
    proxy, so an "open" is recorded for only some readers and the figure is a lower bound, never
    a rate. Either way the same image is answered, even for an unknown token, so a message never
    shows a broken picture.
    """
    if settings.MESSAGING_OPEN_TRACKING and request.method == "GET":
        delivery = delivery_for_tracking(token=token)
        if delivery is not None:
            delivery_record_open(delivery=delivery)
    response = HttpResponse(PIXEL, content_type="image/gif")
    # Every open must reach us, and no proxy may keep a copy that outlives the message.
    response["Cache-Control"] = "no-store, max-age=0"
    return response


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def feedback(request, token):
    """Ask whether the message was useful. The link may carry ?useful=yes|no so one tap in the
    message pre-selects an answer, but only the form's POST records it: mail scanners follow
    every link in a message with GET, and would otherwise cast votes nobody made."""
    delivery = _delivery_or_404(token, loader=delivery_for_feedback)
    speak_members_language(request, delivery.subscriber)
    earlier = getattr(delivery, "feedback", None)
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            feedback_record(
                delivery=delivery,
                useful=form.useful_value,
                acted_on=form.cleaned_data["acted_on"],
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, gettext("Thank you: your answer has been recorded. You can change it below."))
            return redirect("messaging:feedback", token=delivery.token)
        status = 400
    else:
        form = FeedbackForm(initial=FeedbackForm.initial_for(feedback=earlier, useful_hint=request.GET.get("useful")))
        status = 200
    # The title as the member received it: their language's version, if the alert had one.
    title = alert_text(alert=delivery.alert, language=delivery.subscriber.language).title
    context = {"form": form, "alert": delivery.alert, "title": title, "answered": earlier is not None}
    return render(request, "messaging/feedback/feedback.html", context, status=status)


# --- the measures page --------------------------------------------------------------------------

PERIODS = (6, 12, 18)
DEFAULT_PERIOD = 12


class PeriodForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Period"),
        choices=[(n, format_lazy(_("Last {months} months (this month so far included)"), months=n)) for n in PERIODS],
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
            "yTitle": gettext("New members"),
            "y1Title": gettext("Members"),
            "datasets": [
                {"label": gettext("New members"), "data": growth.overall.joined},
                {"label": gettext("Members at the end of the month"), "type": "line", "yAxisID": "y1",
                 "data": growth.overall.total},
            ],
        },
        {
            "id": "chart-unsubscribes",
            "type": "bar",
            "stacked": True,
            "labels": labels,
            "yTitle": gettext("Unsubscribes"),
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
                "yTitle": gettext("Members"),
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
    period = period_of_full_months(months=months)
    figures = selectors.messaging_measures(area=area, period=period)
    context = {
        "form": PeriodForm(initial={"months": months}),
        "months": months,
        "area": area,
        "m": figures,
        "channel_labels": Channel.labels,
        "channel_counts": [(label, figures.channels[value]) for value, label in Channel.choices],
        "chart_data": {"charts": _charts(figures)},
        "bounces": bounce_counts(subscribers=area.subscribers, start=period.start, end=period.end),
    }
    return render(request, "messaging/measures/measures.html", context)
