import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from priorities.models import Ballot, PriorityState, Vote
from priorities.voting import services
from tests.priorities.voting.factories import cast, members, open_vote, proposals, token

pytestmark = pytest.mark.django_db


def _ballot_url(vote, member):
    return reverse("priorities:ballot", kwargs={"token": token(vote, member)})


def test_it_casts_a_ballot_from_the_members_link(client, world):
    (member,) = members(world, 1)
    vote = open_vote(world)
    page = client.get(_ballot_url(vote, member))
    assert page.status_code == 200 and "Speeding on Burnley Road" in page.content.decode()
    option = vote.options.first()
    response = client.post(_ballot_url(vote, member), {"choices": [option.pk], "age_band": "25-34"}, follow=True)
    assert "your vote has been counted" in response.content.decode()
    assert "You have voted" in response.content.decode()
    ballot = Ballot.objects.get(vote=vote)
    assert ballot.age_band == "25-34" and list(ballot.choices.values_list("option", flat=True)) == [option.pk]


def test_it_says_a_tampered_link_is_not_valid(client, world):
    (member,) = members(world, 1)
    vote = open_vote(world)
    url = _ballot_url(vote, member)[:-3] + "xx/"
    response = client.post(url, {"choices": [vote.options.first().pk]})
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert not Ballot.objects.exists()


def test_it_refuses_a_second_ballot_with_a_clear_message(client, world):
    (member,) = members(world, 1)
    vote = open_vote(world)
    first, second = vote.options.all()[:2]
    cast(vote, member, [first])
    response = client.post(_ballot_url(vote, member), {"choices": [second.pk]})
    assert response.status_code == 400 and "already voted" in response.content.decode()
    assert Ballot.objects.get().choices.get().option == first


def test_it_refuses_a_ballot_after_closing_with_a_clear_message(client, world):
    (member,) = members(world, 1)
    vote = open_vote(world)
    with time_machine.travel(vote.closes_at + datetime.timedelta(seconds=1), tick=False):
        response = client.post(_ballot_url(vote, member), {"choices": [vote.options.first().pk]})
    assert response.status_code == 400 and "Voting has closed" in response.content.decode()
    assert not Ballot.objects.exists()


def test_it_re_renders_a_ranked_ballot_with_a_number_given_twice(client, world):
    (member,) = members(world, 1)
    vote = open_vote(world, method="rank")
    a, b, _c = vote.options.all()
    response = client.post(_ballot_url(vote, member), {f"rank_{a.pk}": "1", f"rank_{b.pk}": "1"})
    assert response.status_code == 400 and "Give each number once" in response.content.decode()
    assert not Ballot.objects.exists()


def test_it_publishes_the_result_only_once_closed_and_escapes_titles(client, world):
    (member,) = members(world, 1)
    vote = open_vote(world, priorities=[*proposals(world, 1), *proposals(world, 1)])
    option = vote.options.first()
    option.priority.title = "<script>alert(1)</script>"
    option.priority.save(update_fields=["title"])
    cast(vote, member, [option])
    url = reverse("priorities:vote-result", kwargs={"reference": vote.reference})
    assert client.get(url).status_code == 404
    services.vote_close(vote=vote, actor=world.sergeant)
    page = client.get(url).content.decode()
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert "How the weighted result is worked out" in page


def test_it_lets_a_sergeant_put_proposals_to_a_vote(client, world):
    members(world, 1)
    a, b = proposals(world, 2)
    client.force_login(world.sergeant)
    now = timezone.localtime()
    data = {
        "priorities": [a.pk, b.pk],
        "method": "rank",
        "opens_at": (now + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "channels": ["email"],
    }
    response = client.post(reverse("priorities:vote-create", kwargs={"code": "daneshouse"}), data)
    vote = Vote.objects.get()
    assert response.status_code == 302 and vote.method == "rank" and vote.options.count() == 2


def test_it_re_renders_the_vote_form_when_the_times_are_wrong(client, world):
    members(world, 1)
    a, b = proposals(world, 2)
    client.force_login(world.sergeant)
    now = timezone.localtime()
    data = {
        "priorities": [a.pk, b.pk],
        "method": "approve",
        "opens_at": (now + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "channels": ["email"],
    }
    response = client.post(reverse("priorities:vote-create", kwargs={"code": "daneshouse"}), data)
    assert response.status_code == 400 and "must close after it opens" in response.content.decode()
    assert not Vote.objects.exists()


@pytest.mark.parametrize(("person", "status"), [("pcso", 403), ("pcso_other", 404), ("partner", 404)])
def test_it_refuses_the_vote_form_to_others(client, world, person, status):
    client.force_login(getattr(world, person))
    assert client.get(reverse("priorities:vote-create", kwargs={"code": "daneshouse"})).status_code == status


def test_it_shows_turnout_but_not_the_count_while_open(client, world):
    voters = members(world, 3)
    vote = open_vote(world)
    cast(vote, voters[0], [vote.options.first()])
    client.force_login(world.pcso)
    page = client.get(reverse("priorities:vote-detail", kwargs={"pk": vote.pk})).content.decode()
    assert "1 of 3 members" in page and "Most support" not in page and "Close now" not in page


def test_it_lists_votes_in_constant_queries(client, world, django_assert_max_num_queries):
    members(world, 1)
    for _ in range(3):
        open_vote(world)
    client.force_login(world.pcso)
    url = reverse("priorities:vote-list", kwargs={"code": "daneshouse"})
    # session, user, scope, neighbourhood, votes with ballots counted, options with priorities
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200 and len(response.context["votes"]) == 3


def test_it_lists_published_votes_in_constant_queries(client, world, django_assert_max_num_queries):
    members(world, 1)
    for _ in range(3):
        services.vote_close(vote=open_vote(world), actor=world.sergeant)
    url = reverse("priorities:public-votes", kwargs={"code": "daneshouse"})
    with django_assert_max_num_queries(4):  # neighbourhood, its wards, votes
        assert client.get(url).status_code == 200


def test_it_closes_a_vote_and_agrees_a_winner(client, world):
    (member,) = members(world, 1)
    vote = open_vote(world)
    option = vote.options.first()
    cast(vote, member, [option])
    client.force_login(world.sergeant)
    client.post(reverse("priorities:vote-close", kwargs={"pk": vote.pk}))
    url = reverse("priorities:vote-agree", kwargs={"pk": vote.pk, "priority_pk": option.priority_id})
    response = client.post(url, {"review_date": "2027-02-01"})
    assert response.status_code == 302, response.context["agree_form"].errors
    option.priority.refresh_from_db()
    assert option.priority.state == PriorityState.AGREED and option.priority.agreed_by_vote_id == vote.pk


def test_it_refuses_to_close_for_a_pcso(client, world):
    members(world, 1)
    vote = open_vote(world)
    client.force_login(world.pcso)
    assert client.post(reverse("priorities:vote-close", kwargs={"pk": vote.pk})).status_code == 403
    vote.refresh_from_db()
    assert vote.counted_at is None


def test_it_puts_the_members_own_ballot_link_in_the_email_and_the_text(world):
    from messaging.models import Alert, Delivery
    from messaging.rendering import render_delivery
    from priorities.voting import links

    (member,) = members(world, 1, mobile="+447700900123")
    vote = open_vote(world, channels=("email", "sms"))
    alert = Alert.objects.get(vote=vote)
    for channel in ("email", "sms"):
        delivery = Delivery.objects.create(alert=alert, subscriber=member, channel=channel, queued_at=timezone.now())
        message = render_delivery(delivery=delivery)
        claim = links.ballot_claim(message.body.split("/vote/")[1].split("/")[0])
        assert claim == (vote.pk, member.pk)


def _resolved_with_poll(world, answers):
    from tests.priorities.voting.test_services import _poll, _resolved

    priority = _resolved(world)
    return priority, _poll(world, priority, answers)


def test_it_records_a_sign_off_from_the_poll_page(client, world):
    priority, poll = _resolved_with_poll(world, ["yes", "yes", "no"])
    client.force_login(world.pcso)
    response = client.post(reverse("priorities:vote-sign-off", kwargs={"pk": poll.pk}))
    assert response.status_code == 302
    priority.refresh_from_db()
    assert priority.state == PriorityState.SIGNED_OFF and priority.sign_offs.get().votes_for == 2


def test_it_says_why_a_poll_cannot_sign_off_and_changes_nothing(client, world):
    priority, poll = _resolved_with_poll(world, ["no", "partly", "yes"])
    client.force_login(world.pcso)
    response = client.post(reverse("priorities:vote-sign-off", kwargs={"pk": poll.pk}), follow=True)
    assert "has not signed it off" in response.content.decode()
    priority.refresh_from_db()
    assert priority.state == PriorityState.RESOLVED and not priority.sign_offs.exists()


def test_it_sets_up_a_sign_off_poll_only_for_a_resolved_priority(client, world):
    from tests.priorities.factories import agreed

    members(world, 1)
    priority = agreed(world)
    client.force_login(world.pcso)
    now = timezone.localtime()
    data = {
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "channels": ["email"],
    }
    response = client.post(reverse("priorities:sign-off-poll-create", kwargs={"pk": priority.pk}), data)
    assert response.status_code == 400 and "Only a resolved priority" in response.content.decode()
    assert not Vote.objects.exists()
