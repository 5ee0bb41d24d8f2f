import datetime

from django.utils import timezone

from priorities.voting import links, services
from tests.messaging.factories import subscriber
from tests.priorities.factories import propose


def members(world, n: int, *, prefix: str = "voter", ward=None, **fields) -> list:
    if fields.get("age_band") or fields.get("ethnic_group"):
        fields.setdefault("demographics_consent_at", timezone.now())
    return [subscriber(world, email=f"{prefix}{i}@example.org", ward=ward, **fields) for i in range(n)]


def proposals(world, n: int = 3) -> list:
    titles = ["Speeding on Burnley Road", "Litter in Stoneyholme Park", "Drug dealing on Colne Road", "Parking"]
    return [propose(world, title=titles[i]) for i in range(n)]


def open_vote(
    world,
    *,
    priorities=None,
    method="approve",
    days: int = 7,
    actor=None,
    channels=("email",),
    open_to_email_voters=False,
):
    """A vote of Daneshouse open from now; at least one member must live there to receive it."""
    priorities = priorities if priorities is not None else proposals(world)
    now = timezone.now()
    return services.vote_create(
        actor=actor or world.sergeant,
        neighbourhood=world.daneshouse,
        priorities=priorities,
        method=method,
        opens_at=now,
        closes_at=now + datetime.timedelta(days=days),
        channels=list(channels),
        open_to_email_voters=open_to_email_voters,
    )


def token(vote, member) -> str:
    return links.ballot_token(vote_id=vote.pk, subscriber_id=member.pk)


def cast(vote, member, options, **about):
    """Cast `member`'s ballot for `options` (VoteOption objects, in order)."""
    return services.ballot_cast(token=token(vote, member), option_ids=[o.pk for o in options], **about)
