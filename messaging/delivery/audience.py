"""Who gets an alert: the one definition, shared by the compose page's preview and the fan-out,
so the number staff are shown before sending is the number of messages that go.

The audience is a set of SubscriberChannel rows: active (confirmed, not unsubscribed, not
undeliverable) rows of the chosen channels, of subscribers who are not erased, whose home ward is
in the area, and who share at least one chosen interest. No interests chosen means everyone in the
area; "emergency-alerts" is an interest like any other here (staff choose it when they mean it).
"""

from django.db.models import Count, QuerySet

from messaging.models import AudienceLevel, Channel, ChannelStatus, SubscriberChannel, SubscriberInterest


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
    resolve_area: bool = False,
) -> QuerySet:
    """The active channel rows an alert reaches (lazy; one query when evaluated). `channels`
    empty means every channel, so a preview can show all three counts before any is chosen.

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
    rows = SubscriberChannel.objects.filter(
        status=ChannelStatus.ACTIVE,
        channel__in=list(channels) or list(Channel.values),
        subscriber__erased_at__isnull=True,
        subscriber__ward_id__in=wards,
    )
    if interest_ids:
        # A semi-join, not a join: a subscriber sharing two chosen interests is still one row.
        sharing = SubscriberInterest.objects.filter(interest_id__in=list(interest_ids)).values("subscriber_id")
        rows = rows.filter(subscriber_id__in=sharing)
    return rows


def audience_counts(**kwargs) -> dict[str, int]:
    """Channel → number of active channel rows in the audience, in one grouped query. Every
    chosen channel is present, with 0 when nobody is reached by it."""
    chosen = list(kwargs.get("channels") or Channel.values)
    grouped = subscriber_channels(**kwargs).order_by().values("channel").annotate(n=Count("pk"))
    counts = dict.fromkeys(chosen, 0)
    counts.update({row["channel"]: row["n"] for row in grouped})
    return counts


def alert_audience_kwargs(*, alert) -> dict:
    """The arguments of `subscriber_channels` for a saved alert (two small queries: the area
    level's ids and the interests)."""
    area = {
        AudienceLevel.WARDS: ("ward_ids", alert.wards),
        AudienceLevel.NEIGHBOURHOODS: ("neighbourhood_ids", alert.neighbourhoods),
        AudienceLevel.DIVISIONS: ("division_ids", alert.divisions),
    }
    kwargs = {
        "force_id": alert.force_id,
        "level": alert.audience_level,
        "interest_ids": list(alert.interests.values_list("pk", flat=True)),
        "channels": alert.channels,
    }
    if alert.audience_level in area:
        name, related = area[alert.audience_level]
        kwargs[name] = list(related.values_list("pk", flat=True))
    return kwargs
