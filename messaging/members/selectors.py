"""Reads for subscribing: the wards and interests a sign-up offers, and the subscriber or delivery
a signed or unguessable link names."""

import uuid

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.policy import can, scope_for
from messaging import links
from messaging.models import (
    Channel,
    ChannelStatus,
    Delivery,
    Interest,
    SignUpSource,
    Subscriber,
    SubscriberChannel,
)
from neighbourhoods.models import Neighbourhood, Ward


def neighbourhood_for_sign_up(*, code: str) -> Neighbourhood | None:
    return Neighbourhood.objects.filter(code=code).first() if code else None


def wards_for_sign_up(*, neighbourhood: Neighbourhood | None = None) -> QuerySet[Ward]:
    """Wards a resident may live in: those with a neighbourhood team (alerts are sent by teams)."""
    wards = Ward.objects.filter(neighbourhood__isnull=False)
    if neighbourhood is not None:
        wards = wards.filter(neighbourhood=neighbourhood)
    return wards.select_related("neighbourhood").defer("boundary").order_by("name")


def interests_for_sign_up() -> QuerySet[Interest]:
    return Interest.objects.filter(is_active=True).order_by("position", "name")


def neighbourhoods_for_field_sign_up(*, user) -> list[Neighbourhood]:
    """The neighbourhoods whose households the officer may sign up: the ones they work."""
    scope_filter = scope_for(user).neighbourhood_filter()
    if scope_filter is None:
        return []
    neighbourhoods = Neighbourhood.objects.filter(**scope_filter).select_related("division").order_by("name")
    return [n for n in neighbourhoods if can(user, "subscriber.field_sign_up", n)]


def field_sign_up_ward(*, wards: QuerySet[Ward], code: str) -> Ward | None:
    """The ward a link asked for, if it is one of the officer's; None otherwise."""
    return wards.filter(code=code).first() if code else None


def wards_for_field_sign_up(*, neighbourhoods: list[Neighbourhood]) -> QuerySet[Ward]:
    return (
        Ward.objects.filter(neighbourhood__in=[n.pk for n in neighbourhoods])
        .select_related("neighbourhood")
        .defer("boundary")
        .order_by("name")
    )


def _current_by_reference(reference) -> QuerySet[Subscriber]:
    try:
        reference = uuid.UUID(str(reference))
    except ValueError:
        return Subscriber.objects.none()
    return Subscriber.objects.current().filter(reference=reference)


class ManageLinkStale(Exception):
    """A genuine manage link that no longer opens the page: past its age, or cancelled by the
    member. Its holder may ask for a fresh link to be sent to the member, nothing more."""


def subscriber_for_short_code(*, code: str) -> Subscriber | None:
    """The current (not erased) subscriber a text message's short manage code names, or None;
    raises ManageLinkStale for an expired code."""
    subscriber_id = links.short_manage_code_id(code)
    if subscriber_id is None:
        return None
    subscriber = Subscriber.objects.current().filter(pk=subscriber_id).only("pk", "reference", "manage_secret").first()
    claim = links.short_manage_code_check(code, subscriber=subscriber) if subscriber else None
    if claim is None:
        return None
    if claim.expired:
        raise ManageLinkStale
    return subscriber


def subscriber_for_manage(*, token: str) -> Subscriber | None:
    """The subscriber a manage link names, with everything the manage page shows (three
    queries), or None when the link was altered or the subscriber erased themselves; raises
    ManageLinkStale when the link has expired or the member has cancelled it."""
    claim = links.manage_token_load(token)
    if claim is None:
        return None
    subscriber = (
        _current_by_reference(claim.reference)
        .select_related("ward__neighbourhood")
        .defer("ward__boundary")
        .prefetch_related(
            Prefetch("channels", queryset=SubscriberChannel.objects.order_by("channel")),
            Prefetch("interests", queryset=Interest.objects.order_by("position", "name")),
        )
        .first()
    )
    if subscriber is None:
        return None
    if claim.expired or not links.manage_secret_matches(claim, subscriber=subscriber):
        raise ManageLinkStale
    return subscriber


def subscriber_for_link_renewal(*, token: str = "", code: str = "") -> Subscriber | None:
    """The member a genuine manage link (full or short) names, however old or cancelled: only
    ever used to send them a fresh link at their own address."""
    if code:
        subscriber_id = links.short_manage_code_id(code)
        subscriber = Subscriber.objects.current().filter(pk=subscriber_id).first() if subscriber_id else None
        return subscriber if subscriber and links.short_manage_code_check(code, subscriber=subscriber) else None
    claim = links.manage_token_load(token)
    return _current_by_reference(claim.reference).first() if claim else None


def subscriber_by_reference(*, reference) -> Subscriber | None:
    return _current_by_reference(reference).first()


def mobile_rows_pending(*, subscriber: Subscriber) -> list[SubscriberChannel]:
    """The subscriber's SMS and voice rows waiting for a code, the SMS row first."""
    rows = subscriber.channels.filter(channel__in=[Channel.SMS, Channel.VOICE], status="pending")
    return sorted(rows, key=lambda row: row.channel != Channel.SMS)


def subscriber_by_mobile(*, number: str) -> Subscriber | None:
    """The member who holds this number for texts or calls (at most one: addresses are unique)."""
    row = (
        SubscriberChannel.objects.filter(channel__in=[Channel.SMS, Channel.VOICE], address=number)
        .select_related("subscriber")
        .order_by("channel")
        .first()
    )
    return row.subscriber if row else None


def mobile_number_of(*, subscriber: Subscriber) -> str:
    """The member's mobile number (of their SMS row, else their voice row), or ""."""
    row = subscriber.channels.filter(channel__in=[Channel.SMS, Channel.VOICE]).order_by("channel").first()
    return row.address if row else ""


def channel_active_by_address(*, address: str) -> SubscriberChannel | None:
    """The confirmed channel row with this email address or mobile number, if any."""
    return (
        SubscriberChannel.objects.active()
        .filter(address=address, subscriber__erased_at__isnull=True)
        .select_related("subscriber")
        .order_by("channel")
        .first()
    )


def delivery_for_unsubscribe(*, token) -> Delivery | None:
    return Delivery.objects.filter(token=token).select_related("alert", "subscriber").first()


def channel_for_delivery(*, delivery: Delivery) -> SubscriberChannel | None:
    return SubscriberChannel.objects.filter(subscriber_id=delivery.subscriber_id, channel=delivery.channel).first()


def deliveries_for_export(*, subscriber: Subscriber) -> QuerySet[Delivery]:
    """Every alert message sent to the subscriber, with its feedback, oldest first (one query)."""
    return (
        Delivery.objects.filter(subscriber=subscriber).select_related("alert", "feedback").order_by("queued_at", "pk")
    )


def subscribers_for_user(*, user) -> QuerySet[Subscriber]:
    """Current members living in the user's area, with their channels and interests (three queries)."""
    lookup = scope_for(user).neighbourhood_filter(via="ward__neighbourhood__")
    if lookup is None:
        return Subscriber.objects.none()
    return (
        Subscriber.objects.current()
        .filter(ward__neighbourhood__isnull=False, **lookup)
        .select_related("ward__neighbourhood")
        .defer("ward__boundary")
        .prefetch_related(
            Prefetch("channels", queryset=SubscriberChannel.objects.order_by("channel")),
            Prefetch("interests", queryset=Interest.objects.order_by("position", "name")),
        )
        .order_by("-created_at", "-pk")
    )


def _members_in_ward(subscribers: QuerySet[Subscriber]) -> Coalesce:
    counted = subscribers.filter(ward=OuterRef("pk")).order_by().values("ward").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def ward_member_counts(*, user) -> QuerySet[Ward]:
    """The wards of the user's area, each with its members (current, with a confirmed channel) and
    how many of them an officer signed up in the field, in one query."""
    lookup = scope_for(user).neighbourhood_filter(via="neighbourhood__")
    if lookup is None:
        return Ward.objects.none()
    reachable = Subscriber.objects.current().filter(
        pk__in=SubscriberChannel.objects.filter(status=ChannelStatus.ACTIVE).values("subscriber_id")
    )
    return (
        Ward.objects.filter(neighbourhood__isnull=False, **lookup)
        .select_related("neighbourhood")
        .defer("boundary")
        .annotate(
            members=_members_in_ward(reachable),
            field_members=_members_in_ward(reachable.filter(source=SignUpSource.FIELD)),
        )
        .order_by("name", "code")
    )
