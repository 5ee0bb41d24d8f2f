"""Reads for the inbox: the folders a user may open with their counts, a folder's replies, one
reply's thread, and the bounce-recovery counts the membership measures show."""

from datetime import timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from accounts.policy import can, scope_for
from accounts.roles import ScopeLevel
from messaging.models import BounceRecovery, InboundReply, ReplyAnswer, ReplyStatus
from neighbourhoods.models import Neighbourhood


def inbox_folders_for_user(*, user) -> list[Neighbourhood]:
    """The team inboxes the user may open, each with `open_count` and `urgent_count` (one query).
    A neighbourhood officer sees each of their teams; a wider area sees only the teams whose inbox
    holds something open, as a force has hundreds of them."""
    lookup = scope_for(user).neighbourhood_filter()
    if lookup is None or not can(user, "inbox.view"):
        return []
    waiting = Q(inbound_replies__status=ReplyStatus.OPEN)
    rows = (
        Neighbourhood.objects.filter(**lookup)
        .select_related("division")
        .annotate(
            open_count=Count("inbound_replies", filter=waiting),
            urgent_count=Count("inbound_replies", filter=waiting & Q(inbound_replies__is_urgent=True)),
        )
        .order_by("-urgent_count", "name")
    )
    if scope_for(user).level != ScopeLevel.NEIGHBOURHOOD:
        rows = rows.filter(open_count__gt=0)
    return [n for n in rows if can(user, "inbox.view", n)]


def unmatched_counts() -> dict[str, int]:
    return InboundReply.objects.unmatched().aggregate(
        open=Count("pk", filter=Q(status=ReplyStatus.OPEN)),
        urgent=Count("pk", filter=Q(status=ReplyStatus.OPEN, is_urgent=True)),
    )


def replies_in_folder(*, neighbourhood: Neighbourhood | None, show_closed: bool = False):
    """A team's replies (or, for None, the "not matched" folder's): urgent first, then newest.
    Each row carries its member's ward and the alert it answers (one query per page)."""
    rows = (
        InboundReply.objects.unmatched()
        if neighbourhood is None
        else InboundReply.objects.filter(neighbourhood=neighbourhood)
    )
    if not show_closed:
        rows = rows.exclude(status=ReplyStatus.CLOSED)
    return rows.select_related("alert", "subscriber__ward").annotate(answer_count=Count("answers")).inbox_order()


def reply_get(*, pk: int) -> InboundReply | None:
    return (
        InboundReply.objects.select_related(
            "neighbourhood__division", "alert", "subscriber__ward", "closed_by", "delivery"
        )
        .filter(pk=pk)
        .first()
    )


def reply_thread(*, reply: InboundReply) -> list[InboundReply]:
    """The conversation the reply belongs to: every reply of its member about the same alert
    (or, with no member, just this one), oldest first, each with its answers and their authors."""
    answers = Prefetch("answers", queryset=ReplyAnswer.objects.select_related("author"))
    if reply.subscriber_id is None:
        rows = InboundReply.objects.filter(pk=reply.pk)
    else:
        rows = InboundReply.objects.filter(subscriber_id=reply.subscriber_id, alert_id=reply.alert_id)
        # A thread stays in the team's inbox it was filed in: a member who moved is a new thread.
        rows = rows.filter(neighbourhood_id=reply.neighbourhood_id)
    return list(rows.prefetch_related(answers).order_by("received_at", "pk"))


def member_other_threads(*, reply: InboundReply, limit: int = 10) -> list[InboundReply]:
    """The member's replies about other alerts, in the same inbox, newest first."""
    if reply.subscriber_id is None:
        return []
    rows = InboundReply.objects.filter(subscriber_id=reply.subscriber_id, neighbourhood_id=reply.neighbourhood_id)
    return list(rows.exclude(alert_id=reply.alert_id).select_related("alert").order_by("-received_at")[:limit])


def bounce_counts(*, subscribers: Q, start=None, end=None, now=None) -> dict[str, int]:
    """Email addresses that bounced for good among the area's members (`subscribers`, a filter on
    Subscriber), bounced in [start, end): how many; how many were recovered (a new address
    confirmed); how many are lost (no mobile to ask by, or no new address within 30 days); and
    how many are still waiting for an answer. One query."""
    from messaging.inbox.bounces import ANSWER_WINDOW_DAYS

    now = now or timezone.now()
    rows = BounceRecovery.objects.filter(subscriber__in=_subscribers(subscribers))
    if start is not None:
        rows = rows.filter(bounced_at__gte=start)
    if end is not None:
        rows = rows.filter(bounced_at__lt=end)
    unrecovered = Q(recovered_at__isnull=True)
    expired = Q(bounced_at__lt=now - timedelta(days=ANSWER_WINDOW_DAYS))
    return rows.aggregate(
        bounced=Count("pk"),
        recovered=Count("pk", filter=~unrecovered),
        lost=Count("pk", filter=unrecovered & (Q(sms_sent_at__isnull=True) | expired)),
        waiting=Count("pk", filter=unrecovered & Q(sms_sent_at__isnull=False) & ~expired),
    )


def _subscribers(subscribers: Q):
    from messaging.models import Subscriber

    return Subscriber.objects.filter(subscribers).values("pk")
