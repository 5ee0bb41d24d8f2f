"""Benchmark the audit trail on PostgreSQL. Prints one JSON line per figure.

--members generated members with an email channel are unsubscribed and subscribed again --rounds
times with one QuerySet.update() each, which the triggers record (an event per row per round):
the time of such an update is compared with one of an untracked column (no event). Then the audit
page's read is timed --runs times over all those events. Everything generated is removed at the
end. Needs a force with wards (seed_demo).
"""

import json
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dataprotection.audit.selectors import audit_events
from dataprotection.models import ChannelConsentEvent, SubscriberConsentEvent
from messaging.models import Accepts, ChannelStatus, Subscriber, SubscriberChannel
from neighbourhoods.models import Ward


class Command(BaseCommand):
    help = "Time set-wise updates through the audit trail's triggers, and the audit page's read."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=50_000)
        parser.add_argument("--rounds", type=int, default=4)
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, members, rounds, runs, **options):
        if connection.vendor != "postgresql":
            self.stdout.write(json.dumps({"benchmark": "audit_trail", "skipped": "PostgreSQL only (triggers)"}))
            return
        first = self.generate(count=members)
        try:
            channels = SubscriberChannel.objects.filter(subscriber_id__gte=first)
            tracked, untracked = [], []
            for number in range(rounds):
                status = ChannelStatus.UNSUBSCRIBED if number % 2 == 0 else ChannelStatus.ACTIVE
                tracked.append(self.timed(lambda status=status: channels.update(status=status)))
                accepts = Accepts.URGENT if number % 2 == 0 else Accepts.EVERYTHING
                untracked.append(self.timed(lambda accepts=accepts: channels.update(accepts=accepts)))
            events = ChannelConsentEvent.objects.filter(subscriber_id__gte=first).count()
            common = {"members": members, "events": events}
            self.emit("audit_tracked_update_median_ms", round(statistics.median(tracked) * 1000, 1), **common)
            self.emit("audit_untracked_update_median_ms", round(statistics.median(untracked) * 1000, 1), **common)
            timings, queries = [], 0
            for _ in range(runs):
                with CaptureQueriesContext(connection) as captured:
                    timings.append(self.timed(audit_events))
                queries = len(captured.captured_queries)
            self.emit("audit_page_read_median_ms", round(statistics.median(timings) * 1000, 1), **common)
            self.emit("audit_page_read_queries", queries, **common)
        finally:
            Subscriber.objects.filter(pk__gte=first).delete()
            # The deletes are recorded too: the benchmark's own events go with its members.
            ChannelConsentEvent.objects.filter(subscriber_id__gte=first).delete()
            SubscriberConsentEvent.objects.filter(pgh_obj_id__gte=first).delete()

    def timed(self, work) -> float:
        started = time.perf_counter()
        with transaction.atomic():
            work()
        return time.perf_counter() - started

    def emit(self, name: str, value, **extra):
        self.stdout.write(json.dumps({"benchmark": name, "value": value, **extra}))

    def generate(self, *, count: int) -> int:
        ward_ids = list(Ward.objects.values_list("pk", flat=True)[:500])
        if not ward_ids:
            raise CommandError("No wards: run seed_demo first.")
        now = timezone.now()
        with transaction.atomic():
            people = Subscriber.objects.bulk_create(
                (Subscriber(ward_id=ward_ids[i % len(ward_ids)], consent_at=now) for i in range(count)), batch_size=5000
            )
            SubscriberChannel.objects.bulk_create(
                (
                    SubscriberChannel(
                        subscriber=person,
                        channel="email",
                        address=f"bench-audit-{person.pk}@example.invalid",
                        status=ChannelStatus.ACTIVE,
                        confirmed_at=now,
                    )
                    for person in people
                ),
                batch_size=5000,
            )
        return people[0].pk
