import json
import random
from statistics import quantiles
from time import perf_counter

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max, Min

from neighbourhoods import selectors
from neighbourhoods.models import Ward


class Command(BaseCommand):
    help = "Benchmark ward_at_point over random points in the force's extent; prints one JSON line per figure."

    def add_arguments(self, parser):
        parser.add_argument("--lookups", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, lookups, seed, **options):
        extent = Ward.objects.aggregate(
            w=Min("min_longitude"), s=Min("min_latitude"), e=Max("max_longitude"), n=Max("max_latitude")
        )
        if extent["w"] is None:
            raise CommandError("No wards loaded: run import_wards or seed_demo first.")
        rng = random.Random(seed)  # noqa: S311 - benchmark points, not secrets
        points = [
            (rng.uniform(extent["s"], extent["n"]), rng.uniform(extent["w"], extent["e"])) for _ in range(lookups)
        ]

        selectors._prepared.clear()
        started = perf_counter()
        for lat, lng in points[:200]:
            selectors.ward_at_point(latitude=lat, longitude=lng)
        cold = (perf_counter() - started) / 200

        timings, found = [], 0
        for lat, lng in points:
            t0 = perf_counter()
            found += selectors.ward_at_point(latitude=lat, longitude=lng) is not None
            timings.append(perf_counter() - t0)
        total = sum(timings)
        cuts = quantiles(timings, n=100)
        figures = {
            "ward_lookup_per_second": round(lookups / total, 1),
            "ward_lookup_p50_ms": round(cuts[49] * 1000, 3),
            "ward_lookup_p99_ms": round(cuts[98] * 1000, 3),
            "ward_lookup_cold_mean_ms": round(cold * 1000, 3),
            "ward_lookup_hit_ratio": round(found / lookups, 3),
        }
        for name, value in figures.items():
            self.stdout.write(json.dumps({"benchmark": name, "value": value, "wards": Ward.objects.count()}))
