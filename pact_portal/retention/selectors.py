"""What each retention rule would act on at `now`: one QuerySet per rule, read by the dry run and
the nightly job alike."""

from datetime import datetime, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from messaging.models import (
    BounceRecovery,
    ChannelStatus,
    Delivery,
    DeliveryAttempt,
    DoorKnockRound,
    InboundReply,
    OutboxMessage,
    RoundStatus,
    Subscriber,
    SubscriberChannel,
)
from priorities.models import Ballot, EmailVoter, Issue, IssueStatus, Open311Request

# An issue is finished with when it was closed without a priority or merged into another: a linked
# one's reporter may still hear how its priority goes.
FINISHED_ISSUES = (IssueStatus.CLOSED, IssueStatus.MERGED)


def _before(*, now: datetime, rule: str) -> datetime:
    return now - timedelta(days=settings.RETENTION[rule])


def deliveries_with_provider_details(*, now: datetime) -> QuerySet:
    """Deliveries of alerts released before the cut-off that still hold a provider id or error
    text (which often quotes the address). The rows stay: the returns count them."""
    cutoff = _before(now=now, rule="delivery_details_days")
    return Delivery.objects.filter(queued_at__lt=cutoff).filter(~Q(provider_id="") | ~Q(error=""))


def delivery_attempts(*, now: datetime) -> QuerySet:
    return DeliveryAttempt.objects.filter(attempted_at__lt=_before(now=now, rule="delivery_attempts_days"))


def outbox_messages(*, now: datetime) -> QuerySet:
    return OutboxMessage.objects.filter(created_at__lt=_before(now=now, rule="outbox_days"))


def expired_sessions(*, now: datetime) -> QuerySet:
    return Session.objects.filter(expire_date__lt=now)


def lockout_records(*, now: datetime) -> dict[str, QuerySet]:
    cutoff = _before(now=now, rule="lockout_records_days")
    return {
        "axes_accessattempt": AccessAttempt.objects.filter(attempt_time__lt=cutoff),
        "axes_accessfailurelog": AccessFailureLog.objects.filter(attempt_time__lt=cutoff),
        "axes_accesslog": AccessLog.objects.filter(attempt_time__lt=cutoff),
    }


def issues_with_contact_details(*, now: datetime) -> QuerySet:
    cutoff = _before(now=now, rule="issue_contact_days")
    return Issue.objects.filter(status__in=FINISHED_ISSUES, created_at__lt=cutoff).exclude(contact_email="")


def open311_contact_details(*, now: datetime) -> QuerySet:
    cutoff = _before(now=now, rule="issue_contact_days")
    held = ~Q(first_name="") | ~Q(last_name="") | ~Q(phone="") | ~Q(address_string="")
    return Open311Request.objects.filter(held, issue__status__in=FINISHED_ISSUES, issue__created_at__lt=cutoff)


def closed_issue_photos(*, now: datetime) -> QuerySet:
    cutoff = _before(now=now, rule="closed_issue_photos_days")
    return Issue.objects.filter(status=IssueStatus.CLOSED, created_at__lt=cutoff).exclude(photo="")


def unconfirmed_members(*, now: datetime) -> QuerySet:
    """Members who signed up before the cut-off and never confirmed any channel."""
    confirmed = SubscriberChannel.objects.filter(subscriber=OuterRef("pk"), confirmed_at__isnull=False)
    cutoff = _before(now=now, rule="unconfirmed_members_days")
    return Subscriber.objects.filter(erased_at__isnull=True, created_at__lt=cutoff).filter(~Exists(confirmed))


def unsubscribed_members(*, now: datetime) -> QuerySet:
    """Members who confirmed once, can no longer be reached on any channel, and whose last
    unsubscribe (or last change, for an address the provider refused) was before the cut-off."""
    reachable = SubscriberChannel.objects.filter(
        subscriber=OuterRef("pk"), status__in=[ChannelStatus.ACTIVE, ChannelStatus.PENDING]
    )
    confirmed = SubscriberChannel.objects.filter(subscriber=OuterRef("pk"), confirmed_at__isnull=False)
    cutoff = _before(now=now, rule="unsubscribed_members_days")
    return (
        Subscriber.objects.filter(erased_at__isnull=True, updated_at__lt=cutoff)
        .filter(Exists(confirmed), ~Exists(reachable))
        .annotate(last_unsubscribed=Max("channels__unsubscribed_at"))
        .filter(Q(last_unsubscribed__isnull=True) | Q(last_unsubscribed__lt=cutoff))
    )


def inbound_replies(*, now: datetime) -> QuerySet:
    """Replies received before the cut-off, whatever their state (their answers go with them)."""
    return InboundReply.objects.filter(received_at__lt=_before(now=now, rule="inbound_replies_days"))


def bounce_addresses(*, now: datetime) -> QuerySet:
    cutoff = _before(now=now, rule="bounce_addresses_days")
    return BounceRecovery.objects.filter(bounced_at__lt=cutoff).filter(~Q(address="") | ~Q(new_address=""))


def door_knock_rounds(*, now: datetime) -> QuerySet:
    """Rounds finished before the cut-off, and rounds planned before it and never finished: their
    doors (who answered, what they said) go with them; the meeting and its reach stay."""
    cutoff = _before(now=now, rule="door_knock_rounds_days")
    finished = Q(status=RoundStatus.FINISHED, finished_at__lt=cutoff)
    abandoned = Q(status=RoundStatus.PLANNED, created_at__lt=cutoff)
    return DoorKnockRound.objects.filter(finished | abandoned)


def published_vote_ballots(*, now: datetime) -> QuerySet:
    """Ballots of votes whose result was published before the cut-off; the vote and its options
    keep the counts, raw and weighted."""
    return Ballot.objects.filter(vote__counted_at__lt=_before(now=now, rule="vote_ballots_days"))


def published_vote_email_voters(*, now: datetime) -> QuerySet:
    """The email addresses non-members asked ballots with, on the same rule as the ballots."""
    return EmailVoter.objects.filter(vote__counted_at__lt=_before(now=now, rule="vote_ballots_days"))
