"""The demo's residents' votes, in the featured neighbourhood (Daneshouse with Stoneyholme, the ward
HMIC names): two closed and one open. The community's sign-off poll on its resolved priority closed
with most saying it is fixed, and the sign-off records the poll's counts; a vote on new proposals
closed three days ago, its result published and its winners awaiting the sergeant's agreement (the
next step a demo user can take); and a vote open now with ballots coming in.

Each vote went out as a real one does, as an In the Know alert of kind "vote" written by the alert
service, with a delivery per member and channel the alert engine's audience reaches: so every
member holds their own ballot link (the demo records the deliveries as delivered rather than
sending anything). The open vote is also open to anyone who confirms an email address in the area,
and `demo_ballot` names a member who has not voted yet, with their link, for `demo_logins` to print.

The ballots are cast by members the invitation reached, with the age band and ethnic group they
gave when they joined, and counted by the same service as a real vote, so the results page weights
them to the synthetic census the surveys demo writes. Run after the messaging and surveys demos.
Deterministic for a given `today` (a random.Random per vote); idempotent: a neighbourhood that
already has votes is left alone.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from messaging.delivery.audience import alert_audience_kwargs, subscriber_channels
from messaging.models import (
    Alert,
    AlertStatus,
    Channel,
    ChannelStatus,
    Delivery,
    DeliveryStatus,
    Subscriber,
    SubscriberChannel,
)
from neighbourhoods.models import Force, TeamMembership, Ward
from priorities.models import Category, Priority, PriorityEvent, PriorityState, SignOff
from priorities.voting import links, services
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
    members = _invite(poll, sergeant=sergeant, members=members, seed=f"{SEED}:poll:invitation")
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
        created_at=opens - DAY, open_to_email_voters=closes > anchor,
    )  # fmt: skip
    options = VoteOption.objects.bulk_create(
        VoteOption(vote=vote, priority=p, position=i) for i, p in enumerate(priorities)
    )
    members = _invite(vote, sergeant=sergeant, members=members, seed=f"{SEED}:{n}:invitation")
    weights = [p[3] for p in spec.proposals]
    voters = rng.sample(members, k=max(1, round(len(members) * spec.turnout)))
    last = min(closes, anchor)
    for voter in voters:
        _ballot(vote, voter, options, weights, rng, cast_at=opens + (last - opens) * rng.random())
    if closes <= anchor:
        # Published; agreeing its winners is left to the sergeant (the demo's next step).
        vote = _publish(vote)
    return vote


def _invite(vote: Vote, *, sergeant, members, seed: str) -> list[Subscriber]:
    """The vote's invitation, written by the alert service as the vote's own services write it,
    and sent at the opening time to the audience the alert engine reaches then: each delivery is
    recorded as delivered (nothing is sent), and each renders the member's own ballot link. The
    members it reached, who alone can vote. Its own random stream (for the delivery times), so the
    ballots drawn after it do not depend on how many deliveries there were."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    alert = services.invitation_draft(vote=vote, actor=sergeant, channels=list(services.INVITATION_CHANNELS))
    sent = vote.opens_at
    reached = list(
        subscriber_channels(**alert_audience_kwargs(alert=alert), at=sent)
        # The engine reads channels as they are when it runs; the demo's history, as they were then.
        .filter(confirmed_at__lte=sent)
        .exclude(unsubscribed_at__lte=sent)
        .order_by("subscriber_id", "channel")
        .values_list("subscriber_id", "channel")
    )
    deliveries = []
    for subscriber_id, channel in reached:
        at = sent + timedelta(minutes=2, seconds=rng.randrange(3600))
        deliveries.append(Delivery(
            alert=alert, subscriber_id=subscriber_id, channel=channel, status=DeliveryStatus.DELIVERED, attempts=1,
            queued_at=sent, sent_at=at, delivered_at=at + timedelta(seconds=20),
        ))  # fmt: skip
    Delivery.objects.bulk_create(deliveries)
    counts = dict.fromkeys(alert.channels, 0)
    for _subscriber_id, channel in reached:
        counts[channel] += 1
    Alert.objects.filter(pk=alert.pk).update(
        status=AlertStatus.SENT, created_at=vote.created_at, released_at=sent,
        fanout_completed_at=sent + timedelta(minutes=2), completed_at=sent + HOUR, audience_counts=counts,
    )  # fmt: skip
    invited = {subscriber_id for subscriber_id, _channel in reached}
    return [m for m in members if m.pk in invited]


@dataclass(frozen=True)
class DemoBallot:
    email: str
    url: str
    vote: Vote


def demo_ballot(*, now=None) -> DemoBallot | None:
    """A demo member who was emailed the open vote's invitation and has not voted yet, with their
    own ballot link, so someone exploring the demo can vote; None when no demo vote is open."""
    now = now or timezone.now()
    vote = (
        Vote.objects.taking_ballots(now=now)
        .filter(neighbourhood__wards__code=FEATURED_WARD, purpose=VotePurpose.PRIORITIES)
        .select_related("neighbourhood")
        .order_by("pk")
        .first()
    )
    if vote is None:
        return None
    voted = vote.ballots.filter(subscriber__isnull=False).values("subscriber_id")
    delivery = (
        Delivery.objects.filter(alert__vote=vote, channel=Channel.EMAIL, subscriber__erased_at__isnull=True)
        .exclude(subscriber_id__in=voted)
        .order_by("subscriber_id")
        .first()
    )
    if delivery is None:
        return None
    email = (
        SubscriberChannel.objects.filter(
            subscriber_id=delivery.subscriber_id, channel=Channel.EMAIL, status=ChannelStatus.ACTIVE
        )
        .values_list("address", flat=True)
        .first()
    )
    if email is None:
        return None
    url = links.ballot_url(vote_id=vote.pk, subscriber_id=delivery.subscriber_id)
    return DemoBallot(email=email, url=url, vote=vote)


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
