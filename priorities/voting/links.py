"""A member's own ballot link. It is signed (as messaging/links.py signs manage links), so the vote
and member it names cannot be changed without the link being refused, and short enough to sit in
a text message beside the manage link: the two ids in base 36 and Django's signature."""

from django.core import signing
from django.urls import reverse

from messaging.links import absolute

BALLOT_SALT = "priorities.vote.ballot"
# The longest link a member can get (ids of up to seven base-36 digits, over 78 billion), for
# counting a text's segments before any member is known.
WORST_CASE_IDS = (36**7 - 1, 36**7 - 1)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, remainder = divmod(number, 36)
        text = digits[remainder] + text
        if number == 0:
            return text


def ballot_token(*, vote_id: int, subscriber_id: int) -> str:
    return signing.Signer(salt=BALLOT_SALT).sign(f"{_base36(vote_id)}.{_base36(subscriber_id)}")


def ballot_claim(token: str) -> tuple[int, int] | None:
    """(vote id, subscriber id) a genuine link names, or None if it was altered or is not one."""
    try:
        value = signing.Signer(salt=BALLOT_SALT).unsign(token)
    except signing.BadSignature:
        return None
    vote, _, member = value.partition(".")
    try:
        return int(vote, 36), int(member, 36)
    except ValueError:
        return None


def ballot_url(*, vote_id: int, subscriber_id: int | None) -> str:
    """The member's link; a preview's made-up member (no id) gets the longest one possible."""
    ids = (vote_id, subscriber_id) if subscriber_id else WORST_CASE_IDS
    token = ballot_token(vote_id=ids[0], subscriber_id=ids[1])
    return absolute(reverse("priorities:ballot", kwargs={"token": token}))


# A link sent to an email voter (not a member) is signed with its own salt, so neither kind of
# link can be read as the other.
EMAIL_BALLOT_SALT = "priorities.vote.email-ballot"


def email_ballot_token(*, vote_id: int, voter_id: int) -> str:
    return signing.Signer(salt=EMAIL_BALLOT_SALT).sign(f"{_base36(vote_id)}.{_base36(voter_id)}")


def email_ballot_claim(token: str) -> tuple[int, int] | None:
    """(vote id, email voter id) a genuine email voter's link names, or None."""
    try:
        value = signing.Signer(salt=EMAIL_BALLOT_SALT).unsign(token)
    except signing.BadSignature:
        return None
    vote, _, voter = value.partition(".")
    try:
        return int(vote, 36), int(voter, 36)
    except ValueError:
        return None


def email_ballot_url(*, vote_id: int, voter_id: int) -> str:
    token = email_ballot_token(vote_id=vote_id, voter_id=voter_id)
    return absolute(reverse("priorities:ballot", kwargs={"token": token}))
