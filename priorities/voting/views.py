"""Residents' votes: the ballot behind a member's link and the published result (public), and the
staff pages to put a vote, follow its turnout, close it and decide from it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.policy import can
from neighbourhoods.permissions import neighbourhood_get_for_user
from neighbourhoods.selectors import neighbourhood_public_get
from pact_portal import throttle
from pact_portal.forms import form_add_service_errors
from priorities.permissions import priority_get_for_user
from priorities.voting import refusals, results, selectors, services
from priorities.voting.forms import (
    BALLOT_THROTTLE_MESSAGE,
    EMAIL_BALLOT_SENT,
    AgreeByVoteForm,
    BallotForm,
    EmailBallotForm,
    SignOffPollForm,
    VoteForm,
)
from priorities.voting.models import VotePurpose
from priorities.voting.permissions import vote_get_for_user

# --- the resident's ballot --------------------------------------------------------------------


def _refused(request, refusal, vote, *, status):
    context = {"refusal": refusal, "message": refusals.REFUSALS[refusal], "vote": vote}
    return render(request, "priorities/voting/ballot_refused.html", context, status=status)


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def ballot(request, token):
    """A member's own signed link: the ballot, or why it cannot be used now."""
    refusal, vote, _member = services.ballot_refusal(token=token)
    if refusal:
        status = 400 if refusal == refusals.TAMPERED or request.method == "POST" else 200
        return _refused(request, refusal, vote, status=status)
    form = BallotForm(request.POST if request.method == "POST" else None, vote=vote)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.ballot_cast(
                token=token,
                option_ids=data["option_ids"],
                age_band=data["age_band"],
                sex=data["sex"],
                ethnic_group=data["ethnic_group"],
            )
        except ValidationError as error:
            if getattr(error, "code", None) in refusals.REFUSALS:
                return _refused(request, error.code, vote, status=400)
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: your vote has been counted."))
            return redirect("priorities:ballot", token=token)
    status = 400 if form.errors else 200
    return render(request, "priorities/voting/ballot.html", {"form": form, "vote": vote}, status=status)


@login_not_required
@require_safe
def result(request, reference):
    vote = selectors.published_vote(reference=reference)
    if vote is None:
        raise Http404("No such published vote.")
    weighting = results.weighting_for_reader(vote.weighting)
    context = {"vote": vote, "rows": selectors.option_rows(vote=vote), "weighting": weighting}
    return render(request, "priorities/voting/result.html", context)


@login_not_required
@require_safe
def neighbourhood_results(request, code):
    neighbourhood = neighbourhood_public_get(code=code)
    if neighbourhood is None:
        raise Http404("No such neighbourhood.")
    votes = selectors.published_votes_for_neighbourhood(neighbourhood=neighbourhood)
    open_votes = selectors.votes_open_to_email_voters(neighbourhood=neighbourhood, now=timezone.now())
    context = {"neighbourhood": neighbourhood, "votes": votes, "open_votes": open_votes}
    return render(request, "priorities/voting/public_list.html", context)


# Each request emails a ballot link, so, as with following a priority, a script must not flood an
# inbox; one household asking for a few ballots from a shared connection is never stopped.
BALLOT_REQUESTS_PER_ADDRESS_PER_HOUR = 20
BALLOT_REQUESTS_PER_EMAIL_PER_HOUR = 3


def _ballot_request_counters(request, email: str) -> list[tuple[str, int]]:
    return [
        (throttle.address_key(request, "vote-ballot-requests"), BALLOT_REQUESTS_PER_ADDRESS_PER_HOUR),
        (throttle.contact_key("vote-ballot-requests", email), BALLOT_REQUESTS_PER_EMAIL_PER_HOUR),
    ]


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_ballot_request(request, reference):
    """Not an In the Know member: ask for a ballot link by email, on a vote open to the area."""
    vote = selectors.vote_open_to_email_voters(reference=reference, now=timezone.now())
    if vote is None:
        raise Http404("No vote open to ballots by email.")
    form = EmailBallotForm(request.POST if request.method == "POST" else None, vote=vote)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            email = form.cleaned_data["email"]
            counters = _ballot_request_counters(request, email)
            if throttle.throttled(counters):
                form.add_error(None, BALLOT_THROTTLE_MESSAGE)
                status = 429
            else:
                throttle.count(counters)
                try:
                    services.email_ballot_request(
                        vote=vote, email=email, ward=form.cleaned_data["ward"], language=request.LANGUAGE_CODE
                    )
                except ValidationError as error:
                    form_add_service_errors(form, error)
                else:
                    # The same words whether the address is a member's, new, or asked before.
                    messages.success(request, EMAIL_BALLOT_SENT % {"email": email})
                    return redirect("priorities:public-votes", code=vote.neighbourhood.code)
    context = {"form": form, "vote": vote, "neighbourhood": vote.neighbourhood}
    return render(request, "priorities/voting/email_ballot_request.html", context, status=status)


# --- staff ------------------------------------------------------------------------------------


def _neighbourhood(request, code):
    neighbourhood = neighbourhood_get_for_user(user=request.user, code=code)
    if not can(request.user, "priority.view_board", neighbourhood):
        raise Http404("No such neighbourhood in your area.")
    return neighbourhood


@require_safe
def vote_list(request, code):
    neighbourhood = _neighbourhood(request, code)
    context = {
        "neighbourhood": neighbourhood,
        "votes": list(selectors.votes_for_neighbourhood(neighbourhood=neighbourhood)),
        "can_create": can(request.user, "vote.create", neighbourhood),
        "now": timezone.now(),
    }
    return render(request, "priorities/voting/vote_list.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def vote_create(request, code):
    neighbourhood = _neighbourhood(request, code)
    if not can(request.user, "vote.create", neighbourhood):
        raise PermissionDenied
    proposals = selectors.proposals_to_vote_on(neighbourhood=neighbourhood)
    data = request.POST if request.method == "POST" else None
    form = VoteForm(data, proposals=proposals)
    if data is not None and form.is_valid():
        values = form.cleaned_data
        try:
            vote = services.vote_create(actor=request.user, neighbourhood=neighbourhood, **values)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("The vote is set up: each member gets their ballot link when it opens."))
            return redirect("priorities:vote-detail", pk=vote.pk)
    context = {"form": form, "neighbourhood": neighbourhood}
    return render(request, "priorities/voting/vote_form.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def sign_off_poll_create(request, pk):
    priority = priority_get_for_user(user=request.user, pk=pk, need="priority.edit")
    data = request.POST if request.method == "POST" else None
    form = SignOffPollForm(data)
    if data is not None and form.is_valid():
        try:
            vote = services.sign_off_poll_create(actor=request.user, priority=priority, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("The poll is set up: each member gets their link when it opens."))
            return redirect("priorities:vote-detail", pk=vote.pk)
    context = {"form": form, "priority": priority, "neighbourhood": priority.neighbourhood}
    return render(request, "priorities/voting/poll_form.html", context, status=400 if form.errors else 200)


def _render_detail(request, vote, *, agree_form=None, status=200):
    user = request.user
    context = {
        "vote": vote,
        "now": timezone.now(),
        # Once counted, the count's voters: the ballots themselves are deleted some days later.
        "turnout": vote.voters if vote.is_published else selectors.vote_turnout(vote=vote),
        "electorate": selectors.vote_electorate_shown(vote=vote),
        "rows": selectors.option_rows(vote=vote) if vote.is_published else [],
        "weighting": results.weighting_for_reader(vote.weighting),
        "can_close": can(user, "vote.close", vote) and vote.is_taking_ballots(),
        # Who agrees priorities (priority.manage) is who puts them to a vote, for the whole neighbourhood.
        "can_decide": vote.is_published and vote.purpose == VotePurpose.PRIORITIES
        and can(user, "vote.create", vote.neighbourhood),
        "can_sign_off": vote.purpose == VotePurpose.SIGN_OFF and vote.is_published
        and can(user, "priority.edit", vote.priority) and vote.priority.state == "resolved",
        "agree_form": agree_form or AgreeByVoteForm(),
    }  # fmt: skip
    return render(request, "priorities/voting/vote_detail.html", context, status=status)


@require_safe
def vote_detail(request, pk):
    return _render_detail(request, vote_get_for_user(user=request.user, pk=pk))


@require_POST
def vote_close(request, pk):
    vote = vote_get_for_user(user=request.user, pk=pk, need="vote.close")
    try:
        services.vote_close(vote=vote, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The vote is closed and its result published."))
    return redirect("priorities:vote-detail", pk=vote.pk)


@require_POST
def vote_agree(request, pk, priority_pk):
    vote = vote_get_for_user(user=request.user, pk=pk)
    priority = priority_get_for_user(user=request.user, pk=priority_pk, need="priority.manage")
    form = AgreeByVoteForm(request.POST)
    if form.is_valid():
        try:
            services.priority_agree_by_vote(
                priority=priority, actor=request.user, vote=vote, review_date=form.cleaned_data["review_date"]
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” is agreed by the vote.") % {"title": priority.title})
            return redirect("priorities:vote-detail", pk=vote.pk)
    return _render_detail(request, vote, agree_form=form, status=400)


@require_POST
def poll_sign_off(request, pk):
    vote = vote_get_for_user(user=request.user, pk=pk)
    if vote.purpose != VotePurpose.SIGN_OFF:
        raise Http404("Only a sign-off poll signs a priority off.")
    priority = priority_get_for_user(user=request.user, pk=vote.priority_id, need="priority.edit")
    try:
        services.priority_sign_off_by_poll(priority=priority, actor=request.user, poll=vote)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("priorities:vote-detail", pk=vote.pk)
    messages.success(request, _("The community's sign-off is recorded with the poll's counts."))
    return redirect("priorities:detail", pk=priority.pk)
