"""Applying the retention schedule (settings.RETENTION). Each rule deletes or blanks only what
its selector finds; run twice, the second run finds nothing."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from messaging.members.services.manage import subscriber_erase
from messaging.members.services.signup import apply_demographics
from messaging.models import (
    BounceRecovery,
    Delivery,
    DeliveryAttempt,
    DoorKnockRound,
    Feedback,
    InboundReply,
    OutboxMessage,
    Subscriber,
    SubscriberInterest,
    new_manage_secret,
)
from pact_portal.retention import selectors

logger = logging.getLogger(__name__)


def retention_due(*, now: datetime | None = None) -> dict[str, int]:
    """Table → how many rows each rule would delete or strip at `now` (the dry run)."""
    now = now or timezone.now()
    counts = {
        "messaging_delivery (provider id and error text)": selectors.deliveries_with_provider_details(now=now).count(),
        "messaging_deliveryattempt": selectors.delivery_attempts(now=now).count(),
        "messaging_outboxmessage": selectors.outbox_messages(now=now).count(),
        "django_session (expired)": selectors.expired_sessions(now=now).count(),
    }
    counts.update({table: rows.count() for table, rows in selectors.lockout_records(now=now).items()})
    counts["priorities_issue (contact email)"] = selectors.issues_with_contact_details(now=now).count()
    counts["priorities_open311request (name, phone, address)"] = selectors.open311_contact_details(now=now).count()
    counts["priorities_issue (photo of a closed issue)"] = selectors.closed_issue_photos(now=now).count()
    counts["messaging_subscriber (never confirmed)"] = selectors.unconfirmed_members(now=now).count()
    counts["messaging_subscriber (unsubscribed)"] = selectors.unsubscribed_members(now=now).count()
    counts["messaging_inboundreply"] = selectors.inbound_replies(now=now).count()
    counts["messaging_bouncerecovery (addresses)"] = selectors.bounce_addresses(now=now).count()
    counts[DOOR_KNOCK_ROUNDS] = selectors.door_knock_rounds(now=now).count()
    counts["priorities_ballot (published votes)"] = selectors.published_vote_ballots(now=now).count()
    counts[EMAIL_VOTERS] = selectors.published_vote_email_voters(now=now).count()
    return counts


def retention_apply(*, now: datetime | None = None) -> dict[str, int]:
    """Delete or anonymise everything past its time; returns the same keys as retention_due.

    Each rule commits on its own, so a failure part-way keeps what the others did; members are
    anonymised one by one, as erasing one is."""
    now = now or timezone.now()
    done = {"messaging_delivery (provider id and error text)": _deliveries_strip(now=now)}
    done["messaging_deliveryattempt"] = _delete(selectors.delivery_attempts(now=now))
    done["messaging_outboxmessage"] = _delete(selectors.outbox_messages(now=now))
    done["django_session (expired)"] = _delete(selectors.expired_sessions(now=now))
    for table, rows in selectors.lockout_records(now=now).items():
        done[table] = _delete(rows)
    done["priorities_issue (contact email)"] = selectors.issues_with_contact_details(now=now).update(contact_email="")
    done["priorities_open311request (name, phone, address)"] = selectors.open311_contact_details(now=now).update(
        first_name="", last_name="", phone="", address_string=""
    )
    done["priorities_issue (photo of a closed issue)"] = _photos_remove(selectors.closed_issue_photos(now=now))
    unconfirmed = list(selectors.unconfirmed_members(now=now))
    for member in unconfirmed:
        subscriber_erase(subscriber=member)
    done["messaging_subscriber (never confirmed)"] = len(unconfirmed)
    unsubscribed = list(selectors.unsubscribed_members(now=now).values_list("pk", flat=True))
    for member_id in unsubscribed:
        subscriber_anonymise(subscriber_id=member_id, now=now)
    done["messaging_subscriber (unsubscribed)"] = len(unsubscribed)
    # Counted as replies, not replies plus their answers: the same unit as the dry run's.
    done["messaging_inboundreply"] = selectors.inbound_replies(now=now).count()
    selectors.inbound_replies(now=now).delete()
    done["messaging_bouncerecovery (addresses)"] = selectors.bounce_addresses(now=now).update(
        address="", new_address=""
    )
    done[DOOR_KNOCK_ROUNDS] = _rounds_delete(selectors.door_knock_rounds(now=now))
    # Counted before the ballots go: deleting those deletes these addresses too.
    done[EMAIL_VOTERS] = selectors.published_vote_email_voters(now=now).count()
    done["priorities_ballot (published votes)"] = _ballots_delete(now=now)
    logger.info("Retention applied", extra={"retention": {k: v for k, v in done.items() if v}})
    return done


DOOR_KNOCK_ROUNDS = "messaging_doorknockround (with its doors)"
EMAIL_VOTERS = "priorities_emailvoter (email addresses of published votes)"


def _rounds_delete(rounds) -> int:
    """Rounds deleted (each with its doors, counted as one)."""
    ids = list(rounds.values_list("pk", flat=True))
    DoorKnockRound.objects.filter(pk__in=ids).delete()
    return len(ids)


# Deliveries are the largest table (a million per force-wide alert): stripped a batch at a time, in
# id order, so the first night after go-live does not hold one transaction over all of them.
STRIP_BATCH = 5000


def _deliveries_strip(*, now: datetime) -> int:
    stripped, after = 0, 0
    due = selectors.deliveries_with_provider_details(now=now).order_by("pk")
    while ids := list(due.filter(pk__gt=after).values_list("pk", flat=True)[:STRIP_BATCH]):
        stripped += Delivery.objects.filter(pk__in=ids).update(provider_id="", error="")
        after = ids[-1]
    return stripped


def _ballots_delete(*, now: datetime) -> int:
    """Ballots go with their choices; the count is of ballots (a ballot is one member's vote)."""
    from priorities.voting.services import ballots_delete_published

    return ballots_delete_published(before=now - timedelta(days=settings.RETENTION["vote_ballots_days"]))


def _delete(rows) -> int:
    deleted, _by_model = rows.delete()
    return deleted


def _photos_remove(issues) -> int:
    """Blank each photo field, then remove the file once that has committed (a file removed in a
    transaction that rolled back could not be put back)."""
    removed = 0
    for issue in issues.only("pk", "photo"):
        name, storage = issue.photo.name, issue.photo.storage
        with transaction.atomic():
            type(issue).objects.filter(pk=issue.pk).update(photo="")
        transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        removed += 1
    return removed


@transaction.atomic
def subscriber_anonymise(*, subscriber_id: int, now: datetime) -> Subscriber:
    """Forget a lapsed member's addresses and self-description, keeping the dates the returns
    count from: each channel row stays, with its confirmed and unsubscribed dates, but its address
    becomes a placeholder (addresses are unique per channel, hence the row's id in it)."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_id)
    channels = list(subscriber.channels.all())
    addresses = [channel.address for channel in channels]
    OutboxMessage.objects.filter(delivery__subscriber=subscriber).delete()
    OutboxMessage.objects.filter(to__in=addresses).delete()
    InboundReply.objects.filter(subscriber=subscriber).delete()
    BounceRecovery.objects.filter(subscriber=subscriber).update(address="", new_address="")
    for channel in channels:
        channel.address = f"erased:{channel.pk}"
        channel.confirmation_secret = ""
        channel.status_reason = ""
        channel.save(update_fields=["address", "confirmation_secret", "status_reason"])
    SubscriberInterest.objects.filter(subscriber=subscriber).delete()
    Feedback.objects.filter(delivery__subscriber=subscriber).exclude(comment="").update(comment="")
    Delivery.objects.filter(subscriber=subscriber).exclude(error="").update(error="")
    DeliveryAttempt.objects.filter(delivery__subscriber=subscriber).exclude(detail="").update(detail="")
    apply_demographics(subscriber, None, None)
    subscriber.erased_at = now
    subscriber.manage_secret = new_manage_secret()
    subscriber.save(
        update_fields=[
            "age_band",
            "ethnic_group",
            "demographics_consent_at",
            "erased_at",
            "manage_secret",
            "updated_at",
        ]
    )
    return subscriber
