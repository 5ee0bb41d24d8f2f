"""Measure the signed-in cache's hit rate over a simulated shift of officers, and what a hit saves.

Officers of the demo force work a shift (--hours) in bursts: each signs in at their first burst, and
each burst is a few requests seconds apart (the dashboard, the panels page), sometimes with a
write to something a dashboard shows (an issue). The clock is moved from event to event
(time-machine), so entries expire after SIGNED_IN_CACHE_SECONDS as they would in Redis; the cache
is a local-memory one, which keeps entries exactly as Redis does for this purpose. Prints one JSON
line per figure: lookups and hit rate per kind of entry (signed-in-user, signed-in-page), and the
dashboard's median time on a hit and on a miss. Needs seed_demo. Same figures each run (--seed).
"""

import datetime
import json
import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import F
from django.test import Client, override_settings
from django.urls import reverse

from accounts.roles import STAFF_ROLES
from pact_portal.observability.metrics import SIGNED_IN_CACHE
from priorities.models import Issue

KINDS = ("signed-in-user", "signed-in-page")
SHIFT_START = datetime.datetime(2026, 3, 2, 7, tzinfo=datetime.UTC)


def _counts() -> dict:
    return {(k, r): SIGNED_IN_CACHE.labels(k, r)._value.get() for k in KINDS for r in ("hit", "miss", "error")}


class Command(BaseCommand):
    help = "Hit rate of the signed-in cache (users, dashboards) over a simulated shift."

    def add_arguments(self, parser):
        parser.add_argument("--officers", type=int, default=40)
        parser.add_argument("--hours", type=int, default=8)
        parser.add_argument("--bursts", type=int, default=8, help="Visits per officer per shift.")
        parser.add_argument("--write-share", type=float, default=0.3, help="Share of visits that write once.")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, officers, hours, bursts, write_share, seed, **options):
        staff = list(
            get_user_model().objects.filter(role__in=STAFF_ROLES, is_active=True).exclude(role="partner")[:officers]
        )
        issues = list(Issue.objects.values_list("pk", flat=True)[:50])
        if not staff or not issues:
            raise CommandError("Run seed_demo first.")
        events = self.shift(staff=staff, hours=hours, bursts=bursts, write_share=write_share, rng=random.Random(seed))  # noqa: S311
        cache = {"default": {"BACKEND": "pact_portal.observability.metrics.LocMemCache", "LOCATION": "bench-signed-in"}}
        with override_settings(CACHES=cache, SIGNED_IN_CACHE_SECONDS=60, SESSION_ENGINE="pact_portal.sessions"):
            before = _counts()
            timings = self.run_shift(events, issues=issues, rng=random.Random(seed))  # noqa: S311
            after = _counts()
        common = {"officers": len(staff), "hours": hours, "requests": sum(1 for e in events if e[1] != "write")}
        for kind in KINDS:
            found = {r: after[(kind, r)] - before[(kind, r)] for r in ("hit", "miss", "error")}
            total = sum(found.values())
            rate = round(found["hit"] / total, 3) if total else None
            self.emit(f"signed_in_cache_hit_rate_{kind.replace('-', '_')}", rate, lookups=int(total), **common)
        for outcome, values in timings.items():
            median = round(statistics.median(values) * 1000, 1) if values else None
            self.emit(f"dashboard_median_ms_on_{outcome}", median, samples=len(values), **common)

    def shift(self, *, staff, hours, bursts, write_share, rng) -> list[tuple]:
        """(seconds into the shift, action, officer index) for every request and write, in order.
        A repeatable simulation (the standard generator, seeded), nothing secret."""
        events = []
        for index in range(len(staff)):
            for _ in range(bursts):
                at = rng.uniform(0, hours * 3600)
                for _ in range(rng.randint(2, 6)):
                    at += rng.uniform(3, 30)
                    events.append((at, "dashboard" if rng.random() < 0.6 else "account", index))
                if rng.random() < write_share:
                    events.append((at + 1, "write", index))
        events.sort()
        self.staff = staff
        return events

    def run_shift(self, events, *, issues, rng) -> dict:
        import time_machine  # a development package, as the benchmarks are development tools

        clients: dict[int, Client] = {}
        # Another staff page, whose own content is not cached: only the signed-in user is.
        dashboard, account = reverse("neighbourhoods:officer-home"), "/officer/panels/"
        timings = {"hit": [], "miss": []}
        with time_machine.travel(SHIFT_START, tick=False) as clock:
            for at, action, index in events:
                clock.move_to(SHIFT_START + datetime.timedelta(seconds=at))
                if action == "write":
                    Issue.objects.filter(pk=rng.choice(issues)).update(description=F("description"))
                    continue
                if index not in clients:
                    clients[index] = Client(HTTP_HOST="localhost")
                    clients[index].force_login(self.staff[index])  # a sign-in writes last_login
                    clients[index].get(dashboard)  # the sign-in's landing page gives the CSRF cookie
                hits = SIGNED_IN_CACHE.labels("signed-in-page", "hit")._value.get()
                started = time.perf_counter()
                response = clients[index].get(dashboard if action == "dashboard" else account)
                elapsed = time.perf_counter() - started
                if response.status_code not in (200, 403):  # a rank without panels is refused, signed in
                    raise CommandError(f"{action} answered {response.status_code} {response.get('Location', '')}")
                if action == "dashboard":
                    hit = SIGNED_IN_CACHE.labels("signed-in-page", "hit")._value.get() > hits
                    timings["hit" if hit else "miss"].append(elapsed)
        return timings

    def emit(self, name: str, value, **extra):
        self.stdout.write(json.dumps({"benchmark": name, "value": value, **extra}))
