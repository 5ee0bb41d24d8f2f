"""The scorecard's figures: every measure of the engagement strategy's section 6 that the portal
holds, and HMIC's two comparisons, for a neighbourhood, a division or the force, over the eight
quarters that end with the one asked for (so the quarter, the one before and the same one a year
ago are three of the eight the trend chart shows).

The return's builders (reports.selectors) count meetings, people, sign-ups, members and messages
exactly as the return does: they are called here with an eight-quarter window and the area's
places, not restated. Survey shares go through surveys' grouped query, disclosure control and
statistics. Each source is one grouped query whatever the size of the area or its data.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case, CharField, Count, Q, Sum, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings.models import MeetingType
from messaging.models import Alert, AlertKind, AlertStatus, AudienceLevel, Delivery, DeliveryStatus
from neighbourhoods.models import Neighbourhood, Ward
from priorities.models import Issue, IssueSource
from reports import selectors as returns
from reports.models import FeedbackKind, FeedbackMonth, PeriodKind, ReachMonth, VolunteerCount, VolunteerRole
from reports.periods import midnight, months_after, period_bounds, period_label
from reports.selectors_membership import membership_by_month
from surveys import disclosure, statistics
from surveys.bank import is_white
from surveys.models import BankKey, Response
from surveys.selectors_results import RESPONDENTS, measure_rows

QUARTERS = 8
NOW, PREVIOUS, LAST_YEAR = QUARTERS - 1, QUARTERS - 2, QUARTERS - 5
COUNT, PERCENT = "count", "percent"
# Legitimacy, confidence and satisfaction (strategy 6.2), in the bank's words.
SURVEY_KEYS = [
    BankKey.POLICE_GOOD_JOB,
    BankKey.POLICE_TREAT_FAIRLY,
    BankKey.POLICE_RELIED_ON,
    BankKey.SERVICE_SATISFACTION,
    BankKey.INFLUENCE_DECISIONS,
    BankKey.DEAL_WITH_WHAT_MATTERS,
]
REACH_SUMS = ["reach", "engagements", "shares", "comments", "mentions", "unique_visitors", "return_visitors"]


class QuarterWindow:
    """The eight quarters as UK-local [start, end) moments, named "q0" (oldest) to "q7"; it
    answers the same questions as reports.periods.PeriodWindow, so the return's builders take it."""

    kind = PeriodKind.QUARTER

    def __init__(self, *, day: date):
        last, _end = period_bounds(period_kind=PeriodKind.QUARTER, day=day)
        starts = [months_after(last, -3 * back) for back in range(QUARTERS - 1, -1, -1)]
        self.names = [f"q{i}" for i in range(QUARTERS)]
        self.dates = {
            name: (start, months_after(start, 3) - timedelta(days=1))
            for name, start in zip(self.names, starts, strict=True)
        }
        self.bounds = {name: (midnight(s), midnight(e + timedelta(days=1))) for name, (s, e) in self.dates.items()}

    @property
    def first_day(self) -> date:
        return self.dates[self.names[0]][0]

    @property
    def last_day(self) -> date:
        return self.dates[self.names[-1]][1]

    def within(self, field_name: str) -> Q:
        start, end = self.bounds[self.names[0]][0], self.bounds[self.names[-1]][1]
        return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})

    def case(self, field_name: str) -> Case:
        whens = [
            When(**{f"{field_name}__gte": s, f"{field_name}__lt": e}, then=Value(n))
            for n, (s, e) in self.bounds.items()
        ]
        return Case(*whens, default=None, output_field=CharField())

    def of(self, moment) -> str | None:
        return next((name for name, (s, e) in self.bounds.items() if s <= moment < e), None)

    def of_day(self, day: date) -> str | None:
        return next((name for name, (s, e) in self.dates.items() if s <= day <= e), None)

    def label(self, name: str) -> str:
        start, end = self.dates[name]
        return period_label(period_kind=PeriodKind.QUARTER, period_start=start, period_end=end)


class _Places:
    """The area's neighbourhoods and wards (two queries), shaped as the return's builders expect."""

    def __init__(self, *, level: str, area):
        lookup = {"neighbourhood": {"pk": area.pk}, "division": {"division_id": area.pk}}.get(
            level, {"division__force_id": area.pk}
        )
        rows = list(
            Neighbourhood.objects.filter(**lookup)
            .order_by("division__name", "name")
            .values("pk", "code", "name", "division_id", "division__code", "division__name")
        )
        self.rows = rows
        self.neighbourhood_ids = [row["pk"] for row in rows]
        self.division_of = {row["pk"]: row["division_id"] for row in rows}
        self.division_ids = sorted(set(self.division_of.values()))
        self.neighbourhood_of = dict(
            Ward.objects.filter(neighbourhood_id__in=self.neighbourhood_ids).values_list("pk", "neighbourhood_id")
        )
        self.ward_ids = list(self.neighbourhood_of)


@dataclass
class Measure:
    key: str
    label: str
    values: list  # one per quarter, oldest first; None where the portal holds no figure
    source: str = ""
    unit: str = COUNT
    intervals: list = field(default_factory=list)  # survey shares: (low, high) or None per quarter
    notes: list = field(default_factory=list)  # survey shares: the changes, in words

    @property
    def now(self):
        return self.values[NOW]

    @property
    def previous(self):
        return self.values[PREVIOUS]

    @property
    def last_year(self):
        return self.values[LAST_YEAR]

    @property
    def interval_now(self):
        return self.intervals[NOW] if self.intervals else None


@dataclass
class Section:
    title: str
    measures: list[Measure]


@dataclass
class Scorecard:
    level: str
    area: object
    window: QuarterWindow
    sections: list[Section]
    meeting_types: list[tuple[str, int]]
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


def _sources(level: str, area) -> dict[str, str]:
    """The page each measure comes from."""
    if level == "force":
        analytics = reverse("analytics:force")
    else:
        analytics = reverse(f"analytics:{level}", kwargs={"code": area.code})
    triage = reverse("priorities:triage", kwargs={"code": area.code}) if level == "neighbourhood" else ""
    return {
        "meetings": analytics,
        "in_the_know": reverse("messaging:measures"),
        "surveys": reverse("surveys:trends"),
        "online": triage,
        "reach": reverse("reports:scorecard-figures", kwargs={"kind": "reach"}),
        "feedback": reverse("reports:scorecard-figures", kwargs={"kind": "feedback"}),
        "volunteers": reverse("reports:scorecard-figures", kwargs={"kind": "volunteers"}),
        "appeals": reverse("reports:scorecard-appeals"),
    }


def scorecard_for_area(*, level: str, area, day: date) -> Scorecard:
    """The scorecard of `area` (a Neighbourhood, Division or Force, as `level` says) for the
    quarter containing `day`, in a fixed number of queries (see the module doc)."""
    window = QuarterWindow(day=day)
    places = _Places(level=level, area=area)
    tally = returns._Tally()
    returns._add_meetings(tally, window, places)
    returns._add_sign_ups(tally, window, places)
    membership = membership_by_month(ward_ids=places.ward_ids, months=returns._membership_months(window))
    returns._add_members(tally, window, places, membership)
    returns._add_deliveries(tally, window, places)
    counts = {name: tally.summed(name, places.neighbourhood_ids) for name in window.names}
    messages = {name: _division_sum(tally, name, places.division_ids) for name in window.names}
    sources = _sources(level, area)
    survey_rows = _survey_rows(window, places)
    sections = [
        _engagement(window, counts, sources),
        _online(window, places, counts, messages, sources, level=level, area=area),
        _survey_section(window, survey_rows, sources),
        _outcomes(window, places, sources, level=level),
    ]
    types = defaultdict(int)
    for pk in places.neighbourhood_ids:
        for meeting_type, n in tally.types.get((window.names[NOW], pk), {}).items():
            types[meeting_type] += n
    meeting_types = [(t.label, types[t.value]) for t in MeetingType if types[t.value]]
    comparisons = _comparisons(window, survey_rows)
    return Scorecard(level, area, window, sections, meeting_types, comparisons, _children(level, places))


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


def _engagement(window, counts, sources) -> Section:
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
    """Members' answers to the alerts they were sent, per quarter the alert went out, as In the
    Know's measures count them: useful or not, and whether they acted on it (one query)."""
    rows = (
        Delivery.objects.filter(window.within("alert__released_at"), subscriber__ward_id__in=places.ward_ids)
        .exclude(status=DeliveryStatus.CANCELLED)
        .annotate(period=window.case("alert__released_at"))
        .order_by()
        .values("period")
        .annotate(
            useful_yes=Count("pk", filter=Q(feedback__useful=True)),
            useful_no=Count("pk", filter=Q(feedback__useful=False)),
            acted_on=Count("pk", filter=Q(feedback__acted_on=True)),
        )
    )
    by_period = {row["period"]: row for row in rows}
    empty = {"useful_yes": 0, "useful_no": 0, "acted_on": 0}
    figures = {"useful_percent": [], "acted_on": []}
    for name in window.names:
        row = by_period.get(name, empty)
        figures["useful_percent"].append(_percent(row["useful_yes"], row["useful_yes"] + row["useful_no"]))
        figures["acted_on"].append(row["acted_on"])
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
                "online_reports",
                _('Reports through "Do it online"'),
                _online_reports(window, places),
                sources["online"],
            ),
        ],
    )


def _survey_rows(window, places) -> list[dict]:
    """Surveys' own grouped query, for the area's wards and the eight quarters (one query)."""
    responses = Response.objects.filter(window.within("submitted_at"), ward_id__in=places.ward_ids).annotate(
        period=window.case("submitted_at")
    )
    return measure_rows(responses=responses, keys=SURVEY_KEYS, extra=("period",))


def _summed(rows, key) -> tuple[int, int, int]:
    """(respondents, base, favourable) of `key` over `rows`."""
    return (
        sum(row[RESPONDENTS] for row in rows),
        sum(row[f"{key}_base"] for row in rows),
        sum(row[f"{key}_fav"] for row in rows),
    )


def _survey_section(window, rows, sources) -> Section:
    by_period = defaultdict(list)
    for row in rows:
        by_period[row["period"]].append(row)
    measures = []
    for key in SURVEY_KEYS:
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
        measures.append(
            Measure(
                str(key),
                str(BankKey(key).label),
                [f.share for f in figures],
                sources["surveys"],
                PERCENT,
                intervals=[(f.interval.low, f.interval.high) if f.interval else None for f in figures],
                notes=notes,
            )
        )
    measures += _gap_measures(window, by_period, sources)
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


def _gap_measures(window, by_period, sources) -> list[Measure]:
    """HMIC reviews the White–BME gap quarterly: the points between the two, for each quarter."""
    return [
        Measure(
            f"gap_{key}",
            _("White–BME gap in points (White minus BME): %(measure)s") % {"measure": BankKey(key).label},
            [disclosure.gap(*_pair(by_period[name], key, _side_of_ethnicity)) for name in window.names],
            sources["surveys"],
        )
        for key in COMPARED_KEYS
    ]


def _comparisons(window, rows) -> list[dict]:
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


def _appeals(window, places) -> dict[str, list]:
    """Appeals for information that reached the area, by the quarter they went out, and what they
    produced as recorded (one query)."""
    area = (
        Q(neighbourhoods__in=places.neighbourhood_ids)
        | Q(wards__in=places.ward_ids)
        | Q(divisions__in=places.division_ids)
        | Q(audience_level=AudienceLevel.FORCE, force__divisions__in=places.division_ids)
    )
    rows = (
        Alert.objects.filter(window.within("released_at"), area, kind=AlertKind.APPEAL)
        .filter(status__in=[AlertStatus.SENDING, AlertStatus.SENT])
        .order_by()
        .values(
            "pk",
            "released_at",
            "appeal_outcome__pk",
            "appeal_outcome__information_received",
            "appeal_outcome__arrests",
            "appeal_outcome__closed",
        )
        .distinct()
    )
    figures = {key: [0] * QUARTERS for key in ("sent", "recorded", "information", "arrests", "closed")}
    for row in rows:
        i = window.names.index(window.of(row["released_at"]))
        figures["sent"][i] += 1
        if row["appeal_outcome__pk"] is not None:
            figures["recorded"][i] += 1
            figures["information"][i] += int(row["appeal_outcome__information_received"])
            figures["arrests"][i] += row["appeal_outcome__arrests"]
            figures["closed"][i] += int(row["appeal_outcome__closed"])
    return figures


def _feedback(window, places, *, level: str) -> dict[str, list]:
    """Complaints and thanks per quarter; None for a quarter with nothing entered (one query).
    Division-wide rows count for a division or the force, never for one of its neighbourhoods."""
    area = Q(neighbourhood_id__in=places.neighbourhood_ids)
    if level != "neighbourhood":
        area |= Q(division_id__in=places.division_ids)
    rows = (
        FeedbackMonth.objects.filter(area, month__gte=window.first_day, month__lte=window.last_day)
        .order_by()
        .values("month", "kind")
        .annotate(n=Sum("count"))
    )
    figures = {kind: [None] * QUARTERS for kind in FeedbackKind.values}
    for row in rows:
        i = window.names.index(window.of_day(row["month"]))
        figures[row["kind"]][i] = (figures[row["kind"]][i] or 0) + row["n"]
    return figures


def _volunteers(window, places) -> dict[str, list]:
    """Volunteers of each role at each quarter's end: every neighbourhood's latest count on or
    before it (one query); None where no neighbourhood had been counted yet."""
    rows = VolunteerCount.objects.filter(
        neighbourhood_id__in=places.neighbourhood_ids, as_of__lte=window.last_day
    ).values_list("neighbourhood_id", "role", "as_of", "count")
    rows = sorted(rows, key=lambda row: row[2])
    figures = {role: [None] * QUARTERS for role in VolunteerRole.values}
    for i, name in enumerate(window.names):
        end = window.dates[name][1]
        latest = {}
        for neighbourhood_id, role, as_of, count in rows:
            if as_of <= end:
                latest[neighbourhood_id, role] = count
        for (_pk, role), count in latest.items():
            figures[role][i] = (figures[role][i] or 0) + count
    return figures


def _outcomes(window, places, sources, *, level) -> Section:
    appeals, feedback, volunteers = (
        _appeals(window, places),
        _feedback(window, places, level=level),
        _volunteers(window, places),
    )
    a, f, v = sources["appeals"], sources["feedback"], sources["volunteers"]
    return Section(
        gettext_lazy("Appeals, complaints and thanks, and Citizens in Policing (6.1, 6.2)"),
        [
            Measure("appeals_sent", _("Appeals for information sent"), appeals["sent"], a),
            Measure("appeals_recorded", _("Appeals with an outcome recorded"), appeals["recorded"], a),
            Measure("appeals_information", _("Appeals that brought information"), appeals["information"], a),
            Measure("appeals_arrests", _("Arrests from appeals"), appeals["arrests"], a),
            Measure("appeals_closed", _("Appeals closed"), appeals["closed"], a),
            Measure("complaints", _("Complaints about neighbourhood policing"), feedback[FeedbackKind.COMPLAINT], f),
            Measure("thanks", _("Letters and messages of thanks"), feedback[FeedbackKind.THANKS], f),
            *[
                Measure(f"volunteers_{role.value}", f"{role.label} ({_('at quarter end')})", volunteers[role.value], v)
                for role in VolunteerRole
            ],
        ],
    )
