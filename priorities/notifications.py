"""Emails about priorities: followers told of state changes, owners sent a daily digest."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from neighbourhoods.models import TeamMembership
from pact_portal import site as portal
from priorities.models import OPEN_STATES, Action, ActionStatus, Follower, Priority, PriorityState


def _message(name: str, context: dict, to: list[str]) -> EmailMultiAlternatives:
    subject = render_to_string(f"priorities/emails/{name}_subject.txt", context).strip()
    body = render_to_string(f"priorities/emails/{name}_body.txt", context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(render_to_string(f"priorities/emails/{name}_body.html", context), "text/html")
    return message


def _follower_message(name: str, follower: Follower, priority: Priority, site: str, **extra) -> EmailMultiAlternatives:
    unfollow = site + reverse("priorities:public-unfollow", kwargs={"token": follower.token})
    context = {
        "priority": priority,
        "page_url": site + reverse("priorities:public-detail", kwargs={"reference": priority.reference}),
        "unfollow_url": unfollow,
        **extra,
    }
    with translation.override(follower.language):
        message = _message(name, context, [follower.email])
    # RFC 8058: mail clients may offer one-click unsubscribe, which POSTs to the link.
    message.extra_headers = {"List-Unsubscribe": f"<{unfollow}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return message


def followers_notify(*, priority_id: int, state: str) -> int:
    priority = Priority.objects.select_related("neighbourhood").filter(pk=priority_id).first()
    # A later change queues its own message; telling people about a state already left is noise.
    if priority is None or priority.state != state or state == PriorityState.PROPOSED:
        return 0
    site = portal.site_url()
    # Only addresses confirmed from our email: anyone can type an address into the follow form.
    followers = Follower.objects.confirmed().filter(priority=priority)
    messages = [_follower_message("state_changed", f, priority, site) for f in followers]
    return get_connection().send_messages(messages) or 0


def follow_confirmation_send(*, follower_id: int, site_url: str = "") -> int:
    """The double opt-in email: a link to confirm following, and one to say no."""
    from priorities.services import FOLLOW_CONFIRM_MAX_AGE, follow_confirm_token

    follower = Follower.objects.select_related("priority__neighbourhood").filter(pk=follower_id).first()
    if follower is None or follower.confirmed_at is not None:
        return 0
    site = (site_url or portal.site_url()).rstrip("/")
    token = follow_confirm_token(follower=follower)
    confirm = site + reverse("priorities:public-follow-confirm", kwargs={"token": token})
    days = FOLLOW_CONFIRM_MAX_AGE.days
    message = _follower_message("follow_confirm", follower, follower.priority, site, confirm_url=confirm, days=days)
    return get_connection().send_messages([message]) or 0


def _recipients_for(action: Action) -> list[User]:
    if action.owner_officer_id:
        return [action.owner_officer]
    if action.owner_partner_user_id:
        return [action.owner_partner_user]
    # .all() keeps to the prefetched users; filtering in the database would query once per action.
    return [user for user in action.owner_agency.users.all() if user.is_active]


def daily_digests_send(*, today=None) -> int:
    """One email per person: their overdue actions, and for sergeants their priorities past review."""
    today = today or timezone.localdate()
    overdue = (
        Action.objects.filter(status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS], due_date__lt=today)
        .filter(priority__state__in=OPEN_STATES - {PriorityState.PROPOSED})
        .select_related("priority__neighbourhood", "owner_officer", "owner_partner_user", "owner_agency")
        .prefetch_related("owner_agency__users")
    )
    digest: dict[User, dict[str, list]] = defaultdict(lambda: {"actions": [], "priorities": []})
    for action in overdue:
        for user in _recipients_for(action):
            digest[user]["actions"].append(action)
    past_review = Priority.objects.open().filter(review_date__lt=today).select_related("neighbourhood")
    sergeants = (
        TeamMembership.objects.current(on=today)
        .filter(role="sergeant", neighbourhood__in=past_review.values("neighbourhood"))
        .select_related("user")
    )
    by_neighbourhood = defaultdict(list)
    for membership in sergeants:
        by_neighbourhood[membership.neighbourhood_id].append(membership.user)
    for priority in past_review:
        for user in by_neighbourhood[priority.neighbourhood_id]:
            digest[user]["priorities"].append(priority)
    site = portal.site_url()
    messages = [
        _message("daily_digest", {"user": user, "today": today, "site": site, **items}, [user.email])
        for user, items in digest.items()
        if user.is_active
    ]
    return get_connection().send_messages(messages) or 0


def email_ballot_send(
    *, vote_id: int, language: str, voter_id: int | None = None, subscriber_id: int | None = None, site_url: str = ""
) -> int:
    """The ballot link asked for on a vote open to email voters (or a member's own link, when the
    address is a member's): following it is what confirms the address. The address and the link are
    worked out here, from ids, so neither waits in the broker; `site_url` is the asking request's."""
    from messaging.models import Channel, ChannelStatus, SubscriberChannel
    from priorities.voting import links
    from priorities.voting.models import EmailVoter, Vote

    vote = Vote.objects.select_related("neighbourhood", "priority").filter(pk=vote_id).first()
    if vote is None or not vote.is_taking_ballots():
        return 0
    with portal.built_for(site_url):
        if voter_id is not None:
            email = EmailVoter.objects.filter(pk=voter_id, vote=vote).values_list("email", flat=True).first()
            ballot_url = links.email_ballot_url(vote_id=vote.pk, voter_id=voter_id)
        else:
            email = (
                SubscriberChannel.objects.filter(
                    subscriber_id=subscriber_id, channel=Channel.EMAIL, status=ChannelStatus.ACTIVE
                )
                .values_list("address", flat=True)
                .first()
            )
            ballot_url = links.ballot_url(vote_id=vote.pk, subscriber_id=subscriber_id)
    if not email:
        return 0
    context = {"vote": vote, "ballot_url": ballot_url, "closes_at": vote.closes_at}
    with translation.override(language):
        message = _message("email_ballot", context, [email])
    return get_connection().send_messages([message]) or 0
