import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from messaging.models import Alert, AlertKind, AlertStatus
from priorities import services as priority_services
from priorities.models import Ballot, PriorityState, SignOffMethod, Vote
from priorities.voting import links, refusals, services
from tests.priorities.factories import agreed
from tests.priorities.voting.factories import cast, members, open_vote, proposals, token

pytestmark = pytest.mark.django_db


def _later(vote, **delta):
    return time_machine.travel(vote.closes_at + datetime.timedelta(**(delta or {"minutes": 1})), tick=False)


def test_it_invites_the_neighbourhood_through_in_the_know(world):
    members(world, 2)
    vote = open_vote(world)
    alert = Alert.objects.get(vote=vote)
    assert alert.kind == AlertKind.VOTE and alert.status == AlertStatus.SENDING
    assert list(alert.neighbourhoods.all()) == [world.daneshouse]


def test_it_refuses_a_vote_nobody_would_receive(world):
    with pytest.raises(ValidationError, match="No one would receive"):
        open_vote(world)
    assert not Vote.objects.exists()


def test_it_refuses_a_vote_on_agreed_priorities_and_voice_calls(world):
    members(world, 1)
    with pytest.raises(ValidationError, match="Only proposed priorities"):
        open_vote(world, priorities=[agreed(world), *proposals(world, 1)])
    with pytest.raises(ValidationError, match="email, text message"):
        open_vote(world, channels=("voice",))
    assert not Vote.objects.exists()


def test_it_keeps_one_ballot_per_member_by_constraint(world):
    (member,) = members(world, 1)
    vote = open_vote(world)
    option = vote.options.first()
    cast(vote, member, [option])
    with pytest.raises(IntegrityError):
        Ballot.objects.create(vote=vote, subscriber=member, ward=member.ward)


def test_it_refuses_a_second_ballot_and_changes_nothing(world):
    (member,) = members(world, 1)
    vote = open_vote(world)
    first, second = vote.options.all()[:2]
    cast(vote, member, [first])
    with pytest.raises(ValidationError) as refused:
        cast(vote, member, [second])
    assert refused.value.code == refusals.SECOND
    assert list(Ballot.objects.get(vote=vote).choices.values_list("option", flat=True)) == [first.pk]


def test_it_refuses_a_ballot_after_closing(world):
    (member,) = members(world, 1)
    vote = open_vote(world)
    with _later(vote), pytest.raises(ValidationError) as refused:
        cast(vote, member, [vote.options.first()])
    assert refused.value.code == refusals.CLOSED and not Ballot.objects.exists()


def test_it_refuses_a_tampered_link(world):
    voter, other = members(world, 2)
    vote = open_vote(world)
    forged = token(vote, voter).replace(links._base36(voter.pk) + ":", links._base36(other.pk) + ":")
    assert links.ballot_claim(forged) is None
    with pytest.raises(ValidationError) as refused:
        services.ballot_cast(token=forged, option_ids=[vote.options.first().pk])
    assert refused.value.code == refusals.TAMPERED and not Ballot.objects.exists()


def test_it_refuses_a_member_who_lives_elsewhere(world):
    members(world, 1)
    (outsider,) = members(world, 1, prefix="fleetwood", ward=world.fleetwood.wards.get())
    vote = open_vote(world)
    with pytest.raises(ValidationError) as refused:
        cast(vote, outsider, [vote.options.first()])
    assert refused.value.code == refusals.NOT_ELIGIBLE


def test_it_holds_a_ballot_to_three_choices_of_its_own_vote(world):
    (member,) = members(world, 1)
    vote = open_vote(world, priorities=proposals(world, 4))
    with pytest.raises(ValidationError, match="at most three"):
        cast(vote, member, list(vote.options.all()))
    with pytest.raises(ValidationError, match="from the options"):
        services.ballot_cast(token=token(vote, member), option_ids=[999999])
    assert not Ballot.objects.exists()


def test_it_counts_ranked_ballots_as_points(world):
    voters = members(world, 3)
    vote = open_vote(world, method="rank")
    a, b, c = vote.options.all()
    for voter, order in zip(voters, ([a, b, c], [b, a], [a]), strict=True):
        cast(vote, voter, order)
    with _later(vote):
        services.votes_count_due()
    scores = {o.pk: (o.score, o.first_preferences, o.is_winner) for o in vote.options.all()}
    assert scores == {a.pk: (3 + 2 + 3, 2, True), b.pk: (2 + 3, 1, True), c.pk: (1, 0, True)}
    vote.refresh_from_db()
    assert vote.voters == 3 and vote.electorate == 3


def test_it_agrees_a_winner_by_the_closed_vote(world):
    voters = members(world, 4)
    vote = open_vote(world, priorities=proposals(world, 4))
    options = list(vote.options.all())
    for voter in voters:
        cast(vote, voter, options[:3])
    loser = options[3].priority
    with pytest.raises(ValidationError, match="not closed yet"):
        services.priority_agree_by_vote(priority=options[0].priority, actor=world.sergeant, vote=vote)
    vote = services.vote_close(vote=vote, actor=world.sergeant)
    priority = services.priority_agree_by_vote(priority=options[0].priority, actor=world.sergeant, vote=vote)
    assert priority.state == PriorityState.AGREED and priority.agreed_by_vote == vote
    with pytest.raises(ValidationError, match="most support"):
        services.priority_agree_by_vote(priority=loser, actor=world.sergeant, vote=vote)
    loser.refresh_from_db()
    assert loser.state == PriorityState.PROPOSED


def test_it_refuses_to_agree_by_another_neighbourhoods_vote(world):
    members(world, 1)
    vote = open_vote(world)
    vote = services.vote_close(vote=vote, actor=world.sergeant)
    elsewhere = proposals(world, 1)[0]
    elsewhere.neighbourhood = world.queensgate
    assert "not a vote of Queensgate" in services.agreement.vote_problem(elsewhere, vote, at=timezone.now())


def _resolved(world):
    priority = agreed(world)
    priority_services.priority_start(priority=priority, actor=world.pcso)
    return priority_services.priority_resolve(priority=priority, actor=world.sergeant, public_outcome="Cameras up.")


def _poll(world, priority, answers):
    voters = members(world, len(answers))
    now = timezone.now()
    poll = services.sign_off_poll_create(
        actor=world.pcso, priority=priority, opens_at=now, closes_at=now + datetime.timedelta(days=3),
        channels=["email"],
    )  # fmt: skip
    options = {o.answer: o for o in poll.options.all()}
    for voter, answer in zip(voters, answers, strict=True):
        cast(poll, voter, [options[answer]])
    return services.vote_close(vote=poll, actor=world.sergeant)


def test_it_records_the_sign_off_polls_counts_on_the_sign_off(world):
    priority = _resolved(world)
    poll = _poll(world, priority, ["yes", "yes", "yes", "partly", "no"])
    services.priority_sign_off_by_poll(priority=priority, actor=world.pcso, poll=poll)
    sign_off = priority.sign_offs.get()
    assert sign_off.method == SignOffMethod.ONLINE_VOTE and sign_off.poll == poll
    assert (sign_off.votes_for, sign_off.votes_partly, sign_off.votes_against) == (3, 1, 1)
    priority.refresh_from_db()
    assert priority.state == PriorityState.SIGNED_OFF


def test_it_does_not_sign_off_what_the_community_says_is_not_fixed(world):
    priority = _resolved(world)
    poll = _poll(world, priority, ["yes", "partly", "no", "no"])
    with pytest.raises(ValidationError, match="1 of 4"):
        services.priority_sign_off_by_poll(priority=priority, actor=world.pcso, poll=poll)
    priority.refresh_from_db()
    assert priority.state == PriorityState.RESOLVED and not priority.sign_offs.exists()


def test_it_deletes_ballots_after_publication_and_keeps_the_counts(world):
    voters = members(world, 2)
    vote = open_vote(world)
    option = vote.options.first()
    for voter in voters:
        cast(vote, voter, [option])
    vote = services.vote_close(vote=vote, actor=world.sergeant)
    from pact_portal.retention.services import retention_apply

    assert retention_apply(now=timezone.now() + datetime.timedelta(days=89))["priorities_ballot (published votes)"] == 0
    assert retention_apply(now=timezone.now() + datetime.timedelta(days=91))["priorities_ballot (published votes)"] == 2
    option.refresh_from_db()
    assert not Ballot.objects.exists() and option.score == 2


def test_it_counts_closed_votes_from_the_beat_schedule(world):
    from pact_portal.beat import BEAT_SCHEDULE
    from pact_portal.celery import app as celery_app
    from priorities.tasks import count_closed_votes_task

    assert count_closed_votes_task.name in {e["task"] for e in BEAT_SCHEDULE.values()}
    assert count_closed_votes_task.name in celery_app.tasks
    members(world, 1)
    vote = open_vote(world)
    assert count_closed_votes_task() == 0
    with _later(vote):
        assert count_closed_votes_task() == 1
        assert count_closed_votes_task() == 0
    vote.refresh_from_db()
    assert vote.is_published
