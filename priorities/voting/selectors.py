"""Reads for residents' votes: the staff lists and pages, turnout while open, the public result."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from messaging.models import ChannelStatus, Subscriber
from priorities.models import Priority, PriorityState
from priorities.voting.models import Ballot, Vote, VoteOption, VotePurpose

OPTIONS = Prefetch("options", queryset=VoteOption.objects.select_related("priority").order_by("position", "pk"))


def votes_for_neighbourhood(*, neighbourhood) -> QuerySet[Vote]:
    """Every vote of the neighbourhood, newest first, with its options and ballots cast so far
    (two queries, however many votes)."""
    return (
        Vote.objects.filter(neighbourhood=neighbourhood)
        .select_related("priority")
        .annotate(ballots_cast=Count("ballots"))
        .prefetch_related(OPTIONS)
        .order_by("-opens_at", "-pk")
    )


def votes_for_user(*, user) -> QuerySet[Vote]:
    """`vote.view` as a queryset: votes of the neighbourhoods whose board the user reads, newest
    first, with ballots cast so far (all, and those of email voters) and the options (three
    queries with the neighbourhoods)."""
    from neighbourhoods.selectors import neighbourhoods_where

    readable = [n.pk for n in neighbourhoods_where(user=user, action="priority.view_board")]
    return (
        Vote.objects.filter(neighbourhood__in=readable)
        .select_related("neighbourhood")
        # A ballot has at most one email voter, so the join adds no rows to count twice.
        .annotate(
            ballots_cast=Count("ballots"),
            email_ballots_cast=Count("ballots", filter=Q(ballots__email_voter__isnull=False)),
        )
        .prefetch_related(OPTIONS)
        .order_by("-opens_at", "-pk")
    )


def vote_detail(*, pk: int) -> Vote | None:
    return (
        Vote.objects.filter(pk=pk)
        .select_related("neighbourhood__division", "priority", "created_by", "closed_early_by")
        .prefetch_related(OPTIONS)
        .first()
    )


def vote_turnout(*, vote: Vote) -> int:
    """Ballots cast so far: all staff see while a vote is open, never what they chose."""
    return Ballot.objects.filter(vote=vote).count()


@dataclass(frozen=True)
class Electorate:
    members: int
    # People who are not members and confirmed an email address in the area for this vote.
    email_voters: int

    @property
    def total(self) -> int:
        return self.members + self.email_voters


def vote_electorate(*, vote: Vote) -> Electorate:
    """Who can vote in it, as of now (two queries).

    Members: those not erased, living in one of the neighbourhood's wards, with at least one
    confirmed channel, and every member who has voted (one who left since still voted as a
    member). Email voters: on a vote open to them, those who confirmed their address, which only
    using the link sent to it does; asking for a ballot confirms nothing, as anyone can type any
    address. So everyone who voted is in the electorate and turnout never passes 100%."""
    cast = Ballot.objects.filter(vote=vote).aggregate(
        members=Count("pk", filter=Q(email_voter__isnull=True)),
        email_voters=Count("pk", filter=Q(email_voter__isnull=False)),
    )
    voted = Ballot.objects.filter(vote=vote, subscriber__isnull=False).values("subscriber_id")
    not_voted = (
        Subscriber.objects.current()
        .filter(ward__neighbourhood=vote.neighbourhood_id, channels__status=ChannelStatus.ACTIVE)
        .exclude(pk__in=voted)
        .distinct()
        .count()
    )
    return Electorate(members=not_voted + cast["members"], email_voters=cast["email_voters"])


def vote_electorate_shown(*, vote: Vote) -> Electorate:
    """As counted once published (the ballots may be gone by then), as of now while open."""
    if vote.is_published and vote.electorate is not None:
        return Electorate(members=vote.members_electorate, email_voters=vote.confirmed_email_voters or 0)
    return vote_electorate(vote=vote)


def proposals_to_vote_on(*, neighbourhood) -> QuerySet[Priority]:
    return Priority.objects.filter(
        neighbourhood=neighbourhood, state__in=(PriorityState.PROPOSED, PriorityState.REOPENED)
    ).order_by("title")


def published_vote(*, reference) -> Vote | None:
    """A vote's public page once counted: its options' public text only, never restricted notes."""
    return (
        Vote.objects.published()
        .filter(reference=reference)
        .select_related("neighbourhood", "priority")
        .prefetch_related(OPTIONS)
        .first()
    )


def published_votes_for_neighbourhood(*, neighbourhood) -> QuerySet[Vote]:
    return (
        Vote.objects.published()
        .filter(neighbourhood=neighbourhood)
        .select_related("priority")
        .order_by("-closes_at", "-pk")
    )


def votes_open_to_email_voters(*, neighbourhood, now) -> QuerySet[Vote]:
    """The neighbourhood's votes taking ballots now that anyone in the area may ask to vote in."""
    return (
        Vote.objects.taking_ballots(now=now)
        .filter(neighbourhood=neighbourhood, open_to_email_voters=True)
        .select_related("priority")
        .order_by("closes_at", "pk")
    )


def vote_open_to_email_voters(*, reference, now) -> Vote | None:
    """A vote anyone in the area may ask a ballot for now, or None (not open to them, or not open)."""
    return (
        Vote.objects.taking_ballots(now=now)
        .filter(reference=reference, open_to_email_voters=True)
        .select_related("neighbourhood", "priority")
        .first()
    )


def sign_off_polls_for_priority(*, priority) -> list[Vote]:
    return list(
        Vote.objects.filter(purpose=VotePurpose.SIGN_OFF, priority=priority)
        .prefetch_related(OPTIONS)
        .order_by("-opens_at")
    )


def option_rows(*, vote: Vote) -> list[dict]:
    """The result as a table: each option with its raw score, its share of voters, and its
    weighted figure, best first (from the prefetched options)."""
    voters = vote.voters or 0
    rows = []
    for option in vote.options.all():
        rows.append(
            {
                "option": option,
                "score": option.score or 0,
                "share": round(100 * (option.first_preferences or 0) / voters, 1) if voters else None,
                "weighted": option.weighted_score,
                "is_winner": option.is_winner,
            }
        )
    return sorted(rows, key=lambda r: (-r["score"], r["option"].position))
