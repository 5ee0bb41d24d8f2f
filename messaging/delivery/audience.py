"""Who gets an alert: the one definition, shared by the compose page's preview and the fan-out,
so the number staff are shown before sending is the number of messages that go.

The audience is a set of SubscriberChannel rows: active (confirmed, not unsubscribed, not
undeliverable) rows of subscribers who are not erased and whose home ward is in the area. Then:

- An emergency goes to every such row, on every channel: interests, the member's per-channel
  choice of kinds, their quiet hours and a pause do not apply (the promise the "Emergency alerts"
  interest makes: always sent, whatever else you choose).
- Any other kind goes on the chosen channels to members who share at least one chosen interest
  (none chosen: everyone), whose channel accepts a message that urgent, and who are not paused.
  Texts and calls to a member in their quiet hours are still in the audience, but held: the
  fan-out records them to go at the end of the quiet hours (`held_until`). A routine alert's
  email to a member who takes a digest is recorded to wait for it (`delivery_status`).

Everything is a condition in the one query: no row is looked at in Python, so the fan-out of a
million members stays a few set-wise statements.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Case, CharField, Count, DateTimeField, F, Q, QuerySet, Value, When
from django.utils import timezone

from messaging.models import (
    ACCEPTED_BY,
    AlertKind,
    AudienceLevel,
    Channel,
    ChannelStatus,
    DeliveryStatus,
    Digest,
    Subscriber,
    SubscriberChannel,
    SubscriberInterest,
    Urgency,
    kind_urgency,
)

# Quiet hours and holidays are the member's wall-clock and calendar: Lancashire's.
MEMBER_ZONE = ZoneInfo("Europe/London")
# Channels quiet hours hold back: an email waits in the inbox unheard, a text or a call does not.
QUIET_CHANNELS = (Channel.SMS, Channel.VOICE)


def area_ward_ids(*, force_id: int, level: str, ward_ids=(), neighbourhood_ids=(), division_ids=()) -> QuerySet:
    """The ids of the wards an area covers, as a subquery. Always within the alert's force: an
    id from elsewhere (a tampered form, another force's ward) reaches nobody."""
    from neighbourhoods.models import Ward

    in_force = Ward.objects.filter(neighbourhood__division__force_id=force_id)
    if level == AudienceLevel.WARDS:
        wards = in_force.filter(pk__in=list(ward_ids))
    elif level == AudienceLevel.NEIGHBOURHOODS:
        wards = in_force.filter(neighbourhood_id__in=list(neighbourhood_ids))
    elif level == AudienceLevel.DIVISIONS:
        wards = in_force.filter(neighbourhood__division_id__in=list(division_ids))
    elif level == AudienceLevel.FORCE:
        wards = in_force
    else:
        raise ValueError(f"Unknown audience level {level!r}.")
    return wards.values("pk")


def subscriber_channels(
    *,
    force_id: int,
    level: str,
    ward_ids=(),
    neighbourhood_ids=(),
    division_ids=(),
    interest_ids=(),
    channels=(),
    kind: str = AlertKind.GENERAL,
    at=None,
    resolve_area: bool = False,
) -> QuerySet:
    """The active channel rows an alert of `kind` reaches if sent `at` (default now; lazy, one
    query when evaluated). `channels` empty means every channel, so a preview can show all three
    counts before any is chosen; an emergency always has every channel.

    `resolve_area` reads the area's ward ids first (one small query) and puts them in the query
    as a list. Same rows; but PostgreSQL misjudges a force → division → neighbourhood → ward
    subquery as a handful of wards, and for each batch of a large fan-out would then read every
    subscriber of the area instead of the batch's range."""
    wards = area_ward_ids(
        force_id=force_id,
        level=level,
        ward_ids=ward_ids,
        neighbourhood_ids=neighbourhood_ids,
        division_ids=division_ids,
    )
    if resolve_area:
        wards = list(wards.values_list("pk", flat=True))
    emergency = kind == AlertKind.EMERGENCY
    rows = SubscriberChannel.objects.filter(
        status=ChannelStatus.ACTIVE,
        channel__in=list(Channel.values) if emergency else (list(channels) or list(Channel.values)),
        subscriber__erased_at__isnull=True,
        subscriber__ward_id__in=wards,
    )
    if emergency:
        return rows
    rows = rows.filter(accepts__in=ACCEPTED_BY[kind_urgency(kind)])
    today = _local(at).date()
    rows = rows.filter(Q(subscriber__paused_until__isnull=True) | Q(subscriber__paused_until__lt=today))
    if interest_ids:
        # A semi-join, not a join: a subscriber sharing two chosen interests is still one row.
        sharing = SubscriberInterest.objects.filter(interest_id__in=list(interest_ids)).values("subscriber_id")
        rows = rows.filter(subscriber_id__in=sharing)
    return rows


def _local(at) -> datetime:
    return (at or timezone.now()).astimezone(MEMBER_ZONE)


def in_quiet_hours(*, kind: str, at=None) -> Q:
    """The audience rows a message sent `at` must hold back: texts and calls to members whose
    quiet hours include that moment (a window may cross midnight). Never an emergency."""
    if kind == AlertKind.EMERGENCY:
        return Q(pk__in=[])
    now = _local(at).time().replace(tzinfo=None)
    start, end = "subscriber__quiet_start", "subscriber__quiet_end"
    same_day = Q(**{f"{start}__lt": F(end), f"{start}__lte": now, f"{end}__gt": now})
    overnight = Q(**{f"{start}__gt": F(end)}) & (Q(**{f"{start}__lte": now}) | Q(**{f"{end}__gt": now}))
    return Q(channel__in=QUIET_CHANNELS, **{f"{start}__isnull": False}) & (same_day | overnight)


def quiet_end_after(*, at, end) -> datetime:
    """The first time after `at` that the wall clock in Lancashire reads `end`, as an aware
    datetime. Computed per date, so a night the clocks change ends at the right instant (08:00
    BST on 29 March 2026 is 07:00 UTC; 08:00 GMT on 25 October 2026 is 08:00 UTC)."""
    local = _local(at)
    day = local.date()
    candidate = datetime.combine(day, end, tzinfo=MEMBER_ZONE)
    if candidate <= local:
        candidate = datetime.combine(day + timedelta(days=1), end, tzinfo=MEMBER_ZONE)
    # A time the clocks skip (01:30 on a spring night) is read with the offset before the change,
    # which lands it just after the change: the message waits no longer than it must.
    return candidate.astimezone(UTC)


def held_until(*, kind: str, at=None):
    """An expression for each audience row: when it may go (the end of the member's quiet hours)
    if it is held, else NULL. The members' distinct end times are few (read in one query, a scan
    of one column once per fan-out), so their instants are worked out here with the time zone
    rules, which neither database does alike, and the INSERT … SELECT only picks one per row."""
    if kind == AlertKind.EMERGENCY:
        return Value(None, output_field=DateTimeField())
    at = at or timezone.now()
    ends = Subscriber.objects.filter(quiet_end__isnull=False).order_by().values_list("quiet_end", flat=True).distinct()
    whens = [
        When(subscriber__quiet_end=end, then=Value(quiet_end_after(at=at, end=end), output_field=DateTimeField()))
        for end in ends
    ]
    if not whens:
        return Value(None, output_field=DateTimeField())
    return Case(
        When(in_quiet_hours(kind=kind, at=at), then=Case(*whens, output_field=DateTimeField())),
        default=None,
        output_field=DateTimeField(),
    )


def into_digest(*, kind: str) -> Q:
    """The audience rows that wait for the member's email digest: only a routine alert's emails.
    Not a survey's or a vote's invitation: each carries the member's own link, which a digest lacks."""
    if kind_urgency(kind) != Urgency.ROUTINE or kind in (AlertKind.SURVEY, AlertKind.VOTE):
        return Q(pk__in=[])
    return Q(channel=Channel.EMAIL) & ~Q(subscriber__email_digest=Digest.NONE)


def delivery_status(*, kind: str):
    """An expression for each audience row: the status its delivery is recorded with."""
    return Case(
        When(into_digest(kind=kind), then=Value(DeliveryStatus.DIGEST)),
        default=Value(DeliveryStatus.QUEUED),
        output_field=CharField(),
    )


@dataclass(frozen=True)
class AudienceBreakdown:
    """The audience counted once: rows per channel, how many quiet hours would hold, how many would
    wait for a digest, and per member's language the members (when asked) and rows per channel."""

    counts: dict[str, int]
    held: int
    digest: int
    languages: dict[str, dict[str, int]] = field(default_factory=dict)


def audience_breakdown(*, members: bool = False, **kwargs) -> AudienceBreakdown:
    """The audience in one grouped query, a row per members' language (nine at most). `members`
    also counts distinct members per language (a member with email and a mobile is one), which
    only the compose page needs: the release's count of a million rows skips it."""
    kind = kwargs.get("kind", AlertKind.GENERAL)
    chosen = list(Channel.values if kind == AlertKind.EMERGENCY else (kwargs.get("channels") or Channel.values))
    per_channel = {f"n_{channel}": Count("pk", filter=Q(channel=channel)) for channel in Channel.values}
    if members:
        per_channel["members"] = Count("subscriber_id", distinct=True)
    grouped = (
        subscriber_channels(**kwargs)
        .order_by()
        .values("subscriber__language")
        .annotate(
            **per_channel,
            held=Count("pk", filter=in_quiet_hours(kind=kind, at=kwargs.get("at"))),
            digest=Count("pk", filter=into_digest(kind=kind)),
        )
    )
    counts = dict.fromkeys(chosen, 0)
    held_total = digest_total = 0
    languages = {}
    for row in grouped:
        reached = {channel: row[f"n_{channel}"] for channel in Channel.values if row[f"n_{channel}"]}
        for channel, n in reached.items():
            counts[channel] = counts.get(channel, 0) + n
        languages[row["subscriber__language"]] = {**reached, "members": row.get("members", 0)}
        held_total += row["held"]
        digest_total += row["digest"]
    return AudienceBreakdown(counts, held_total, digest_total, languages)


def audience_summary(**kwargs) -> tuple[dict[str, int], int, int]:
    """(channel → number of active channel rows in the audience, how many of them quiet hours
    would hold, how many would wait for a digest), in one grouped query. Every chosen channel is
    present, with 0 when nobody is reached by it."""
    found = audience_breakdown(**kwargs)
    return found.counts, found.held, found.digest


def audience_counts(**kwargs) -> dict[str, int]:
    """Channel → number of active channel rows in the audience (see `audience_summary`)."""
    return audience_summary(**kwargs)[0]


def alert_audience_kwargs(*, alert) -> dict:
    """The arguments of `subscriber_channels` for a saved alert (two small queries: the area
    level's ids and the interests)."""
    area = {
        AudienceLevel.WARDS: ("ward_ids", alert.wards),
        AudienceLevel.NEIGHBOURHOODS: ("neighbourhood_ids", alert.neighbourhoods),
        AudienceLevel.DIVISIONS: ("division_ids", alert.divisions),
    }
    emergency = alert.kind == AlertKind.EMERGENCY
    kwargs = {
        "force_id": alert.force_id,
        "level": alert.audience_level,
        # An emergency's interests are not read: it goes to everyone in the area.
        "interest_ids": [] if emergency else list(alert.interests.values_list("pk", flat=True)),
        "channels": list(Channel.values) if emergency else alert.channels,
        "kind": alert.kind,
    }
    if alert.audience_level in area:
        name, related = area[alert.audience_level]
        kwargs[name] = list(related.values_list("pk", flat=True))
    return kwargs
