"""Fan-out: turn a released alert's audience into Delivery rows, set-wise.

For each range of subscriber ids, ONE statement copies the audience into messaging_delivery:

    INSERT INTO messaging_delivery (...) SELECT <alert>, subscriber_id, channel, ... FROM (<audience>)
    ON CONFLICT (alert_id, subscriber_id, channel) DO NOTHING

The SELECT is the audience queryset's own SQL (messaging.delivery.audience), so the fan-out and the
compose page's preview can never disagree. Nothing is loaded into Python: a million subscribers
cost a few dozen statements and constant memory. The unique constraint makes a rerun (a task
redelivered after a crash) add nothing. Each delivery's token, the secret in its links, is a
random UUID made by the database itself.
"""

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connection
from django.db.models import CharField, Count, DateTimeField, Max, Min, Value
from django.db.models.functions import Cast
from django.utils import timezone

from messaging.delivery.audience import alert_audience_kwargs, delivery_status, held_until, subscriber_channels
from messaging.delivery.sending import alert_complete_if_done, sends_queue
from messaging.models import Alert, AlertStatus, Delivery, DeliveryStatus, Subscriber

# Subscriber ids per INSERT … SELECT: big enough that per-statement overhead is noise next to the
# rows, small enough that one statement's transaction and a cancel check stay short.
FANOUT_BATCH = 50_000

# A random version-4 UUID, written by the database in the column format Django uses for a
# UUIDField: PostgreSQL's native uuid; on SQLite 32 lower-case hex digits, where the version
# nibble is 4 and the variant nibble one of 8, 9, a, b (each randomblob() is a fresh draw).
# "%%" because the statement goes through the DB-API's parameter formatting.
UUID_SQL = {
    "postgresql": "gen_random_uuid()",
    "sqlite": (
        "lower(hex(randomblob(6)) || '4' || substr(hex(randomblob(2)), 2)"
        " || substr('89ab', 1 + (abs(random()) %% 4), 1) || substr(hex(randomblob(8)), 2))"
    ),
}


def random_uuid_sql() -> str:
    try:
        return UUID_SQL[connection.vendor]
    except KeyError:
        raise ImproperlyConfigured(f"The fan-out supports PostgreSQL and SQLite, not {connection.vendor}.") from None


def insert_select_sql(audience, *, alert_id: int, queued_at, held=None, status=None) -> tuple[str, list]:
    """The one statement that records a batch's deliveries, with its parameters. `held` (an
    expression per row, `audience.held_until`) is each delivery's next_attempt_at: when quiet
    hours hold it, the end of them; NULL to go at once."""
    held = held if held is not None else Value(None, output_field=DateTimeField())
    if connection.vendor == "postgresql":
        # A bare NULL in a subquery's SELECT list is typed text there, which the column refuses.
        held = Cast(held, DateTimeField())
    status = status if status is not None else Value(DeliveryStatus.QUEUED, output_field=CharField())
    rows = (
        audience.order_by()
        .annotate(held_until=held, delivery_status=status)
        .values_list("subscriber_id", "channel", "held_until", "delivery_status")
    )
    select_sql, select_params = rows.query.sql_with_params()
    q = connection.ops.quote_name
    columns = ", ".join(
        q(name)
        for name in (
            "alert_id",
            "subscriber_id",
            "channel",
            "status",
            "attempts",
            "token",
            "provider_id",
            "error",
            "queued_at",
            "next_attempt_at",
        )
    )
    # "WHERE true" keeps SQLite from reading ON CONFLICT as part of a join in the SELECT.
    sql = (
        f"INSERT INTO {q(Delivery._meta.db_table)} ({columns}) "  # noqa: S608 - names from the models, values are parameters
        f"SELECT %s, audience.subscriber_id, audience.channel, audience.delivery_status, 0, {random_uuid_sql()}, "
        f"'', '', %s, audience.held_until "
        f"FROM ({select_sql}) AS audience WHERE true "
        f"ON CONFLICT ({q('alert_id')}, {q('subscriber_id')}, {q('channel')}) DO NOTHING"
    )
    # The SELECT's own parameters come after the two of the outer SELECT list.
    params = [alert_id, connection.ops.adapt_datetimefield_value(queued_at), *select_params]
    return sql, params


def _still_sending(alert_id: int) -> bool:
    return Alert.objects.filter(pk=alert_id, status=AlertStatus.SENDING).exists()


def alert_fan_out(*, alert_id: int, batch_size: int = FANOUT_BATCH) -> int:
    """Record a sending alert's deliveries, store the audience per channel, mark the fan-out done
    and queue the sends. Returns how many deliveries this run recorded (0 on a rerun)."""
    alert = Alert.objects.filter(pk=alert_id).first()
    # Only a released alert goes out; a cancelled one fans out nothing more.
    if alert is None or alert.status != AlertStatus.SENDING or alert.fanout_completed_at is not None:
        return 0
    queued_at = timezone.now()
    kwargs = alert_audience_kwargs(alert=alert)
    audience = subscriber_channels(**kwargs, at=queued_at, resolve_area=True)
    held = held_until(kind=alert.kind, at=queued_at)
    status = delivery_status(kind=alert.kind)
    bounds = Subscriber.objects.aggregate(low=Min("pk"), high=Max("pk"))
    recorded = 0
    if bounds["low"] is not None:
        for low in range(bounds["low"], bounds["high"] + 1, batch_size):
            if low != bounds["low"] and not _still_sending(alert_id):
                # Cancelled part-way: rows recorded after the cancel's UPDATE are stopped here.
                waiting = [DeliveryStatus.QUEUED, DeliveryStatus.DIGEST]
                Delivery.objects.filter(alert_id=alert_id, status__in=waiting).update(
                    status=DeliveryStatus.CANCELLED, error="The alert was cancelled."
                )
                return recorded
            high = low + batch_size
            # The range twice: on the channel rows, and as a semi-join on subscribers' primary key,
            # which is what lets PostgreSQL start from the batch's few rows rather than the area's.
            in_range = Subscriber.objects.filter(pk__gte=low, pk__lt=high).values("pk")
            batch = audience.filter(subscriber_id__gte=low, subscriber_id__lt=high, subscriber_id__in=in_range)
            try:
                sql, params = insert_select_sql(batch, alert_id=alert_id, queued_at=queued_at, held=held, status=status)
            except EmptyResultSet:
                # An area left with no wards in the force (all moved since the alert was written)
                # compiles to no SQL at all: there is nobody to record, in this batch or any other.
                break
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                recorded += max(cursor.rowcount, 0)
    channels = kwargs["channels"]
    counts = dict.fromkeys(channels, 0)
    grouped = Delivery.objects.filter(alert_id=alert_id).values("channel").annotate(n=Count("pk")).order_by()
    counts.update({row["channel"]: row["n"] for row in grouped})
    # Sends are queued before the fan-out is marked done: if this worker dies in between, the
    # redelivered task queues them again (harmless: every delivery is claimed before it is sent).
    # Held deliveries are not in these batches: the sweep queues them at the end of quiet hours.
    sends_queue(alert_id=alert_id, channels=channels)
    Alert.objects.filter(pk=alert_id, status=AlertStatus.SENDING).update(
        audience_counts=counts, fanout_completed_at=timezone.now()
    )
    alert_complete_if_done(alert_id=alert_id)
    return recorded
