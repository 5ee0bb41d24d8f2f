"""The demo's residents' votes, in the featured neighbourhood (Daneshouse with Stoneyholme, the ward
HMIC names): two closed and one open. The community's sign-off poll on its resolved priority closed
with most saying it is fixed, and the sign-off records the poll's counts; a vote on new proposals
closed three days ago, its result published and its winners awaiting the sergeant's agreement (the
next step a demo user can take); and a vote open now with ballots coming in.

The ballots are cast by the neighbourhood's demo In the Know members, with the age band and ethnic
group they gave when they joined, and counted by the same service as a real vote, so the results
page weights them to the synthetic census the surveys demo writes. Run after the messaging and
surveys demos. Deterministic for a given `today` (a random.Random per vote); idempotent: a
neighbourhood that already has votes is left alone.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from messaging.models import ChannelStatus, Subscriber
from neighbourhoods.models import Force, TeamMembership, Ward
from priorities.models import Category, Priority, PriorityEvent, PriorityState, SignOff
from priorities.voting import services
from priorities.voting.models import (
    Ballot,
    BallotChoice,
    SignOffAnswer,
    Vote,
    VoteMethod,
    VoteOption,
    VotePurpose,
)
from surveys.models import Sex

SEED = "pact-demo-votes-1"
FEATURED_WARD = "E05005155"
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


@dataclass(frozen=True)
class DemoVote:
    opens_days_ago: int
    closes_days_ago: int  # negative: still open
    method: str
    turnout: float  # share of the members who vote
    # (title, category, public problem, how popular: a weight for the random choices)
    proposals: tuple[tuple[str, str, str, int], ...]


VOTES = (
    DemoVote(17, 3, VoteMethod.RANK, 0.5, (
        ("Drug dealing near Daneshouse Park", Category.DRUGS, "Dealing in daylight by the park gates.", 8),
        ("Catalytic converter thefts", Category.VEHICLE_CRIME, "Cars on driveways lose their converters.", 6),
        ("Graffiti on the canal bridge", Category.CRIMINAL_DAMAGE, "Tags are sprayed on the bridge.", 3),
    )),
    DemoVote(2, -5, VoteMethod.APPROVE, 0.15, (
        ("Doorstep scams on older residents", Category.ROGUE_TRADERS, "Callers pressure older people.", 6),
        ("Litter around the school gates", Category.LITTER, "Litter piles up after school.", 4),
        ("Off-road bikes on the canal towpath", Category.ASB, "Bikes race along the towpath.", 7),
    )),
)  # fmt: skip


@transaction.atomic
def demo_votes_seed(*, force: Force, today: date | None = None) -> int:
    """The featured neighbourhood's three votes; returns how many were made (0 when it has them)."""
    today = today or timezone.localdate()
    ward = Ward.objects.filter(code=FEATURED_WARD, neighbourhood__division__force=force).first()
    if ward is None or Vote.objects.filter(neighbourhood_id=ward.neighbourhood_id).exists():
        return 0
    neighbourhood = ward.neighbourhood
    members = list(
        Subscriber.objects.current()
        .filter(ward__neighbourhood=neighbourhood, channels__status=ChannelStatus.ACTIVE)
        .select_related("ward")
        .distinct()
        .order_by("pk")
    )
    sergeant = _sergeant(neighbourhood)
    if not members or sergeant is None:
        return 0
    # As the other demos do: anchored to the start of `today`, so the output does not depend on the hour.
    anchor = min(datetime.combine(today, time(9, 0), tzinfo=timezone.get_current_timezone()), timezone.now())
    made = _sign_off_poll(neighbourhood=neighbourhood, sergeant=sergeant, members=members, anchor=anchor)
    for n, spec in enumerate(VOTES):
        _vote(spec, neighbourhood=neighbourhood, sergeant=sergeant, members=members, anchor=anchor, n=n)
    return made + len(VOTES)


# How the community answers "Has this been fixed?": of every ten, seven yes, two partly, one no.
ANSWER_CYCLE = [0] * 7 + [1] * 2 + [2]


def _sign_off_poll(*, neighbourhood, sergeant, members, anchor) -> int:
    """The poll on the neighbourhood's latest resolved priority, open for up to ten days from the
    day after it was resolved, and the sign-off it gives; 0 when nothing is resolved long enough."""
    priority = (
        Priority.objects.filter(neighbourhood=neighbourhood, state=PriorityState.RESOLVED)
        .order_by("-state_changed_at", "pk")
        .first()
    )
    if priority is None:
        return 0
    opens = priority.state_changed_at + DAY
    closes = min(opens + 10 * DAY, anchor - DAY)
    if closes <= opens:
        return 0
    rng = random.Random(f"{SEED}:poll")  # noqa: S311 - demo data, not security
    poll = Vote.objects.create(
        neighbourhood=neighbourhood, purpose=VotePurpose.SIGN_OFF, method=VoteMethod.SINGLE, priority=priority,
        opens_at=opens, closes_at=closes, created_by=sergeant, created_at=opens - HOUR,
    )  # fmt: skip
    options = VoteOption.objects.bulk_create(
        VoteOption(vote=poll, answer=a, position=i) for i, a in enumerate(SignOffAnswer)
    )
    for n, voter in enumerate(rng.sample(members, k=max(1, round(len(members) * 0.4)))):
        cast_at = opens + (closes - opens) * rng.random()
        _ballot_for(poll, voter, [options[ANSWER_CYCLE[n % 10]]], rng, cast_at=cast_at)
    poll = _publish(poll)
    services.priority_sign_off_by_poll(priority=priority, actor=sergeant, poll=poll)
    signed_at = closes + DAY
    Priority.objects.filter(pk=priority.pk).update(state_changed_at=signed_at)
    PriorityEvent.objects.filter(priority=priority, verb="sign_off").update(at=signed_at)
    SignOff.objects.filter(poll=poll).update(recorded_at=signed_at)
    return 1


def _publish(vote: Vote) -> Vote:
    """Counted by the service, dated a minute after it closed (as the beat task would have)."""
    vote = services.vote_count(vote=vote)
    Vote.objects.filter(pk=vote.pk).update(counted_at=vote.closes_at + timedelta(minutes=1))
    vote.refresh_from_db()
    return vote


def _sergeant(neighbourhood):
    for role in (Role.SERGEANT, Role.INSPECTOR):
        membership = (
            TeamMembership.objects.current().filter(neighbourhood=neighbourhood, role=role).select_related("user")
        ).first()
        if membership is not None:
            return membership.user
    return None


def _vote(spec: DemoVote, *, neighbourhood, sergeant, members, anchor, n: int) -> Vote:
    rng = random.Random(f"{SEED}:{n}")  # noqa: S311 - demo data, not security
    opens, closes = anchor - spec.opens_days_ago * DAY, anchor - spec.closes_days_ago * DAY
    priorities = [_proposal(neighbourhood, sergeant, p, at=opens - 3 * DAY) for p in spec.proposals]
    vote = Vote.objects.create(
        neighbourhood=neighbourhood, method=spec.method, opens_at=opens, closes_at=closes, created_by=sergeant,
        created_at=opens - DAY,
    )  # fmt: skip
    options = VoteOption.objects.bulk_create(
        VoteOption(vote=vote, priority=p, position=i) for i, p in enumerate(priorities)
    )
    weights = [p[3] for p in spec.proposals]
    voters = rng.sample(members, k=max(1, round(len(members) * spec.turnout)))
    last = min(closes, anchor)
    for voter in voters:
        _ballot(vote, voter, options, weights, rng, cast_at=opens + (last - opens) * rng.random())
    if closes <= anchor:
        # Published; agreeing its winners is left to the sergeant (the demo's next step).
        vote = _publish(vote)
    return vote


def _proposal(neighbourhood, sergeant, proposal, *, at) -> Priority:
    title, category, problem, _weight = proposal
    priority = Priority.objects.create(
        neighbourhood=neighbourhood, title=title, category=category, public_problem=problem,
        proposed_by=sergeant, created_at=at, state_changed_at=at, state=PriorityState.PROPOSED,
    )  # fmt: skip
    priority.wards.set(neighbourhood.wards.all())
    PriorityEvent.objects.create(
        priority=priority, actor=sergeant, at=at, verb="propose", changes={"state": [None, PriorityState.PROPOSED]}
    )
    return priority


# What voters who never described themselves to In the Know say in the ballot's optional "About
# you" (two in three answer; nine in ten give their sex): a rough profile of an inner Burnley ward,
# older voters over-represented.
AGES = (("16-24", 1), ("25-34", 2), ("35-49", 3), ("50-64", 3), ("65-74", 2), ("75+", 1))
ETHNIC = (("asian_pakistani", 5), ("asian_bangladeshi", 2), ("white_british", 4), ("white_other", 1))


def _about(voter, rng) -> tuple[str, str]:
    if voter.age_band and voter.ethnic_group or rng.random() < 1 / 3:
        return voter.age_band, voter.ethnic_group
    age = voter.age_band or rng.choices([a for a, _w in AGES], weights=[w for _a, w in AGES])[0]
    ethnic = voter.ethnic_group or rng.choices([e for e, _w in ETHNIC], weights=[w for _e, w in ETHNIC])[0]
    return age, ethnic


def _ballot(vote, voter, options, weights, rng, *, cast_at) -> None:
    chosen, pool, pool_weights = [], list(options), list(weights)
    for _ in range(rng.randint(1, min(3, len(options)))):
        pick = rng.choices(range(len(pool)), weights=pool_weights)[0]
        chosen.append(pool.pop(pick))
        pool_weights.pop(pick)
    _ballot_for(vote, voter, chosen, rng, cast_at=cast_at)


def _ballot_for(vote, voter, chosen, rng, *, cast_at) -> None:
    age_band, ethnic_group = _about(voter, rng)
    ballot = Ballot.objects.create(
        vote=vote, subscriber=voter, ward=voter.ward, age_band=age_band, ethnic_group=ethnic_group,
        sex=rng.choices([Sex.FEMALE, Sex.MALE, ""], weights=[9, 9, 2])[0], cast_at=cast_at,
    )  # fmt: skip
    ranked = vote.method == VoteMethod.RANK
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, option=o, rank=i + 1 if ranked else None) for i, o in enumerate(chosen)
    )
