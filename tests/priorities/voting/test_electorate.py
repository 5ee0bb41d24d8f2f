"""Who could vote: the members, plus on a vote open to the area the people who confirmed an email
address by using their link; so turnout never passes 100%."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.models import ChannelStatus, SubscriberChannel
from priorities.models import EmailVoter
from priorities.voting import links, selectors, services
from tests.priorities.voting.factories import cast, members, open_vote

pytestmark = pytest.mark.django_db


def _vote(world, *, open_to_email_voters=True):
    return open_vote(world, open_to_email_voters=open_to_email_voters)


def _email_ballot(vote, email, *, vote_too=True):
    voter = EmailVoter.objects.create(vote=vote, email=email, ward=vote.neighbourhood.wards.first())
    if vote_too:
        token = links.email_ballot_token(vote_id=vote.pk, voter_id=voter.pk)
        services.ballot_cast(token=token, option_ids=[vote.options.first().pk])
    return voter


def test_it_counts_email_voters_who_voted_in_the_electorate_and_turnout_stays_within_it(world):
    (member,) = members(world, 1)
    vote = _vote(world)
    cast(vote, member, [vote.options.first()])
    for n in range(3):
        _email_ballot(vote, f"resident{n}@example.org")
    _email_ballot(vote, "asked-only@example.org", vote_too=False)  # never used the link: not confirmed
    vote = services.vote_close(vote=vote, actor=world.sergeant)
    assert (vote.voters, vote.electorate, vote.confirmed_email_voters, vote.members_electorate) == (4, 4, 3, 1)
    assert vote.voters <= vote.electorate


def test_a_member_who_voted_and_then_left_stays_in_the_electorate(world):
    voters = members(world, 2)
    vote = _vote(world, open_to_email_voters=False)
    for voter in voters:
        cast(vote, voter, [vote.options.first()])
    SubscriberChannel.objects.filter(subscriber=voters[0]).update(status=ChannelStatus.UNSUBSCRIBED)
    vote = services.vote_close(vote=vote, actor=world.sergeant)
    assert (vote.voters, vote.electorate, vote.confirmed_email_voters) == (2, 2, 0)


def test_it_counts_the_electorate_in_two_queries(world, django_assert_num_queries):
    members(world, 3)
    vote = _vote(world)
    _email_ballot(vote, "resident@example.org")
    with django_assert_num_queries(2):
        electorate = selectors.vote_electorate(vote=vote)
    assert (electorate.members, electorate.email_voters, electorate.total) == (3, 1, 4)


def test_the_staff_page_shows_both_parts_of_the_electorate_while_open(client, world):
    (member,) = members(world, 2)[:1]
    vote = _vote(world)
    cast(vote, member, [vote.options.first()])
    _email_ballot(vote, "resident@example.org")
    client.force_login(world.pcso)
    page = client.get(reverse("priorities:vote-detail", kwargs={"pk": vote.pk})).content.decode()
    assert "2 of 3 (In the Know members, 2; people who confirmed an email address, 1)" in page


def test_the_result_page_says_who_could_vote(client, world):
    (member,) = members(world, 1)
    vote = _vote(world)
    cast(vote, member, [vote.options.first()])
    _email_ballot(vote, "resident@example.org")
    vote = services.vote_close(vote=vote, actor=world.sergeant)
    page = client.get(reverse("priorities:vote-result", args=[vote.reference])).content.decode()
    assert "anyone who confirmed an email address in the area. Voters: 2 of 2." in page
    assert "Who could vote: In the Know members, 1; people who confirmed an email address, 1." in page


def test_a_members_only_result_says_members(client, world):
    (member,) = members(world, 1)
    vote = _vote(world, open_to_email_voters=False)
    cast(vote, member, [vote.options.first()])
    vote = services.vote_close(vote=vote, actor=world.sergeant)
    page = client.get(reverse("priorities:vote-result", args=[vote.reference])).content.decode()
    assert "In the Know members. Voters: 1 of 1." in page and "confirmed an email address" not in page


def test_the_staff_pages_keep_the_turnout_once_the_ballots_are_deleted(client, world):
    (member,) = members(world, 1)
    vote = _vote(world, open_to_email_voters=False)
    cast(vote, member, [vote.options.first()])
    vote = services.vote_close(vote=vote, actor=world.sergeant)
    services.ballots_delete_published(before=timezone.now() + datetime.timedelta(days=1))
    client.force_login(world.pcso)
    page = client.get(reverse("priorities:vote-detail", kwargs={"pk": vote.pk})).content.decode()
    assert "1 of 1 members" in page
    listing = client.get(reverse("priorities:vote-list", kwargs={"code": "daneshouse"}))
    assert '<td class="text-end">1</td>' in listing.content.decode()
