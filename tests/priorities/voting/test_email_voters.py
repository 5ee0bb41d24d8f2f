"""Issue 15's optional electorate: anyone who confirms an email address in the area, on a vote
the officer opened to them."""

import datetime
import re

import pytest
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from neighbourhoods.models import Ward
from priorities.models import Ballot, EmailVoter, Vote
from priorities.voting import links, services
from tests.priorities.voting.factories import members, open_vote, proposals

pytestmark = pytest.mark.django_db


def _vote(world, *, open_to_email_voters=True):
    members(world, 1, prefix=f"voter{Vote.objects.count()}-")  # a vote is sent to members, so one must live there
    return open_vote(world, open_to_email_voters=open_to_email_voters)


def _ask(client, vote, email, ward, capture):
    with capture(execute=True):
        return client.post(
            reverse("priorities:vote-ask-ballot", args=[vote.reference]), {"email": email, "ward": ward.pk}
        )


def _links(start=0) -> list[str]:
    return [
        url
        for message in mail.outbox[start:]
        for url in re.findall(r"https?://[^/\s]+(/\S*?vote/[^/\s]+/)", message.body)
    ]


def test_the_officer_opens_a_vote_to_the_area_from_the_form(client, world):
    proposals_ = proposals(world)
    members(world, 1)
    client.force_login(world.sergeant)
    now = timezone.localtime()
    response = client.post(
        reverse("priorities:vote-create", args=["daneshouse"]),
        {
            "priorities": [p.pk for p in proposals_[:2]],
            "method": "approve",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "channels": ["email"],
            "open_to_email_voters": "on",
        },
    )
    assert response.status_code == 302
    assert Vote.objects.get().open_to_email_voters


def test_a_vote_for_members_only_offers_no_form_and_refuses_a_request(
    client, world, django_capture_on_commit_callbacks
):
    vote = _vote(world, open_to_email_voters=False)
    page = client.get(reverse("priorities:public-votes", args=["daneshouse"])).content.decode()
    assert "Ask for a ballot" not in page
    assert client.get(reverse("priorities:vote-ask-ballot", args=[vote.reference])).status_code == 404
    ward = world.daneshouse.wards.first()
    mail.outbox.clear()
    assert _ask(client, vote, "new@example.org", ward, django_capture_on_commit_callbacks).status_code == 404
    assert not EmailVoter.objects.exists() and not mail.outbox


def test_a_resident_asks_for_a_ballot_and_its_link_votes_once(client, world, django_capture_on_commit_callbacks):
    vote = _vote(world)
    ward = world.daneshouse.wards.first()
    page = client.get(reverse("priorities:public-votes", args=["daneshouse"])).content.decode()
    assert reverse("priorities:vote-ask-ballot", args=[vote.reference]) in page
    sent = len(mail.outbox)
    response = _ask(client, vote, "New@Example.org", ward, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    [url] = _links(sent)
    assert mail.outbox[-1].to == ["new@example.org"]
    voter = EmailVoter.objects.get()
    assert voter.email == "new@example.org" and voter.ward == ward
    option = vote.options.first()
    assert client.post(url, {"choices": [option.pk], "sex": "female"}).status_code == 302
    ballot = Ballot.objects.get()
    assert ballot.subscriber is None and ballot.ward == ward and ballot.sex == "female"
    voter.refresh_from_db()
    assert voter.ballot == ballot
    second = client.post(url, {"choices": [option.pk]})
    assert second.status_code == 400 and "already voted" in second.content.decode()
    assert Ballot.objects.count() == 1
    counted = services.vote_close(vote=vote, actor=world.sergeant)
    assert counted.voters == 1 and counted.options.get(pk=option.pk).score == 1


def test_asking_again_sends_the_same_link_and_never_a_second_ballot(client, world, django_capture_on_commit_callbacks):
    vote = _vote(world)
    ward = world.daneshouse.wards.first()
    sent = len(mail.outbox)
    _ask(client, vote, "new@example.org", ward, django_capture_on_commit_callbacks)
    _ask(client, vote, "NEW@example.org", ward, django_capture_on_commit_callbacks)
    first, again = _links(sent)
    assert first == again and EmailVoter.objects.count() == 1


def test_a_members_address_gets_the_members_own_link(client, world, django_capture_on_commit_callbacks):
    vote = _vote(world)
    (member,) = members(world, 1, prefix="member")
    sent = len(mail.outbox)
    _ask(client, vote, "member0@example.org", world.daneshouse.wards.first(), django_capture_on_commit_callbacks)
    [url] = _links(sent)
    assert url.endswith(f"/{links.ballot_token(vote_id=vote.pk, subscriber_id=member.pk)}/")
    assert not EmailVoter.objects.exists()


@pytest.mark.parametrize("field", ["email", "ward"])
def test_a_bad_address_or_a_ward_outside_the_neighbourhood_is_refused(
    client, world, django_capture_on_commit_callbacks, field
):
    vote = _vote(world)
    ward = world.daneshouse.wards.first()
    email = "new@example.org"
    if field == "email":
        email = "not-an-address"
    else:
        ward = Ward.objects.get(neighbourhood=world.queensgate)
    sent = len(mail.outbox)
    response = _ask(client, vote, email, ward, django_capture_on_commit_callbacks)
    assert response.status_code == 400 and response.context["form"].errors[field]
    assert not EmailVoter.objects.exists() and len(mail.outbox) == sent


def test_the_service_refuses_a_ward_outside_the_neighbourhood(world):
    vote = _vote(world)
    with pytest.raises(Exception, match="Choose a ward of Daneshouse"):
        services.email_ballot_request(
            vote=vote, email="new@example.org", ward=Ward.objects.get(neighbourhood=world.queensgate)
        )
    assert not EmailVoter.objects.exists()


def test_an_address_has_one_ballot_per_vote_by_constraint(world):
    vote = _vote(world)
    ward = world.daneshouse.wards.first()
    EmailVoter.objects.create(vote=vote, email="new@example.org", ward=ward)
    with pytest.raises(IntegrityError):
        EmailVoter.objects.create(vote=vote, email="new@example.org", ward=ward)


def test_a_link_for_a_vote_no_longer_open_to_the_area_is_refused(client, world):
    vote = _vote(world)
    voter = EmailVoter.objects.create(vote=vote, email="new@example.org", ward=world.daneshouse.wards.first())
    vote.__class__.objects.filter(pk=vote.pk).update(open_to_email_voters=False)
    url = reverse("priorities:ballot", args=[links.email_ballot_token(vote_id=vote.pk, voter_id=voter.pk)])
    assert "In the Know members" in client.get(url).content.decode()
    assert client.post(url, {"choices": [vote.options.first().pk]}).status_code == 400
    assert not Ballot.objects.exists()


def test_the_addresses_are_deleted_with_the_ballots(world):
    from pact_portal.retention.services import EMAIL_VOTERS, retention_apply, retention_due

    vote = _vote(world)
    voter = EmailVoter.objects.create(vote=vote, email="new@example.org", ward=world.daneshouse.wards.first())
    token = links.email_ballot_token(vote_id=vote.pk, voter_id=voter.pk)
    services.ballot_cast(token=token, option_ids=[vote.options.first().pk])
    services.vote_close(vote=vote, actor=world.sergeant)
    assert retention_apply(now=timezone.now() + datetime.timedelta(days=89))[EMAIL_VOTERS] == 0
    assert EmailVoter.objects.exists()
    later = timezone.now() + datetime.timedelta(days=91)
    assert retention_due(now=later)[EMAIL_VOTERS] == 1
    assert retention_apply(now=later)[EMAIL_VOTERS] == 1
    assert not EmailVoter.objects.exists() and not Ballot.objects.exists()


def test_asking_too_often_from_one_address_is_throttled(client, world, django_capture_on_commit_callbacks):
    vote = _vote(world)
    ward = world.daneshouse.wards.first()
    for _ in range(3):
        assert _ask(client, vote, "new@example.org", ward, django_capture_on_commit_callbacks).status_code == 302
    sent = len(mail.outbox)
    response = _ask(client, vote, "new@example.org", ward, django_capture_on_commit_callbacks)
    assert response.status_code == 429 and "several requests for a ballot" in response.content.decode()
    assert len(mail.outbox) == sent


def test_the_request_form_is_csrf_protected(world):
    from django.test import Client

    vote = _vote(world)
    response = Client(enforce_csrf_checks=True).post(
        reverse("priorities:vote-ask-ballot", args=[vote.reference]),
        {"email": "new@example.org", "ward": world.daneshouse.wards.first().pk},
    )
    assert response.status_code == 403 and not EmailVoter.objects.exists()


def test_the_public_votes_page_lists_open_and_published_votes_in_constant_queries(
    client, world, django_assert_max_num_queries
):
    for _ in range(3):
        _vote(world)
    services.vote_close(vote=_vote(world), actor=world.sergeant)
    url = reverse("priorities:public-votes", args=["daneshouse"])
    with django_assert_max_num_queries(5):  # neighbourhood, its wards, published votes, open votes
        page = client.get(url)
    assert page.content.decode().count("Ask for a ballot") == 3


def test_the_queued_email_carries_ids_only_never_the_address_or_the_link(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from priorities.tasks import send_email_ballot_task

    vote = _vote(world)
    queued = []
    monkeypatch.setattr(send_email_ballot_task, "delay", lambda **fields: queued.append(fields))
    with django_capture_on_commit_callbacks(execute=True):
        services.email_ballot_request(vote=vote, email="New@Example.org", ward=world.daneshouse.wards.get())
    [fields] = queued
    assert "new@example.org" not in repr(fields).lower() and "/vote/" not in repr(fields)
    assert send_email_ballot_task.run(**fields) == 1  # the worker's part finds both from the ids
    [url] = _links()
    assert url.startswith("/vote/") and mail.outbox[0].to == ["new@example.org"]


# --- a sign-off poll open to the area ---------------------------------------------------------


def _poll(world, *, open_to_email_voters=True):
    from tests.priorities.voting.test_services import _resolved

    members(world, 1, prefix=f"poll{Vote.objects.count()}-")
    now = timezone.now()
    return services.sign_off_poll_create(
        actor=world.pcso,
        priority=_resolved(world),
        opens_at=now,
        closes_at=now + datetime.timedelta(days=3),
        channels=["email"],
        open_to_email_voters=open_to_email_voters,
    )


@pytest.mark.parametrize("ticked", [True, False])
def test_the_officer_opens_a_sign_off_poll_to_the_area_from_the_form(client, world, ticked):
    from tests.priorities.voting.test_services import _resolved

    members(world, 1)
    priority = _resolved(world)
    client.force_login(world.pcso)
    page = client.get(reverse("priorities:sign-off-poll-create", args=[priority.pk])).content.decode()
    assert 'name="open_to_email_voters"' in page
    now = timezone.localtime()
    data = {
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "channels": ["email"],
    } | ({"open_to_email_voters": "on"} if ticked else {})
    response = client.post(reverse("priorities:sign-off-poll-create", args=[priority.pk]), data)
    assert response.status_code == 302
    assert Vote.objects.get(purpose="sign_off").open_to_email_voters is ticked


def test_a_resident_answers_a_poll_by_email_and_the_sign_off_counts_them(
    client, world, django_capture_on_commit_callbacks
):
    poll = _poll(world)
    ward = world.daneshouse.wards.first()
    page = client.get(reverse("priorities:public-votes", args=["daneshouse"])).content.decode()
    assert reverse("priorities:vote-ask-ballot", args=[poll.reference]) in page
    ask = client.get(reverse("priorities:vote-ask-ballot", args=[poll.reference])).content.decode()
    assert "Has this been fixed?" in ask
    sent = len(mail.outbox)
    assert _ask(client, poll, "new@example.org", ward, django_capture_on_commit_callbacks).status_code == 302
    [url] = _links(sent)
    yes = poll.options.get(answer="yes")
    assert client.post(url, {"choice": yes.pk}).status_code == 302
    assert client.post(url, {"choice": yes.pk}).status_code == 400  # one ballot per address
    poll = services.vote_close(vote=poll, actor=world.sergeant)
    assert (poll.voters, poll.electorate, poll.confirmed_email_voters) == (1, 2, 1)
    priority = services.priority_sign_off_by_poll(priority=poll.priority, actor=world.pcso, poll=poll)
    assert priority.sign_offs.get().votes_for == 1


def test_a_members_only_poll_refuses_ballots_by_email(client, world, django_capture_on_commit_callbacks):
    poll = _poll(world, open_to_email_voters=False)
    ward = world.daneshouse.wards.first()
    assert (
        "Ask for a ballot" not in client.get(reverse("priorities:public-votes", args=["daneshouse"])).content.decode()
    )
    assert client.get(reverse("priorities:vote-ask-ballot", args=[poll.reference])).status_code == 404
    assert _ask(client, poll, "new@example.org", ward, django_capture_on_commit_callbacks).status_code == 404
    with pytest.raises(Exception, match="In the Know members only"):
        services.email_ballot_request(vote=poll, email="new@example.org", ward=ward)
    # A link made for it anyway (the poll was open to the area, then no longer) casts nothing.
    voter = EmailVoter.objects.create(vote=poll, email="new@example.org", ward=ward)
    url = reverse("priorities:ballot", args=[links.email_ballot_token(vote_id=poll.pk, voter_id=voter.pk)])
    refused = client.post(url, {"choice": poll.options.get(answer="yes").pk})
    assert refused.status_code == 400 and "In the Know members" in refused.content.decode()
    assert not Ballot.objects.exists()


def test_an_email_voter_who_joins_in_the_know_cannot_vote_again_as_a_member(
    client, world, django_capture_on_commit_callbacks
):
    from tests.messaging.factories import subscriber

    vote = _vote(world)
    ward = world.daneshouse.wards.first()
    sent = len(mail.outbox)
    _ask(client, vote, "new@example.org", ward, django_capture_on_commit_callbacks)
    [url] = _links(sent)
    option = vote.options.first()
    assert client.post(url, {"choices": [option.pk]}).status_code == 302
    joined = subscriber(world, email="new@example.org", ward=ward)
    member_link = reverse("priorities:ballot", args=[links.ballot_token(vote_id=vote.pk, subscriber_id=joined.pk)])
    second = client.post(member_link, {"choices": [option.pk]})
    assert second.status_code == 400 and "already voted" in second.content.decode()
    assert Ballot.objects.count() == 1


def test_a_member_who_voted_and_left_cannot_vote_again_by_email(client, world, django_capture_on_commit_callbacks):
    from messaging.models import ChannelStatus, SubscriberChannel
    from tests.priorities.voting.factories import cast

    vote = _vote(world)
    (member,) = members(world, 1, prefix="leaver")
    option = vote.options.first()
    cast(vote, member, [option])
    SubscriberChannel.objects.filter(subscriber=member).update(status=ChannelStatus.UNSUBSCRIBED)
    sent = len(mail.outbox)
    _ask(client, vote, "leaver0@example.org", world.daneshouse.wards.first(), django_capture_on_commit_callbacks)
    [url] = _links(sent)
    second = client.post(url, {"choices": [option.pk]})
    assert second.status_code == 400 and "already voted" in second.content.decode()
    assert Ballot.objects.count() == 1
