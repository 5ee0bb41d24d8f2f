"""Benchmark the fan-out: one force-wide alert to N subscribers, recorded by `alert_fan_out`,
against a bare INSERT … SELECT of the same rows in the same run. Prints JSON lines.

The subscribers are generated set-wise (one INSERT … SELECT each for subscribers and their email
channels), spread over the force's wards, and removed again at the end unless --keep.

Two baselines are measured: the same rows copied in ONE statement (one transaction) into a scratch
table with the same columns, constraints, foreign keys and indexes as messaging_delivery (the
like-for-like figure the ratio uses), and into a scratch table with neither indexes nor foreign
keys (the floor, for context).
"""

import json
import resource
from time import perf_counter
from unittest import mock

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from messaging.delivery import fanout, sending
from messaging.delivery.audience import alert_audience_kwargs, audience_counts, subscriber_channels
from messaging.models import Alert, AlertStatus, Delivery, Subscriber, SubscriberChannel
from neighbourhoods.models import Force, Ward

BENCH_DOMAIN = "bench.invalid"  # RFC 2606: can never be a real address
DELIVERY_COLUMNS = "alert_id, subscriber_id, channel, status, attempts, token, provider_id, error, queued_at"


def q(name: str) -> str:
    return connection.ops.quote_name(name)


def numbers_sql(count: int) -> str:
    """A row source "g" with one column n = 0 .. count-1."""
    if connection.vendor == "postgresql":
        return f"generate_series(0, {int(count) - 1}) AS g(n)"
    last = int(count) - 1
    return f"(WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < {last}) SELECT n FROM g) AS g"  # noqa: S608 - an integer


class Command(BaseCommand):
    help = "Benchmark alert_fan_out against a bare INSERT … SELECT; prints one JSON line per figure."

    def add_arguments(self, parser):
        parser.add_argument("--subscribers", type=int, default=1_000_000)
        parser.add_argument("--batch-size", type=int, default=fanout.FANOUT_BATCH)
        parser.add_argument("--keep", action="store_true", help="leave the generated subscribers in place")

    def handle(self, *args, subscribers, batch_size, keep, **options):
        force = Force.objects.filter(divisions__neighbourhoods__wards__isnull=False).distinct().first()
        if force is None:
            raise CommandError("No force with wards: run seed_demo first.")
        author = User.objects.filter(force=force).order_by("pk").first() or User.objects.order_by("pk").first()
        if author is None:
            raise CommandError("No user to author the alert: run seed_demo first.")
        first_id = self.generate(force=force, count=subscribers)
        alert = Alert.objects.create(
            force=force,
            created_by=author,
            audience_level="force",
            title="Benchmark alert",
            body="Benchmark.",
            status=AlertStatus.SENDING,
            released_at=timezone.now(),
        )
        try:
            self.run(alert=alert, subscribers=subscribers, batch_size=batch_size)
        finally:
            if not keep:
                self.clean(alert=alert, first_id=first_id)

    def emit(self, name: str, value, **extra):
        self.stdout.write(json.dumps({"benchmark": name, "value": value, **extra}))

    def generate(self, *, force, count: int) -> int:
        """Add `count` subscribers with an active email channel; returns the first new id."""
        ward_ids = list(
            Ward.objects.filter(neighbourhood__division__force=force).order_by("pk").values_list("pk", flat=True)
        )
        first_id = (Subscriber.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        started = perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE bench_wards (idx integer PRIMARY KEY, ward_id integer NOT NULL)")
            cursor.executemany("INSERT INTO bench_wards (idx, ward_id) VALUES (%s, %s)", list(enumerate(ward_ids)))
            cursor.execute(
                f"INSERT INTO {q(Subscriber._meta.db_table)} (reference, ward_id, language, source, consent_method, "  # noqa: S608 - names from the models
                f"consent_at, age_band, ethnic_group, created_at, updated_at, manage_secret) "
                f"SELECT {fanout.random_uuid_sql()}, w.ward_id, 'en', 'import', 'online_form', %s, '', '', %s, %s, "
                f"substr(replace(CAST({fanout.random_uuid_sql()} AS text), '-', ''), 1, 24) "
                f"FROM {numbers_sql(count)} JOIN bench_wards w ON w.idx = g.n %% %s",
                [now, now, now, len(ward_ids)],
            )
            cursor.execute(
                f"INSERT INTO {q(SubscriberChannel._meta.db_table)} (subscriber_id, channel, address, status, "  # noqa: S608
                f"confirmation_secret, confirmation_attempts, confirmed_at, status_reason) "
                f"SELECT id, 'email', 'bench-' || id || '@{BENCH_DOMAIN}', 'active', '', 0, %s, '' "
                f"FROM {q(Subscriber._meta.db_table)} WHERE id >= %s",
                [now, first_id],
            )
            cursor.execute("DROP TABLE bench_wards")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {q(Subscriber._meta.db_table)}, {q(SubscriberChannel._meta.db_table)}")
        self.emit("fanout_generate_subscribers_seconds", round(perf_counter() - started, 2), subscribers=count)
        return first_id

    def run(self, *, alert, subscribers: int, batch_size: int):
        kwargs = alert_audience_kwargs(alert=alert)
        audience = audience_counts(**kwargs)["email"]  # also warms the caches both runs read
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # The sends' batches are computed (their real query) but not queued: no broker here, and
        # sending is not what this measures.
        with mock.patch.object(fanout, "sends_queue", self.ranges_only):
            started = perf_counter()
            recorded = fanout.alert_fan_out(alert_id=alert.pk, batch_size=batch_size)
            fan_out_seconds = perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        if recorded != audience:
            raise CommandError(f"The fan-out recorded {recorded} deliveries for an audience of {audience}.")
        like = self.bare_insert_select(alert=alert, rows=subscriber_channels(**kwargs), indexed=True)
        floor = self.bare_insert_select(alert=alert, rows=subscriber_channels(**kwargs), indexed=False)
        rate = recorded / fan_out_seconds
        unique = Delivery.objects.filter(alert=alert).values("token").distinct().count() == recorded
        common = {"subscribers": subscribers, "deliveries": recorded, "database": connection.vendor}
        self.emit("fanout_deliveries_per_second", round(rate, 1), batch_size=batch_size, **common)
        self.emit("fanout_seconds", round(fan_out_seconds, 2), **common)
        self.emit(
            "bare_insert_select_per_second",
            round(recorded / like, 1),
            scratch="same indexes and foreign keys",
            **common,
        )
        self.emit("fanout_ratio_to_bare_insert_select", round(rate / (recorded / like), 3), target=0.5, **common)
        self.emit("bare_insert_select_unindexed_per_second", round(recorded / floor, 1), scratch="no indexes", **common)
        self.emit("fanout_ratio_to_unindexed_insert_select", round(rate / (recorded / floor), 3), **common)
        self.emit(
            "fanout_worker_peak_memory_mb",
            round(peak_mb, 1),
            before_fanout_mb=round(peak_before / 1024, 1),
            target=300,
            **common,
        )
        self.emit("fanout_tokens_unique", unique, **common)

    @staticmethod
    def ranges_only(*, alert_id, channels):
        return sum(len(sending.send_ranges(alert_id=alert_id, channel=channel)) for channel in channels)

    def bare_insert_select(self, *, alert, rows, indexed: bool) -> float:
        """Seconds to copy the same rows, in one statement, into a fresh scratch table."""
        table = q("bench_scratch_delivery")
        source = q(Delivery._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            if connection.vendor == "postgresql":
                like = "INCLUDING ALL" if indexed else "INCLUDING DEFAULTS INCLUDING IDENTITY"
                cursor.execute(f"CREATE TABLE {table} (LIKE {source} {like})")
                if indexed:
                    # LIKE copies no foreign keys: add Django's two, so the copy checks what the real one does.
                    for column, target in (("alert_id", Alert), ("subscriber_id", Subscriber)):
                        cursor.execute(
                            f"ALTER TABLE {table} ADD FOREIGN KEY ({column}) "
                            f"REFERENCES {q(target._meta.db_table)} (id) DEFERRABLE INITIALLY DEFERRED"
                        )
            else:
                self.sqlite_scratch(cursor, table=table, indexed=indexed)
        select_sql, params = rows.order_by().values_list("subscriber_id", "channel").query.sql_with_params()
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        token = fanout.random_uuid_sql()
        started = perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({DELIVERY_COLUMNS}) "  # noqa: S608 - names from the models
                f"SELECT %s, audience.subscriber_id, audience.channel, 'queued', 0, {token}, '', '', %s "
                f"FROM ({select_sql}) AS audience",
                [alert.pk, now, *params],
            )
        seconds = perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {table}")
        return seconds

    @staticmethod
    def sqlite_scratch(cursor, *, table: str, indexed: bool):
        name = Delivery._meta.db_table
        if not indexed:
            cursor.execute(f'CREATE TABLE {table} AS SELECT * FROM "{name}" WHERE 0')  # noqa: S608 - model names
            return
        cursor.execute("SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [name])
        for kind, sql in cursor.fetchall():
            if kind == "table":
                cursor.execute(sql.replace(f'"{name}"', table, 1))
            else:
                # Index names must be unique too: prefix them, and point them at the scratch table.
                cursor.execute(sql.replace('INDEX "', 'INDEX "bench_', 1).replace(f'ON "{name}"', f"ON {table}"))

    def clean(self, *, alert, first_id: int):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {q(Delivery._meta.db_table)} WHERE alert_id = %s", [alert.pk])  # noqa: S608
            cursor.execute(f"DELETE FROM {q(SubscriberChannel._meta.db_table)} WHERE subscriber_id >= %s", [first_id])  # noqa: S608
            cursor.execute(f"DELETE FROM {q(Subscriber._meta.db_table)} WHERE id >= %s", [first_id])  # noqa: S608
            Alert.objects.filter(pk=alert.pk).delete()
