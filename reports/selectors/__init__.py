"""Reads for the highlight and headline return: the figures it shows (its periods: reports.periods).

`return_figures_for_divisions` builds every division's figures, for the period and both
comparison periods (the one before, the same one a year earlier), in a fixed number of grouped
queries: each query filters to the three periods at once and labels its rows with a CASE on the
date, so neither divisions, neighbourhoods nor rows add queries. Python only adds the grouped
rows up. The figures are plain JSON (str, int, float, None, lists, dicts) because a submitted
return freezes them as they are.

Each figure means what the rest of the portal means by it, so the definitions are imported,
not restated: held meetings, multi-agency meetings, small meetings and officer costs from
meetings.analytics; the evidence weight of a priority from priorities' public pages; members,
sign-ups and alert engagement as In the Know's measures count them; survey shares through
surveys' bank and disclosure control; representation through surveys' representation figures.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, TruncMonth
from django.db.models.lookups import IsNull
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from meetings.analytics.selectors import FEW_PEOPLE, MULTI_AGENCY_MEANS, held_meetings, multi_agency_held
from meetings.models import (
    EngagementMode,
    Meeting,
    MeetingType,
    OfficerAttendance,
    mode_of,
)
from meetings.selectors import rank_costs
from messaging.models import (
    Alert,
    AlertStatus,
    AudienceLevel,
    Delivery,
    DeliveryStatus,
    SignUpSource,
    Subscriber,
    SubscriberChannel,
)
from neighbourhoods.models import Neighbourhood, Ward
from pact_portal.databases.routers import replica_reads
from pact_portal.i18n import in_source_language
from priorities.models import OPEN_STATES, Action, ActionStatus, Category, Priority, PriorityEvent, PriorityState
from priorities.selectors.public import residents_behind
from reports.periods import (
    LAST_YEAR,
    PERIODS,
    PREVIOUS,
    VALUE,
    PeriodWindow,
    months_after,
    months_between,
)
from reports.selectors.membership import membership_by_month, profile_by_ward
from surveys import disclosure, statistics
from surveys.models import BankKey, PopulationCategory, Response
from surveys.representation.selectors import (
    CATEGORY_GROUPS,
    category_figures,
    most_under_represented,
    population_by_ward,
)
from surveys.results.selectors import RESPONDENTS, measure_rows

SCHEMA = 1
TOP_PRIORITIES = 5

COUNT, HOURS, MONEY, PERCENT = "count", "hours", "money", "percent"
# Labels stay English in the figures (a submitted return stores them); pages and exports translate
# them when they show them (gettext_noop puts them in the catalogues).
HEADLINE = [
    ("meetings_held", gettext_noop("Meetings held"), COUNT),
    ("multi_agency_meetings", gettext_noop("Multi-agency meetings held"), COUNT),
    ("people_in_person", gettext_noop("People reached in person"), COUNT),
    ("people_online", gettext_noop("People reached online"), COUNT),
    ("small_meetings", gettext_noop("Meetings with fewer than five of the public"), COUNT),
    ("doors_knocked", gettext_noop("Doors knocked"), COUNT),
    ("door_knock_spoken_to", gettext_noop("Residents spoken to at the door"), COUNT),
    ("door_knock_sign_ups", gettext_noop("Signed up to In the Know at the door"), COUNT),
    ("officer_hours", gettext_noop("Officer hours"), HOURS),
    ("officer_cost", gettext_noop("Estimated officer cost"), MONEY),
    ("cost_per_person", gettext_noop("Cost per person reached"), MONEY),
    ("priorities_new", gettext_noop("New priorities"), COUNT),
    ("priorities_agreed", gettext_noop("Priorities agreed"), COUNT),
    ("priorities_resolved", gettext_noop("Priorities resolved"), COUNT),
    ("priorities_signed_off", gettext_noop("Priorities signed off by the community"), COUNT),
    ("priorities_escalated", gettext_noop("Priorities escalated"), COUNT),
    ("overdue_actions", gettext_noop("Overdue actions"), COUNT),
    ("members_total", gettext_noop("In the Know members"), COUNT),
    ("members_new", gettext_noop("New members"), COUNT),
    ("field_sign_ups", gettext_noop("Field sign-ups"), COUNT),
    ("unsubscribes", gettext_noop("Unsubscribes"), COUNT),
    ("conversion_percent", gettext_noop("Sign-ups confirmed"), PERCENT),
    ("alerts_sent", gettext_noop("Alerts sent"), COUNT),
    ("messages_delivered", gettext_noop("Messages delivered"), COUNT),
    ("survey_confidence_percent", gettext_noop("Police doing a good or excellent job"), PERCENT),
    ("survey_safe_after_dark_percent", gettext_noop("Feel safe after dark"), PERCENT),
]
# What a measure counts, said beside it wherever the return is shown, in the words of the page that
# defines it, so the engagement page and the return cannot describe one figure two ways.
HEADLINE_NOTES = {"multi_agency_meetings": MULTI_AGENCY_MEANS}
NEIGHBOURHOOD_COUNTS = [
    "meetings_held", "multi_agency_meetings", "people_in_person", "people_online", "small_meetings",
    "priorities_new", "priorities_agreed", "priorities_resolved", "priorities_signed_off", "priorities_escalated",
    "overdue_actions", "members_total", "members_new", "field_sign_ups", "unsubscribes",
]  # fmt: skip
IN_THE_KNOW = [
    "members_total", "members_new", "field_sign_ups", "unsubscribes", "conversion_percent",
    "alerts_sent", "messages_delivered", "open_percent", "click_percent",
]  # fmt: skip
DOOR_KNOCKS = ["door_knock_rounds", "doors_knocked", "door_knock_spoken_to", "door_knock_sign_ups"]
# PriorityEvent verbs (priorities.services.TRANSITIONS) and the figure each one counts.
TRANSITION_FIGURES = {
    "agree": "priorities_agreed",
    "resolve": "priorities_resolved",
    "sign_off": "priorities_signed_off",
    "escalate": "priorities_escalated",
}
SURVEY_MEASURES = [BankKey.POLICE_GOOD_JOB, BankKey.SAFE_AFTER_DARK, BankKey.SAFE_DURING_DAY]
_HOURS = DecimalField(max_digits=12, decimal_places=2)


def _quantize(value, places: str) -> float:
    return float(Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _percent(part: int, whole: int) -> float | None:
    return _quantize(Decimal(100 * part) / whole, "0.1") if whole else None


# --- the figures --------------------------------------------------------------------------------


class _Places:
    """The divisions' neighbourhoods and wards (two queries). Later queries filter on these ids
    rather than joining up to the division, so the databases use the (neighbourhood, date) and
    ward indexes instead of scanning every row of the force."""

    def __init__(self, division_ids: list[int]):
        self.division_ids = division_ids
        self.neighbourhoods = list(
            Neighbourhood.objects.filter(division_id__in=division_ids)
            .order_by("name", "pk")
            .values("pk", "code", "name", "division_id")
        )
        self.neighbourhood_ids = [n["pk"] for n in self.neighbourhoods]
        self.division_of = {n["pk"]: n["division_id"] for n in self.neighbourhoods}
        self.neighbourhood_of = dict(
            Ward.objects.filter(neighbourhood_id__in=self.neighbourhood_ids).values_list("pk", "neighbourhood_id")
        )
        self.ward_ids = list(self.neighbourhood_of)


class _Tally:
    """Grouped rows added up: per (period, neighbourhood id) for the figures the neighbourhood table
    shows too, per (period, division id) for the ones only a division has."""

    def __init__(self):
        self.areas = defaultdict(lambda: defaultdict(int))
        self.divisions = defaultdict(lambda: defaultdict(int))
        self.types = defaultdict(lambda: defaultdict(int))
        self.survey_titles = defaultdict(set)

    def summed(self, period: str, neighbourhood_ids: list[int]) -> dict:
        total = defaultdict(int)
        for pk in neighbourhood_ids:
            for key, n in self.areas.get((period, pk), {}).items():
                total[key] += n
        return total


def return_figures(*, division, period_kind: str, period_start: date, period_end: date) -> dict:
    """One division's figures for the period, with both comparison periods (see the module doc)."""
    figures = return_figures_for_divisions(
        divisions=[division], period_kind=period_kind, period_start=period_start, period_end=period_end
    )
    return figures[division.pk]


@replica_reads()
def return_figures_for_divisions(
    *, divisions, period_kind: str, period_start: date, period_end: date
) -> dict[int, dict]:
    """Division id → figures, in fifteen queries whatever the number of divisions, neighbourhoods,
    meetings, priorities, members or responses: two more when a month of the periods has no
    recorded membership yet, one more when `divisions` is a QuerySet."""
    divisions = list(divisions)
    places = _Places([d.pk for d in divisions])
    window = PeriodWindow(period_kind=period_kind, period_start=period_start, period_end=period_end)
    tally = _Tally()
    _add_meetings(tally, window, places)
    _add_officer_time(tally, window, places, costs=rank_costs())
    _add_priorities(tally, window, places)
    membership = membership_by_month(ward_ids=places.ward_ids, months=_membership_months(window))
    _add_members(tally, window, places, membership)
    _add_sign_ups(tally, window, places)
    _add_alerts(tally, window, places)
    _add_deliveries(tally, window, places)
    _add_surveys(tally, window, places)
    top = _top_priorities(window, places)
    quiet = _without_engagement(window, places)
    at_end = profile_by_ward(membership, month=window.dates[VALUE][1].replace(day=1))
    representation = _representation(places, members=at_end)
    result = {}
    for division in divisions:
        areas = [n for n in places.neighbourhoods if n["division_id"] == division.pk]
        result[division.pk] = _division_figures(
            division,
            window=window,
            tally=tally,
            areas=areas,
            top=top[division.pk],
            representation=representation[division.pk],
        )
        result[division.pk]["no_engagement"] = quiet[division.pk]
    return result


def _without_engagement(window: PeriodWindow, places: _Places) -> dict[int, list[dict]]:
    """Per division, each month of the period with the neighbourhoods that recorded no engagement
    in it: no held meeting hosted or covering them (HMIC: every neighbourhood engages every month).
    One query, the hosted and the covered months united."""
    start, end = window.bounds[VALUE]
    held = held_meetings().filter(starts_at__gte=start, starts_at__lt=end)
    tz = timezone.get_current_timezone()
    hosted = (
        held.filter(neighbourhood_id__in=places.neighbourhood_ids)
        .annotate(month=TruncMonth("starts_at", tzinfo=tz))
        .order_by()
        .values_list("month", "neighbourhood_id")
    )
    covered = (
        Meeting.also_covers.through.objects.filter(
            meeting__in=held.values("pk"), neighbourhood_id__in=places.neighbourhood_ids
        )
        .annotate(month=TruncMonth("meeting__starts_at", tzinfo=tz))
        .order_by()
        .values_list("month", "neighbourhood_id")
    )
    engaged = {(_first_of_month(month), pk) for month, pk in hosted.union(covered)}
    months, month = [], window.dates[VALUE][0].replace(day=1)
    while month <= window.dates[VALUE][1]:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return {
        division_id: [
            {
                "month": month.isoformat(),
                "label": f"{month:%B %Y}",
                "neighbourhoods": [
                    n["name"]
                    for n in places.neighbourhoods
                    if n["division_id"] == division_id and (month, n["pk"]) not in engaged
                ],
            }
            for month in months
        ]
        for division_id in places.division_ids
    }


def _first_of_month(value) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return value.replace(day=1)


def _add_meetings(tally: _Tally, window: PeriodWindow, places: _Places) -> None:
    rows = (
        held_meetings()
        .filter(window.within("starts_at"), neighbourhood_id__in=places.neighbourhood_ids)
        .annotate(period=window.case("starts_at"))
        .order_by()
        .values("period", "neighbourhood_id", "meeting_type")
        .annotate(
            held=Count("pk"),
            in_person=Coalesce(Sum("public_attendees"), 0),
            online=Coalesce(Sum("online_live_viewers"), 0) + Coalesce(Sum("online_later_views"), 0),
            # As in meetings.analytics: an outcome with no in-person figure means nobody was counted.
            few=Count("pk", filter=Q(public_attendees__isnull=True) | Q(public_attendees__lt=FEW_PEOPLE)),
            # A finished door-knock round's reach, one row per meeting: joined here, not a query of its own.
            rounds=Count("door_knock_reach"),
            knocked=Coalesce(Sum("door_knock_reach__knocked"), 0),
            spoken_to=Coalesce(Sum("door_knock_reach__spoken_to"), 0),
            door_sign_ups=Coalesce(Sum("door_knock_reach__signed_up"), 0),
        )
    )
    for row in rows:
        key = (row["period"], row["neighbourhood_id"])
        area = tally.areas[key]
        area["meetings_held"] += row["held"]
        area["people_in_person"] += row["in_person"]
        area["people_online"] += row["online"]
        if mode_of(row["meeting_type"]) != EngagementMode.ONLINE:
            area["small_meetings"] += row["few"]
        area["multi_agency_meetings"] += multi_agency_held(row)
        area["door_knock_rounds"] += row["rounds"]
        area["doors_knocked"] += row["knocked"]
        area["door_knock_spoken_to"] += row["spoken_to"]
        area["door_knock_sign_ups"] += row["door_sign_ups"]
        tally.types[key][row["meeting_type"]] += row["held"]


def _add_officer_time(tally: _Tally, window: PeriodWindow, places: _Places, *, costs: dict[str, Decimal]) -> None:
    meetings = held_meetings().filter(window.within("starts_at"), neighbourhood_id__in=places.neighbourhood_ids)
    rows = (
        OfficerAttendance.objects.filter(meeting__in=meetings.values("pk"))
        .annotate(period=window.case("meeting__starts_at"))
        .order_by()
        .values("period", "meeting__neighbourhood_id", "rank")
        .annotate(hours=Sum(F("preparation_hours") + F("attending_hours") + F("follow_up_hours"), output_field=_HOURS))
    )
    for row in rows:
        hours = row["hours"] or Decimal("0")
        area = tally.areas[row["period"], row["meeting__neighbourhood_id"]]
        area["officer_hours"] += hours
        # Costed at the rank recorded for the meeting; a rank with no rate costs nothing (as analytics).
        area["officer_cost"] += hours * costs.get(row["rank"], Decimal("0"))


def _add_priorities(tally: _Tally, window: PeriodWindow, places: _Places) -> None:
    created = (
        Priority.objects.filter(window.within("created_at"), neighbourhood_id__in=places.neighbourhood_ids)
        .annotate(period=window.case("created_at"))
        .order_by()
        .values("period", "neighbourhood_id")
        .annotate(n=Count("pk"))
    )
    for row in created:
        tally.areas[row["period"], row["neighbourhood_id"]]["priorities_new"] += row["n"]
    # A priority agreed twice in a period (reopened in between) is one priority agreed.
    moves = (
        PriorityEvent.objects.filter(window.within("at"), priority__neighbourhood_id__in=places.neighbourhood_ids)
        .filter(verb__in=list(TRANSITION_FIGURES))
        .annotate(period=window.case("at"))
        .order_by()
        .values("period", "priority__neighbourhood_id")
        .annotate(
            **{
                name: Count("priority_id", distinct=True, filter=Q(verb=verb))
                for verb, name in TRANSITION_FIGURES.items()
            }
        )
    )
    for row in moves:
        area = tally.areas[row["period"], row["priority__neighbourhood_id"]]
        for name in TRANSITION_FIGURES.values():
            area[name] += row[name]
    # Only for the period itself: the portal keeps no history of an action's status, so an
    # earlier period's overdue count cannot be rebuilt (its submitted return froze it).
    overdue = (
        Action.objects.filter(
            priority__neighbourhood_id__in=places.neighbourhood_ids,
            priority__state__in=OPEN_STATES,
            status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS],
            due_date__lt=window.dates[VALUE][1],
        )
        .order_by()
        .values("priority__neighbourhood_id")
        .annotate(n=Count("pk"))
    )
    for row in overdue:
        tally.areas[VALUE, row["priority__neighbourhood_id"]]["overdue_actions"] += row["n"]


def _membership_months(window: PeriodWindow) -> list[date]:
    """Every month a period runs through, and the one before each (joiners are counted from it)."""
    months = set()
    for start, end in window.dates.values():
        months.add(months_after(start, -1))
        months.update(months_between(start, end))
    return sorted(months)


def _add_members(tally: _Tally, window: PeriodWindow, places: _Places, membership: dict) -> None:
    """Members at each period's end, joiners (first channel confirmed) and unsubscribes, from the
    wards' months (see selectors_membership)."""
    for name, (start, end) in window.dates.items():
        last, before, inside = end.replace(day=1), months_after(start, -1), months_between(start, end)
        for ward_id in places.ward_ids:
            at_end = membership[ward_id, last]
            joined = at_end["joined_by_end"] - membership[ward_id, before]["joined_by_end"]
            unsubscribes = sum(membership[ward_id, month]["unsubscribes"] for month in inside)
            if at_end["members"] or joined or unsubscribes:
                area = tally.areas[name, places.neighbourhood_of[ward_id]]
                area["members_total"] += at_end["members"]
                area["members_new"] += joined
                area["unsubscribes"] += unsubscribes


def _add_sign_ups(tally: _Tally, window: PeriodWindow, places: _Places) -> None:
    """Sign-ups in each period by when consent was given, as In the Know's conversion counts them."""
    # A scalar subquery, not EXISTS: PostgreSQL hashes an EXISTS over every channel of the force,
    # where this looks up the few sign-ups of the period by the channel's subscriber index.
    first_confirmed = Subquery(
        SubscriberChannel.objects.filter(subscriber=OuterRef("pk"), confirmed_at__isnull=False).values("pk")[:1]
    )
    rows = (
        Subscriber.objects.filter(window.within("consent_at"), ward_id__in=places.ward_ids)
        .annotate(period=window.case("consent_at"))
        .order_by()
        .values("period", "ward_id")
        .annotate(
            signed_up=Count("pk"),
            confirmed=Count("pk", filter=IsNull(first_confirmed, False)),
            field=Count("pk", filter=Q(source=SignUpSource.FIELD)),
        )
    )
    for row in rows:
        area = tally.areas[row["period"], places.neighbourhood_of[row["ward_id"]]]
        area["field_sign_ups"] += row["field"]
        area["signed_up"] += row["signed_up"]
        area["confirmed"] += row["confirmed"]


def _sent_alerts(window: PeriodWindow):
    return Alert.objects.filter(window.within("released_at"), status__in=[AlertStatus.SENDING, AlertStatus.SENT])


def _add_alerts(tally: _Tally, window: PeriodWindow, places: _Places) -> None:
    """Alerts whose audience touches the division: named directly, through one of its neighbourhoods
    or wards, or force-wide. One UNION, so an alert naming several of them counts once."""
    sent = _sent_alerts(window).values("pk")
    named = Alert.divisions.through.objects.filter(alert__in=sent, division_id__in=places.division_ids).values_list(
        "alert_id", "division_id", "alert__released_at"
    )
    by_neighbourhood = Alert.neighbourhoods.through.objects.filter(
        alert__in=sent, neighbourhood_id__in=places.neighbourhood_ids
    ).values_list("alert_id", "neighbourhood__division_id", "alert__released_at")
    by_ward = Alert.wards.through.objects.filter(alert__in=sent, ward_id__in=places.ward_ids).values_list(
        "alert_id", "ward__neighbourhood__division_id", "alert__released_at"
    )
    force_wide = (
        _sent_alerts(window)
        .filter(audience_level=AudienceLevel.FORCE, force__divisions__in=places.division_ids)
        .order_by()
        .values_list("pk", "force__divisions", "released_at")
    )
    for _alert_id, division_id, released_at in named.union(by_neighbourhood, by_ward, force_wide):
        tally.divisions[window.of(released_at), division_id]["alerts_sent"] += 1


def _add_deliveries(tally: _Tally, window: PeriodWindow, places: _Places) -> None:
    """Messages to the divisions' members of alerts released in each period (as the measures count
    an alert's engagement: cancelled messages left out)."""
    released = Alert.objects.filter(window.within("released_at")).values("pk")
    rows = (
        Delivery.objects.filter(alert__in=released, subscriber__ward_id__in=places.ward_ids)
        .exclude(status=DeliveryStatus.CANCELLED)
        .annotate(period=window.case("alert__released_at"))
        .order_by()
        .values("period", "subscriber__ward_id")
        .annotate(
            messages=Count("pk"),
            delivered=Count("pk", filter=Q(status=DeliveryStatus.DELIVERED)),
            failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        )
    )
    for row in rows:
        division_id = places.division_of[places.neighbourhood_of[row["subscriber__ward_id"]]]
        division = tally.divisions[row["period"], division_id]
        for name in ("messages", "delivered", "failed", "opened", "clicked"):
            division[name] += row[name]


def _add_surveys(tally: _Tally, window: PeriodWindow, places: _Places) -> None:
    """Bank-question shares from surveys' own grouped query, added up per division and period."""
    responses = Response.objects.filter(window.within("submitted_at"), ward_id__in=places.ward_ids).annotate(
        period=window.case("submitted_at")
    )
    for row in measure_rows(responses=responses, keys=SURVEY_MEASURES, extra=("period", "survey__title")):
        key = (row["period"], row["ward__neighbourhood__division_id"])
        division = tally.divisions[key]
        division["responses"] += row[RESPONDENTS]
        for measure in SURVEY_MEASURES:
            division[f"{measure}_base"] += row[f"{measure}_base"]
            division[f"{measure}_fav"] += row[f"{measure}_fav"]
        tally.survey_titles[key].add(row["survey__title"])


def _top_priorities(window: PeriodWindow, places: _Places) -> dict[int, dict]:
    """Each division's open priorities with the most residents behind them, and its oldest, in one
    query (row numbers per division, for each ordering). Agreed ones only: a proposal is not yet
    the community's priority, so it is never a top one."""
    period_end = window.dates[VALUE][1]
    division = [F("neighbourhood__division_id")]
    rows = (
        Priority.objects.open()
        .agreed()
        .filter(neighbourhood_id__in=places.neighbourhood_ids, created_at__lt=window.bounds[VALUE][1])
        .annotate(residents=residents_behind())
        .annotate(
            by_evidence=Window(
                RowNumber(), partition_by=division, order_by=[F("residents").desc(), "created_at", "pk"]
            ),
            by_age=Window(RowNumber(), partition_by=division, order_by=["created_at", "pk"]),
        )
        .filter(Q(by_evidence__lte=TOP_PRIORITIES) | Q(by_age__lte=TOP_PRIORITIES))
        .values(
            "pk",
            "title",
            "neighbourhood__name",
            "neighbourhood__division_id",
            "category",
            "state",
            "residents",
            "created_at",
            "by_evidence",
            "by_age",
        )  # fmt: skip
    )
    top = {pk: {"by_evidence": [], "by_age": []} for pk in places.division_ids}
    for row in rows:
        opened = timezone.localdate(row["created_at"])
        item = {
            "id": row["pk"],
            "title": row["title"],
            "neighbourhood": row["neighbourhood__name"],
            "category_label": in_source_language(Category(row["category"]).label)
            if row["category"] in Category.values
            else row["category"],
            "state": row["state"],
            "state_label": in_source_language(PriorityState(row["state"]).label),
            "residents": row["residents"],
            "opened": opened.isoformat(),
            "age_days": (period_end - opened).days,
        }
        for ordering in ("by_evidence", "by_age"):
            if row[ordering] <= TOP_PRIORITIES:
                top[row["neighbourhood__division_id"]][ordering].append((row[ordering], item))
    return {
        pk: {name: [item for _, item in sorted(items)] for name, items in lists.items()} for pk, lists in top.items()
    }


def _representation(places: _Places, *, members: dict) -> dict[int, dict]:
    """Members at the period's end (`members`, from the recorded months) against the census
    population of each division's wards, by surveys' representation figures (one query for every
    division together; respondents are not part of the headline)."""
    population, _, _ = population_by_ward(places.ward_ids)
    result = {}
    for division_id in places.division_ids:
        own = {pk for pk, area in places.neighbourhood_of.items() if places.division_of[area] == division_id}
        categories = [
            category_figures(category, _only(population[category], own), _only(members[category], own), {})
            for category in CATEGORY_GROUPS
        ]
        result[division_id] = {
            "most_under_represented": [
                {
                    "category": row.category,
                    "group": row.group,
                    "label": f"Aged {in_source_language(row.label)}"
                    if row.category == PopulationCategory.AGE_BAND
                    else in_source_language(row.label),
                    "index": row.member_index,
                }
                for row in most_under_represented(categories)
            ],
            "wards_with_population": len({pk for by_ward in population.values() for pk in by_ward if pk in own}),
        }
    return result


def _only(by_ward: dict, ward_ids: set) -> dict:
    return {pk: groups for pk, groups in by_ward.items() if pk in ward_ids}


# --- assembling one division's figures ----------------------------------------------------------


def _division_figures(
    division, *, window: PeriodWindow, tally: _Tally, areas: list[dict], top: dict, representation: dict
) -> dict:
    area_ids = [a["pk"] for a in areas]
    periods = {name: _period_figures(tally, name, division.pk, area_ids) for name in PERIODS}
    headline = [
        {
            "key": key,
            "label": label,
            "unit": unit,
            "value": periods[VALUE][key],
            "previous": periods[PREVIOUS][key],
            "last_year": periods[LAST_YEAR][key],
        }
        for key, label, unit in HEADLINE
    ]
    types = defaultdict(int)
    for pk in area_ids:
        for meeting_type, n in tally.types.get((VALUE, pk), {}).items():
            types[meeting_type] += n
    now = periods[VALUE]
    return {
        "schema": SCHEMA,
        "division": {"code": division.code, "name": division.name},
        "period": {"kind": window.kind, **window.described(VALUE)},
        "previous_period": window.described(PREVIOUS),
        "last_year_period": window.described(LAST_YEAR),
        "headline": headline,
        "meetings_by_type": [{"type": t.value, "label": t.label, "count": types[t.value]} for t in MeetingType],
        "neighbourhoods": [_neighbourhood_row(area, tally) for area in areas],
        "top_priorities": top,
        "in_the_know": {key: now[key] for key in IN_THE_KNOW},
        "door_knocks": {key: now[key] for key in DOOR_KNOCKS},
        "surveys": now["surveys"] | {"changes": _survey_changes(now["surveys"], periods[PREVIOUS]["surveys"])},
        "representation": representation,
    }


def _period_figures(tally: _Tally, period: str, division_id: int, area_ids: list[int]) -> dict:
    summed = tally.summed(period, area_ids)
    own = tally.divisions.get((period, division_id), {})
    figures = {key: int(summed[key]) for key in [*NEIGHBOURHOOD_COUNTS, *DOOR_KNOCKS]}
    cost = Decimal(summed["officer_cost"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    people = figures["people_in_person"] + figures["people_online"]
    reached = own.get("messages", 0) - own.get("failed", 0)
    surveys = _surveys(own, titles=tally.survey_titles.get((period, division_id), set()))
    figures |= {
        "officer_hours": _quantize(summed["officer_hours"], "0.1"),
        "officer_cost": float(cost),
        "cost_per_person": _quantize(cost / people, "0.01") if people else None,
        "overdue_actions": figures["overdue_actions"] if period == VALUE else None,
        "conversion_percent": _percent(summed["confirmed"], summed["signed_up"]),
        "alerts_sent": own.get("alerts_sent", 0),
        "messages_delivered": own.get("delivered", 0),
        "open_percent": _percent(own.get("opened", 0), reached),
        "click_percent": _percent(own.get("clicked", 0), reached),
        "survey_confidence_percent": surveys["confidence_percent"],
        "survey_safe_after_dark_percent": surveys["safe_after_dark_percent"],
        "surveys": surveys,
    }
    return figures


SURVEY_SHARES = [
    ("confidence", BankKey.POLICE_GOOD_JOB),
    ("safe_after_dark", BankKey.SAFE_AFTER_DARK),
    ("safe_day", BankKey.SAFE_DURING_DAY),
]


def _surveys(own: dict, *, titles: set) -> dict:
    """Shares only from MIN_GROUP respondents up (surveys' disclosure control), for each measure too,
    each with its 95% confidence interval and the counts a comparison with another period needs."""
    responses = own.get("responses", 0)
    suppressed = disclosure.is_small(responses)
    figures = {"responses": responses, "suppressed": suppressed, "survey_titles": sorted(titles)}
    for name, key in SURVEY_SHARES:
        figure = disclosure.figure(own.get(f"{key}_base", 0), own.get(f"{key}_fav", 0), hidden=suppressed)
        interval = figure.interval
        figures |= {
            f"{name}_percent": figure.share,
            f"{name}_interval": [interval.low, interval.high] if interval else None,
            f"{name}_counts": [figure.favourable, figure.base] if figure.share is not None else None,
        }
    return figures


def _survey_changes(now: dict, previous: dict) -> dict:
    """Each share against the previous period's, in words, where both may be shown."""
    changes = {}
    for name, _key in SURVEY_SHARES:
        if now.get(f"{name}_counts") and previous.get(f"{name}_counts"):
            difference = statistics.compare(first=previous[f"{name}_counts"], second=now[f"{name}_counts"])
            changes[name] = statistics.change_text(difference, since=gettext("since the previous period"))
    return changes


def _neighbourhood_row(area: dict, tally: _Tally) -> dict:
    counts = tally.areas.get((VALUE, area["pk"]), {})
    types = tally.types.get((VALUE, area["pk"]), {})
    row = {"code": area["code"], "name": area["name"]}
    # In the order the contract gives: the type breakdown after meetings, hours and cost after small meetings.
    for key in NEIGHBOURHOOD_COUNTS:
        row[key] = int(counts.get(key, 0))
        if key == "meetings_held":
            row["meetings_by_type"] = {t.value: types.get(t.value, 0) for t in MeetingType}
        if key == "small_meetings":
            row["officer_hours"] = _quantize(counts.get("officer_hours", 0), "0.1")
            row["officer_cost"] = _quantize(counts.get("officer_cost", 0), "0.01")
    return row
