"""Benchmark building one division's monthly return on a generated five-year force, at 1× and 10×
its data; prints one JSON line per figure.

The force (slug `bench-reports`, 3 divisions of 20 neighbourhoods, 2 wards each) is generated in
"units": one unit gives every neighbourhood, every month for five years, three held meetings and a
cancelled one, a priority with its history, actions and an issue, three sign-ups, two survey
responses, and every division a monthly alert to that month's sign-ups. 1× is one unit; 10× adds
nine more. At each scale every ward's membership is recorded for every generated month, as beat
records each month when it closes (timed and printed on its own), before the builds are timed.
Rows go in with bulk_create, so the same command runs on SQLite and PostgreSQL; the
force and everything in it are deleted at the end, also after an error.

The target (issue 7): the build at 10× takes at most twice as long as at 1×.
"""

import json
import random
from datetime import date, datetime, time, timedelta
from statistics import median
from time import perf_counter, process_time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import AgencyKind, PartnerAgency, User
from accounts.roles import Role
from meetings.models import (
    Meeting,
    MeetingStatus,
    MeetingType,
    OfficerAttendance,
    PartnerAttendance,
)
from messaging.models import (
    Alert,
    AlertStatus,
    Delivery,
    DeliveryStatus,
    SignUpSource,
    Subscriber,
    SubscriberChannel,
)
from neighbourhoods.models import Division, Force, Neighbourhood, Ward
from priorities.models import Action, ActionStatus, Category, Issue, IssueStatus, Priority, PriorityEvent
from priorities.models import PriorityState as S
from reports.models import PeriodKind, WardMonthMembership
from reports.periods import months_after, months_between, period_bounds
from reports.selectors import return_figures
from reports.services import membership_months_record
from surveys.bank import BANK
from surveys.models import Answer, BankKey, Option, Question, Response, ResponseSource, Section, Survey, WardPopulation

SLUG = "bench-reports"
DOMAIN = "bench-reports.invalid"  # RFC 2606: never a real address
WARD_PREFIX = "E0598"
DIVISIONS, NEIGHBOURHOODS, WARDS = 3, 20, 2
MONTHS = 60
MEETING_TYPES = [
    MeetingType.PUBLIC_PACT, MeetingType.PANEL, MeetingType.STREET, MeetingType.ONLINE,
    MeetingType.HYBRID, MeetingType.DOOR_KNOCK, MeetingType.SURGERY,
]  # fmt: skip
SURVEY_KEYS = [BankKey.POLICE_GOOD_JOB, BankKey.SAFE_AFTER_DARK, BankKey.SAFE_DURING_DAY]
BATCH = 2000
AGENCY = "Bench Reports Borough Council"


def _local(day: date, hour: int = 19) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


class Command(BaseCommand):
    help = "Benchmark building a division's monthly return at 1× and 10× data; prints JSON lines."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=7, help="timed builds at each scale (the median is reported)")
        parser.add_argument("--scales", default="1,10", help="comma-separated data multiples, ascending")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--keep", action="store_true", help="leave the generated force in place (to profile it)")

    def handle(self, *args, runs, scales, seed, keep, **options):
        scales = sorted({int(s) for s in scales.split(",")})
        if (
            Ward.objects.filter(code__startswith=WARD_PREFIX)
            .exclude(neighbourhood__division__force__slug=SLUG)
            .exists()
        ):
            raise CommandError(f"Ward codes starting {WARD_PREFIX} are taken: this bench needs them for its own wards.")
        self.rng = random.Random(seed)  # noqa: S311 - benchmark data, not secrets
        self.clean()
        self.measured = period_bounds(
            period_kind=PeriodKind.MONTH, day=timezone.localdate().replace(day=1) - timedelta(days=1)
        )
        self.first_month = months_after(self.measured[0], -(MONTHS - 1))
        self.data_end = _local(self.measured[1] + timedelta(days=1), 0)
        wall, cpu = {}, {}
        try:
            self.setup()
            units = 0
            for scale in scales:
                started = perf_counter()
                for _ in range(scale - units):
                    self.add_unit(units)
                    units += 1
                self.analyze()
                self.emit(
                    {
                        "bench": "report_generate",
                        "scale": scale,
                        "seconds": round(perf_counter() - started, 2),
                        **self.counts(),
                    }
                )
                self.record_membership(scale=scale)
                wall[scale], cpu[scale] = self.time_build(runs=runs)
                self.emit(
                    {
                        "bench": "report_build",
                        "scale": scale,
                        "seconds": round(wall[scale], 4),
                        "cpu_seconds": round(cpu[scale], 4),
                        "runs": runs,
                        "database": connection.vendor,
                    }
                )
        finally:
            if not keep:
                started = perf_counter()
                self.clean()
                self.emit({"bench": "report_clean", "seconds": round(perf_counter() - started, 2)})
        if len(scales) > 1:
            low, high = scales[0], scales[-1]
            self.emit(
                {
                    "bench": "report_build_ratio",
                    "scales": [low, high],
                    "ratio": round(wall[high] / wall[low], 2),
                    "cpu_ratio": round(cpu[high] / cpu[low], 2),
                    "target": 2.0,
                    "database": connection.vendor,
                }
            )

    def emit(self, figure: dict):
        self.stdout.write(json.dumps(figure))

    def time_build(self, *, runs: int) -> tuple[float, float]:
        """Median wall-clock and process CPU seconds of building the first division's month. On
        SQLite the CPU time includes the database's own work, so it holds steady on a busy machine."""
        division = self.divisions[0]
        start, end = self.measured

        def build():
            return return_figures(division=division, period_kind=PeriodKind.MONTH, period_start=start, period_end=end)

        build()  # warm: the first build also pays for connection set-up and imports
        wall, cpu = [], []
        for _ in range(runs):
            began, began_cpu = perf_counter(), process_time()
            build()
            wall.append(perf_counter() - began)
            cpu.append(process_time() - began_cpu)
        return median(wall), median(cpu)

    def counts(self) -> dict:
        force = self.force
        in_force = {"neighbourhood__division__force": force}
        return {
            "meetings": Meeting.objects.filter(**in_force).count(),
            "priorities": Priority.objects.filter(**in_force).count(),
            "subscribers": Subscriber.objects.filter(ward__neighbourhood__division__force=force).count(),
            "deliveries": Delivery.objects.filter(alert__force=force).count(),
            "responses": Response.objects.filter(survey__force=force).count(),
        }

    def record_membership(self, *, scale: int) -> None:
        """What beat does as each month closes, done for all the generated months at once (and
        again at each scale, as the added units changed them): timed apart from the build."""
        started = perf_counter()
        written = membership_months_record(
            months=months_between(months_after(self.first_month, -1), self.measured[0]),
            replace=True,
            ward_ids=[ward.pk for ward in self.wards],
        )
        self.analyze()
        self.emit(
            {
                "bench": "report_membership_months",
                "scale": scale,
                "seconds": round(perf_counter() - started, 2),
                "ward_months": written,
            }
        )

    def analyze(self):
        # The planner statistics a live database has (autovacuum on PostgreSQL, PRAGMA optimize on
        # SQLite): without them SQLite picks the status index and scans every published meeting.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # --- the force ------------------------------------------------------------------------------

    @transaction.atomic
    def setup(self):
        self.force = Force.objects.create(slug=SLUG, name="Benchmark Constabulary")
        self.divisions = [
            Division.objects.create(force=self.force, code=f"bench-{d}", name=f"Bench Division {d}")
            for d in range(DIVISIONS)
        ]
        self.neighbourhoods = Neighbourhood.objects.bulk_create(
            Neighbourhood(division=division, code=f"{SLUG}-{d}-{n}", name=f"Bench {d}-{n:02d}")
            for d, division in enumerate(self.divisions)
            for n in range(NEIGHBOURHOODS)
        )
        wards = []
        for i, place in enumerate(self.neighbourhoods):
            for w in range(WARDS):
                west, south = -3.0 + (i % 20) * 0.02 + w * 0.01, 50.0 + (i // 20) * 0.02
                east, north = west + 0.01, south + 0.01
                ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
                wards.append(
                    Ward(
                        code=f"{WARD_PREFIX}{i * WARDS + w:04d}", name=f"Bench ward {i}-{w}", neighbourhood=place,
                        boundary={"type": "Polygon", "coordinates": [ring]}, centroid_latitude=south,
                        centroid_longitude=west, min_longitude=west, min_latitude=south, max_longitude=east,
                        max_latitude=north, population=4000,
                    )
                )  # fmt: skip
        self.wards = Ward.objects.bulk_create(wards)
        self.wards_of = {
            place.pk: [w for w in self.wards if w.neighbourhood_id == place.pk] for place in self.neighbourhoods
        }
        self.pcso = User.objects.create(
            email=f"pcso@{DOMAIN}", full_name="Bench PCSO", role=Role.PCSO, force=self.force
        )
        self.sergeant = User.objects.create(
            email=f"sergeant@{DOMAIN}", full_name="Bench Sergeant", role=Role.SERGEANT, force=self.force
        )
        self.agency = PartnerAgency.objects.create(name=AGENCY, kind=AgencyKind.COUNCIL)
        bands = ["16-24", "25-34", "35-49", "50-64", "65-74", "75+"]
        WardPopulation.objects.bulk_create(
            WardPopulation(
                ward=ward, category="age_band", group=band, count=500 + 100 * i, source="Benchmark", is_synthetic=True
            )
            for ward in self.wards
            for i, band in enumerate(bands)
        )
        self.surveys = {year: self.survey(year) for year in range(self.first_month.year, self.measured[0].year + 1)}

    def survey(self, year: int) -> tuple[Survey, dict]:
        made = Survey.objects.create(
            force=self.force, title=f"Bench citizens' panel {year}", status="closed", created_by=self.pcso,
            opens_at=_local(date(year, 1, 1), 0), closes_at=_local(date(year + 1, 1, 1), 0),
        )  # fmt: skip
        section = Section.objects.create(survey=made, title="Your area")
        options = {}
        for position, key in enumerate(SURVEY_KEYS):
            spec = BANK[key]
            question = Question.objects.create(
                survey=made, section=section, kind=spec.kind, text=spec.text, bank_key=key, position=position
            )
            options[question.pk] = Option.objects.bulk_create(
                Option(question=question, value=value, label=label, position=n)
                for n, (value, label) in enumerate(spec.options)
            )
        return made, options

    # --- one unit of data -----------------------------------------------------------------------

    @transaction.atomic
    def add_unit(self, unit: int):
        for offset in range(MONTHS):
            month = months_after(self.first_month, offset)
            self.add_meetings(unit, month)
            self.add_priorities(unit, month)
            members = self.add_members(unit, month)
            self.add_alerts(unit, month, members)
            self.add_responses(unit, month)

    def add_meetings(self, unit: int, month: date):
        rng, meetings = self.rng, []
        for i, place in enumerate(self.neighbourhoods):
            # A PACT public meeting, one other method, and now and then one called off.
            for k in range(3 if (i + month.month) % 4 == 0 else 2):
                kind = (
                    MeetingType.PUBLIC_PACT if k == 0 else MEETING_TYPES[(i + unit + month.month) % len(MEETING_TYPES)]
                )
                starts = _local(month.replace(day=2 + 9 * k + unit % 6))
                cancelled = k == 2
                online = kind in (MeetingType.ONLINE, MeetingType.HYBRID)
                meetings.append(
                    Meeting(
                        neighbourhood=place, meeting_type=kind, title="Bench meeting", starts_at=starts,
                        ends_at=starts + timedelta(hours=1), created_by=self.pcso,
                        status=MeetingStatus.CANCELLED if cancelled else MeetingStatus.PUBLISHED,
                        cancellation_reason="Bench" if cancelled else "",
                        online_url="https://meet.example.org/bench" if online else "",
                        outcome_recorded_at=None if cancelled else starts + timedelta(hours=2),
                        public_attendees=None if kind == MeetingType.ONLINE else rng.randint(0, 25),
                        online_live_viewers=rng.randint(5, 60) if online else None,
                        online_later_views=rng.randint(20, 400) if online else None,
                    )
                )  # fmt: skip
        made = Meeting.objects.bulk_create(meetings, batch_size=BATCH)
        held = [m for m in made if m.status == MeetingStatus.PUBLISHED]
        attendance = [OfficerAttendance(meeting=m, officer=self.pcso, rank=Role.PCSO) for m in held]
        attendance += [
            OfficerAttendance(meeting=m, officer=self.sergeant, rank=Role.SERGEANT)
            for m in held
            if m.meeting_type == MeetingType.PUBLIC_PACT
        ]
        OfficerAttendance.objects.bulk_create(attendance, batch_size=BATCH)
        PartnerAttendance.objects.bulk_create(
            (PartnerAttendance(meeting=m, agency=self.agency) for m in held if m.meeting_type == MeetingType.PANEL),
            batch_size=BATCH,
        )

    def add_priorities(self, unit: int, month: date):
        rows = []
        for i, place in enumerate(self.neighbourhoods):
            if (i + unit + month.month) % 2:
                continue  # a new priority every other month
            created = _local(month.replace(day=1 + (i + unit) % 27), 10)
            history = self.history(created, n=i + unit)
            state = history[-1][2] if history else S.PROPOSED
            priority = Priority(
                neighbourhood=place, title=f"Bench priority {i}", category=Category.ASB, state=state,
                public_problem="Bench.", not_adopted_reason="Bench." if state == S.NOT_ADOPTED else "",
                proposed_by=self.pcso, created_at=created, state_changed_at=history[-1][1] if history else created,
            )  # fmt: skip
            rows.append((priority, created, history))
        made = Priority.objects.bulk_create([p for p, _, _ in rows], batch_size=BATCH)
        events, actions, issues = [], [], []
        for priority, (_, created, history) in zip(made, rows, strict=True):
            events.append(PriorityEvent(priority=priority, actor=self.pcso, verb="propose", at=created))
            events += [
                PriorityEvent(priority=priority, actor=self.sergeant, verb=verb, at=at) for verb, at, _ in history
            ]
            for days, status in ((30, ActionStatus.DONE), (45, ActionStatus.OPEN)):
                due = (created + timedelta(days=days)).date()
                actions.append(
                    Action(
                        priority=priority, description="Bench.", owner_officer=self.pcso, due_date=due, status=status
                    )
                )
            ward = self.wards_of[priority.neighbourhood_id][0]
            issues.append(
                Issue(
                    neighbourhood_id=priority.neighbourhood_id, ward=ward, category=Category.ASB, description="Bench.",
                    supporters=self.rng.randint(1, 15), status=IssueStatus.LINKED, priority=priority,
                    created_at=created,
                )
            )  # fmt: skip
        PriorityEvent.objects.bulk_create(events, batch_size=BATCH)
        Action.objects.bulk_create(actions, batch_size=BATCH)
        Issue.objects.bulk_create(issues, batch_size=BATCH)

    def history(self, created: datetime, *, n: int) -> list[tuple[str, datetime, str]]:
        """The transitions a priority has had by the end of the data: (verb, when, state after)."""
        if n % 7 == 0:
            moves = [("not_adopt", 3, S.NOT_ADOPTED)]
        else:
            moves = [("agree", 3, S.AGREED), ("start", 5, S.IN_ACTION)]
            if n % 5 == 0:
                moves.append(("escalate", 20, S.ESCALATED))
            moves += [("resolve", 60, S.RESOLVED), ("sign_off", 75, S.SIGNED_OFF)]
        return [
            (verb, created + timedelta(days=d), state)
            for verb, d, state in moves
            if created + timedelta(days=d) < self.data_end
        ]

    def add_members(self, unit: int, month: date) -> dict[int, list[Subscriber]]:
        people = []
        bands = ["16-24", "25-34", "35-49", "50-64", "65-74", "75+"]
        for i, place in enumerate(self.neighbourhoods):
            for k in range(3):
                at = _local(month.replace(day=1 + (3 * i + k + unit) % 27), 12)
                field = k == 0
                described = (i + k) % 2 == 0
                people.append(
                    Subscriber(
                        ward=self.wards_of[place.pk][k % WARDS], consent_at=at,
                        source=SignUpSource.FIELD if field else SignUpSource.ONLINE,
                        consent_taken_by=self.pcso if field else None,
                        demographics_consent_at=at if described else None,
                        age_band=bands[(i + k + unit) % len(bands)] if described else "",
                    )
                )  # fmt: skip
        made = Subscriber.objects.bulk_create(people, batch_size=BATCH)
        channels = []
        for n, person in enumerate(made):
            kind = n % 10
            confirmed = None if kind == 0 else person.consent_at + timedelta(hours=1)
            unsubscribed = person.consent_at + timedelta(days=100) if kind == 1 else None
            if unsubscribed is not None and unsubscribed >= self.data_end:
                unsubscribed = None
            status = "pending" if confirmed is None else ("unsubscribed" if unsubscribed else "active")
            channels.append(
                SubscriberChannel(
                    subscriber=person, channel="email", address=f"m{person.pk}@{DOMAIN}", status=status,
                    confirmed_at=confirmed, unsubscribed_at=unsubscribed,
                )
            )  # fmt: skip
        SubscriberChannel.objects.bulk_create(channels, batch_size=BATCH)
        by_division = {}
        division_of = {place.pk: place.division_id for place in self.neighbourhoods}
        ward_place = {w.pk: w.neighbourhood_id for w in self.wards}
        for person in made:
            by_division.setdefault(division_of[ward_place[person.ward_id]], []).append(person)
        return by_division

    def add_alerts(self, unit: int, month: date, members: dict[int, list[Subscriber]]):
        released = _local(month.replace(day=15), 9)
        alerts = Alert.objects.bulk_create(
            Alert(
                force=self.force,
                title="Bench alert",
                body="Bench.",
                audience_level="divisions",
                status=AlertStatus.SENT,
                released_at=released,
                created_by=self.pcso,
            )  # fmt: skip
            for _ in self.divisions
        )
        Alert.divisions.through.objects.bulk_create(
            Alert.divisions.through(alert_id=alert.pk, division_id=division.pk)
            for alert, division in zip(alerts, self.divisions, strict=True)
        )
        deliveries = []
        for alert, division in zip(alerts, self.divisions, strict=True):
            for n, person in enumerate(members.get(division.pk, [])):
                failed = n % 12 == 0
                deliveries.append(
                    Delivery(
                        alert=alert, subscriber=person, channel="email", queued_at=released,
                        status=DeliveryStatus.FAILED if failed else DeliveryStatus.DELIVERED,
                        opened_at=released if n % 3 == 0 and not failed else None,
                        clicked_at=released if n % 9 == 0 and not failed else None,
                    )
                )  # fmt: skip
        Delivery.objects.bulk_create(deliveries, batch_size=BATCH)

    def add_responses(self, unit: int, month: date):
        survey, options = self.surveys[month.year]
        rows = []
        for i, place in enumerate(self.neighbourhoods):
            for k in range(1):
                at = _local(month.replace(day=3 + (i + k + unit) % 25), 20)
                rows.append(
                    Response(
                        survey=survey,
                        source=ResponseSource.OPEN,
                        submitted_at=at,
                        ward=self.wards_of[place.pk][k % WARDS],
                    )
                )
        made = Response.objects.bulk_create(rows, batch_size=BATCH)
        answers = [
            Answer(response=response, question_id=question_id, option=self.rng.choice(choices[:4]))
            for response in made
            for question_id, choices in options.items()
        ]
        Answer.objects.bulk_create(answers, batch_size=BATCH)

    # --- removal --------------------------------------------------------------------------------

    def clean(self):
        """Delete the bench force and everything in it, dependants first. Plain DELETEs: Django's
        cascade would load hundreds of thousands of rows only to learn they have no other links."""
        force = Force.objects.filter(slug=SLUG).first()
        if force is None:
            return
        in_force = {"neighbourhood__division__force": force}
        meetings = Meeting.objects.filter(**in_force)
        priorities = Priority.objects.filter(**in_force)
        subscribers = Subscriber.objects.filter(ward__neighbourhood__division__force=force)
        alerts = Alert.objects.filter(force=force)
        surveys = Survey.objects.filter(force=force)
        steps = [
            Answer.objects.filter(response__survey__in=surveys),
            Response.objects.filter(survey__in=surveys),
            Option.objects.filter(question__survey__in=surveys),
            Question.objects.filter(survey__in=surveys),
            Section.objects.filter(survey__in=surveys),
            surveys,
            Delivery.objects.filter(alert__in=alerts),
            Alert.divisions.through.objects.filter(alert__in=alerts),
            alerts,
            SubscriberChannel.objects.filter(subscriber__in=subscribers),
            subscribers,
            Action.objects.filter(priority__in=priorities),
            PriorityEvent.objects.filter(priority__in=priorities),
            Issue.objects.filter(**in_force),
            priorities,
            OfficerAttendance.objects.filter(meeting__in=meetings),
            PartnerAttendance.objects.filter(meeting__in=meetings),
            meetings,
            WardPopulation.objects.filter(ward__neighbourhood__division__force=force),
            WardMonthMembership.objects.filter(ward__neighbourhood__division__force=force),
            Ward.objects.filter(**in_force),
            Neighbourhood.objects.filter(division__force=force),
            Division.objects.filter(force=force),
            User.objects.filter(email__endswith=f"@{DOMAIN}"),
            PartnerAgency.objects.filter(name=AGENCY),
            Force.objects.filter(pk=force.pk),
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for queryset in steps:
                # Ids first: SQLite cannot delete from a table its own subquery joins.
                ids = list(queryset.order_by().values_list("pk", flat=True))
                table = connection.ops.quote_name(queryset.model._meta.db_table)
                for chunk in range(0, len(ids), 10_000):
                    batch = ids[chunk : chunk + 10_000]
                    marks = ", ".join(["%s"] * len(batch))
                    cursor.execute(f"DELETE FROM {table} WHERE id IN ({marks})", batch)  # noqa: S608 - a model's table
