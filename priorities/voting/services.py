"""Writes for residents' votes: putting proposals (or a resolved priority's sign-off) to the vote,
casting a ballot, closing and counting, and agreeing or signing off from the published result.

Who may call these is decided by accounts/policy.py (views ask first); these functions enforce
what the record requires, whoever asks.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from messaging.models import AlertKind, AudienceLevel, Channel, ChannelStatus, Subscriber
from pact_portal import site
from priorities import agreement
from priorities.models import PriorityState, SignOff, SignOffMethod
from priorities.voting import links, results, selectors
from priorities.voting.models import (
    MAX_CHOICES,
    Ballot,
    BallotChoice,
    EmailVoter,
    SignOffAnswer,
    Vote,
    VoteMethod,
    VoteOption,
    VotePurpose,
)
from priorities.voting.refusals import CLOSED, NOT_ELIGIBLE, NOT_OPEN, REFUSALS, SECOND, TAMPERED

# A call cannot carry a link: invitations go by email and text message.
INVITATION_CHANNELS = (Channel.EMAIL, Channel.SMS)


def _check_times(*, opens_at: datetime, closes_at: datetime, now: datetime) -> None:
    errors = {}
    if opens_at < now - timedelta(minutes=5):
        errors["opens_at"] = _("The opening time has passed: choose now or a later time.")
    if closes_at <= opens_at:
        errors["closes_at"] = _("The vote must close after it opens.")
    if errors:
        raise ValidationError(errors)


def _check_channels(channels) -> list[str]:
    chosen = [c for c in channels if c in INVITATION_CHANNELS]
    if not chosen or len(chosen) != len(list(channels)):
        raise ValidationError({"channels": _("Send the ballot links by email, text message or both.")})
    return chosen


def invitation_draft(*, vote: Vote, actor, channels):
    """The vote's invitation as a draft In the Know alert of kind "vote" to its neighbourhood, to
    be released at the opening time; each message carries the member's own signed ballot link."""
    from messaging.alerts import services as services_alerts

    title, body = _invitation_words(vote)
    return services_alerts.alert_create(
        actor=actor,
        force=vote.neighbourhood.division.force,
        kind=AlertKind.VOTE,
        title=title,
        body=body,
        channels=channels,
        audience_level=AudienceLevel.NEIGHBOURHOODS,
        neighbourhoods=[vote.neighbourhood],
        send_at=vote.opens_at if vote.opens_at > timezone.now() else None,
        vote=vote,
    )


def _invite(vote: Vote, *, actor, channels) -> None:
    from messaging.alerts import services as services_alerts

    alert = invitation_draft(vote=vote, actor=actor, channels=channels)
    services_alerts.alert_submit(alert=alert, actor=actor)


def _invitation_words(vote: Vote) -> tuple[str, str]:
    """The invitation's title and body."""
    when = date_format(timezone.localtime(vote.closes_at), "j F Y, H:i")
    if vote.purpose == VotePurpose.SIGN_OFF:
        title = _("Has this been fixed? %(title)s") % {"title": vote.priority.title}
        body = _(
            "We think we have dealt with “%(title)s”. Tell us whether it has been fixed: the poll closes on %(when)s."
        )
        return title, body % {"title": vote.priority.title, "when": when}
    title = _("Have your say: %(name)s's next priorities") % {"name": vote.neighbourhood.name}
    body = _(
        "Your neighbourhood team and its partners can take on up to three problems at a time. "
        "Choose the ones you want tackled first: voting closes on %(when)s."
    )
    return title, body % {"when": when}


@transaction.atomic
def vote_create(
    *,
    actor,
    neighbourhood,
    priorities,
    method: str,
    opens_at: datetime,
    closes_at: datetime,
    channels,
    open_to_email_voters: bool = False,
) -> Vote:
    """Put proposed priorities of a neighbourhood to a vote of its In the Know members (and, if
    `open_to_email_voters`, of anyone who confirms an email address in the area)."""
    now = timezone.now()
    _check_times(opens_at=opens_at, closes_at=closes_at, now=now)
    # A time typed a minute or two ago means "now": never before the proposals it asks about.
    opens_at = max(opens_at, now)
    channels = _check_channels(channels)
    if method not in (VoteMethod.APPROVE, VoteMethod.RANK):
        raise ValidationError({"method": _("Choose approve or rank.")})
    priorities = list(priorities)
    stray = [p.title for p in priorities if p.neighbourhood_id != neighbourhood.pk
             or p.state not in (PriorityState.PROPOSED, PriorityState.REOPENED)]  # fmt: skip
    if stray:
        raise ValidationError(
            {"priorities": _("Only proposed priorities of %(name)s can be put to the vote, not: %(titles)s.")
             % {"name": neighbourhood.name, "titles": ", ".join(stray)}}
        )  # fmt: skip
    if len(priorities) < 2:
        raise ValidationError({"priorities": _("Choose at least two proposed priorities: a vote needs a choice.")})
    vote = Vote(
        neighbourhood=neighbourhood, method=method, opens_at=opens_at, closes_at=closes_at, created_by=actor,
        open_to_email_voters=open_to_email_voters,
    )  # fmt: skip
    vote.full_clean()
    vote.save()
    VoteOption.objects.bulk_create(
        VoteOption(vote=vote, priority=p, position=i) for i, p in enumerate(sorted(priorities, key=lambda p: p.title))
    )
    _invite(vote, actor=actor, channels=channels)
    return vote


@transaction.atomic
def sign_off_poll_create(
    *, actor, priority, opens_at: datetime, closes_at: datetime, channels, open_to_email_voters: bool = False
) -> Vote:
    """Ask the neighbourhood's members (and, if `open_to_email_voters`, anyone who confirms an
    email address in the area) "Has this been fixed?" about a resolved priority."""
    now = timezone.now()
    _check_times(opens_at=opens_at, closes_at=closes_at, now=now)
    opens_at = max(opens_at, now)
    channels = _check_channels(channels)
    if priority.state != PriorityState.RESOLVED:
        raise ValidationError(_("Only a resolved priority is put to the community for sign-off."))
    vote = Vote(
        neighbourhood=priority.neighbourhood, purpose=VotePurpose.SIGN_OFF, method=VoteMethod.SINGLE,
        priority=priority, opens_at=opens_at, closes_at=closes_at, created_by=actor,
        open_to_email_voters=open_to_email_voters,
    )  # fmt: skip
    vote.full_clean()
    vote.save()
    VoteOption.objects.bulk_create(VoteOption(vote=vote, answer=a, position=i) for i, a in enumerate(SignOffAnswer))
    _invite(vote, actor=actor, channels=channels)
    return vote


# --- casting a ballot -------------------------------------------------------------------------


def ballot_refusal(*, token: str, now=None) -> tuple[str | None, Vote | None, Subscriber | EmailVoter | None]:
    """(why this link cannot vote now, or None; the vote; who holds it: the member, or the email
    voter), reading the link's claim."""
    email_claim = links.email_ballot_claim(token)
    claim = email_claim or links.ballot_claim(token)
    if claim is None:
        return TAMPERED, None, None
    vote = Vote.objects.select_related("neighbourhood", "priority").filter(pk=claim[0]).first()
    if vote is None:
        return TAMPERED, None, None
    if email_claim:
        holder = EmailVoter.objects.select_related("ward").filter(pk=claim[1], vote=vote).first()
        if holder is None or not vote.open_to_email_voters:
            return NOT_ELIGIBLE, vote, None
    else:
        holder = Subscriber.objects.current().select_related("ward").filter(pk=claim[1]).first()
        if holder is None or holder.ward.neighbourhood_id != vote.neighbourhood_id:
            return NOT_ELIGIBLE, vote, None
    now = now or timezone.now()
    if now < vote.opens_at:
        return NOT_OPEN, vote, holder
    if vote.counted_at is not None or now >= vote.closes_at:
        return CLOSED, vote, holder
    if email_claim:
        if holder.ballot_id is not None or _member_voted_from(vote=vote, email=holder.email):
            return SECOND, vote, holder
    elif Ballot.objects.filter(vote=vote, subscriber=holder).exists() or _email_voted_for(vote=vote, member=holder):
        return SECOND, vote, holder
    return None, vote, holder


# One person may hold both kinds of link: a member who voted and then left In the Know can ask for
# an email ballot at the same address, and an email voter can join In the Know before the vote
# closes. The address ties the two, so whichever link votes first, the other is a second ballot.


def _member_voted_from(*, vote: Vote, email: str) -> bool:
    return Ballot.objects.filter(
        vote=vote, subscriber__channels__channel=Channel.EMAIL, subscriber__channels__address=email
    ).exists()


def _email_voted_for(*, vote: Vote, member: Subscriber) -> bool:
    addresses = member.channels.filter(channel=Channel.EMAIL).values("address")
    return EmailVoter.objects.filter(vote=vote, ballot__isnull=False, email__in=addresses).exists()


def _chosen_options(vote: Vote, option_ids: list[int]) -> list[VoteOption]:
    """The options a ballot names, in the voter's order, checked against the vote's method."""
    options = {o.pk: o for o in vote.options.all()}
    if len(set(option_ids)) != len(option_ids) or any(pk not in options for pk in option_ids):
        raise ValidationError({"choices": _("Choose from the options on this ballot, each once.")})
    if vote.method == VoteMethod.SINGLE and len(option_ids) != 1:
        raise ValidationError({"choices": _("Choose one answer.")})
    if not 1 <= len(option_ids) <= MAX_CHOICES:
        raise ValidationError({"choices": _("Choose at least one and at most three.")})
    return [options[pk] for pk in option_ids]


@transaction.atomic
def ballot_cast(
    *, token: str, option_ids: list[int], age_band: str = "", sex: str = "", ethnic_group: str = ""
) -> Ballot:
    """Cast the ballot a member's link stands for. `option_ids` in the voter's order (a ranked
    ballot's first choice first). Age band and ethnic group the member gave when they joined are
    used where the ballot leaves them out. A second ballot is refused, by the one-ballot constraint
    if two arrive at once."""
    refusal, vote, holder = ballot_refusal(token=token)
    if refusal:
        raise ValidationError(REFUSALS[refusal], code=refusal)
    chosen = _chosen_options(vote, option_ids)
    if isinstance(holder, EmailVoter):
        # Locked, so two ballots sent at once from the same link cannot both be counted.
        holder = EmailVoter.objects.select_for_update().get(pk=holder.pk)
        if holder.ballot_id is not None:
            raise ValidationError(REFUSALS[SECOND], code=SECOND)
        ballot = Ballot(
            vote=vote, ward=holder.ward, age_band=age_band, sex=sex, ethnic_group=ethnic_group
        )  # fmt: skip
    else:
        ballot = Ballot(
            vote=vote,
            subscriber=holder,
            ward=holder.ward,
            age_band=age_band or holder.age_band,
            sex=sex,
            ethnic_group=ethnic_group or holder.ethnic_group,
        )
    ballot.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            ballot.save()
    except IntegrityError:
        raise ValidationError(REFUSALS[SECOND], code=SECOND) from None
    if isinstance(holder, EmailVoter):
        holder.ballot = ballot
        holder.save(update_fields=["ballot"])
    ranked = vote.method == VoteMethod.RANK
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, option=o, rank=i + 1 if ranked else None) for i, o in enumerate(chosen)
    )
    return ballot


# --- ballots for email voters -----------------------------------------------------------------


def _member_by_email(*, vote: Vote, email: str) -> Subscriber | None:
    """The member of the vote's neighbourhood whose confirmed email this is, if any."""
    return (
        Subscriber.objects.current()
        .filter(
            ward__neighbourhood=vote.neighbourhood_id,
            channels__channel=Channel.EMAIL,
            channels__address=email,
            channels__status=ChannelStatus.ACTIVE,
        )
        .first()
    )


@transaction.atomic
def email_ballot_request(*, vote: Vote, email: str, ward, language: str = "") -> str:
    """Send a ballot link to an address in the area, for a vote open to email voters: a member's
    own address gets their member link (so nobody votes twice), an address that asked before gets
    the same link again, never a second ballot. Returns "member", "again" or "new"; the page says
    the same whichever it is, so it tells nobody who is a member."""
    now = timezone.now()
    if not vote.open_to_email_voters:
        raise ValidationError(_("This vote is for In the Know members only."))
    if not vote.is_taking_ballots(now):
        raise ValidationError(_("This vote is not taking ballots now."))
    if ward.neighbourhood_id != vote.neighbourhood_id:
        raise ValidationError({"ward": _("Choose a ward of %(name)s.") % {"name": vote.neighbourhood.name}})
    email = email.strip().lower()
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    member = _member_by_email(vote=vote, email=email)
    if member is not None:
        recipient, kind = {"subscriber_id": member.pk}, "member"
    else:
        voter, created = EmailVoter.objects.get_or_create(vote=vote, email=email, defaults={"ward": ward})
        recipient, kind = {"voter_id": voter.pk}, "new" if created else "again"
    from priorities.tasks import send_email_ballot_task

    asked_from = site.site_url()
    transaction.on_commit(
        lambda: send_email_ballot_task.delay(vote_id=vote.pk, language=language, site_url=asked_from, **recipient)
    )
    return kind


# --- closing and counting ---------------------------------------------------------------------


@transaction.atomic
def vote_count(*, vote: Vote) -> Vote:
    """Count a vote whose closing time has passed and publish its result; counting again does
    nothing. The counts go on the vote and its options, where they stay once ballots are deleted."""
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    if vote.counted_at is not None:
        return vote
    if timezone.now() < vote.closes_at:
        raise ValidationError(_("This vote is still open: it is counted once it closes."))
    # The published words (group names, why there is no weighted figure) are kept in English, the
    # catalogues' source, and translated when the page is shown in the reader's language.
    with translation.override(settings.LANGUAGE_CODE):
        counted = results.count(vote=vote)
    options = list(vote.options.all())
    for option in options:
        figures = counted["options"][option.pk]
        option.score, option.first_preferences = figures["score"], figures["first"]
        option.weighted_score, option.is_winner = figures["weighted"], option.pk in counted["winners"]
    VoteOption.objects.bulk_update(options, ["score", "first_preferences", "weighted_score", "is_winner"])
    vote.voters, vote.weighting = counted["voters"], counted["weighting"]
    electorate = selectors.vote_electorate(vote=vote)
    vote.electorate, vote.confirmed_email_voters = electorate.total, electorate.email_voters
    vote.counted_at = timezone.now()
    vote.save(update_fields=["voters", "weighting", "electorate", "confirmed_email_voters", "counted_at"])
    return vote


@transaction.atomic
def vote_close(*, vote: Vote, actor) -> Vote:
    """Close an open vote early (a mistake on the ballot, events overtaking it) and count it."""
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    now = timezone.now()
    if vote.counted_at is not None or vote.closes_at <= now:
        return vote_count(vote=vote)
    if vote.opens_at > now:
        raise ValidationError(_("This vote has not opened yet, so there is nothing to close."))
    vote.closes_at, vote.closed_early_by = now, actor
    vote.save(update_fields=["closes_at", "closed_early_by"])
    return vote_count(vote=vote)


def votes_count_due(*, now=None) -> int:
    """Count every vote whose closing time has passed (the beat task's work)."""
    due = Vote.objects.due_to_count(now=now or timezone.now()).values_list("pk", flat=True)
    counted = 0
    for pk in list(due):
        vote_count(vote=Vote(pk=pk))
        counted += 1
    return counted


# --- deciding from the result -----------------------------------------------------------------


def priority_agree_by_vote(*, priority, actor, vote: Vote, review_date=None):
    """Record that the community agreed a priority by a closed vote, which it won."""
    from priorities.services import _agree

    problem = agreement.vote_problem(priority, vote, at=timezone.now())
    if problem:
        raise ValidationError({"vote": problem})
    return _agree(priority, actor=actor, review_date=review_date, agreed_by_vote=vote, agreed_at_meeting=None)


@transaction.atomic
def priority_sign_off_by_poll(*, priority, actor, poll: Vote):
    """Record the community's sign-off from its closed poll: the counts are the poll's, never
    typed in. Only when more than half who answered said it has been fixed."""
    from priorities.services import _check_actions_finished, _move

    problem = agreement.poll_problem(priority, poll, at=timezone.now())
    if problem:
        raise ValidationError({"poll": problem})
    counts = {o.answer: o.score or 0 for o in poll.options.all()}
    yes, partly, no = (counts.get(a, 0) for a in (SignOffAnswer.YES, SignOffAnswer.PARTLY, SignOffAnswer.NO))
    if yes * 2 <= yes + partly + no:
        raise ValidationError(
            {"poll": _("The community has not signed it off: %(yes)s of %(all)s who answered said it has been "
             "fixed. Keep working on it, or reopen it.") % {"yes": yes, "all": yes + partly + no}}
        )  # fmt: skip
    _check_actions_finished(priority, verb="sign_off")
    sign_off = SignOff(
        priority=priority, method=SignOffMethod.ONLINE_VOTE, poll=poll, votes_for=yes, votes_partly=partly,
        votes_against=no, recorded_by=actor,
    )  # fmt: skip
    _move(priority, actor=actor, verb="sign_off", note=str(sign_off.get_method_display()))
    sign_off.full_clean()
    sign_off.save()
    return priority


# --- retention --------------------------------------------------------------------------------


def ballots_delete_published(*, before) -> int:
    """Delete the ballots of votes published before `before`; their counts stay on the vote."""
    due = Vote.objects.filter(counted_at__lt=before, ballots_deleted_at__isnull=True)
    # The email voters' addresses go with the ballots: they were kept only to give one ballot each.
    EmailVoter.objects.filter(vote__in=due).delete()
    deleted = Ballot.objects.filter(vote__in=due).delete()[1].get(Ballot._meta.label, 0)
    due.update(ballots_deleted_at=timezone.now())
    return deleted
