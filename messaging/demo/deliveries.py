"""The deliveries, worked out alert by alert in time order, and how each ended channel ended."""

import random
from datetime import timedelta

from messaging.demo.data import FAILURES, OUTCOMES, SEED, SEND_RATE, UNDELIVERABLE
from messaging.demo.world import Message, Person, Send, World
from messaging.models import AlertStatus, ChannelStatus, DeliveryStatus


def simulate(world: World, people: list[Person], sends: list[Send]) -> None:
    """Send each alert, oldest first, to the channels active at that moment; then settle how each
    ended channel ended (an unsubscribe from the last alert it got, or a bounce on it)."""
    by_ward: dict[int, list[Person]] = {}
    for person in people:
        by_ward.setdefault(person.ward_id, []).append(person)
    for n, send in enumerate(s for s in sends if s.alert.status == AlertStatus.SENT):
        _fan_out(send, by_ward, random.Random(f"{SEED}:send:{n}"))  # noqa: S311 - demo data, not security
    rng = random.Random(f"{SEED}:endings")  # noqa: S311 - demo data, not security
    for person in people:
        for line in person.lines:
            if line.ending == ChannelStatus.UNDELIVERABLE and line.last is not None:
                line.last.status, line.last.error = DeliveryStatus.FAILED, UNDELIVERABLE[line.channel]
            elif line.ending == ChannelStatus.UNSUBSCRIBED and _received(line.last) and rng.random() < 0.65:
                gap = (line.end - line.last.sent_at) / 2
                line.end = line.last.sent_at + min(gap, timedelta(minutes=rng.randint(5, 600)))
                line.from_send = line.last.send


def _received(message: Message | None) -> bool:
    return message is not None and message.status != DeliveryStatus.FAILED


def _fan_out(send: Send, by_ward: dict[int, list[Person]], rng: random.Random) -> None:
    at, channels = send.alert.released_at, send.alert.channels
    counts = dict.fromkeys(channels, 0)
    for ward_id in sorted(send.ward_ids):
        for person in by_ward.get(ward_id, ()):
            if send.interest_ids and not person.interests & send.interest_ids:
                continue
            for line in person.lines:
                if line.channel in counts and line.active_at(at):
                    # Sent at the provider's rate, so a big alert takes minutes to go out, as it would.
                    sent_at = at + timedelta(seconds=90 + counts[line.channel] / SEND_RATE[line.channel])
                    counts[line.channel] += 1
                    delivered, sent = OUTCOMES[line.channel]
                    roll = rng.random()
                    status = DeliveryStatus.DELIVERED if roll < delivered else DeliveryStatus.SENT
                    message = Message(send, person, line, status, sent_at)
                    if roll >= delivered + sent:
                        message.status, message.error = DeliveryStatus.FAILED, FAILURES[line.channel]
                    send.messages.append(message)
                    if line.end is not None:
                        line.last = message
    send.alert.audience_counts = counts
    last = max((m.sent_at for m in send.messages), default=send.alert.fanout_completed_at)
    send.alert.completed_at = last + timedelta(seconds=30)
