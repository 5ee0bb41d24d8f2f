"""Benchmark emergencies first: a bulk alert to --bulk generated members is sending at the whole
provider limit when an emergency to --emergency others is released. Prints one JSON line per figure.

Both alerts take the real path on real Celery workers over Redis (PostgreSQL is needed, for
workers in other processes): released as `alert_release` releases them (the fan-out task queued,
routed by the alert's kind), fanned out, then sent through the shared Redis token bucket to the
rate-limited provider emulator (tests/messaging/emulators.py) that answers 429 past the limit.
The bulk alert's worker takes only the bulk queue; the emergency's takes emergency and alerts,
as README "Workers" deploys them. The members are generated in two synthetic wards of their own
(so each audience is exactly the generated members), with numbers only the emulator ever sees,
and everything is removed at the end unless --keep.

emergency_first_send_seconds runs from the release (the fan-out task queued) to the emulator
accepting the emergency's first message; the target is 2 seconds.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from bisect import bisect_left
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from messaging.alerts.services import alert_cancel
from messaging.delivery import fanout, ratelimit, sending
from messaging.management.commands.bench_send import PROJECT, database_url, sender_settings, stop_workers
from messaging.models import Alert, AlertKind, AlertStatus, Delivery, DeliveryStatus, Subscriber, SubscriberChannel
from neighbourhoods.models import Force, Neighbourhood, Ward
from pact_portal.celery import worker_queues

WORKER_START_TIMEOUT = 60
# The engine's bucket starts full and sends that burst at once: rates are measured after it.
BURST_SECONDS = 1.0
# Somewhere no postcode is: the generated wards must never answer a real ward lookup.
NOWHERE = (-30.0, 40.0)


def _emulator():
    try:
        from tests.messaging.emulators import NotifyEmulator
    except ImportError as exc:  # the emulators ship with the tests, not with a deployment
        raise CommandError("bench_emergency needs the test suite's provider emulators (tests/messaging).") from exc
    return NotifyEmulator


def q(name: str) -> str:
    return connection.ops.quote_name(name)


class Command(BaseCommand):
    help = "Benchmark an emergency released while a bulk alert holds the provider's limit; prints JSON lines."

    def add_arguments(self, parser):
        parser.add_argument("--bulk", type=int, default=100_000, help="members of the bulk alert")
        parser.add_argument("--emergency", type=int, default=2_000, help="members of the emergency")
        parser.add_argument("--rate", type=int, default=200, help="the provider's limit, messages per second")
        parser.add_argument("--warmup", type=float, default=10, help="seconds of bulk at full rate before release")
        parser.add_argument("--after", type=float, default=10, help="seconds of bulk measured after the emergency")
        parser.add_argument("--bulk-concurrency", type=int, default=2, help="processes of the bulk worker")
        parser.add_argument("--urgent-concurrency", type=int, default=2, help="processes of the emergency worker")
        parser.add_argument(
            "--stop-after",
            type=float,
            default=0,
            help="cancel the bulk alert this many seconds after the emergency (0: send it all)",
        )
        parser.add_argument("--keep", action="store_true", help="leave the generated rows in place")

    def handle(self, *args, **options):
        if not settings.REDIS_URL or connection.vendor != "postgresql":
            raise CommandError("bench_emergency needs Redis (REDIS_URL) and PostgreSQL (DATABASE_URL) for its workers.")
        if options["rate"] <= 0 or options["bulk"] <= 0 or options["emergency"] <= 0:
            raise CommandError("--rate, --bulk and --emergency must be positive.")
        self.options = options
        self.common = {"channel": "sms", "limit_per_second": options["rate"], "database": connection.vendor}
        run = f"bench-emergency-{uuid.uuid4().hex[:12]}"
        made = self.generate(bulk=options["bulk"], emergency=options["emergency"])
        try:
            with override_settings(CELERY_QUEUE_PREFIX=f"{run}-"), _emulator()(rate_limit=options["rate"]) as emulator:
                with self.workers(run=run, emulator=emulator):
                    figures = self.run(made=made, emulator=emulator)
            self.report(made=made, emulator=emulator, **figures)
        finally:
            if not options["keep"]:
                self.clean(made)

    def emit(self, name: str, value, **extra):
        self.stdout.write(json.dumps({"benchmark": name, "value": value, **extra, **self.common}))
        self.stdout.flush()

    # Generating -------------------------------------------------------------------------------

    def generate(self, *, bulk: int, emergency: int) -> dict:
        force = Force.objects.filter(divisions__neighbourhoods__isnull=False).distinct().first()
        neighbourhood = Neighbourhood.objects.filter(division__force=force).order_by("pk").first()
        author = User.objects.filter(force=force).order_by("pk").first() or User.objects.order_by("pk").first()
        if neighbourhood is None or author is None:
            raise CommandError("No neighbourhood or user: run seed_demo first.")
        started = time.monotonic()
        with transaction.atomic():
            wards = [self.ward(neighbourhood, name) for name in ("bulk", "emergency")]
            self.members(ward=wards[0], count=bulk, number_from=0)
            self.members(ward=wards[1], count=emergency, number_from=bulk)
            survey, urgent = (
                self.alert(force=force, author=author, ward=ward, kind=kind)
                for ward, kind in ((wards[0], AlertKind.SURVEY), (wards[1], AlertKind.EMERGENCY))
            )
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {q(Subscriber._meta.db_table)}, {q(SubscriberChannel._meta.db_table)}")
        self.emit("emergency_generate_seconds", round(time.monotonic() - started, 1), members=bulk + emergency)
        return {"bulk": survey, "emergency": urgent, "wards": wards}

    @staticmethod
    def ward(neighbourhood, name: str) -> Ward:
        taken = set(Ward.objects.filter(code__startswith="E0599").values_list("code", flat=True))
        code = next(f"E0599{n:04d}" for n in range(10_000) if f"E0599{n:04d}" not in taken)
        lon, lat = NOWHERE
        square = [[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]
        return Ward.objects.create(
            code=code,
            name=f"Benchmark {name} ward (synthetic)",
            neighbourhood=neighbourhood,
            boundary={"type": "Polygon", "coordinates": [square]},
            centroid_longitude=lon + 0.005,
            centroid_latitude=lat + 0.005,
            min_longitude=lon,
            min_latitude=lat,
            max_longitude=lon + 0.01,
            max_latitude=lat + 0.01,
        )

    @staticmethod
    def members(*, ward, count: int, number_from: int) -> None:
        """`count` members of `ward` with a confirmed mobile each, set-wise."""
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        subscribers, channels = q(Subscriber._meta.db_table), q(SubscriberChannel._meta.db_table)
        uuid_sql = fanout.random_uuid_sql()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {subscribers} (reference, ward_id, language, source, consent_method, consent_at, "  # noqa: S608 - names from the models
                f"age_band, ethnic_group, created_at, updated_at, manage_secret) "
                f"SELECT {uuid_sql}, %s, 'en', 'import', 'online_form', %s, '', '', %s, %s, "
                f"substr(replace(CAST({uuid_sql} AS text), '-', ''), 1, 24) FROM generate_series(1, %s)",
                [ward.pk, now, now, now, count],
            )
            # 07700 9xxxxx-style numbers: they pass the provider's format check and reach only the emulator.
            cursor.execute(
                f"INSERT INTO {channels} (subscriber_id, channel, address, status, confirmation_secret, "  # noqa: S608
                f"confirmation_attempts, confirmed_at, status_reason) "
                f"SELECT s.id, 'sms', '+447' || lpad(CAST(%s + row_number() OVER (ORDER BY s.id) AS text), 9, '0'), "
                f"'active', '', 0, %s, '' FROM {subscribers} s WHERE s.ward_id = %s",
                [number_from, now, ward.pk],
            )

    @staticmethod
    def alert(*, force, author, ward, kind) -> Alert:
        """A released alert to one ward by text, as `alert_release` leaves it before its fan-out."""
        alert = Alert.objects.create(
            force=force,
            created_by=author,
            kind=kind,
            audience_level="wards",
            title=f"Benchmark {kind}",
            body="Benchmark.",
            sms_text=f"Benchmark {kind}.",
            send_email=False,
            send_sms=True,
            status=AlertStatus.SENDING,
        )
        alert.wards.set([ward])
        return alert

    # Running ----------------------------------------------------------------------------------

    @contextmanager
    def workers(self, *, run: str, emulator):
        """The bulk worker and the emergency worker, as deployed (README "Workers")."""
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "MESSAGING_SMS_RATE": str(self.options["rate"]),
            # The bucket's key: a run of its own, starting full.
            "CACHE_KEY_PREFIX": run,
            "CELERY_QUEUE_PREFIX": settings.CELERY_QUEUE_PREFIX,
            **sender_settings("sms", emulator),
        }
        pools = {
            f"bulk-{run}@localhost": (("bulk",), self.options["bulk_concurrency"]),
            f"urgent-{run}@localhost": (("emergency", "alerts"), self.options["urgent_concurrency"]),
        }
        processes = []
        try:
            for name, (classes, concurrency) in pools.items():
                script = (
                    "from pact_portal.celery import app, worker_queues; "
                    f"app.worker_main(['worker', '-Q', worker_queues(*{classes!r}), '-n', {name!r}, "
                    f"'-c', '{concurrency}', '-l', 'warning', '--without-gossip', '--without-mingle', "
                    "'--without-heartbeat'])"
                )
                processes.append(subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT, env=env))  # noqa: S603 - our own interpreter
            self.wait_ready(list(pools), processes)
            yield processes
        finally:
            stop_workers(processes, timeout=60)
            import redis

            # The run's queues, kombu's bindings of them, and what the workers kept under its prefix.
            client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
            client.delete(*worker_queues().split(","))
            for pattern in (f"{run}*", f"_kombu.binding*{run}*"):
                for key in client.scan_iter(match=pattern, count=1000):
                    client.delete(key)

    @staticmethod
    def wait_ready(names: list[str], processes) -> None:
        from pact_portal.celery import app

        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while time.monotonic() < deadline:
            if any(process.poll() is not None for process in processes):
                raise CommandError("A worker exited while starting: see its output above.")
            answered = {name for reply in app.control.ping(destination=names, timeout=0.5) for name in reply}
            if answered >= set(names):
                return
        raise CommandError(f"The workers did not start within {WORKER_START_TIMEOUT} s.")

    def run(self, *, made: dict, emulator) -> dict:
        from messaging.tasks import alert_fan_out_task

        options = self.options
        full_rate = options["rate"] * settings.MESSAGING_RATE_HEADROOM
        bulk, urgent = made["bulk"], made["emergency"]
        now = timezone.now()
        Alert.objects.filter(pk=bulk.pk).update(released_at=now)
        alert_fan_out_task.delay(alert_id=bulk.pk)
        bulk_started = self.wait_until(lambda: emulator.accepted_at, timeout=120, what="the bulk send's first message")
        bulk_started = emulator.accepted_at[0]
        # At full rate: the last second's messages near the engine's rate, after the warm-up.
        time.sleep(max(0.0, bulk_started + BURST_SECONDS + options["warmup"] - time.monotonic()))
        try:
            self.wait_until(
                lambda: self.rate(emulator, time.monotonic() - 1, time.monotonic()) >= 0.85 * full_rate,
                timeout=60,
                what="the bulk send at full rate",
            )
        except CommandError as exc:
            reached = self.rate(emulator, time.monotonic() - 5, time.monotonic())
            raise CommandError(f"{exc} It sends {reached:.0f} a second, of {full_rate:.0f}: lower --rate.") from exc
        Alert.objects.filter(pk=urgent.pk).update(released_at=timezone.now())
        released = time.monotonic()
        alert_fan_out_task.delay(alert_id=urgent.pk)
        self.wait_until(
            lambda: Alert.objects.filter(pk=urgent.pk, fanout_completed_at__isnull=False).exists(),
            timeout=60,
            what="the emergency's fan-out",
        )
        tokens = {str(t) for t in Delivery.objects.filter(alert=urgent).values_list("token", flat=True)}
        urgent_at = self.wait_for_messages(emulator, tokens, timeout=max(120, 3 * len(tokens) / full_rate))
        done = max(urgent_at)
        # Bulk resumes once the emergency's demand has lapsed (ratelimit.DEMAND_SECONDS).
        time.sleep(max(0.0, done + ratelimit.DEMAND_SECONDS + options["after"] - time.monotonic()))
        if options["stop_after"]:
            time.sleep(max(0.0, done + options["stop_after"] - time.monotonic()))
            # As staff would stop it: the queued rest cancelled, what is in flight finishing.
            alert_cancel(alert=bulk, actor=bulk.created_by)
        remaining = Delivery.objects.filter(alert=bulk, status=DeliveryStatus.QUEUED).count()
        in_flight = Delivery.objects.filter(alert_id__in=[bulk.pk, urgent.pk], status__in=sending.PENDING)
        self.wait_until(
            lambda: (
                not Alert.objects.filter(pk__in=[bulk.pk, urgent.pk], status=AlertStatus.SENDING).exists()
                and not in_flight.exists()
            ),
            timeout=max(120, 3 * remaining / full_rate),
            what="both alerts finished",
        )
        return {
            "bulk_started": bulk_started,
            "released": released,
            "urgent_at": urgent_at,
            "urgent_tokens": tokens,
            "full_rate": full_rate,
        }

    @staticmethod
    def wait_until(check, *, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if result := check():
                return result
            time.sleep(0.02)
        raise CommandError(f"Timed out after {timeout:.0f} s waiting for {what}.")

    @staticmethod
    def wait_for_messages(emulator, tokens: set[str], *, timeout: float) -> list[float]:
        """When the emulator accepted each of these messages (scanning only what is new)."""
        found, seen = [], 0
        deadline = time.monotonic() + timeout
        while len(found) < len(tokens):
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Only {len(found)} of the emergency's {len(tokens)} messages went in {timeout:.0f} s."
                )
            accepted = list(zip(list(emulator.accepted), list(emulator.accepted_at), strict=False))
            found += [at for message, at in accepted[seen:] if str(message.get("reference")) in tokens]
            seen = len(accepted)
            time.sleep(0.01)
        return found

    @staticmethod
    def rate(emulator, start: float, end: float, *, tokens: frozenset = frozenset()) -> float:
        """Messages a second the emulator accepted in [start, end), the emergency's left out."""
        if end <= start:
            return 0.0
        pairs = list(zip(list(emulator.accepted), list(emulator.accepted_at), strict=False))
        times = [at for message, at in pairs if str(message.get("reference")) not in tokens]
        return (bisect_left(times, end) - bisect_left(times, start)) / (end - start)

    # Reporting --------------------------------------------------------------------------------

    def report(self, *, made, emulator, bulk_started, released, urgent_at, urgent_tokens, full_rate) -> None:
        tokens = frozenset(urgent_tokens)
        first, done = min(urgent_at), max(urgent_at)
        resumed = done + ratelimit.DEMAND_SECONDS
        after_until = resumed + self.options["after"]
        self.emit("emergency_first_send_seconds", round(first - released, 3), target=2)
        self.emit("emergency_all_sent_seconds", round(done - released, 2), messages=len(urgent_at))
        self.emit("emergency_send_rate_per_second", round(len(urgent_at) / max(done - first, 1e-9), 1))
        bulk_before = self.rate(emulator, bulk_started + BURST_SECONDS, released, tokens=tokens)
        self.emit("bulk_rate_before_per_second", round(bulk_before, 1), engine_rate=round(full_rate, 1))
        self.emit("bulk_rate_during_emergency_per_second", round(self.rate(emulator, first, done, tokens=tokens), 1))
        self.emit(
            "bulk_rate_after_per_second",
            round(self.rate(emulator, resumed, after_until, tokens=tokens), 1),
            measured_seconds=self.options["after"],
        )
        self.emit("emergency_provider_rate_limit_rejections", emulator.rejected, target=0)
        self.emit("emergency_duplicates_at_provider", emulator.duplicates(), target=0)
        alerts = [made["bulk"].pk, made["emergency"].pk]
        sent = {
            str(t)
            for t in Delivery.objects.filter(alert_id__in=alerts, status=DeliveryStatus.SENT).values_list(
                "token", flat=True
            )
        }
        accepted = set(emulator.references())
        # Lost: accepted but not recorded as sent, recorded as sent but never accepted, or left
        # neither sent nor cancelled (a cancelled bulk rest, with --stop-after, is not lost).
        unfinished = Delivery.objects.filter(alert_id__in=alerts).exclude(
            status__in=[DeliveryStatus.SENT, DeliveryStatus.CANCELLED]
        )
        self.emit("emergency_lost", len(accepted ^ sent) + unfinished.count(), target=0)
        counts = {
            "bulk_sent": Delivery.objects.filter(alert=made["bulk"], status=DeliveryStatus.SENT).count(),
            "bulk_cancelled": Delivery.objects.filter(alert=made["bulk"], status=DeliveryStatus.CANCELLED).count(),
            "emergency_sent": Delivery.objects.filter(alert=made["emergency"], status=DeliveryStatus.SENT).count(),
        }
        self.emit("emergency_messages_accepted", len(emulator.accepted), **counts)

    def clean(self, made: dict) -> None:
        ward_ids = [ward.pk for ward in made["wards"]]
        with transaction.atomic(), connection.cursor() as cursor:
            Delivery.objects.filter(alert__in=[made["bulk"], made["emergency"]]).delete()
            # Set-wise: the generated members have nothing else pointing at them.
            subscribers, channels = q(Subscriber._meta.db_table), q(SubscriberChannel._meta.db_table)
            cursor.execute(
                f"DELETE FROM {channels} WHERE subscriber_id IN (SELECT id FROM {subscribers} WHERE ward_id = ANY(%s))",  # noqa: S608 - names from the models
                [ward_ids],
            )
            cursor.execute(f"DELETE FROM {subscribers} WHERE ward_id = ANY(%s)", [ward_ids])  # noqa: S608
            Alert.objects.filter(pk__in=[made["bulk"].pk, made["emergency"].pk]).delete()
            Ward.objects.filter(pk__in=ward_ids).delete()
