"""The demo's votes, seeded with the force on Burnley's real wards at a fixed moment."""

import shutil
from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine

from neighbourhoods.demo import DATA_DIR, demo_force_seed
from neighbourhoods.models import Force, Ward
from priorities.models import PriorityState, SignOff, Vote
from priorities.selectors.dates import priority_date_problems
from priorities.voting.demo import demo_ballot, demo_votes_seed
from tests.support import module_data

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("wards")
    for name in ["E07000117.json", "districts.csv"]:
        shutil.copy(DATA_DIR / name, data_dir / name)
    with module_data(django_db_blocker), time_machine.travel(NOW, tick=False):
        yield demo_force_seed(data_dir=data_dir)


def test_it_has_two_closed_votes_and_one_open_in_the_featured_ward(seeded):
    featured = Ward.objects.get(code="E05005155").neighbourhood
    votes = list(Vote.objects.filter(neighbourhood=featured))
    published = [v for v in votes if v.is_published]
    assert len(votes) == 3 and len(published) == 2 and all(v.voters and v.electorate for v in published)
    (still_open,) = [v for v in votes if not v.is_published]
    assert still_open.ballots.exists()
    with time_machine.travel(NOW, tick=False):
        assert still_open.is_taking_ballots()


def test_it_records_the_polls_counts_on_the_sign_off_and_leaves_winners_to_agree(seeded):
    poll = Vote.objects.published().get(purpose="sign_off")
    sign_off = SignOff.objects.get(poll=poll)
    answers = {o.answer: o.score for o in poll.options.all()}
    assert (sign_off.votes_for, sign_off.votes_partly, sign_off.votes_against) == (
        answers["yes"],
        answers["partly"],
        answers["no"],
    )
    assert sign_off.priority.state == PriorityState.SIGNED_OFF
    assert not [p for p in priority_date_problems() if p.priority_id == sign_off.priority_id]
    vote = Vote.objects.published().get(purpose="priorities")
    winners = [o.priority for o in vote.options.select_related("priority") if o.is_winner]
    assert winners and all(p.state == PriorityState.PROPOSED for p in winners)


def test_it_weights_the_demo_results_to_the_synthetic_census(seeded):
    first = Vote.objects.published().order_by("opens_at").first()
    assert not first.weighting["problem"], (first.voters, first.weighting)
    assert first.weighting["synthetic"]


def test_it_leaves_a_seeded_neighbourhood_alone(seeded):
    with time_machine.travel(NOW, tick=False):
        assert demo_votes_seed(force=Force.objects.get(), today=date(2026, 11, 23)) == 0


def test_each_demo_vote_went_out_as_an_in_the_know_invitation_to_the_members_who_voted(seeded):
    from messaging.models import Alert, AlertKind, AlertStatus, Delivery

    for vote in Vote.objects.filter(neighbourhood__wards__code="E05005155"):
        alert = Alert.objects.get(vote=vote)
        assert alert.kind == AlertKind.VOTE and alert.status == AlertStatus.SENT and alert.released_at == vote.opens_at
        invited = set(Delivery.objects.filter(alert=alert).values_list("subscriber_id", flat=True))
        voted = set(vote.ballots.values_list("subscriber_id", flat=True))
        assert invited and voted <= invited, vote
        assert sum(alert.audience_counts.values()) == Delivery.objects.filter(alert=alert).count()


def test_a_demo_members_ballot_link_renders_in_their_invitation_and_votes(seeded, client):
    from messaging.models import Delivery
    from messaging.rendering import render_delivery
    from priorities.voting import links, services

    with time_machine.travel(NOW, tick=False):
        ballot = demo_ballot()
        token = ballot.url.rstrip("/").rsplit("/", 1)[1]
        vote_id, member_id = links.ballot_claim(token)
        delivery = Delivery.objects.get(alert__vote_id=vote_id, subscriber_id=member_id, channel="email")
        assert ballot.url in render_delivery(delivery=delivery).body
        assert services.ballot_refusal(token=token)[0] is None and ballot.vote.open_to_email_voters
        response = client.post(ballot.url, {"choices": [ballot.vote.options.first().pk]})
        assert response.status_code == 302 and ballot.vote.ballots.filter(subscriber_id=member_id).exists()
        # The next member's link, for the next visitor.
        assert demo_ballot().url != ballot.url


def test_demo_logins_prints_a_demo_members_ballot_link(seeded):
    from django.core.management import call_command

    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("demo_logins", stdout=out)
        ballot = demo_ballot()
    printed = out.getvalue()
    assert "sergeant@demo.pact.example" in printed
    assert f"member {ballot.email} with their own ballot link" in printed and ballot.url in printed
    with time_machine.travel(ballot.vote.closes_at, tick=False):
        assert demo_ballot() is None
