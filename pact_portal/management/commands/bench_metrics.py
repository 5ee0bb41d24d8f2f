"""Benchmark a /metrics scrape's own gauges against a large deliveries table. Prints one JSON line
per figure.

--deliveries queued, sent and failed deliveries of one sending alert (and as many send attempts) are
recorded directly for generated subscribers, the portal's gauges are read --runs times, and the
median time and the number of queries are reported. Everything is removed at the end unless --keep.
Needs a force with wards (seed_demo).
"""

import json
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from messaging.models import Alert, AlertStatus, Delivery, DeliveryAttempt, Subscriber
from neighbourhoods.models import Force, Ward
from pact_portal.observability import portal

STATUSES = ("queued", "sent", "sent", "sent", "failed")


class Command(BaseCommand):
    help = "Time the /metrics portal gauges against a large deliveries table."

    def add_arguments(self, parser):
        parser.add_argument("--deliveries", type=int, default=200_000)
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--keep", action="store_true", help="Leave the generated rows in place.")

    def handle(self, *args, deliveries, runs, keep, **options):
        alert, first_subscriber = self.generate(count=deliveries)
        try:
            timings, queries = [], 0
            # The reads themselves, not the cache that shares them between scrapes.
            with override_settings(METRICS_CACHE_SECONDS=0):
                for _ in range(runs):
                    with CaptureQueriesContext(connection) as captured:
                        started = time.perf_counter()
                        families = list(portal.portal_metrics())
                        timings.append(time.perf_counter() - started)
                    queries = len(captured.captured_queries)
            up = next(f for f in families if f.name == "pact_metrics_source_up")
            failed = [s.labels["source"] for s in up.samples if s.value == 0 and s.labels["source"] != "queues"]
            if failed:
                raise CommandError(f"Sources failed: {failed}")
            common = {"deliveries": deliveries, "database": connection.vendor}
            self.emit("metrics_portal_gauges_median_ms", round(statistics.median(timings) * 1000, 1), **common)
            self.emit("metrics_portal_gauges_queries", queries, **common)
        finally:
            if not keep:
                Alert.objects.filter(pk=alert.pk).delete()
                Subscriber.objects.filter(pk__gte=first_subscriber).delete()

    def emit(self, name: str, value, **extra):
        self.stdout.write(json.dumps({"benchmark": name, "value": value, **extra}))

    def generate(self, *, count: int) -> tuple[Alert, int]:
        force = Force.objects.filter(divisions__neighbourhoods__wards__isnull=False).distinct().first()
        author = User.objects.order_by("pk").first()
        if force is None or author is None:
            raise CommandError("No force with wards, or no user: run seed_demo first.")
        ward_ids = list(Ward.objects.filter(neighbourhood__division__force=force).values_list("pk", flat=True))
        now = timezone.now()
        with transaction.atomic():
            alert = Alert.objects.create(
                force=force, created_by=author, audience_level="force", title="Metrics benchmark",
                body="Metrics benchmark.", status=AlertStatus.SENDING, released_at=now, fanout_completed_at=now,
            )  # fmt: skip
            people = Subscriber.objects.bulk_create(
                (Subscriber(ward_id=ward_ids[i % len(ward_ids)], consent_at=now) for i in range(count)), batch_size=5000
            )
            made = Delivery.objects.bulk_create(
                (
                    Delivery(alert=alert, subscriber=p, channel="email", queued_at=now, status=STATUSES[i % 5])
                    for i, p in enumerate(people)
                ),
                batch_size=5000,
            )
            DeliveryAttempt.objects.bulk_create(
                (DeliveryAttempt(delivery=d, attempted_at=now, outcome="sent") for d in made), batch_size=5000
            )
        return alert, min(p.pk for p in people)
