"""Writes for replies to alerts: receiving one (by email or text), the urgent path (advice to the
member, the duty contact told at once), answering and closing.

A reply is filed where its member lives: the team of the member's neighbourhood, which is in the
area the alert covered (the alert reached them because their ward is in it). A reply nobody can be
matched to goes to the "not matched" folder (no neighbourhood), never to a team, because a stranger's
message must not be shown to officers of whichever area its text happens to mention.
"""

import logging
import re
import uuid
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from messaging import links
from messaging.delivery.channels import OutgoingMessage, get_sender
from messaging.delivery.channels.base import PermanentSendError, TransientSendError
from messaging.inbox.triggers import matched_triggers
from messaging.members.phone import inbound_number_e164
from messaging.models import (
    AnswerOutcome,
    Channel,
    Delivery,
    DeliveryStatus,
    DutyContact,
    InboundReply,
    ReplyAnswer,
    ReplyStatus,
    Subscriber,
    SubscriberChannel,
    TriggerWord,
)
from pact_portal.site import absolute_url

log = logging.getLogger(__name__)

# reply+<delivery token>@INBOUND_EMAIL_DOMAIN: the address each alert email gives as its Reply-To.
REPLY_ADDRESS = re.compile(r"^reply\+(?P<token>[0-9a-f]{32}|[0-9a-f-]{36})@(?P<domain>[^@\s]+)$", re.IGNORECASE)
SMS_PROVIDER = "notify-inbound"
EMAIL_PROVIDER = "mailgun"
MAX_BODY = 10_000


def delivery_for_reply_address(address: str) -> Delivery | None:
    match = REPLY_ADDRESS.match((address or "").strip())
    domain = getattr(settings, "INBOUND_EMAIL_DOMAIN", "")
    if match is None or not domain or match["domain"].lower() != domain.lower():
        return None
    return Delivery.objects.select_related("subscriber__ward").filter(token=uuid.UUID(match["token"])).first()


def _active_triggers() -> list[str]:
    return list(TriggerWord.objects.filter(is_active=True).values_list("phrase", flat=True))


@transaction.atomic
def reply_receive(
    *,
    channel: str,
    sender: str,
    body: str,
    provider: str,
    provider_message_id: str,
    received_at: datetime,
    subscriber: Subscriber | None = None,
    delivery: Delivery | None = None,
    subject: str = "",
) -> InboundReply | None:
    """Keep one reply, filed in its member's team's inbox (or "not matched"). An urgent one has
    the member sent the 999 / 101 advice and the team's duty contact told, at once, by a task.
    None when the provider sent the same message before (a webhook's retry)."""
    if subscriber is not None and subscriber.erased_at is not None:
        subscriber = None
    text = f"{subject}\n{body}" if subject else body
    triggers = matched_triggers(text, _active_triggers())
    reply = InboundReply(
        channel=channel,
        sender=sender[:254],
        subject=subject[:255],
        body=body[:MAX_BODY],
        provider=provider,
        provider_message_id=provider_message_id[:255],
        received_at=received_at,
        subscriber=subscriber,
        delivery=delivery if subscriber is not None else None,
        alert_id=delivery.alert_id if delivery is not None and subscriber is not None else None,
        neighbourhood_id=subscriber.ward.neighbourhood_id if subscriber is not None else None,
        is_urgent=bool(triggers),
        trigger_words=triggers,
    )
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError:
        return None  # the provider's retry of a message already kept
    if reply.is_urgent:
        from messaging.tasks import reply_urgent_task

        transaction.on_commit(lambda: reply_urgent_task.delay(reply_id=reply.pk))
    return reply


def _latest_delivery(*, subscriber: Subscriber, channel: str) -> Delivery | None:
    # The alert a reply answers is the last one that reached the member by that channel.
    return (
        Delivery.objects.filter(
            subscriber=subscriber, channel=channel, status__in=(DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
        )
        .order_by("-sent_at", "-pk")
        .first()
    )


def sms_reply_receive(*, number: str, text: str, event_id: str, received_at: datetime) -> InboundReply | None:
    """A text that is not STOP: a reply to the member's latest alert by text, or, from a member
    asked for a new email address after a bounce, that address (see bounces)."""
    from messaging.inbox.bounces import bounce_answer_receive

    e164 = inbound_number_e164(number) or (number or "").strip()[:32]
    row = (
        SubscriberChannel.objects.filter(channel=Channel.SMS, address=e164, subscriber__erased_at__isnull=True)
        .select_related("subscriber__ward")
        .first()
    )
    subscriber = row.subscriber if row is not None else None
    if subscriber is not None and bounce_answer_receive(subscriber=subscriber, text=text):
        return None
    delivery = _latest_delivery(subscriber=subscriber, channel=Channel.SMS) if subscriber is not None else None
    return reply_receive(
        channel=Channel.SMS,
        sender=e164,
        body=text,
        provider=SMS_PROVIDER,
        provider_message_id=event_id,
        received_at=received_at,
        subscriber=subscriber,
        delivery=delivery,
    )


def email_reply_receive(
    *, recipient: str, sender: str, subject: str, body: str, message_id: str, received_at: datetime
) -> InboundReply | None:
    """An email to the inbound address: threaded by its reply+<token> recipient to the delivery it
    answers; otherwise matched to a member by the sender's address, or not matched."""
    sender = (sender or "").strip().lower()
    delivery = delivery_for_reply_address(recipient)
    subscriber = delivery.subscriber if delivery is not None else None
    if subscriber is None:
        row = (
            SubscriberChannel.objects.filter(channel=Channel.EMAIL, address=sender, subscriber__erased_at__isnull=True)
            .select_related("subscriber__ward")
            .first()
        )
        subscriber = row.subscriber if row is not None else None
        delivery = _latest_delivery(subscriber=subscriber, channel=Channel.EMAIL) if subscriber is not None else None
    return reply_receive(
        channel=Channel.EMAIL,
        sender=sender,
        subject=subject,
        body=body,
        provider=EMAIL_PROVIDER,
        provider_message_id=message_id,
        received_at=received_at,
        subscriber=subscriber,
        delivery=delivery,
    )


# --- bounce notices -------------------------------------------------------------------------------

BOUNCE_ADDRESS = re.compile(r"^bounce\+(?P<token>[0-9a-f]{32})@(?P<domain>[^@\s]+)$", re.IGNORECASE)
# An enhanced status code of class 5 (RFC 3463), as every common mail server quotes it in the
# readable part of its notice ("550 5.1.1 User unknown", "Status: 5.1.1"): a permanent failure.
PERMANENT_STATUS = re.compile(r"(?<![\d.])5\.\d{1,3}\.\d{1,3}(?![\d.])")


def is_bounce_address(address: str) -> bool:
    return BOUNCE_ADDRESS.match((address or "").strip()) is not None


def email_bounce_receive(*, recipient: str, text: str) -> str:
    """A mail server's bounce notice for an alert email (sent to its bounce+<token> envelope
    sender): a permanent failure fails the delivery, marks the address undeliverable and starts
    bounce recovery. "applied", "temporary" (a delay notice, or no permanent status in it),
    "unknown" (no such delivery) or "ignored" (already failed)."""
    from messaging.delivery.receipts import address_dead

    match = BOUNCE_ADDRESS.match((recipient or "").strip())
    domain = getattr(settings, "INBOUND_EMAIL_DOMAIN", "")
    if match is None or not domain or match["domain"].lower() != domain.lower():
        return "unknown"
    delivery = Delivery.objects.filter(token=uuid.UUID(match["token"]), channel=Channel.EMAIL).first()
    if delivery is None:
        return "unknown"
    status = PERMANENT_STATUS.search(text or "")
    if status is None:
        return "temporary"
    detail = f"The mail server returned it: status {status.group(0)}."
    with transaction.atomic():
        changed = Delivery.objects.filter(
            pk=delivery.pk, status__in=(DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
        ).update(status=DeliveryStatus.FAILED, error=detail)
        if changed:
            address_dead(delivery=delivery, detail=detail)
    return "applied" if changed else "ignored"


# --- the urgent path ------------------------------------------------------------------------------


def _email(name: str, context: dict, *, to: str, reference: str = "") -> OutgoingMessage:
    folder = "messaging/emails"
    return OutgoingMessage(
        channel=Channel.EMAIL,
        to=to,
        subject=" ".join(render_to_string(f"{folder}/{name}_subject.txt", context).split()),
        body=render_to_string(f"{folder}/{name}_body.txt", context),
        html=render_to_string(f"{folder}/{name}_body.html", context),
        reference=reference,
    )


def _send(message: OutgoingMessage) -> str:
    """Send one message now; the provider's id. Raises SendError as the sender does."""
    sender = get_sender(message.channel)
    try:
        return sender.send(message).provider_id
    finally:
        if hasattr(sender, "close"):
            sender.close()


def urgent_advice_text() -> str:
    return _(
        "Thank you for your message. Our team reads these in working hours, not around the clock. "
        "If anyone is in danger or a crime is happening now, call 999 (if you cannot speak, call 999 "
        "and press 55). For anything else that is not an emergency, call 101 or report it online."
    )


def _advice_message(reply: InboundReply) -> OutgoingMessage:
    language = reply.subscriber.language if reply.subscriber_id else settings.LANGUAGE_CODE
    with translation.override(language):
        if reply.channel == Channel.SMS:
            return OutgoingMessage(channel=Channel.SMS, to=reply.sender, body=urgent_advice_text())
        return _email("urgent_advice", {"advice": urgent_advice_text()}, to=reply.sender)


def _duty_messages(reply: InboundReply, duty: DutyContact) -> list[OutgoingMessage]:
    # The member's words stay in the portal, behind a sign-in: the duty phone gets the link only.
    url = absolute_url(reply.get_absolute_url())
    context = {
        "reply": reply,
        "url": url,
        "neighbourhood": reply.neighbourhood,
        "words": ", ".join(reply.trigger_words),
    }
    messages = []
    if duty.email:
        messages.append(_email("urgent_reply_duty", context, to=duty.email))
    if duty.mobile:
        body = _("URGENT reply in the %(neighbourhood)s In the Know inbox (%(words)s): %(url)s") % {
            "neighbourhood": reply.neighbourhood,
            "words": context["words"],
            "url": url,
        }
        messages.append(OutgoingMessage(channel=Channel.SMS, to=duty.mobile, body=body))
    return messages


def reply_urgent_handle(*, reply_id: int) -> dict[str, bool]:
    """Tell the team's duty contact and send the member the 999 / 101 advice, each once: each is
    claimed with a conditional update first, so a task run twice sends nothing twice. One failing
    never holds up the other. A transient failure gives its claim back and, once both were tried,
    raises for the task to retry; a permanent one (a dead address) is logged and not retried."""
    reply = InboundReply.objects.select_related("subscriber", "neighbourhood").filter(pk=reply_id).first()
    done = {"advice": False, "duty": False}
    if reply is None or not reply.is_urgent:
        return done
    now, retry = timezone.now(), None
    duty = DutyContact.objects.filter(neighbourhood_id=reply.neighbourhood_id).first()
    claims = [("duty", "duty_notified_at", lambda: _duty_messages(reply, duty) if duty else None)]
    claims.append(("advice", "advice_sent_at", lambda: [_advice_message(reply)]))
    for name, field, messages in claims:
        outgoing = messages()
        if not outgoing or not InboundReply.objects.filter(pk=reply.pk, **{f"{field}__isnull": True}).update(
            **{field: now}
        ):
            continue
        try:
            for message in outgoing:
                _send(message)
            done[name] = True
        except PermanentSendError as exc:
            log.warning("Urgent reply %s: the %s could not be sent (%s)", reply.pk, name, type(exc).__name__)
        except (TransientSendError, OSError) as exc:
            InboundReply.objects.filter(pk=reply.pk).update(**{field: None})
            retry = retry or exc
    if retry is not None:
        raise retry if isinstance(retry, TransientSendError) else TransientSendError(str(retry))
    return done


# --- answering and closing ------------------------------------------------------------------------


@transaction.atomic
def reply_answer(*, reply: InboundReply, actor, body: str) -> ReplyAnswer:
    """Answer a reply by the channel it came by, to the address it came from; sent by a task once
    this commits. The reply becomes "answered" (a closed one stays closed)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write an answer first.")})
    reply = InboundReply.objects.select_for_update().get(pk=reply.pk)
    answer = ReplyAnswer(
        reply=reply, author=actor, channel=reply.channel, to=reply.sender, body=body, created_at=timezone.now()
    )
    answer.full_clean()
    answer.save()
    if reply.status == ReplyStatus.OPEN:
        reply.status = ReplyStatus.ANSWERED
        reply.save(update_fields=["status"])
    from messaging.tasks import reply_answer_send_task

    transaction.on_commit(lambda: reply_answer_send_task.delay(answer_id=answer.pk))
    return answer


def _answer_message(answer: ReplyAnswer) -> OutgoingMessage:
    reply = answer.reply
    language = reply.subscriber.language if reply.subscriber_id else settings.LANGUAGE_CODE
    with translation.override(language):
        if answer.channel == Channel.SMS:
            return OutgoingMessage(channel=Channel.SMS, to=answer.to, body=answer.body, reference=str(answer.token))
        context = {"answer": answer, "team": reply.neighbourhood, "alert": reply.alert, "subject": reply.subject}
        message = _email("reply_answer", context, to=answer.to, reference=str(answer.token))
    # The member's answer to this comes back into the same thread.
    reply_to = links.reply_address(token=reply.delivery.token) if reply.delivery_id else ""
    if reply_to:
        message = OutgoingMessage(**{**message.__dict__, "headers": {"Reply-To": reply_to}})
    return message


def reply_answer_send(*, answer_id: int) -> str:
    """Send one answer, once: queued → sent (or failed, with the provider's reason)."""
    answer = ReplyAnswer.objects.select_related("reply__subscriber", "reply__neighbourhood", "reply__alert").filter(
        pk=answer_id, outcome=AnswerOutcome.QUEUED
    )
    answer = answer.select_related("reply__delivery").first()
    if answer is None:
        return "skipped"
    try:
        provider_id = _send(_answer_message(answer))
    except PermanentSendError as exc:
        # A transient failure propagates instead: the task tries again later.
        ReplyAnswer.objects.filter(pk=answer.pk, outcome=AnswerOutcome.QUEUED).update(
            outcome=AnswerOutcome.FAILED, error=str(exc)[:255]
        )
        return "failed"
    ReplyAnswer.objects.filter(pk=answer.pk, outcome=AnswerOutcome.QUEUED).update(
        outcome=AnswerOutcome.SENT, provider_id=provider_id[:100]
    )
    return "sent"


@transaction.atomic
def reply_close(*, reply: InboundReply, actor) -> InboundReply:
    reply = InboundReply.objects.select_for_update().get(pk=reply.pk)
    if reply.status != ReplyStatus.CLOSED:
        reply.status, reply.closed_by, reply.closed_at = ReplyStatus.CLOSED, actor, timezone.now()
        reply.save(update_fields=["status", "closed_by", "closed_at"])
    return reply
