"""Reads for the In the Know measures (members, growth, sign-up conversion, unsubscribes and
each alert's engagement), scoped to the viewer's area, and the one read the tracking links need.

The measures page costs the same dozen queries whatever the membership: every figure is counted
and grouped in the database (by ward, month, source, channel or alert), and Python only adds the
grouped rows up into neighbourhoods, divisions and running totals.

A "member" is a subscriber who has not erased themselves and has at least one active channel:
someone an alert could reach today. They joined when their first channel was confirmed.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import scope_for
from accounts.roles import ScopeLevel
from meetings.analytics.selectors import Period, held_meetings
from messaging.models import (
    AlertKind,
    Channel,
    ChannelStatus,
    Delivery,
    DeliveryStatus,
    DoorKnockReach,
    Feedback,
    SignUpSource,
    Subscriber,
    SubscriberChannel,
)
from neighbourhoods.models import Ward
from neighbourhoods.selectors import area_title, wards_in_scope

RECENT_ALERTS = 25
RECENT_COMMENTS = 10
# More lines than this on one chart (a division's fifty neighbourhoods) is a tangle, not a picture:
# growth is then shown for the whole area only, and the members table compares the areas.
MAX_GROWTH_LINES = 8

# --- the tracking links ---------------------------------------------------------------------------


def delivery_for_tracking(*, token) -> Delivery | None:
    """The delivery a click or open link names: just its id, as that is all a counter needs."""
    return Delivery.objects.only("pk", "token").filter(token=token).first()


def delivery_for_feedback(*, token) -> Delivery | None:
    """The delivery a feedback link names, with its alert, its member (for their language) and any
    earlier answer (one query)."""
    return Delivery.objects.select_related("alert", "feedback", "subscriber").filter(token=token).first()


# --- the viewer's area ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasuresArea:
    """What the measures cover: the viewer's wards, and how growth is broken down."""

    title: str
    level: str
    # Growth is shown per division for the force, per neighbourhood for a neighbourhood officer.
    group_label: str
    wards: list[Ward]
    subscribers: Q  # a filter on Subscriber for "lives in the area"

    @property
    def is_empty(self) -> bool:
        return not self.wards


def measures_area_for(*, user) -> MeasuresArea:
    """The viewer's area (one query for its wards, with their neighbourhoods and divisions)."""
    scope = scope_for(user)
    lookup = scope.neighbourhood_filter()
    if lookup is None:
        return MeasuresArea(title=_("No area"), level=ScopeLevel.NONE, group_label="", wards=[], subscribers=Q(pk=None))
    on_ward = {f"neighbourhood__{key}": value for key, value in lookup.items()} | {"neighbourhood__isnull": False}
    wards = wards_in_scope(user=user)
    on_subscriber = Q(**{f"ward__{key}": value for key, value in on_ward.items()})
    level = scope.level
    group_label = _("Division") if level == ScopeLevel.FORCE else _("Neighbourhood")
    return MeasuresArea(
        title=area_title(level=level, wards=wards), level=level, group_label=group_label, wards=wards,
        subscribers=on_subscriber,
    )  # fmt: skip


# --- figures --------------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class MemberCount:
    """Members of one ward, neighbourhood, division or the whole area."""

    name: str
    members: int = 0
    field_members: int = 0
    population: int = 0

    @property
    def per_thousand(self) -> Decimal | None:
        """Members per 1,000 residents: a fair comparison between wards of different sizes."""
        if not self.population:
            return None
        return (Decimal(1000 * self.members) / self.population).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def field_share(self) -> Decimal | None:
        return _percent(self.field_members, self.members)

    def add(self, *, members: int, field_members: int, population: int) -> None:
        self.members += members
        self.field_members += field_members
        self.population += population


@dataclass
class GrowthSeries:
    """Members joining and leaving each month, and the members there were at each month's end."""

    name: str
    joined: list[int]
    left: list[int]
    total: list[int]

    @property
    def joined_in_period(self) -> int:
        return sum(self.joined)


@dataclass
class Growth:
    months: list[date]
    overall: GrowthSeries
    groups: list[GrowthSeries]

    @property
    def rows(self) -> list[tuple[date, int, int, int, list[int]]]:
        """One row a month: joined, left, total, then each group's total, for the data table."""
        o = self.overall
        return [
            (month, o.joined[i], o.left[i], o.total[i], [g.total[i] for g in self.groups])
            for i, month in enumerate(self.months)
        ]


@dataclass
class Conversion:
    label: str
    signed_up: int = 0
    confirmed: int = 0

    @property
    def rate(self) -> Decimal | None:
        return _percent(self.confirmed, self.signed_up)


@dataclass
class UnsubscribeMonth:
    month: date
    by_channel: list[int]  # in Channel order
    from_alert: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_channel)


@dataclass
class AlertEngagement:
    """One alert as the viewer's area received it."""

    pk: int
    title: str
    kind: str
    released_at: datetime
    messages: int
    delivered: int
    failed: int
    opened: int
    clicked: int
    useful_yes: int
    useful_no: int
    acted_on: int
    unsubscribed: int = 0

    @property
    def kind_label(self) -> str:
        return AlertKind(self.kind).label if self.kind in AlertKind.values else self.kind

    @property
    def useful_share(self) -> Decimal | None:
        return _percent(self.useful_yes, self.useful_yes + self.useful_no)

    @property
    def click_rate(self) -> Decimal | None:
        return _percent(self.clicked, self.messages - self.failed)


@dataclass
class DoorKnocks:
    """Finished door-knock rounds in the period (their meetings' start), as the return counts them."""

    rounds: int = 0
    doors: int = 0
    knocked: int = 0
    spoken_to: int = 0
    signed_up: int = 0
    declined: int = 0
    leaflets: int = 0
    issues: int = 0
    not_in: int = 0

    @property
    def answered_share(self) -> Decimal | None:
        return _percent(self.spoken_to, self.knocked)

    @property
    def sign_up_share(self) -> Decimal | None:
        """Of the residents who came to the door, how many signed up."""
        return _percent(self.signed_up, self.spoken_to)


@dataclass
class MessagingMeasures:
    area: MeasuresArea
    period: Period
    total: MemberCount
    by_division: list[MemberCount]
    by_neighbourhood: list[MemberCount]
    by_ward: list[MemberCount]
    channels: dict[str, int]
    growth: Growth
    conversion: list[Conversion]
    unsubscribes: list[UnsubscribeMonth]
    alerts: list[AlertEngagement]
    comments: list[Feedback] = field(default_factory=list)
    door_knocks: DoorKnocks = field(default_factory=DoorKnocks)
    # Shown when the pixel is on, or when opens were recorded while it was.
    open_tracking: bool = False

    @property
    def conversion_total(self) -> Conversion:
        total = Conversion(label=_("All sign-ups"))
        for row in self.conversion:
            total.signed_up += row.signed_up
            total.confirmed += row.confirmed
        return total

    @property
    def unsubscribed_in_period(self) -> int:
        return sum(m.total for m in self.unsubscribes)


def messaging_measures(*, area: MeasuresArea, period: Period) -> MessagingMeasures:
    """Every figure on the measures page, in ten queries (eleven when alerts reached the area)."""
    by_ward, by_neighbourhood, by_division, total = _members(area)
    alerts = _alerts(area, period)
    return MessagingMeasures(
        area=area,
        period=period,
        total=total,
        by_division=by_division,
        by_neighbourhood=by_neighbourhood,
        by_ward=by_ward,
        channels=_active_channels(area),
        growth=_growth(area, period),
        conversion=_conversion(area, period),
        unsubscribes=_unsubscribes(area, period),
        alerts=alerts,
        comments=_comments(area, period),
        door_knocks=_door_knocks(area, period),
        open_tracking=settings.MESSAGING_OPEN_TRACKING or any(a.opened for a in alerts),
    )


def _reachable() -> Q:
    """Has an active channel. An IN over the active rows, not a correlated EXISTS: SQLite would
    answer EXISTS through the (status, …) index, scanning every active row for each subscriber."""
    return Q(pk__in=SubscriberChannel.objects.filter(status=ChannelStatus.ACTIVE).values("subscriber_id"))


def _members(area: MeasuresArea):
    """Members per ward (one query), added up into neighbourhoods, divisions and the area."""
    rows = (
        Subscriber.objects.current()
        .filter(area.subscribers)
        .filter(_reachable())
        .order_by()
        .values("ward_id")
        .annotate(members=Count("pk"), field_members=Count("pk", filter=Q(source=SignUpSource.FIELD)))
    )
    counted = {row["ward_id"]: row for row in rows}
    total = MemberCount(name=area.title)
    wards, neighbourhoods, divisions = [], {}, {}
    for ward in area.wards:
        row = counted.get(ward.pk, {})
        figures = {
            "members": row.get("members", 0),
            "field_members": row.get("field_members", 0),
            "population": ward.population or 0,
        }
        wards.append(MemberCount(name=ward.name, **figures))
        neighbourhood, division = ward.neighbourhood, ward.neighbourhood.division
        neighbourhoods.setdefault(neighbourhood.pk, MemberCount(name=neighbourhood.name)).add(**figures)
        divisions.setdefault(division.pk, MemberCount(name=division.name)).add(**figures)
        total.add(**figures)
    return _by_name(wards), _by_name(neighbourhoods.values()), _by_name(divisions.values()), total


def _by_name(rows) -> list[MemberCount]:
    return sorted(rows, key=lambda row: row.name)


def _active_channels(area: MeasuresArea) -> dict[str, int]:
    rows = (
        SubscriberChannel.objects.active()
        .filter(subscriber__erased_at__isnull=True, subscriber__in=Subscriber.objects.filter(area.subscribers))
        .order_by()
        .values("channel")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(Channel.values, 0)
    counts.update({row["channel"]: row["n"] for row in rows})
    return counts


def _month_of(value) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return value.replace(day=1)


def _by_month(expression):
    return TruncMonth(expression, tzinfo=timezone.get_current_timezone())


def _growth(area: MeasuresArea, period: Period) -> Growth:
    """Joins and leaves per group and month (two queries), turned into running totals. A member
    who left with no date recorded (an address that stopped working) counts as leaving the month
    they joined, so the last month's total is always today's membership."""
    group_key = "ward__neighbourhood__division_id" if area.level == ScopeLevel.FORCE else "ward__neighbourhood_id"
    channels = SubscriberChannel.objects.filter(subscriber=OuterRef("pk"))
    first_confirmed = channels.filter(confirmed_at__isnull=False).order_by("confirmed_at").values("confirmed_at")[:1]
    last_unsubscribed = channels.filter(unsubscribed_at__isnull=False).order_by("-unsubscribed_at")
    people = (
        Subscriber.objects.filter(area.subscribers)
        .annotate(joined=Subquery(first_confirmed))
        .filter(joined__isnull=False)
        .order_by()
    )
    joins = people.annotate(month=_by_month("joined")).values(group_key, "month").annotate(n=Count("pk"))
    leavers = people.exclude(Q(erased_at__isnull=True) & _reachable()).annotate(
        left=Coalesce("erased_at", Subquery(last_unsubscribed.values("unsubscribed_at")[:1]), "joined")
    )
    leaves = leavers.annotate(month=_by_month("left")).values(group_key, "month").annotate(n=Count("pk"))
    groups = _growth_groups(area)
    joined, left = _tally(joins, group_key, period), _tally(leaves, group_key, period)
    series = [_series(name, joined[pk], left[pk], len(period.months)) for pk, name in groups]
    if len(series) > MAX_GROWTH_LINES:
        series = []
    overall = _series(_("All members"), _sum_tallies(joined), _sum_tallies(left), len(period.months))
    return Growth(months=list(period.months), overall=overall, groups=series)


def _growth_groups(area: MeasuresArea) -> list[tuple[int, str]]:
    if area.level == ScopeLevel.FORCE:
        groups = {w.neighbourhood.division.pk: w.neighbourhood.division.name for w in area.wards}
    else:
        groups = {w.neighbourhood.pk: w.neighbourhood.name for w in area.wards}
    return sorted(groups.items(), key=lambda item: item[1])


def _tally(rows, group_key: str, period: Period) -> dict[int, dict]:
    """{group: {"before": n, month: n, ...}}: counts before the period are the starting point."""
    index = {month: i for i, month in enumerate(period.months)}
    tally: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        month = _month_of(row["month"])
        if month < period.first:
            tally[row[group_key]]["before"] += row["n"]
        elif month in index:
            tally[row[group_key]][index[month]] += row["n"]
    return tally


def _sum_tallies(tally: dict[int, dict]) -> dict:
    summed: dict = defaultdict(int)
    for counts in tally.values():
        for key, n in counts.items():
            summed[key] += n
    return summed


def _series(name: str, joined: dict, left: dict, months: int) -> GrowthSeries:
    running = joined.get("before", 0) - left.get("before", 0)
    series = GrowthSeries(name=name, joined=[], left=[], total=[])
    for i in range(months):
        series.joined.append(joined.get(i, 0))
        series.left.append(left.get(i, 0))
        running += joined.get(i, 0) - left.get(i, 0)
        series.total.append(running)
    return series


def _conversion(area: MeasuresArea, period: Period) -> list[Conversion]:
    """Sign-ups in the period by source, and how many of them confirmed at least one channel."""
    confirmed = Exists(SubscriberChannel.objects.filter(subscriber=OuterRef("pk"), confirmed_at__isnull=False))
    rows = (
        Subscriber.objects.filter(area.subscribers, consent_at__gte=period.start, consent_at__lt=period.end)
        .order_by()
        .values("source")
        .annotate(signed_up=Count("pk"), confirmed=Count("pk", filter=confirmed))
    )
    counted = {row["source"]: row for row in rows}
    result = []
    for source in SignUpSource:
        row = counted.get(source.value)
        # Imports are shown only when there were some: most forces never import.
        if row is None and source == SignUpSource.IMPORT:
            continue
        result.append(Conversion(label=source.label, **({} if row is None else _only(row, "signed_up", "confirmed"))))
    return result


def _door_knocks(area: MeasuresArea, period: Period) -> DoorKnocks:
    """One query over the reach the area's finished rounds left on their meetings."""
    neighbourhood_ids = {ward.neighbourhood_id for ward in area.wards}
    meetings = held_meetings().filter(
        neighbourhood_id__in=neighbourhood_ids, starts_at__gte=period.start, starts_at__lt=period.end
    )
    names = ["doors", "knocked", "spoken_to", "signed_up", "declined", "leaflets", "issues", "not_in"]
    row = DoorKnockReach.objects.filter(meeting__in=meetings.values("pk")).aggregate(
        rounds=Count("pk"), **{name: Coalesce(Sum(name), 0) for name in names}
    )
    return DoorKnocks(**row)


def _only(row: dict, *keys: str) -> dict:
    return {key: row[key] for key in keys}


def _unsubscribes(area: MeasuresArea, period: Period) -> list[UnsubscribeMonth]:
    rows = (
        SubscriberChannel.objects.filter(
            subscriber__in=Subscriber.objects.filter(area.subscribers),
            unsubscribed_at__gte=period.start,
            unsubscribed_at__lt=period.end,
        )
        .annotate(month=_by_month("unsubscribed_at"))
        .order_by()
        .values("month", "channel")
        .annotate(n=Count("pk"), from_alert=Count("pk", filter=Q(unsubscribed_from_alert__isnull=False)))
    )
    channels = list(Channel.values)
    months = {month: UnsubscribeMonth(month=month, by_channel=[0] * len(channels)) for month in period.months}
    for row in rows:
        month = months.get(_month_of(row["month"]))
        if month is not None:
            month.by_channel[channels.index(row["channel"])] += row["n"]
            month.from_alert += row["from_alert"]
    return list(months.values())


def _alerts(area: MeasuresArea, period: Period) -> list[AlertEngagement]:
    """The most recent alerts released in the period that reached the area, counting only the
    messages to the area's members (two queries: deliveries, then unsubscribes)."""
    delivered = Q(status=DeliveryStatus.DELIVERED)
    rows = (
        Delivery.objects.filter(
            subscriber__in=Subscriber.objects.filter(area.subscribers),
            alert__released_at__gte=period.start,
            alert__released_at__lt=period.end,
        )
        .exclude(status=DeliveryStatus.CANCELLED)
        .order_by()
        .values("alert_id", "alert__title", "alert__kind", "alert__released_at")
        .annotate(
            messages=Count("pk"),
            delivered=Count("pk", filter=delivered),
            failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
            useful_yes=Count("pk", filter=Q(feedback__useful=True)),
            useful_no=Count("pk", filter=Q(feedback__useful=False)),
            acted_on=Count("pk", filter=Q(feedback__acted_on=True)),
        )
        .order_by("-alert__released_at", "-alert_id")[:RECENT_ALERTS]
    )
    alerts = [
        AlertEngagement(
            pk=row["alert_id"], title=row["alert__title"], kind=row["alert__kind"],
            released_at=row["alert__released_at"],
            **_only(row, "messages", "delivered", "failed", "opened", "clicked", "useful_yes", "useful_no", "acted_on"),
        )
        for row in rows
    ]  # fmt: skip
    if alerts:
        unsubscribed = dict(
            SubscriberChannel.objects.filter(
                unsubscribed_from_alert__in=[a.pk for a in alerts],
                subscriber__in=Subscriber.objects.filter(area.subscribers),
            )
            .order_by()
            .values("unsubscribed_from_alert")
            .annotate(n=Count("pk"))
            .values_list("unsubscribed_from_alert", "n")
        )
        for alert in alerts:
            alert.unsubscribed = unsubscribed.get(alert.pk, 0)
    return alerts


def _comments(area: MeasuresArea, period: Period) -> list[Feedback]:
    """The latest comments left on alerts by the area's members, with the alert they were about."""
    return list(
        Feedback.objects.filter(
            delivery__subscriber__in=Subscriber.objects.filter(area.subscribers),
            updated_at__gte=period.start,
            updated_at__lt=period.end,
        )
        .exclude(comment="")
        .select_related("delivery__alert")
        .only("comment", "useful", "acted_on", "updated_at", "delivery__alert__title")
        .order_by("-updated_at", "-pk")[:RECENT_COMMENTS]
    )
