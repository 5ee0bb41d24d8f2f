"""The scorecard's figures: every measure of the engagement strategy's section 6 that the portal
holds, and HMIC's two comparisons, for a neighbourhood, a division or the force, over the eight
quarters that end with the one asked for (so the quarter, the one before and the same one a year
ago are three of the eight the trend chart shows).

The return's builders (reports.selectors) count meetings, people, sign-ups, members and messages
exactly as the return does: they are called here with an eight-quarter window and the area's
places, not restated. Survey shares and HMIC's comparisons: opinion.py; appeals, complaints and
thanks, volunteers: outcomes.py; the quarters and the area's places: quarters.py. Each source is
one grouped query whatever the size of the area or its data.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policy import can
from meetings.models import MeetingType
from messaging.models import Channel, Delivery, DeliveryStatus
from priorities.models import Issue, IssueSource
from reports import selectors as returns
from reports.models import ReachMonth
from reports.scorecard.opinion import comparisons, contact_measure, survey_rows, survey_section
from reports.scorecard.outcomes import campaigns_section, outcomes_section
from reports.scorecard.quarters import (
    LAST_YEAR,
    NOW,
    PERCENT,
    PREVIOUS,
    QUARTERS,
    Measure,
    Places,
    QuarterWindow,
    Section,
)
from reports.selectors.membership import membership_by_month

REACH_SUMS = ["reach", "engagements", "shares", "comments", "mentions", "unique_visitors", "return_visitors"]


@dataclass
class Scorecard:
    level: str
    area: object
    window: QuarterWindow
    sections: list[Section]
    comparisons: list[dict]
    children: list[tuple[str, str]] = field(default_factory=list)

    @property
    def quarter_label(self) -> str:
        return self.window.label(self.window.names[NOW])

    @property
    def quarter_labels(self) -> list[str]:
        return [self.window.label(name) for name in self.window.names]

    def labels(self) -> dict:
        return {
            n: self.window.label(self.window.names[i])
            for n, i in (("now", NOW), ("previous", PREVIOUS), ("last_year", LAST_YEAR))
        }


def _sources(level: str, area, viewer) -> dict[str, str]:
    """The page each measure comes from, as the viewer may open it."""
    if level == "force":
        analytics = reverse("analytics:force")
    else:
        analytics = reverse(f"analytics:{level}", kwargs={"code": area.code})
    # A neighbourhood's online reports are triaged on its own page, which only its team may open; no
    # page lists a division's or the force's, so for them, and anyone outside the team, the link is
    # the "Do it online" form the reports come through.
    if level == "neighbourhood" and viewer is not None and can(viewer, "priority.propose", area):
        online = reverse("priorities:triage", kwargs={"code": area.code})
    else:
        online = reverse("priorities:raise-issue")
    return {
        "meetings": analytics,
        "in_the_know": reverse("messaging:measures"),
        "surveys": reverse("surveys:trends"),
        "online": online,
        "reach": reverse("reports:scorecard-figures", kwargs={"kind": "reach"}),
        "feedback": reverse("reports:scorecard-figures", kwargs={"kind": "feedback"}),
        "volunteers": reverse("reports:scorecard-figures", kwargs={"kind": "volunteers"}),
        "watch": reverse("reports:scorecard-figures", kwargs={"kind": "watch"}),
        "campaigns": reverse("reports:scorecard-figures", kwargs={"kind": "campaigns"}),
        "appeals": reverse("reports:scorecard-appeals"),
    }


def scorecard_for_area(*, level: str, area, day: date, viewer=None) -> Scorecard:
    """The scorecard of `area` (a Neighbourhood, Division or Force, as `level` says) for the
    quarter containing `day`, in a fixed number of queries (see the module doc); its links are to
    pages the `viewer` may open."""
    window = QuarterWindow(day=day)
    places = Places(level=level, area=area)
    tally = returns._Tally()
    returns._add_meetings(tally, window, places)
    returns._add_sign_ups(tally, window, places)
    membership = membership_by_month(ward_ids=places.ward_ids, months=returns._membership_months(window))
    returns._add_members(tally, window, places, membership)
    returns._add_deliveries(tally, window, places)
    counts = {name: tally.summed(name, places.neighbourhood_ids) for name in window.names}
    messages = {name: _division_sum(tally, name, places.division_ids) for name in window.names}
    sources = _sources(level, area, viewer)
    rows = survey_rows(window, places)
    sections = [
        _engagement(window, counts, sources, contact=contact_measure(window, rows, sources)),
        _event_types(window, tally, places, sources),
        campaigns_section(window, places, sources, level=level),
        _online(window, places, counts, messages, sources, level=level, area=area),
        survey_section(window, rows, sources),
        outcomes_section(window, places, sources, level=level),
    ]
    found = comparisons(window, rows)
    return Scorecard(level, area, window, sections, found, _children(level, places))


def _children(level: str, places) -> list[tuple[str, str]]:
    """The scorecards one level down: the force's divisions, a division's neighbourhoods."""
    if level == "force":
        divisions = {row["division__code"]: row["division__name"] for row in places.rows}
        return [
            (name, reverse("reports:scorecard-division", kwargs={"code": code})) for code, name in divisions.items()
        ]
    if level == "division":
        return [
            (row["name"], reverse("reports:scorecard-neighbourhood", kwargs={"code": row["code"]}))
            for row in places.rows
        ]
    return []


def _division_sum(tally, name: str, division_ids: list[int]) -> dict:
    total = defaultdict(int)
    for pk in division_ids:
        for key, n in tally.divisions.get((name, pk), {}).items():
            total[key] += n
    return total


def _percent(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _engagement(window, counts, sources, *, contact: Measure) -> Section:
    def series(key):
        return [int(counts[name][key]) for name in window.names]

    m = sources["meetings"]
    return Section(
        gettext_lazy("Engagement events and face-to-face contact (6.1)"),
        [
            Measure("meetings_held", _("PACT meetings and engagement events held"), series("meetings_held"), m),
            Measure("multi_agency_meetings", _("Multi-agency meetings held"), series("multi_agency_meetings"), m),
            Measure("people_in_person", _("People met face to face at meetings"), series("people_in_person"), m),
            Measure("people_online", _("People who joined or watched meetings online"), series("people_online"), m),
            Measure("small_meetings", _("Meetings with fewer than five of the public"), series("small_meetings"), m),
            contact,
        ],
    )


# The strategy names these apart (6.1: "PACT meetings; Open Days, our own or others attended"), so
# they are on the scorecard even in an area that has held none; other types once held in the eight quarters.
NAMED_TYPES = (MeetingType.PUBLIC_PACT, MeetingType.OPEN_DAY, MeetingType.PARTNER_EVENT)


def _event_types(window, tally, places, sources) -> Section:
    """Events held by type, each quarter, from the return's own count of meetings by type."""
    by_type = {t.value: [0] * QUARTERS for t in MeetingType}
    for i, name in enumerate(window.names):
        for pk in places.neighbourhood_ids:
            for meeting_type, n in tally.types.get((name, pk), {}).items():
                by_type[meeting_type][i] += n
    return Section(
        gettext_lazy("Events held, by type (6.1)"),
        [
            Measure(f"events_{t.value}", _(t.label), by_type[t.value], sources["meetings"])
            for t in MeetingType
            if t in NAMED_TYPES or any(by_type[t.value])
        ],
    )


def _reach(window, places) -> dict[str, list]:
    """Reach figures per quarter; None for a quarter no account reported (one query)."""
    rows = (
        ReachMonth.objects.filter(
            neighbourhood_id__in=places.neighbourhood_ids, month__gte=window.first_day, month__lte=window.last_day
        )
        .order_by()
        .values("month")
        .annotate(followers=Sum("followers"), **{key: Sum(key) for key in REACH_SUMS})
    )
    figures = {key: [None] * QUARTERS for key in ["followers", *REACH_SUMS]}
    latest = {}
    for row in rows:
        i = window.names.index(window.of_day(row["month"]))
        for key in REACH_SUMS:
            if row[key] is not None:
                figures[key][i] = (figures[key][i] or 0) + row[key]
        # Followers are a count at a moment: the quarter's last reported month, not a sum of months.
        if row["followers"] is not None and row["month"] >= latest.get(i, row["month"]):
            latest[i] = row["month"]
            figures["followers"][i] = row["followers"]
    return figures


def _online_reports(window, places) -> list[int]:
    """Issues residents reported through "Do it online" (the public report form) per quarter."""
    rows = (
        Issue.objects.filter(
            window.within("created_at"), neighbourhood_id__in=places.neighbourhood_ids, source=IssueSource.ONLINE
        )
        .annotate(period=window.case("created_at"))
        .order_by()
        .values("period")
        .annotate(n=Count("pk"))
    )
    by_period = {row["period"]: row["n"] for row in rows}
    return [by_period.get(name, 0) for name in window.names]


def _member_feedback(window, places) -> dict[str, list]:
    """What members did with the alerts they were sent, per quarter the alert went out (one query):
    their answers as In the Know's measures count them (useful or not, acted on), emails left
    unopened, and messages withdrawn because the alert was cancelled before they went.

    The strategy's "deleted messages" are an app inbox's figure: an email or a text deleted unread
    tells the portal nothing, so the nearest it can count is an email sent and never opened."""
    kept = ~Q(status=DeliveryStatus.CANCELLED)
    emails = kept & Q(channel=Channel.EMAIL, status__in=[DeliveryStatus.SENT, DeliveryStatus.DELIVERED])
    rows = (
        Delivery.objects.filter(window.within("alert__released_at"), subscriber__ward_id__in=places.ward_ids)
        .annotate(period=window.case("alert__released_at"))
        .order_by()
        .values("period")
        .annotate(
            useful_yes=Count("pk", filter=kept & Q(feedback__useful=True)),
            useful_no=Count("pk", filter=kept & Q(feedback__useful=False)),
            acted_on=Count("pk", filter=kept & Q(feedback__acted_on=True)),
            emails=Count("pk", filter=emails),
            emails_unopened=Count("pk", filter=emails & Q(opened_at__isnull=True)),
            withdrawn=Count("pk", filter=Q(status=DeliveryStatus.CANCELLED)),
        )
    )
    by_period = {row["period"]: row for row in rows}
    empty = {"useful_yes": 0, "useful_no": 0, "acted_on": 0, "emails": 0, "emails_unopened": 0, "withdrawn": 0}
    figures = {"useful_percent": [], "acted_on": [], "unopened_percent": [], "withdrawn": []}
    for name in window.names:
        row = by_period.get(name, empty)
        figures["useful_percent"].append(_percent(row["useful_yes"], row["useful_yes"] + row["useful_no"]))
        figures["acted_on"].append(row["acted_on"])
        figures["unopened_percent"].append(_percent(row["emails_unopened"], row["emails"]))
        figures["withdrawn"].append(row["withdrawn"])
    return figures


def _online(window, places, counts, messages, sources, *, level, area) -> Section:
    reach = _reach(window, places)
    feedback = _member_feedback(window, places)
    itk, r = sources["in_the_know"], sources["reach"]
    names = window.names

    def reached(name):
        return messages[name].get("messages", 0) - messages[name].get("failed", 0)

    return Section(
        gettext_lazy("Social media, digital channels and In the Know (6.1)"),
        [
            Measure("reach", _("Overall reach of posts (social media)"), reach["reach"], r),
            Measure("followers", _("Page likes or followers (last month reported)"), reach["followers"], r),
            Measure("engagements", _("Engagements (reactions, shares, comments)"), reach["engagements"], r),
            Measure("shares", _("Shares"), reach["shares"], r),
            Measure("comments", _("Comments posted"), reach["comments"], r),
            Measure("mentions", _("Mentions"), reach["mentions"], r),
            Measure("unique_visitors", _("Unique visitors to the websites"), reach["unique_visitors"], r),
            Measure("return_visitors", _("Return visitors to the websites"), reach["return_visitors"], r),
            Measure(
                "members_total",
                _("In the Know members at quarter end"),
                [counts[n]["members_total"] for n in names],
                itk,
            ),
            Measure("members_new", _("New In the Know members"), [counts[n]["members_new"] for n in names], itk),
            Measure("unsubscribes", _("In the Know unsubscribes"), [counts[n]["unsubscribes"] for n in names], itk),
            Measure(
                "conversion_percent",
                _("In the Know conversion: sign-ups confirmed"),
                [_percent(counts[n]["confirmed"], counts[n]["signed_up"]) for n in names],
                itk,
                PERCENT,
            ),
            Measure(
                "messages_delivered",
                _("In the Know messages delivered"),
                [messages[n].get("delivered", 0) for n in names],
                itk,
            ),
            Measure(
                "open_percent",
                _("In the Know messages opened"),
                [_percent(messages[n].get("opened", 0), reached(n)) for n in names],
                itk,
                PERCENT,
            ),
            Measure(
                "click_percent",
                _("In the Know messages actioned (link followed)"),
                [_percent(messages[n].get("clicked", 0), reached(n)) for n in names],
                itk,
                PERCENT,
            ),
            Measure(
                "useful_percent",
                _("Members who found an alert useful (of those who answered)"),
                feedback["useful_percent"],
                itk,
                PERCENT,
            ),
            Measure("acted_on", _("Members who said they acted on an alert"), feedback["acted_on"], itk),
            Measure(
                "unopened_percent",
                _("In the Know emails sent and never opened (the nearest to 'deleted' an email shows)"),
                feedback["unopened_percent"],
                itk,
                PERCENT,
            ),
            Measure(
                "withdrawn",
                _("In the Know messages withdrawn (alert cancelled before they went)"),
                feedback["withdrawn"],
                itk,
            ),
            Measure(
                "online_reports",
                _('Reports through "Do it online"'),
                _online_reports(window, places),
                sources["online"],
            ),
        ],
    )
