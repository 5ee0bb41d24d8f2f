"""Pages for partner agency users (their neighbourhoods' boards, raising an issue, offering an
action) and for the team that answers their offers."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import can
from neighbourhoods.models import Neighbourhood, Ward
from pact_portal.forms import form_add_service_errors
from priorities.partners import selectors, services
from priorities.partners.forms import ActionProposeForm, PartnerIssueForm, ProposalDeclineForm
from priorities.partners.models import ActionProposal


def _neighbourhood(user, code: str, action: str) -> Neighbourhood:
    neighbourhood = Neighbourhood.objects.select_related("division").filter(code=code).first()
    if neighbourhood is None or not can(user, action, neighbourhood):
        raise Http404("No such neighbourhood among those you work with.")
    return neighbourhood


@require_GET
def board_index(request):
    neighbourhoods = selectors.partner_neighbourhoods(user=request.user)
    if not neighbourhoods:
        raise Http404("Your account works with no neighbourhood yet.")
    if len(neighbourhoods) == 1:
        return redirect("priorities:partner-board", code=neighbourhoods[0].code)
    return render(request, "priorities/partners/board_index.html", {"neighbourhoods": neighbourhoods})


@require_GET
def board(request, code):
    neighbourhood = _neighbourhood(request.user, code, "priority.view_partner_board")
    rows = selectors.partner_board(neighbourhood=neighbourhood, user=request.user)
    return render(request, "priorities/partners/board.html", {"neighbourhood": neighbourhood, "rows": rows})


@require_http_methods(["GET", "POST"])
def issue_raise(request, code):
    neighbourhood = _neighbourhood(request.user, code, "issue.raise_as_partner")
    wards = Ward.objects.filter(neighbourhood=neighbourhood).defer("boundary").order_by("name")
    form = PartnerIssueForm(request.POST if request.method == "POST" else None, wards=wards)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_issue_raise(actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Issue raised: it is in the neighbourhood team's triage queue."))
            return redirect("priorities:partner-board", code=neighbourhood.code)
    return render(request, "priorities/partners/issue_raise.html", {"neighbourhood": neighbourhood, "form": form})


@require_http_methods(["GET", "POST"])
def action_propose(request, pk):
    priority = selectors.priority_for_partner(pk=pk)
    if priority is None or not can(request.user, "action.propose", priority):
        raise Http404("No such priority among those you work with.")
    form = ActionProposeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_propose(priority=priority, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Action offered: the neighbourhood team will accept it or tell you why not."))
            return redirect("priorities:partner-board", code=priority.neighbourhood.code)
    return render(request, "priorities/partners/action_propose.html", {"priority": priority, "form": form})


@require_GET
def proposal_list(request, code):
    neighbourhood = Neighbourhood.objects.select_related("division").filter(code=code).first()
    if neighbourhood is None or not can(request.user, "priority.propose", neighbourhood):
        raise Http404("No such neighbourhood in your team.")
    context = {
        "neighbourhood": neighbourhood,
        "pending": list(selectors.pending_proposals(neighbourhood=neighbourhood)),
        "decided": selectors.recent_decided_proposals(neighbourhood=neighbourhood),
        "decline_form": ProposalDeclineForm(),
    }
    return render(request, "priorities/partners/proposals.html", context)


def _proposal(user, pk: int) -> ActionProposal:
    proposal = ActionProposal.objects.select_related("priority__neighbourhood").filter(pk=pk).first()
    if proposal is None or not can(user, "action_proposal.decide", proposal):
        raise Http404("No such offer for your team.")
    return proposal


@require_POST
def proposal_accept(request, pk):
    proposal = _proposal(request.user, pk)
    try:
        services.action_proposal_accept(
            proposal=proposal, actor=request.user, is_public=bool(request.POST.get("is_public"))
        )
    except ValidationError as error:
        messages.error(request, " ".join([*error.messages, _("Nothing was changed.")]))
    else:
        messages.success(request, _("Accepted: %(agency)s owns the action on the plan.") % {"agency": proposal.agency})
    return redirect("priorities:action-offers", code=proposal.priority.neighbourhood.code)


@require_POST
def proposal_decline(request, pk):
    proposal = _proposal(request.user, pk)
    form = ProposalDeclineForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Tell the agency why, so they can offer something else."))
        services.action_proposal_decline(proposal=proposal, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join([*error.messages, _("Nothing was changed.")]))
    else:
        messages.success(request, _("Declined: %(agency)s will see your reason.") % {"agency": proposal.agency})
    return redirect("priorities:action-offers", code=proposal.priority.neighbourhood.code)
