"""Every row in bulk, parents first: COPY on PostgreSQL, executemany on SQLite."""

import random
import secrets
import uuid
from datetime import UTC, timedelta
from itertools import islice

from django.conf import settings
from django.db import connection, models
from django.db.models import F

from messaging.demo.data import COMMENTS, SEED, UNDELIVERABLE
from messaging.demo.world import Message, Person, Send, World
from messaging.models import (
    Alert,
    Channel,
    ChannelStatus,
    Delivery,
    DeliveryStatus,
    Feedback,
    LinkClick,
    Subscriber,
    SubscriberChannel,
    SubscriberInterest,
)


def write(world: World, people: list[Person], sends: list[Send]) -> None:
    """Every row in bulk, parents first. The big tables bypass bulk_create (see _insert): its
    per-value preparation took fifteen seconds on these ~100,000 rows, three times the rest."""
    subscribers = [p.subscriber for p in people]
    for subscriber in subscribers:
        subscriber.created_at = subscriber.updated_at = subscriber.consent_at
    _insert(Subscriber, SUBSCRIBER_FIELDS, ([getattr(s, f) for f in SUBSCRIBER_FIELDS] for s in subscribers))
    ids = dict(
        Subscriber.objects.filter(ward__neighbourhood__division__force=world.force).values_list("reference", "pk")
    )
    for subscriber in subscribers:
        subscriber.pk = ids[subscriber.reference]
    Alert.objects.bulk_create([s.alert for s in sends])
    # Django stamps created_at on insert; a sent alert was written a while before it went.
    sent = Alert.objects.filter(force=world.force, released_at__isnull=False)
    sent.update(created_at=F("released_at") - timedelta(hours=2), updated_at=F("completed_at"))
    _write_alert_links(sends)
    _write_channels(people)
    rows = ((p.subscriber.pk, i) for p in people for i in sorted(p.interests))
    _insert(SubscriberInterest, ["subscriber_id", "interest_id"], rows)
    _write_deliveries(world, sends)


SUBSCRIBER_FIELDS = [
    "reference", "ward_id", "language", "source", "consent_method", "consent_at", "consent_taken_by_id",
    "demographics_consent_at", "age_band", "ethnic_group", "erased_at", "created_at", "updated_at",
    "manage_secret", "quiet_start", "quiet_end", "paused_until", "email_digest",
]  # fmt: skip


def _insert(model, names: list[str], rows) -> None:
    """INSERT rows (sequences of values in `names` order): by COPY on PostgreSQL, the fastest
    bulk path it has, and by executemany in chunks elsewhere (SQLite's driver loops in C)."""
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg adapts aware datetimes, UUIDs and booleans itself.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        prepare = [_preparer(f) for f in fields]
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608 - model names
        for chunk in _chunks(rows, 5000):
            cursor.executemany(sql, [tuple(p(v) for p, v in zip(prepare, row, strict=True)) for row in chunk])


def _chunks(rows, size: int):
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def _preparer(model_field):
    if isinstance(model_field, models.DateTimeField):
        if connection.vendor == "sqlite" and settings.USE_TZ and not connection.settings_dict.get("TIME_ZONE"):
            # What Django's SQLite backend stores (naive UTC as text), without its per-value checks:
            # a third of the demo's writing time went on those.
            return lambda value: None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: None if value is None else adapt(value)
    if isinstance(model_field, models.UUIDField):
        return lambda value: model_field.get_db_prep_value(value, connection)
    # The sqlite3 module has no adapter for a time (and deprecates the one for a date).
    if isinstance(model_field, models.TimeField):
        return connection.ops.adapt_timefield_value
    if isinstance(model_field, models.DateField):
        return connection.ops.adapt_datefield_value
    return lambda value: value


def _write_alert_links(sends: list[Send]) -> None:
    for name in ("neighbourhoods", "divisions", "interests"):
        relation = Alert._meta.get_field(name)
        through = relation.remote_field.through
        target = through._meta.get_field(relation.m2m_reverse_field_name()).attname
        rows = []
        for send in sends:
            level, area_ids = send.area_m2m or ("", [])
            ids = sorted(send.interest_ids) if name == "interests" else area_ids if level == name else []
            rows += [through(alert_id=send.alert.pk, **{target: pk}) for pk in ids]
        through.objects.bulk_create(rows)


CHANNEL_FIELDS = [
    "subscriber_id", "channel", "address", "status", "confirmation_secret", "confirmation_sent_at",
    "confirmation_attempts", "confirmed_at", "unsubscribed_at", "unsubscribed_from_alert_id", "status_reason",
    "accepts",
]  # fmt: skip


def _write_channels(people: list[Person]) -> None:
    rows = []
    for person in people:
        for line in person.lines:
            status = ChannelStatus.PENDING if line.start is None else line.ending or ChannelStatus.ACTIVE
            unsubscribed, pending = status == ChannelStatus.UNSUBSCRIBED, status == ChannelStatus.PENDING
            rows.append((
                person.subscriber.pk, line.channel, line.address, status,
                secrets.token_urlsafe(16) if pending and line.channel == Channel.EMAIL else "",
                person.subscriber.consent_at, 0, line.start, line.end if unsubscribed else None,
                line.from_send.alert.pk if unsubscribed and line.from_send else None,
                UNDELIVERABLE[line.channel] if status == ChannelStatus.UNDELIVERABLE else "",
                line.accepts,
            ))  # fmt: skip
    _insert(SubscriberChannel, CHANNEL_FIELDS, rows)


DELIVERY_FIELDS = [
    "alert_id", "subscriber_id", "channel", "status", "attempts", "token", "provider_id", "error", "queued_at",
    "claimed_at", "next_attempt_at", "sent_at", "delivered_at", "opened_at", "clicked_at",
]  # fmt: skip


def _write_deliveries(world: World, sends: list[Send]) -> None:
    rng = random.Random(f"{SEED}:engagement")  # noqa: S311 - demo data, not security
    deliveries, feedback, clicks = [], [], []
    for send in sends:
        for message in send.messages:
            row = _delivery(message)
            if message.status != DeliveryStatus.FAILED:
                _engage(world, rng, message, row, feedback, clicks)
            deliveries.append([row[name] for name in DELIVERY_FIELDS])
    _insert(Delivery, DELIVERY_FIELDS, deliveries)
    ids = dict(Delivery.objects.filter(alert__force=world.force).values_list("token", "pk"))
    feedback = [(ids[token], *row) for *row, token in feedback]
    _insert(Feedback, ["delivery_id", "useful", "acted_on", "comment", "created_at", "updated_at"], feedback)
    _insert(LinkClick, ["delivery_id", "url", "clicked_at"], [(ids[token], *row) for *row, token in clicks])


def _delivery(message: Message) -> dict:
    at, failed = message.send.alert.released_at, message.status == DeliveryStatus.FAILED
    delivered = message.status == DeliveryStatus.DELIVERED
    return {
        "alert_id": message.send.alert.pk, "subscriber_id": message.person.subscriber.pk,
        "channel": message.line.channel, "status": message.status,
        "attempts": (5 if message.line.channel == Channel.EMAIL else 3) if failed else 1,
        "token": uuid.uuid4(), "provider_id": "", "error": message.error, "queued_at": at,
        "claimed_at": message.sent_at - timedelta(seconds=1), "next_attempt_at": None,
        "sent_at": None if failed else message.sent_at,
        "delivered_at": message.sent_at + timedelta(seconds=4) if delivered else None,
        "opened_at": None, "clicked_at": None,
    }  # fmt: skip


def _engage(world: World, rng: random.Random, message: Message, row: dict, feedback: list, clicks: list) -> None:
    """Opens and clicks on emails, and "was this useful?" answers, at believable rates."""
    email, sent_at = message.line.channel == Channel.EMAIL, message.sent_at
    if email and rng.random() < 0.45:
        opened = sent_at + timedelta(minutes=rng.expovariate(1 / 240))
        row["opened_at"] = opened if opened < world.as_of else None
    if email and rng.random() < 0.09:
        clicked = (row["opened_at"] or sent_at) + timedelta(minutes=rng.randint(1, 30))
        if clicked < world.as_of:
            row["clicked_at"] = clicked
            clicks += [(message.send.link, clicked, row["token"])] * (2 if rng.random() < 0.2 else 1)
    if rng.random() < (0.045 if email else 0.015):
        # Someone who unsubscribed because of this alert did not find it useful.
        useful = message.line.from_send is not message.send and rng.random() < 0.82
        acted_on = rng.random() < (0.35 if useful else 0.05)
        comment = rng.choice(COMMENTS[useful]) if rng.random() < 0.3 else ""
        answered = min(row["clicked_at"] or row["opened_at"] or sent_at + timedelta(hours=2), world.as_of)
        feedback.append((useful, acted_on, comment, answered, answered, row["token"]))
