"""The demo force's scorecard figures that the portal cannot count itself. All SYNTHETIC.

For the two years the scorecard's trend covers, each neighbourhood gets a Facebook and an X account
month by month (followers growing, reach moving with the season), and the featured neighbourhood a
website; complaints and letters of thanks by category each month; Citizens in Policing volunteers
(community volunteers too) and Neighbourhood Watch and other watch schemes counted at every quarter
end; a few campaigns a year in each division with how they turned out; and an outcome for each sent
appeal for information. Figures come
from one seeded random stream, so a given `today` always gives the same demo, and rows already there
are left alone, so running it twice changes nothing.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from messaging.models import Alert, AlertKind, AlertStatus
from neighbourhoods.models import Force, Neighbourhood, Ward
from reports.models import (
    AppealOutcome,
    Campaign,
    CampaignOutcome,
    FeedbackCategory,
    FeedbackKind,
    FeedbackMonth,
    ReachMonth,
    ReachPlatform,
    VolunteerCount,
    VolunteerRole,
    WatchSchemeCount,
    WatchSchemeKind,
)

MONTHS = 24
FEATURED_WARD = "E05005155"  # Daneshouse with Stoneyholme, as in neighbourhoods.demo
SEED = 2026


@dataclass
class DemoScorecardSummary:
    reach_months: int = 0
    feedback_months: int = 0
    volunteer_counts: int = 0
    watch_counts: int = 0
    campaigns: int = 0
    appeal_outcomes: int = 0


def _month_starts(*, today: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the `count` months up to and including this one, oldest first."""
    months, month = [], today.replace(day=1)
    for _ in range(count):
        months.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return months[::-1]


def _season(month: datetime.date) -> float:
    # Posts reach more people in the light evenings and at Christmas appeals than in late winter.
    return {1: 0.8, 2: 0.8, 3: 0.9, 6: 1.2, 7: 1.25, 8: 1.2, 12: 1.15}.get(month.month, 1.0)


@transaction.atomic
def demo_scorecard_seed(*, force: Force, today: datetime.date | None = None) -> DemoScorecardSummary:
    today = today or timezone.localdate()
    rng = random.Random(f"{SEED}:scorecard")  # noqa: S311 - demo data, not security
    months = _month_starts(today=today, count=MONTHS)
    entered_by = User.objects.filter(role=Role.COMMUNICATIONS, force=force).order_by("pk").first()
    if entered_by is None:
        return DemoScorecardSummary()
    neighbourhoods = list(
        Neighbourhood.objects.filter(division__force=force).order_by("code").values_list("pk", "code")
    )
    featured = Ward.objects.filter(code=FEATURED_WARD, neighbourhood__division__force=force)
    featured_id = featured.values_list("neighbourhood_id", flat=True).first()

    reach, feedback, volunteers = [], [], []
    for neighbourhood_id, code in neighbourhoods:
        followers = {ReachPlatform.FACEBOOK: rng.randint(900, 4000), ReachPlatform.X: rng.randint(300, 1500)}
        for n, month in enumerate(months):
            for platform, start in followers.items():
                grown = int(start * (1 + 0.012 * n))
                seen = int(grown * rng.uniform(1.5, 3.5) * _season(month))
                reach.append(
                    ReachMonth(
                        neighbourhood_id=neighbourhood_id,
                        platform=platform,
                        account=f"@{code.replace('-', '')}police"[:150],
                        month=month,
                        followers=grown,
                        reach=seen,
                        engagements=int(seen * rng.uniform(0.02, 0.06)),
                        shares=rng.randint(5, 60),
                        comments=rng.randint(3, 80),
                        mentions=rng.randint(0, 25),
                        entered_by=entered_by,
                    )
                )
            if neighbourhood_id == featured_id:
                visitors = rng.randint(600, 1400)
                reach.append(
                    ReachMonth(
                        neighbourhood_id=neighbourhood_id,
                        platform=ReachPlatform.WEBSITE,
                        account="lancashire.police.uk/daneshouse",
                        month=month,
                        unique_visitors=visitors,
                        return_visitors=int(visitors * rng.uniform(0.2, 0.35)),
                        entered_by=entered_by,
                    )
                )
            # Most neighbourhoods have no complaint in a month; thanks come a little more often.
            for kind, categories, weights in (
                (FeedbackKind.COMPLAINT, [FeedbackCategory.CONDUCT, FeedbackCategory.RESPONSE], [88, 10, 2]),
                (FeedbackKind.THANKS, [FeedbackCategory.SERVICE, FeedbackCategory.ENGAGEMENT], [65, 25, 10]),
            ):
                for category in categories:
                    count = rng.choices(range(len(weights)), weights=weights)[0]
                    if count:
                        feedback.append(
                            FeedbackMonth(
                                kind=kind,
                                category=category,
                                month=month,
                                neighbourhood_id=neighbourhood_id,
                                count=count,
                                entered_by=entered_by,
                            )
                        )
            if month.month in (3, 6, 9, 12):
                quarter_end = (month + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(days=1)
                if quarter_end <= today:
                    for role, low, high in (
                        (VolunteerRole.SPECIAL_CONSTABLE, 1, 6),
                        (VolunteerRole.SUPPORT_VOLUNTEER, 0, 4),
                        (VolunteerRole.CADET, 0, 12),
                    ):
                        volunteers.append(
                            VolunteerCount(
                                neighbourhood_id=neighbourhood_id,
                                role=role,
                                as_of=quarter_end,
                                count=rng.randint(low, high),
                                entered_by=entered_by,
                            )
                        )
    # A row already there (an earlier run, or a figure a communications officer entered) is kept.
    ReachMonth.objects.bulk_create(reach, ignore_conflicts=True)
    FeedbackMonth.objects.bulk_create(feedback, ignore_conflicts=True)
    VolunteerCount.objects.bulk_create(volunteers, ignore_conflicts=True)

    appeals = Alert.objects.filter(force=force, kind=AlertKind.APPEAL, status=AlertStatus.SENT, appeal_outcome=None)
    outcomes = []
    for alert in appeals.order_by("pk"):
        helped = rng.random() < 0.6
        outcomes.append(
            AppealOutcome(
                alert=alert,
                information_received=helped,
                arrests=rng.choice([0, 0, 1, 2]) if helped else 0,
                closed=rng.random() < 0.7,
                recorded_by=entered_by,
            )
        )
    AppealOutcome.objects.bulk_create(outcomes)
    _watch_and_community(neighbourhoods, months=months, today=today, entered_by=entered_by)
    _campaigns(force, months=months, today=today, entered_by=entered_by)
    in_force = {"neighbourhood__division__force": force}
    return DemoScorecardSummary(
        reach_months=ReachMonth.objects.filter(**in_force).count(),
        feedback_months=FeedbackMonth.objects.filter(**in_force).count(),
        volunteer_counts=VolunteerCount.objects.filter(**in_force).count(),
        watch_counts=WatchSchemeCount.objects.filter(**in_force).count(),
        campaigns=Campaign.objects.filter(division__force=force).count(),
        appeal_outcomes=AppealOutcome.objects.filter(alert__force=force).count(),
    )


def _quarter_ends(months, today) -> list[datetime.date]:
    ends = [(m + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(days=1) for m in months
            if m.month in (3, 6, 9, 12)]  # fmt: skip
    return [end for end in ends if end <= today]


def _watch_and_community(neighbourhoods, *, months, today, entered_by) -> None:
    """Community volunteers, and watch schemes slowly set up, at each quarter end (their own seeded
    stream, so the figures above do not move when these are added)."""
    rng = random.Random(f"{SEED}:watch")  # noqa: S311 - demo data, not security
    rows, volunteers = [], []
    for neighbourhood_id, _code in neighbourhoods:
        schemes = {WatchSchemeKind.NEIGHBOURHOOD_WATCH: rng.randint(2, 12), WatchSchemeKind.BUSINESS: rng.randint(0, 2)}
        for end in _quarter_ends(months, today):
            for kind in schemes:
                schemes[kind] += rng.choices([0, 1], weights=[80, 20])[0]
                rows.append(
                    WatchSchemeCount(neighbourhood_id=neighbourhood_id, kind=kind, as_of=end, schemes=schemes[kind],
                                     members=schemes[kind] * rng.randint(8, 30), entered_by=entered_by)
                )  # fmt: skip
            volunteers.append(
                VolunteerCount(neighbourhood_id=neighbourhood_id, role=VolunteerRole.COMMUNITY, as_of=end,
                               count=rng.randint(2, 15), entered_by=entered_by)
            )  # fmt: skip
    WatchSchemeCount.objects.bulk_create(rows, ignore_conflicts=True)
    VolunteerCount.objects.bulk_create(volunteers, ignore_conflicts=True)


CAMPAIGNS = ["Lock it or lose it", "Summer anti-social behaviour week", "Dark nights burglary campaign",
             "Christmas drink and drug driving campaign", "Safer roads around schools"]  # fmt: skip


def _campaigns(force, *, months, today, entered_by) -> None:
    """Two or three campaigns a year in each division, those ended assessed as a team would."""
    rng = random.Random(f"{SEED}:campaigns")  # noqa: S311 - demo data, not security
    outcomes = [CampaignOutcome.MET, CampaignOutcome.PARTLY, CampaignOutcome.NOT_MET]
    rows = []
    for division_id in force.divisions.order_by("code").values_list("pk", flat=True):
        for month in months:
            if rng.random() > 0.22:
                continue
            starts_on = month + datetime.timedelta(days=rng.randint(0, 20))
            ends_on = starts_on + datetime.timedelta(days=rng.choice([7, 14, 28]))
            ended = ends_on < today - datetime.timedelta(days=14)
            outcome = rng.choices(outcomes, weights=[55, 30, 15])[0] if ended else CampaignOutcome.NOT_ASSESSED
            rows.append(
                Campaign(title=rng.choice(CAMPAIGNS), division_id=division_id, starts_on=starts_on, ends_on=ends_on,
                         aim="Fewer reports of the problem in the month after than in the month before",
                         outcome=outcome, entered_by=entered_by)
            )  # fmt: skip
    Campaign.objects.bulk_create(rows, ignore_conflicts=True)
