import pytest
from django.urls import reverse

from priorities.voting import services
from tests.priorities.voting.factories import cast, members, open_vote

pytestmark = pytest.mark.django_db


def test_it_lists_votes_of_the_area_in_constant_queries(client, world, django_assert_max_num_queries):
    (member,) = members(world, 1)
    for _ in range(3):
        vote = open_vote(world)
    cast(vote, member, [vote.options.first()])
    client.force_login(world.pcso)
    # session, user, scope, neighbourhoods, count, votes with ballots cast, options with priorities
    with django_assert_max_num_queries(8):
        body = client.get(reverse("api-vote-list")).json()
    assert body["count"] == 3 and {v["ballots_cast"] for v in body["results"]} == {0, 1}


def test_it_shows_a_published_vote_and_hides_it_from_outsiders(client, world):
    (member,) = members(world, 1)
    vote = open_vote(world)
    cast(vote, member, [vote.options.first()])
    services.vote_close(vote=vote, actor=world.sergeant)
    url = reverse("api-vote-detail", kwargs={"pk": vote.pk})
    client.force_login(world.pcso)
    body = client.get(url).json()
    assert body["voters"] == 1 and [o["score"] for o in body["options"]].count(1) == 1
    assert "ballots" not in body and "subscriber" not in str(body)
    client.force_login(world.pcso_other)
    assert client.get(url).status_code == 404


def test_it_says_whether_a_vote_is_open_to_email_voters_and_counts_them(client, world):
    from tests.priorities.voting.test_electorate import _email_ballot, _vote

    (member,) = members(world, 1)
    vote = _vote(world)
    members_only = _vote(world, open_to_email_voters=False)
    cast(vote, member, [vote.options.first()])
    _email_ballot(vote, "resident@example.org")
    client.force_login(world.pcso)
    body = {v["id"]: v for v in client.get(reverse("api-vote-list")).json()["results"]}
    assert body[vote.pk]["open_to_email_voters"] and not body[members_only.pk]["open_to_email_voters"]
    assert (body[vote.pk]["ballots_cast"], body[vote.pk]["email_ballots_cast"]) == (2, 1)
    assert body[vote.pk]["confirmed_email_voters"] is None and body[vote.pk]["electorate"] is None
    services.vote_close(vote=vote, actor=world.sergeant)
    counted = client.get(reverse("api-vote-detail", kwargs={"pk": vote.pk})).json()
    assert (counted["electorate"], counted["confirmed_email_voters"], counted["voters"]) == (2, 1, 2)
