"""The EPIC record for staff (its page, transitions, text and actions), the neighbourhood's
priorities board, a partner agency's actions and the briefing page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.policy import can, policy_required
from accounts.roles import ScopeLevel
from neighbourhoods.permissions import neighbourhood_get_for_user
from neighbourhoods.selectors import neighbourhoods_for_user
from pact_portal.forms import form_add_service_errors
from priorities import services
from priorities.forms.records import TRANSITION_FORMS, ActionAddForm, ActionUpdateForm, PriorityEditForm
from priorities.permissions import action_get_for_user, priority_get_for_user
from priorities.selectors import records as selectors

# Who may make each move (accounts/policy.py): sergeant or above agrees, escalates and closes;
# the neighbourhood team puts a priority in action and records the community's sign-off.
VERB_RULES = {
    "agree": "priority.manage",
    "start": "priority.edit",
    "escalate": "priority.manage",
    "de_escalate": "priority.manage",
    "resolve": "priority.manage",
    "sign_off": "priority.edit",
    "not_adopt": "priority.manage",
    "reopen": "priority.manage",
}
TRANSITION_SERVICES = {
    "agree": services.priority_agree,
    "start": services.priority_start,
    "escalate": services.priority_escalate,
    "de_escalate": services.priority_de_escalate,
    "resolve": services.priority_resolve,
    "sign_off": services.priority_sign_off,
    "not_adopt": services.priority_not_adopt,
    "reopen": services.priority_reopen,
}
# (button on the record page, what the verb did, in a sentence).
_DONE = "what a step did to a priority"
VERB_WORDS = {
    "agree": (gettext_lazy("Agree"), pgettext_lazy(_DONE, "agreed")),
    "start": (gettext_lazy("Put in action"), pgettext_lazy(_DONE, "put in action")),
    "escalate": (gettext_lazy("Escalate"), pgettext_lazy(_DONE, "escalated")),
    "de_escalate": (gettext_lazy("De-escalate"), pgettext_lazy(_DONE, "de-escalated")),
    "resolve": (gettext_lazy("Resolve"), pgettext_lazy(_DONE, "resolved")),
    "sign_off": (gettext_lazy("Record community sign-off"), pgettext_lazy(_DONE, "signed off")),
    "not_adopt": (gettext_lazy("Do not adopt"), pgettext_lazy(_DONE, "marked not adopted")),
    "reopen": (gettext_lazy("Reopen"), pgettext_lazy(_DONE, "reopened")),
}


def _may_read_priorities(user, neighbourhood) -> bool:
    return can(user, "priority.view_board", neighbourhood)


# --- the EPIC record --------------------------------------------------------------------------


def _transitions(user, priority) -> list[dict]:
    return [
        {"verb": verb, "label": VERB_WORDS[verb][0], "has_fields": bool(TRANSITION_FORMS[verb].base_fields)}
        for verb in services.allowed_verbs(priority)
        if can(user, VERB_RULES[verb], priority)
    ]


@require_GET
def priority_detail(request, pk):
    priority_get_for_user(user=request.user, pk=pk)
    priority = selectors.priority_record(pk=pk)
    show_restricted = can(request.user, "priority.view_restricted", priority)
    actions = list(priority.actions.all())
    for action in actions:
        action.can_update = can(request.user, "action.update", action)
        action.update_form = ActionUpdateForm(action=action) if action.can_update else None
    context = {
        "priority": priority,
        "actions": actions,
        "show_restricted": show_restricted,
        "can_edit": can(request.user, "priority.edit", priority),
        # The team that triages the neighbourhood's issues may open each one (issue.triage).
        "can_open_issues": can(request.user, "priority.propose", priority.neighbourhood),
        "transitions": _transitions(request.user, priority),
        "history": selectors.priority_history(priority=priority, show_restricted=show_restricted),
    }
    return render(request, "priorities/record_detail.html", context)


@require_http_methods(["GET", "POST"])
def priority_transition(request, pk, verb):
    if verb not in services.TRANSITIONS:
        raise Http404("No such step for a priority.")
    priority = priority_get_for_user(user=request.user, pk=pk, need=VERB_RULES[verb])
    if verb not in services.allowed_verbs(priority):
        messages.error(
            request,
            _("This priority is %(state)s, so it cannot be %(done)s now. Nothing was changed.")
            % {"state": priority.get_state_display().lower(), "done": VERB_WORDS[verb][1]},
        )
        return redirect(priority)
    if verb == "sign_off":
        meetings = selectors.sign_off_meetings_for_priority(priority=priority)
    else:
        meetings = selectors.agreement_meetings_for_priority(priority=priority)
    form_class = TRANSITION_FORMS[verb]
    extra = {"unfinished": selectors.unfinished_actions(priority=priority)} if verb == "resolve" else {}
    form = form_class(request.POST if request.method == "POST" else None, priority=priority, meetings=meetings, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            TRANSITION_SERVICES[verb](priority=priority, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            priority.refresh_from_db()
            form_add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Priority %(done)s: it is now %(state)s.")
                % {"done": VERB_WORDS[verb][1], "state": priority.get_state_display().lower()},
            )
            return redirect(priority)
    context = {"priority": priority, "form": form, "verb": verb}
    if verb == "resolve":
        context["unfinished"] = form.unfinished
    elif verb == "sign_off":
        context["unfinished"] = selectors.unfinished_actions(priority=priority)
    return render(request, "priorities/record_transition.html", context)


@require_http_methods(["GET", "POST"])
def priority_edit(request, pk):
    priority = priority_get_for_user(user=request.user, pk=pk, need="priority.edit")
    show_restricted = can(request.user, "priority.view_restricted", priority)
    data = request.POST if request.method == "POST" else None
    form = PriorityEditForm(data, priority=priority, show_restricted=show_restricted)
    if request.method == "POST" and form.is_valid():
        try:
            services.priority_update(priority=priority, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            priority.refresh_from_db()
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Priority saved. The change is in its history."))
            return redirect(priority)
    return render(request, "priorities/record_edit.html", {"priority": priority, "form": form})


# --- actions ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def action_add(request, pk):
    priority = priority_get_for_user(user=request.user, pk=pk, need="priority.edit")
    if not priority.is_open:
        messages.error(request, _("Actions are added to open priorities only. Reopen it first if the problem is back."))
        return redirect(priority)
    form = ActionAddForm(
        request.POST if request.method == "POST" else None,
        officers=selectors.team_officers(neighbourhood=priority.neighbourhood),
        agencies=selectors.partner_agencies(),
        partner_users=selectors.partner_users(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_add(priority=priority, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Action added, owned by %(owner)s.") % {"owner": action.owner_label})
            return redirect(f"{priority.get_absolute_url()}#action-{action.pk}")
    return render(request, "priorities/record_action_add.html", {"priority": priority, "form": form})


def _after_update_url(user, action) -> str:
    if can(user, "priority.view_internal", action.priority):
        return f"{action.priority.get_absolute_url()}#action-{action.pk}"
    return reverse("priorities:partner-actions") + f"#action-{action.pk}"


@require_http_methods(["GET", "POST"])
def action_update(request, pk):
    """A dated update to an action, from the record page, a partner's list (inline, by htmx) or
    its own page. Partners reach only their agency's actions."""
    action = action_get_for_user(user=request.user, pk=pk, write=True)
    form = ActionUpdateForm(request.POST if request.method == "POST" else None, action=action)
    notice = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(action=action, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            action.refresh_from_db()
            form_add_service_errors(form, error)
        else:
            notice = _("Update added: the action is %(status)s.") % {"status": action.get_status_display().lower()}
            if not request.htmx:
                messages.success(request, notice)
                return redirect(_after_update_url(request.user, action))
            form = ActionUpdateForm(action=action)
    selectors.action_with_log(action=action)
    action.update_form = form
    context = {"action": action, "form": form, "notice": notice, "back_url": _after_update_url(request.user, action)}
    if request.htmx:
        response = render(request, "priorities/_record_action_card.html", context)
    else:
        response = render(request, "priorities/record_action_update.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@policy_required("staff.dashboard")
def partner_actions(request):
    """A partner user's work: the actions their agency owns, in every neighbourhood."""
    if not request.user.agency_id:
        raise Http404("Only partner agency users have actions listed here.")
    actions = selectors.actions_for_partner(user=request.user)
    for action in actions.to_do:
        action.update_form = ActionUpdateForm(action=action)
        action.log = list(action.updates.all())
    for action in actions.finished:
        action.log = list(action.updates.all())
    return render(request, "priorities/partner_actions.html", {"actions": actions})


# --- the board --------------------------------------------------------------------------------


def _neighbourhood_for_priorities(*, user, code: str):
    neighbourhood = neighbourhood_get_for_user(user=user, code=code)
    if not _may_read_priorities(user, neighbourhood):
        raise Http404("No priorities of yours here.")
    return neighbourhood


@require_GET
def board(request, code):
    neighbourhood = _neighbourhood_for_priorities(user=request.user, code=code)
    context = {
        "neighbourhood": neighbourhood,
        "columns": selectors.priority_board(neighbourhood=neighbourhood),
        "can_propose": can(request.user, "priority.propose", neighbourhood),
    }
    return render(request, "priorities/board.html", context)


# --- the briefing -----------------------------------------------------------------------------


@require_GET
@policy_required("staff.dashboard")
def briefing_index(request):
    """Straight to the user's own briefing: a chief inspector's division, or the division of an
    officer's first neighbourhood if they may read it (else that neighbourhood's own page).
    Force-wide users, and officers of several neighbourhoods, choose from a list."""
    user = request.user
    divisions = selectors.divisions_for_user(user=user)
    neighbourhoods = []
    if user.scope_level == ScopeLevel.NEIGHBOURHOOD:
        neighbourhoods = [n for n in neighbourhoods_for_user(user=user) if _may_read_priorities(user, n)]
        own_division_id = neighbourhoods[0].division_id if neighbourhoods else None
    else:
        own_division_id = user.division_id if user.scope_level == ScopeLevel.DIVISION else None
    own = next((d for d in divisions if d.pk == own_division_id), None)
    if own is not None:
        return redirect("priorities:briefing-division", code=own.code)
    if len(neighbourhoods) == 1:
        return redirect("priorities:briefing-neighbourhood", code=neighbourhoods[0].code)
    return render(request, "priorities/briefing_index.html", {"divisions": divisions, "neighbourhoods": neighbourhoods})


def _render_briefing(request, *, heading: str, sections, division=None, neighbourhood=None):
    now = timezone.now()
    context = {
        "heading": heading,
        "sections": sections,
        "division": division,
        "neighbourhood": neighbourhood,
        "now": now,
        "since": now - selectors.BRIEFING_WINDOW,
        "can_read_division": neighbourhood is not None and can(request.user, "division.view", neighbourhood.division),
    }
    return render(request, "priorities/briefing.html", context)


@require_GET
def briefing_division(request, code):
    division = selectors.division_for_briefing(user=request.user, code=code)
    if division is None:
        raise Http404("No such division in your area.")
    sections = selectors.briefing(neighbourhoods=selectors.division_neighbourhoods(division=division))
    return _render_briefing(request, heading=division.name, sections=sections, division=division)


@require_GET
def briefing_neighbourhood(request, code):
    neighbourhood = _neighbourhood_for_priorities(user=request.user, code=code)
    sections = selectors.briefing(neighbourhoods=[neighbourhood])
    return _render_briefing(request, heading=neighbourhood.name, sections=sections, neighbourhood=neighbourhood)
