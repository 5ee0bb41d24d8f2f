"""In the Know's membership of wards at the close of months, for the returns.

Members at a period's end, joiners, unsubscribes and the members' profile (for representation)
all depend on every member a ward has ever had. Counting them live makes a return slower as the
years of members grow, so each closed month is recorded once (`WardMonthMembership`, written by
reports.services on the 1st) and a return reads a few rows per ward. A month not recorded yet (the
current one, or a force whose history was loaded without them) is counted live, by the same rules.
"""

from collections import defaultdict
from datetime import date, datetime

from django.db.models import Count, Q

from messaging.models import ChannelStatus, SubscriberChannel
from reports.models import WardMonthMembership
from reports.periods import midnight, months_after
from surveys.representation.selectors import CATEGORY_GROUPS, profile_groups


def active_at(moment: datetime) -> Q:
    """A channel that could be reached at `moment`: confirmed before it and not unsubscribed by it.
    In the Know's rule for today (not erased, a channel active now) carried back in time; a
    channel that stopped working with no date recorded counts as never reachable, as the
    measures' growth chart counts its member leaving the month they joined."""
    return (
        Q(confirmed_at__lt=moment)
        & (Q(status=ChannelStatus.ACTIVE) | Q(unsubscribed_at__gte=moment))
        & (Q(subscriber__erased_at__isnull=True) | Q(subscriber__erased_at__gte=moment))
    )


def _empty_profile() -> dict:
    return {category: {} for category in CATEGORY_GROUPS}


def membership_counted(*, ward_ids: list[int], months: list[date]) -> dict[tuple[int, date], dict]:
    """(ward id, month) → the month's membership figures, counted from the members themselves in
    two queries whatever the number of months: one pass over the wards' channels, one over the
    channels of members who shared a profile."""
    months = sorted(set(months))
    ends = {month: midnight(months_after(month, 1)) for month in months}
    counts = {}
    for i, month in enumerate(months):
        start, end = midnight(month), ends[month]
        counts[f"members_{i}"] = Count("subscriber_id", distinct=True, filter=active_at(end))
        counts[f"joined_{i}"] = Count("subscriber_id", distinct=True, filter=Q(confirmed_at__lt=end))
        counts[f"unsubscribes_{i}"] = Count("pk", filter=Q(unsubscribed_at__gte=start, unsubscribed_at__lt=end))
    figures = {
        (ward_id, month): {"members": 0, "joined_by_end": 0, "unsubscribes": 0, "profile": _empty_profile()}
        for ward_id in ward_ids
        for month in months
    }
    if not months or not ward_ids:
        return figures
    rows = (
        SubscriberChannel.objects.filter(subscriber__ward_id__in=ward_ids)
        .order_by()
        .values("subscriber__ward_id")
        .annotate(**counts)
    )
    for row in rows:
        for i, month in enumerate(months):
            own = figures[row["subscriber__ward_id"], month]
            own["members"] = row[f"members_{i}"]
            own["joined_by_end"] = row[f"joined_{i}"]
            own["unsubscribes"] = row[f"unsubscribes_{i}"]
    # As surveys' representation counts members: reachable, and having agreed to share a profile.
    profiled = {
        f"profiled_{i}": Count(
            "subscriber_id",
            distinct=True,
            filter=active_at(ends[month]) & Q(subscriber__demographics_consent_at__lt=ends[month]),
        )
        for i, month in enumerate(months)
    }
    rows = (
        SubscriberChannel.objects.filter(
            subscriber__ward_id__in=ward_ids, subscriber__demographics_consent_at__isnull=False
        )
        .order_by()
        .values("subscriber__ward_id", "subscriber__age_band", "subscriber__ethnic_group")
        .annotate(**profiled)
    )
    for row in rows:
        groups = profile_groups(age_band=row["subscriber__age_band"], ethnic_group=row["subscriber__ethnic_group"])
        for i, month in enumerate(months):
            if not (n := row[f"profiled_{i}"]):
                continue
            profile = figures[row["subscriber__ward_id"], month]["profile"]
            for category, group in groups:
                profile[category][group] = profile[category].get(group, 0) + n
    return figures


def membership_by_month(*, ward_ids: list[int], months: list[date]) -> dict[tuple[int, date], dict]:
    """(ward id, month) → membership figures: the recorded months in one query, and when any
    asked for is missing, all of them counted live (two more), so a return never mixes a month
    as it closed with one as it is now."""
    recorded = {
        (row["ward_id"], row["month"]): row
        for row in WardMonthMembership.objects.filter(ward_id__in=ward_ids, month__in=months).values(
            "ward_id", "month", "members", "joined_by_end", "unsubscribes", "profile"
        )
    }
    if all((ward_id, month) in recorded for ward_id in ward_ids for month in months):
        return recorded
    return membership_counted(ward_ids=ward_ids, months=months)


def profile_by_ward(figures: dict[tuple[int, date], dict], *, month: date) -> dict[str, dict[int, dict]]:
    """{category: {ward id: {group: members}}} for one month, the shape surveys' representation
    figures take."""
    by_category = {category: defaultdict(lambda: defaultdict(int)) for category in CATEGORY_GROUPS}
    for (ward_id, at), row in figures.items():
        if at != month:
            continue
        for category, groups in row["profile"].items():
            if category in by_category:
                for group, n in groups.items():
                    by_category[category][ward_id][group] += n
    return by_category
