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
