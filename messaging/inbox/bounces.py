"""Bounce recovery: an email address that bounced for good is marked undeliverable; a member with a
confirmed mobile is texted once asking for a new address, and the address in their answer starts the
usual confirmation (a link by email), which, once clicked, recovers the member's email.

The permanent failure comes from GOV.UK Notify's email receipts (permanent-failure), from the mail
server refusing the address at send time (a 5xx on RCPT TO), or from a mail server's later bounce
notice to the alert's bounce+<token> envelope sender (messaging.inbox.services.email_bounce_receive);
each ends in `email_bounced`.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from messaging.delivery.channels import OutgoingMessage
from messaging.models import BounceRecovery, Channel, ChannelStatus, SubscriberChannel
from pact_portal.privacy import email_masked

EMAIL_IN_TEXT = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']+\.[^\s<>(),;:\"']+")
# An answer after this long is read as an ordinary reply, not as a new address.
ANSWER_WINDOW_DAYS = 30


@transaction.atomic
def email_bounced(*, subscriber_id: int, address: str, reason: str = "") -> BounceRecovery | None:
    """Record a permanent bounce of `address` (its channel is marked undeliverable by the caller)
    and, if the member has a confirmed mobile, text them once for a new address. A second bounce
    of the same address texts no one. None when it was recorded before."""
    recovery = BounceRecovery(
        subscriber_id=subscriber_id, address=address, reason=reason[:255], bounced_at=timezone.now()
    )
    try:
        with transaction.atomic():
            recovery.save()
    except IntegrityError:
        return None
    has_mobile = SubscriberChannel.objects.filter(
        subscriber_id=subscriber_id, channel=Channel.SMS, status=ChannelStatus.ACTIVE
    ).exists()
    if has_mobile:
        from messaging.tasks import bounce_recovery_text_task

        transaction.on_commit(lambda: bounce_recovery_text_task.delay(recovery_id=recovery.pk))
    return recovery


def bounce_recovery_text(*, recovery_id: int) -> bool:
    """Text the member once: claimed by setting sms_sent_at, given back if the send fails."""
    from messaging.inbox.services import _send

    recovery = BounceRecovery.objects.select_related("subscriber").filter(pk=recovery_id).first()
    row = SubscriberChannel.objects.filter(
        subscriber_id=recovery.subscriber_id if recovery else None, channel=Channel.SMS, status=ChannelStatus.ACTIVE
    ).first()
    if recovery is None or row is None:
        return False
    if not BounceRecovery.objects.filter(pk=recovery.pk, sms_sent_at__isnull=True).update(sms_sent_at=timezone.now()):
        return False
    with translation.override(recovery.subscriber.language):
        body = _(
            "In the Know: our emails to %(address)s are not getting through. To keep getting alerts by "
            "email, reply to this text with your email address. Reply STOP to stop texts."
        ) % {"address": email_masked(recovery.address)}
    try:
        _send(OutgoingMessage(channel=Channel.SMS, to=row.address, body=body))
    except Exception:
        BounceRecovery.objects.filter(pk=recovery.pk).update(sms_sent_at=None)
        raise
    return True


def email_in_text(text: str) -> str | None:
    for candidate in EMAIL_IN_TEXT.findall(text or ""):
        candidate = candidate.strip(".").lower()
        try:
            validate_email(candidate)
        except ValidationError:
            continue
        return candidate
    return None


@transaction.atomic
def bounce_answer_receive(*, subscriber, text: str) -> bool:
    """A text from a member we asked for a new email address: if it holds one, offer it for
    confirmation (the usual link by email) and return True; otherwise False (an ordinary reply)."""
    from messaging.members.services.signup import offer_channels

    since = timezone.now() - timezone.timedelta(days=ANSWER_WINDOW_DAYS)
    recovery = (
        BounceRecovery.objects.select_for_update()
        .filter(subscriber=subscriber, sms_sent_at__gte=since, recovered_at__isnull=True)
        .order_by("-bounced_at")
        .first()
    )
    address = email_in_text(text) if recovery is not None else None
    if address is None:
        return False
    taken = SubscriberChannel.objects.filter(channel=Channel.EMAIL, address=address).exclude(subscriber=subscriber)
    if taken.exists():
        return False  # another member's address: staff read it in the inbox rather than moving it
    now = timezone.now()
    offer_channels(subscriber=subscriber, channels=[Channel.EMAIL], address=address, replace_active=True, now=now)
    recovery.new_address, recovery.new_address_at = address, now
    recovery.save(update_fields=["new_address", "new_address_at"])
    return True


def bounce_recovery_complete(*, channel: SubscriberChannel) -> int:
    """The member confirmed an email address: every bounce of theirs waiting for one is recovered."""
    if channel.channel != Channel.EMAIL:
        return 0
    return BounceRecovery.objects.filter(subscriber_id=channel.subscriber_id, recovered_at__isnull=True).update(
        recovered_at=timezone.now(), new_address=channel.address
    )
