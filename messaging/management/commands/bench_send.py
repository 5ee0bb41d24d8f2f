"""Benchmark the send pipeline against a local provider emulator that enforces the rate limit the
engine is configured with. Prints one JSON line per figure.

The emulator (tests/messaging/emulators.py, an HTTP server in a thread of this process) answers
429 past the limit, as the provider would, and records every message's reference. The sends take
the real path: with REDIS_URL and PostgreSQL, Celery worker processes on a queue of this run's own
share the engine's Redis token bucket; otherwise the tasks run eagerly in this process. Enough
deliveries are queued to keep the pipeline busy for the whole run; when it is up the alert is
cancelled, which stops the rest the way staff would.

The deliveries are recorded directly rather than by a fan-out (bench_fanout measures that), for
generated subscribers with numbers only the emulator ever sees. Everything is removed at the end
unless --keep.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from messaging.delivery import sending
from messaging.models import Alert, AlertStatus, Delivery, DeliveryStatus, Subscriber, SubscriberChannel
from neighbourhoods.models import Force, Ward
from pact_portal.celery import worker_queues

PROJECT = Path(settings.BASE_DIR)
# Queued beyond rate × seconds, so a pipeline faster than its limit still never runs dry.
HEADROOM = 1.25
# The engine's bucket starts full (half a second's worth) and sends that burst at once; the rate is
# measured from the end of the first second, once sending is held to the limit.
BURST_SECONDS = 1.0
WORKER_START_TIMEOUT = 60
DRAIN_TIMEOUT = 120


def _emulators():
    try:
        from tests.messaging.emulators import NotifyEmulator, VoiceEmulator
    except ImportError as exc:  # the emulators ship with the tests, not with a deployment
        raise CommandError("bench_send needs the test suite's provider emulators (tests/messaging).") from exc
    return {"sms": NotifyEmulator, "voice": VoiceEmulator}


def stop_workers(processes, *, timeout: float) -> None:
    """Ask every worker process to finish its task and stop (a warm shutdown), all at once so their
    waits overlap; kill any still running after `timeout` seconds."""
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def sender_settings(channel: str, emulator) -> dict[str, str]:
    """The settings that point `channel`'s real sender at the emulator, as environment values."""
    if channel == "sms":
        return {
            "MESSAGING_SMS_SENDER": "notify",
            "NOTIFY_API_KEY": emulator.api_key,
            "NOTIFY_BASE_URL": emulator.url,
            "NOTIFY_SMS_TEMPLATE_ID": emulator.TEMPLATE_ID,
        }
    return {
        "MESSAGING_VOICE_SENDER": "voice",
        "VOICE_API_URL": f"{emulator.url}/calls",
        "VOICE_API_KEY": emulator.api_key,
    }


class Command(BaseCommand):
    help = "Benchmark sending against a rate-limited provider emulator; prints one JSON line per figure."

    def add_arguments(self, parser):
        parser.add_argument("--rate", type=int, default=200, help="the provider's limit, messages per second")
        parser.add_argument("--seconds", type=float, default=30)
        parser.add_argument("--channel", choices=("sms", "voice"), default="sms")
        parser.add_argument("--workers", type=int, default=2, help="worker processes (with Redis and PostgreSQL)")
        parser.add_argument("--concurrency", type=int, default=2, help="pool processes per worker")
        parser.add_argument("--eager", action="store_true", help="send in this process even if Redis is set")
        parser.add_argument("--keep", action="store_true", help="leave the generated rows in place")

    def handle(self, *args, rate, seconds, channel, workers, concurrency, eager, keep, **options):
        if rate <= 0 or seconds <= BURST_SECONDS:
            raise CommandError(f"--rate must be positive and --seconds more than {BURST_SECONDS:g}.")
        emulator_class = _emulators()[channel]
        with_workers = bool(settings.REDIS_URL) and connection.vendor == "postgresql" and not eager
        count = int(rate * seconds * HEADROOM) + int(rate)
        alert, first_id = self.generate(channel=channel, count=count)
        self.common = {
            "channel": channel,
            "limit_per_second": rate,
            "seconds": seconds,
            "mode": f"{workers} workers x {concurrency}" if with_workers else "eager, in process",
            "database": connection.vendor,
        }
        try:
            with emulator_class(rate_limit=rate) as emulator:
                run = self.run_workers if with_workers else self.run_eager
                started = run(
                    alert=alert, emulator=emulator, rate=rate, seconds=seconds, workers=workers, concurrency=concurrency
                )
            self.report(alert=alert, emulator=emulator, started=started, rate=rate, seconds=seconds, queued=count)
        finally:
            if not keep:
                self.clean(alert=alert, first_id=first_id)

    def emit(self, name: str, value, **extra):
        self.stdout.write(json.dumps({"benchmark": name, "value": value, **extra, **self.common}))

    def generate(self, *, channel: str, count: int) -> tuple[Alert, int]:
        """`count` subscribers, each with an active `channel` number and a queued delivery."""
        force = Force.objects.filter(divisions__neighbourhoods__wards__isnull=False).distinct().first()
        if force is None:
            raise CommandError("No force with wards: run seed_demo first.")
        author = User.objects.filter(force=force).order_by("pk").first() or User.objects.order_by("pk").first()
        if author is None:
            raise CommandError("No user to author the alert: run seed_demo first.")
        ward_ids = list(Ward.objects.filter(neighbourhood__division__force=force).values_list("pk", flat=True))
        now = timezone.now()
        with transaction.atomic():
            alert = Alert.objects.create(
                force=force,
                created_by=author,
                audience_level="force",
                title="Send benchmark",
                body="Send benchmark.",
                sms_text="Send benchmark.",
                voice_script="Send benchmark.",
                send_email=False,
                send_sms=channel == "sms",
                send_voice=channel == "voice",
                status=AlertStatus.SENDING,
                released_at=now,
                fanout_completed_at=now,
                audience_counts={channel: count},
            )
            people = Subscriber.objects.bulk_create(
                (Subscriber(ward_id=ward_ids[i % len(ward_ids)], consent_at=now) for i in range(count)), batch_size=2000
            )
            # 07700 9xxxxx-style numbers: they pass the provider's format check and reach only the emulator.
            SubscriberChannel.objects.bulk_create(
                (
                    SubscriberChannel(
                        subscriber=p, channel=channel, address=f"+4477{i:08d}", status="active", confirmed_at=now
                    )
                    for i, p in enumerate(people)
                ),
                batch_size=2000,
            )
            Delivery.objects.bulk_create(
                (Delivery(alert=alert, subscriber=p, channel=channel, queued_at=now) for p in people), batch_size=2000
            )
        return alert, min(p.pk for p in people)

    def run_eager(self, *, alert, emulator, rate, seconds, **_options) -> float:
        from messaging.tasks import deliveries_send_task

        channel = self.common["channel"]
        limits = {**settings.MESSAGING_RATE_LIMITS, channel: rate}
        with override_settings(MESSAGING_RATE_LIMITS=limits, **sender_settings(channel, emulator)):
            # sends_queue's loop, in small batches, so that one process can stop on time between two.
            for first_id, last_id in sending.send_ranges(alert_id=alert.pk, channel=channel, batch_size=sending.CHUNK):
                if emulator.accepted_at and time.monotonic() >= emulator.accepted_at[0] + seconds:
                    break
                deliveries_send_task.delay(alert_id=alert.pk, channel=channel, first_id=first_id, last_id=last_id)
        Alert.objects.filter(pk=alert.pk, status=AlertStatus.SENDING).update(status=AlertStatus.CANCELLED)
        return self.wait_first(emulator, timeout=0)

    @staticmethod
    def wait_first(emulator, timeout: float = WORKER_START_TIMEOUT) -> float:
        deadline = time.monotonic() + timeout
        while not emulator.accepted_at:
            if time.monotonic() > deadline:
                raise CommandError(f"Nothing reached the emulator in {timeout} s ({emulator.requests} requests).")
            time.sleep(0.01)
        return emulator.accepted_at[0]

    def run_workers(self, *, alert, emulator, rate, seconds, workers, concurrency) -> float:
        from pact_portal.celery import app

        queue = f"bench-send-{uuid.uuid4().hex[:12]}"
        names = [f"bench{i}-{queue}@localhost" for i in range(workers)]
        # Queues of this run's own: the class queues under a prefix of its own.
        with override_settings(CELERY_QUEUE_PREFIX=f"{queue}-"):
            with self.worker_processes(
                queue=queue, names=names, emulator=emulator, rate=rate, concurrency=concurrency
            ) as processes:
                self.wait_ready(app, names, processes)
                sending.sends_queue(alert_id=alert.pk, channels=[self.common["channel"]])
                first = self.wait_first(emulator)
                time.sleep(max(0.0, first + seconds - time.monotonic()))
                Alert.objects.filter(pk=alert.pk, status=AlertStatus.SENDING).update(status=AlertStatus.CANCELLED)
                self.wait_drained(alert=alert)
        return first

    @contextmanager
    def worker_processes(self, *, queue, names, emulator, rate, concurrency) -> Iterator[list]:
        channel = self.common["channel"]
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            f"MESSAGING_{channel.upper()}_RATE": str(rate),
            # The rate-limit bucket's key: a run of its own, starting full.
            "CACHE_KEY_PREFIX": queue,
            "CELERY_QUEUE_PREFIX": settings.CELERY_QUEUE_PREFIX,
            **sender_settings(channel, emulator),
        }
        processes = []
        try:
            for name in names:
                script = (
                    "from pact_portal.celery import app, worker_queues; "
                    f"app.worker_main(['worker', '-Q', worker_queues(), '-n', {name!r}, '-c', '{concurrency}', "
                    "'-l', 'warning', '--without-gossip', '--without-mingle', '--without-heartbeat'])"
                )
                processes.append(subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT, env=env))  # noqa: S603 - our own interpreter
            yield processes
        finally:
            stop_workers(processes, timeout=30)
            import redis

            redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(*worker_queues().split(","))

    @staticmethod
    def wait_ready(app, names: list[str], processes) -> None:
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while time.monotonic() < deadline:
            if any(process.poll() is not None for process in processes):
                raise CommandError("A worker exited while starting: see its output above.")
            answered = {name for reply in app.control.ping(destination=names, timeout=0.5) for name in reply}
            if answered >= set(names):
                return
        raise CommandError(f"The workers did not start within {WORKER_START_TIMEOUT} s.")

    @staticmethod
    def wait_drained(*, alert) -> None:
        import redis

        client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        pending = Delivery.objects.filter(alert=alert, status__in=sending.PENDING)
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while time.monotonic() < deadline:
            if not any(client.llen(name) for name in worker_queues().split(",")) and not pending.exists():
                return
            time.sleep(0.2)
        raise CommandError(f"The workers did not finish within {DRAIN_TIMEOUT} s of the cancel.")

    def report(self, *, alert, emulator, started: float, rate: float, seconds: float, queued: int) -> None:
        times = sorted(emulator.accepted_at)
        steady_from, until = started + BURST_SECONDS, started + seconds
        steady = bisect_left(times, until) - bisect_left(times, steady_from)
        achieved = steady / (seconds - BURST_SECONDS)
        sent_tokens = {
            str(token)
            for token in Delivery.objects.filter(alert=alert, status=DeliveryStatus.SENT).values_list(
                "token", flat=True
            )
        }
        accepted = set(emulator.references())
        self.emit("send_rate_per_second", round(achieved, 1), measured_from_second=BURST_SECONDS)
        self.emit("send_rate_ratio_to_limit", round(achieved / rate, 3), target=0.9)
        self.emit("send_first_second_messages", bisect_left(times, steady_from), burst_allowed=rate)
        self.emit("send_provider_rate_limit_rejections", emulator.rejected, target=0)
        self.emit("send_duplicates_at_provider", emulator.duplicates(), target=0)
        # Accepted by the provider but not recorded as sent (or the other way round): lost track of.
        self.emit("send_unrecorded", len(accepted ^ sent_tokens), target=0)
        self.emit("send_messages_accepted", len(emulator.accepted), queued=queued)

    def clean(self, *, alert, first_id: int):
        q = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            Delivery.objects.filter(alert=alert).delete()
            cursor.execute(f"DELETE FROM {q(SubscriberChannel._meta.db_table)} WHERE subscriber_id >= %s", [first_id])  # noqa: S608 - names from the models
            cursor.execute(f"DELETE FROM {q(Subscriber._meta.db_table)} WHERE id >= %s", [first_id])  # noqa: S608
            Alert.objects.filter(pk=alert.pk).delete()
