"""A few members' replies to the demo's latest alerts, one of them urgent, and one from a number
that matches no member, so the inbox has something to show (all synthetic)."""

from datetime import timedelta

from messaging.inbox.triggers import matched_triggers
from messaging.models import Channel, Delivery, DeliveryStatus, InboundReply, ReplyAnswer, ReplyStatus, TriggerWord
from neighbourhoods.models import Force

REPLIES = [
    "Thanks for letting us know. Is the PACT meeting still at the library?",
    "My neighbour's shed was done too last week, we didn't report it. Should we?",
    "There are lads with a knife by the park again tonight. Please help me, I'm scared to go out.",
    "Can you send these in Polish for my mum?",
]
UNMATCHED = "Who is this? I never signed up for anything."
ANSWER = "Thank you for telling us. Please do report it on 101 or online, quoting this alert, so we can link them."


def demo_replies_seed(*, force: Force) -> int:
    """Replies to the latest delivered alert messages of the force. Run with its alerts (once per
    demo): any demo replies of an earlier run, left orphaned when its alerts went, are replaced."""
    prefix = f"demo-{force.pk}-"
    InboundReply.objects.filter(provider="demo", provider_message_id__startswith=prefix).delete()
    deliveries = list(
        Delivery.objects.filter(
            alert__force=force,
            status=DeliveryStatus.DELIVERED,
            channel__in=(Channel.EMAIL, Channel.SMS),
            subscriber__ward__neighbourhood__isnull=False,
            subscriber__erased_at__isnull=True,
        )
        .select_related("alert", "subscriber__ward")
        .order_by("-sent_at", "-pk")[: len(REPLIES)]
    )
    triggers = list(TriggerWord.objects.filter(is_active=True).values_list("phrase", flat=True))
    made = [
        _reply(delivery, text, n, triggers, prefix=prefix)
        for n, (delivery, text) in enumerate(zip(deliveries, REPLIES, strict=False))
    ]
    if deliveries:
        at = deliveries[0].sent_at + timedelta(hours=3)
        made.append(
            InboundReply(channel=Channel.SMS, sender="+447700900999", body=UNMATCHED, provider="demo",
                         provider_message_id=f"{prefix}unmatched", received_at=at)
        )  # fmt: skip
    InboundReply.objects.bulk_create(made)
    answered = next((r for r in made if r.status == ReplyStatus.ANSWERED), None)
    if answered is not None:
        ReplyAnswer.objects.create(
            reply=answered,
            author=answered.alert.created_by,
            channel=answered.channel,
            to=answered.sender,
            body=ANSWER,
            created_at=answered.received_at + timedelta(hours=2),
            outcome="delivered",
        )
    return len(made)


def _reply(delivery: Delivery, text: str, n: int, triggers: list[str], *, prefix: str) -> InboundReply:
    from messaging.models import SubscriberChannel

    address = (
        SubscriberChannel.objects.filter(subscriber_id=delivery.subscriber_id, channel=delivery.channel)
        .values_list("address", flat=True)
        .first()
    )
    received = delivery.sent_at + timedelta(minutes=20 + 13 * n)
    words = matched_triggers(text, triggers)
    return InboundReply(
        channel=delivery.channel,
        sender=address or "",
        subject=f"Re: {delivery.alert.title}"[:255] if delivery.channel == Channel.EMAIL else "",
        body=text,
        provider="demo",
        provider_message_id=f"{prefix}{delivery.pk}",
        received_at=received,
        subscriber=delivery.subscriber,
        delivery=delivery,
        alert=delivery.alert,
        neighbourhood_id=delivery.subscriber.ward.neighbourhood_id,
        is_urgent=bool(words),
        trigger_words=words,
        # The demo sends nothing: these say what the live system would have done at once.
        advice_sent_at=received if words else None,
        duty_notified_at=received if words else None,
        status=ReplyStatus.ANSWERED if n == 1 else ReplyStatus.OPEN,
    )
