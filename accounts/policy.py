"""The one place that answers "may this user do this action on this object?".

Every view, API endpoint and template asks `can(user, action, obj)`; no other module decides
access. Rules are registered per action name ("<entity>.<verb>") so each app's rules sit here,
side by side, where a reviewer can read the whole policy at once.

Area scope: a neighbourhood officer's area is their current team memberships, a chief
inspector's is their division, HQ, communications and system administrators see the force.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied

from accounts.roles import NEIGHBOURHOOD_TEAM_ROLES, POLICE_ROLES, Role, ScopeLevel


@dataclass(frozen=True)
class AreaScope:
    level: ScopeLevel
    neighbourhood_ids: frozenset[int] = frozenset()
    division_ids: frozenset[int] = frozenset()
    # None means every force: a system administrator not tied to one force.
    force_ids: frozenset[int] | None = frozenset()

    def covers_neighbourhood(self, neighbourhood) -> bool:
        if self.level == ScopeLevel.NEIGHBOURHOOD:
            return neighbourhood.pk in self.neighbourhood_ids
        if self.level == ScopeLevel.DIVISION:
            return neighbourhood.division_id in self.division_ids
        if self.level == ScopeLevel.FORCE:
            return self.force_ids is None or neighbourhood.division.force_id in self.force_ids
        return False

    def covers_division(self, division) -> bool:
        if self.level == ScopeLevel.DIVISION:
            return division.pk in self.division_ids
        if self.level == ScopeLevel.FORCE:
            return self.force_ids is None or division.force_id in self.force_ids
        return False

    def neighbourhood_filter(self, *, via: str = "") -> dict | None:
        """Keyword filter for a Neighbourhood queryset, or None for "no neighbourhoods". `via` is
        the path to the neighbourhood from another model, e.g. "ward__neighbourhood__"."""
        if self.level == ScopeLevel.NEIGHBOURHOOD:
            lookup = {"pk__in": self.neighbourhood_ids}
        elif self.level == ScopeLevel.DIVISION:
            lookup = {"division_id__in": self.division_ids}
        elif self.level == ScopeLevel.FORCE:
            lookup = {} if self.force_ids is None else {"division__force_id__in": self.force_ids}
        else:
            return None
        return {f"{via}{key}": value for key, value in lookup.items()}


NO_SCOPE = AreaScope(level=ScopeLevel.NONE)


def scope_for(user) -> AreaScope:
    """The user's area, worked out once per user object (one query at most)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_area_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._area_scope = scope
    return scope


def _compute_scope(user) -> AreaScope:
    from neighbourhoods.models import TeamMembership

    level = user.scope_level
    if level == ScopeLevel.NEIGHBOURHOOD:
        ids = TeamMembership.objects.current().filter(user=user).values_list("neighbourhood_id", flat=True)
        return AreaScope(level=level, neighbourhood_ids=frozenset(ids))
    if level == ScopeLevel.DIVISION:
        return AreaScope(level=level, division_ids=frozenset([user.division_id]) if user.division_id else frozenset())
    if level == ScopeLevel.FORCE:
        return AreaScope(level=level, force_ids=None if user.force_id is None else frozenset([user.force_id]))
    return NO_SCOPE


Rule = Callable[..., bool]
_RULES: dict[str, Rule] = {}


def rule(action: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        if action in _RULES:
            raise ValueError(f"Rule for {action!r} registered twice.")
        _RULES[action] = fn
        return fn

    return register


def can(user, action: str, obj=None) -> bool:
    # An unknown action is a programming error; failing loudly beats silently allowing or denying.
    check = _RULES[action]
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(check(user, obj))


def registered_actions() -> list[str]:
    return sorted(_RULES)


def policy_required(action: str):
    """View decorator for actions that need no object: 403 unless `can(user, action)`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# --- staff area -------------------------------------------------------------------------------


@rule("staff.dashboard")
def _staff_dashboard(user, obj=None) -> bool:
    return user.is_staff_member


@rule("account.two_factor")
def _account_two_factor(user, obj=None) -> bool:
    # TOTP is offered to staff, who hold residents' personal data, and to anyone the Django admin
    # lets in (is_staff); residents sign in with a password.
    return user.is_staff_member or user.is_staff


# --- neighbourhoods ---------------------------------------------------------------------------


def _works_neighbourhood(user, neighbourhood) -> bool:
    """The neighbourhood team (and system administrators) in whose area it is."""
    allowed = user.role in NEIGHBOURHOOD_TEAM_ROLES or user.role == Role.SYSTEM_ADMIN
    return allowed and scope_for(user).covers_neighbourhood(neighbourhood)


@rule("neighbourhood.view_internal")
def _neighbourhood_view_internal(user, neighbourhood) -> bool:
    return user.is_staff_member and scope_for(user).covers_neighbourhood(neighbourhood)


@rule("neighbourhood.edit")
def _neighbourhood_edit(user, neighbourhood) -> bool:
    # The team that works the area keeps its public profile; a chief inspector or HQ reads it.
    return _works_neighbourhood(user, neighbourhood)


@rule("division.view")
def _division_view(user, division) -> bool:
    return user.is_staff_member and scope_for(user).covers_division(division)


# --- meetings ---------------------------------------------------------------------------------


@rule("meeting.create")
def _meeting_create(user, neighbourhood) -> bool:
    return _works_neighbourhood(user, neighbourhood)


@rule("meeting.view_internal")
def _meeting_view_internal(user, meeting) -> bool:
    # A town-wide meeting is read by the staff of every neighbourhood it covers; it stays the host
    # team's to edit, and its restricted notes stay with the host's police (below).
    if not user.is_staff_member:
        return False
    scope = scope_for(user)
    return scope.covers_neighbourhood(meeting.neighbourhood) or any(
        scope.covers_neighbourhood(n) for n in meeting.also_covers.all()
    )


@rule("meeting.edit")
def _meeting_edit(user, meeting) -> bool:
    return _works_neighbourhood(user, meeting.neighbourhood)


@rule("meeting.view_restricted")
def _meeting_view_restricted(user, meeting) -> bool:
    # Restricted notes hold sensitive community information: police only, not partners or comms.
    police = user.role in POLICE_ROLES or user.role == Role.SYSTEM_ADMIN
    return police and scope_for(user).covers_neighbourhood(meeting.neighbourhood)


# --- PACT panels ------------------------------------------------------------------------------
# A panel may serve several neighbourhoods; the officers of any of them keep its register. Members'
# contact details are private to the police team: partners and communications never see them.


@rule("panel.view")
def _panel_view(user, panel) -> bool:
    return any(_police_in_area(user, n) for n in panel.neighbourhoods.all())


@rule("panel.edit")
def _panel_edit(user, panel) -> bool:
    return any(_works_neighbourhood(user, n) for n in panel.neighbourhoods.all())


# --- priorities -------------------------------------------------------------------------------

# Sergeant or above agrees, escalates and closes (HMIC's account of Lancashire's EPIC process).
PRIORITY_MANAGERS = frozenset({Role.SERGEANT, Role.INSPECTOR, Role.CHIEF_INSPECTOR, Role.SYSTEM_ADMIN})


def _police_in_area(user, neighbourhood) -> bool:
    police = user.role in POLICE_ROLES or user.role == Role.SYSTEM_ADMIN
    return police and scope_for(user).covers_neighbourhood(neighbourhood)


@rule("priority.propose")
def _priority_propose(user, neighbourhood) -> bool:
    return _works_neighbourhood(user, neighbourhood)


@rule("priority.view_board")
def _priority_view_board(user, neighbourhood) -> bool:
    """Read a neighbourhood's priority records: the board, the briefing, each EPIC record."""
    # Partners reach a priority through the actions their agency owns (action.view), not by area.
    return user.role != Role.PARTNER and user.is_staff_member and scope_for(user).covers_neighbourhood(neighbourhood)


@rule("priority.view_internal")
def _priority_view_internal(user, priority) -> bool:
    return _priority_view_board(user, priority.neighbourhood)


@rule("priority.view_restricted")
def _priority_view_restricted(user, priority) -> bool:
    return _police_in_area(user, priority.neighbourhood)


@rule("priority.edit")
def _priority_edit(user, priority) -> bool:
    """Edit the text, add actions, record the community's sign-off: the neighbourhood team."""
    return _works_neighbourhood(user, priority.neighbourhood)


@rule("priority.manage")
def _priority_manage(user, priority) -> bool:
    return user.role in PRIORITY_MANAGERS and scope_for(user).covers_neighbourhood(priority.neighbourhood)


# Residents' votes (priorities/voting): a vote decides priorities, so it is put and closed by those
# who agree them; anyone who reads the board follows its turnout.


@rule("vote.create")
def _vote_create(user, neighbourhood) -> bool:
    return user.role in PRIORITY_MANAGERS and scope_for(user).covers_neighbourhood(neighbourhood)


@rule("vote.view")
def _vote_view(user, vote) -> bool:
    return _priority_view_board(user, vote.neighbourhood)


@rule("vote.close")
def _vote_close(user, vote) -> bool:
    return _vote_create(user, vote.neighbourhood)


@rule("issue.triage")
def _issue_triage(user, issue) -> bool:
    return _works_neighbourhood(user, issue.neighbourhood)


def _partner_owns(user, action) -> bool:
    return user.role == Role.PARTNER and user.agency_id is not None and action.owner_agency_id == user.agency_id


@rule("action.view")
def _action_view(user, action) -> bool:
    return _partner_owns(user, action) or _priority_view_internal(user, action.priority)


@rule("action.update")
def _action_update(user, action) -> bool:
    return _partner_owns(user, action) or _works_neighbourhood(user, action.priority.neighbourhood)


# --- partners at the same table ---------------------------------------------------------------
# A partner agency user works with the neighbourhoods of their current team memberships: they read
# those boards (public text, every agency's public actions, text marked for partners; never the
# police's restricted notes), raise issues for triage and offer actions for their agency.


def _partner_works(user, neighbourhood) -> bool:
    partner = user.role == Role.PARTNER and user.agency_id is not None
    return partner and scope_for(user).covers_neighbourhood(neighbourhood)


@rule("priority.view_partner_board")
def _priority_view_partner_board(user, neighbourhood) -> bool:
    return _partner_works(user, neighbourhood)


@rule("issue.raise_as_partner")
def _issue_raise_as_partner(user, neighbourhood) -> bool:
    return _partner_works(user, neighbourhood)


@rule("action.propose")
def _action_propose(user, priority) -> bool:
    return _partner_works(user, priority.neighbourhood)


@rule("action_proposal.decide")
def _action_proposal_decide(user, proposal) -> bool:
    """The team that keeps the plan accepts a partner's offer onto it, or declines it."""
    return _works_neighbourhood(user, proposal.priority.neighbourhood)


# --- divisional tasking -----------------------------------------------------------------------

TASKING_MANAGERS = frozenset({Role.OPERATIONS_MANAGER, Role.SYSTEM_ADMIN})
TASKING_READERS = TASKING_MANAGERS | {Role.CHIEF_INSPECTOR, Role.HQ}


@rule("tasking.view")
def _tasking_view(user, division) -> bool:
    return user.role in TASKING_READERS and scope_for(user).covers_division(division)


@rule("tasking.manage")
def _tasking_manage(user, division) -> bool:
    """Build a forum's agenda from the queue and record its decisions: the division's operations manager."""
    return user.role in TASKING_MANAGERS and scope_for(user).covers_division(division)


# --- In the Know ------------------------------------------------------------------------------

# Who writes alerts: the neighbourhood team for its own area, and those with a wider area for it.
ALERT_COMPOSERS = NEIGHBOURHOOD_TEAM_ROLES | {Role.CHIEF_INSPECTOR, Role.HQ, Role.COMMUNICATIONS, Role.SYSTEM_ADMIN}
# Force-wide alerts go out under the force's name: the communications office approves them.
ALERT_APPROVERS = frozenset({Role.COMMUNICATIONS, Role.SYSTEM_ADMIN})
# The outbox shows residents' addresses and every message: the communications office and HQ only.
OUTBOX_READERS = frozenset({Role.COMMUNICATIONS, Role.HQ, Role.SYSTEM_ADMIN})


def _covers_force(user, force_id) -> bool:
    scope = scope_for(user)
    return scope.level == ScopeLevel.FORCE and (scope.force_ids is None or force_id in scope.force_ids)


def _partner_composer(user) -> bool:
    # Fire and rescue, the council, the PCC's office: they write for the neighbourhoods they work with.
    return user.role == Role.PARTNER and user.agency_id is not None


@rule("alert.compose")
def _alert_compose(user, obj=None) -> bool:
    return user.role in ALERT_COMPOSERS or _partner_composer(user)


@rule("alert.target_neighbourhood")
def _alert_target_neighbourhood(user, neighbourhood) -> bool:
    composer = user.role in ALERT_COMPOSERS or _partner_composer(user)
    return composer and scope_for(user).covers_neighbourhood(neighbourhood)


@rule("alert.target_division")
def _alert_target_division(user, division) -> bool:
    # A PCSO's area is neighbourhoods, never a whole division, even if they work all of them.
    return user.role in ALERT_COMPOSERS and scope_for(user).covers_division(division)


@rule("alert.target_force")
def _alert_target_force(user, force) -> bool:
    return user.role in ALERT_COMPOSERS and _covers_force(user, force.pk)


def _alert_in_area(user, alert) -> bool:
    """The alert's creator, force-wide staff of its force, or someone who could target its whole area."""
    if alert.created_by_id == user.pk or _covers_force(user, alert.force_id):
        return True
    scope = scope_for(user)
    neighbourhoods = alert.area_neighbourhoods()
    return bool(neighbourhoods) and all(scope.covers_neighbourhood(n) for n in neighbourhoods)


@rule("alert.view")
def _alert_view(user, alert) -> bool:
    if _partner_composer(user):
        # A partner reads their agency's alerts, never the police's.
        return alert.agency_id == user.agency_id and alert.force_id == user.force_id
    return user.role in ALERT_COMPOSERS and _alert_in_area(user, alert)


@rule("alert.approve")
def _alert_approve(user, alert) -> bool:
    # Four eyes: the approver is never the author.
    if alert.created_by_id == user.pk:
        return False
    if alert.agency_id is not None:
        # A partner agency's alert goes out only with the police's approval: a communications
        # officer of the force, or the inspector of every neighbourhood it reaches.
        if user.role == Role.INSPECTOR:
            neighbourhoods = alert.area_neighbourhoods()
            return bool(neighbourhoods) and all(scope_for(user).covers_neighbourhood(n) for n in neighbourhoods)
    return user.role in ALERT_APPROVERS and _covers_force(user, alert.force_id)


@rule("alert.cancel")
def _alert_cancel(user, alert) -> bool:
    if _partner_composer(user):
        return alert.created_by_id == user.pk
    if user.role not in ALERT_COMPOSERS or not _alert_in_area(user, alert):
        return False
    return alert.created_by_id == user.pk or user.role in PRIORITY_MANAGERS | ALERT_APPROVERS | {Role.HQ}


@rule("subscriber.field_sign_up")
def _subscriber_field_sign_up(user, neighbourhood=None) -> bool:
    if neighbourhood is None:
        # Anywhere at all, for the links to the sign-up page: the same people, with an area to work.
        allowed = user.role in NEIGHBOURHOOD_TEAM_ROLES or user.role == Role.SYSTEM_ADMIN
        return allowed and _has_area(scope_for(user))
    return _works_neighbourhood(user, neighbourhood)


def _has_area(scope: AreaScope) -> bool:
    if scope.level == ScopeLevel.NEIGHBOURHOOD:
        return bool(scope.neighbourhood_ids)
    if scope.level == ScopeLevel.DIVISION:
        return bool(scope.division_ids)
    return scope.level == ScopeLevel.FORCE


@rule("messaging.outbox")
def _messaging_outbox(user, obj=None) -> bool:
    return user.role in OUTBOX_READERS


@rule("messaging.measures")
def _messaging_measures(user, obj=None) -> bool:
    return user.role in ALERT_COMPOSERS


# --- replies to alerts (the inbox) ------------------------------------------------------------
# Members' replies are personal messages to their neighbourhood team: that team reads and answers
# them (and system administrators). Partners never see them. A reply no member could be matched to
# has no team: it is read by the force's communications office only, never by a team.
INBOX_UNMATCHED_READERS = frozenset({Role.COMMUNICATIONS, Role.SYSTEM_ADMIN})


@rule("inbox.view")
def _inbox_view(user, neighbourhood=None) -> bool:
    """`neighbourhood`: a team's inbox, or None for "any inbox at all" (the menu)."""
    if neighbourhood is None:
        team = user.role in NEIGHBOURHOOD_TEAM_ROLES and _has_area(scope_for(user))
        return team or user.role in INBOX_UNMATCHED_READERS
    return _works_neighbourhood(user, neighbourhood)


@rule("inbox.view_unmatched")
def _inbox_view_unmatched(user, obj=None) -> bool:
    return user.role in INBOX_UNMATCHED_READERS


@rule("reply.handle")
def _reply_handle(user, reply) -> bool:
    """Read a reply's thread, answer it, close it."""
    if reply.neighbourhood_id is None:
        return user.role in INBOX_UNMATCHED_READERS
    return _works_neighbourhood(user, reply.neighbourhood)


# --- door-knock rounds ------------------------------------------------------------------------
# A round's doors say who answered and what they said: only the team whose neighbourhood the round
# is in sees them, not a chief inspector, HQ, a partner or a system administrator.


@rule("doorknock.plan")
def _doorknock_plan(user, neighbourhood=None) -> bool:
    """`neighbourhood`: where the round is, or None for "may plan a round somewhere"."""
    if user.role not in NEIGHBOURHOOD_TEAM_ROLES:
        return False
    if neighbourhood is None:
        return _has_area(scope_for(user))
    return scope_for(user).covers_neighbourhood(neighbourhood)


@rule("doorknock.work")
def _doorknock_work(user, door_round) -> bool:
    """See a round's doors, record outcomes, finish it, plan the next from it."""
    return user.role in NEIGHBOURHOOD_TEAM_ROLES and scope_for(user).covers_neighbourhood(door_round.neighbourhood)


# The street list is a gazetteer, not personal data: the team loads its own wards', HQ the force's.
STREET_LIST_KEEPERS = frozenset({Role.HQ, Role.SYSTEM_ADMIN})


@rule("doorknock.import_streets")
def _doorknock_import_streets(user, ward=None) -> bool:
    """`ward`: the ward a row of the list is in, or None for "may load a list at all"."""
    if user.role not in NEIGHBOURHOOD_TEAM_ROLES | STREET_LIST_KEEPERS:
        return False
    if ward is None:
        return _has_area(scope_for(user))
    return scope_for(user).covers_neighbourhood(ward.neighbourhood)


# --- surveys ----------------------------------------------------------------------------------

# Who builds and sends surveys: sergeants and above, and the force's communications office.
SURVEY_BUILDERS = frozenset(
    {Role.SERGEANT, Role.INSPECTOR, Role.CHIEF_INSPECTOR, Role.HQ, Role.COMMUNICATIONS, Role.SYSTEM_ADMIN}
)
# Results are anonymous and small groups suppressed, so all police staff of the force read them.
SURVEY_READERS = SURVEY_BUILDERS | {Role.PCSO, Role.CONSTABLE}


def _in_force(user, force_id) -> bool:
    """Force-wide staff of that force, or anyone else who belongs to it."""
    if scope_for(user).level == ScopeLevel.FORCE:
        return _covers_force(user, force_id)
    return user.force_id == force_id


@rule("survey.create")
def _survey_create(user, obj=None) -> bool:
    return user.role in SURVEY_BUILDERS


@rule("survey.edit")
def _survey_edit(user, survey) -> bool:
    """Its author, or the force-wide staff who look after the force's surveys."""
    if user.role not in SURVEY_BUILDERS or not _in_force(user, survey.force_id):
        return False
    return survey.created_by_id == user.pk or scope_for(user).level == ScopeLevel.FORCE


@rule("survey.view_results")
def _survey_view_results(user, survey) -> bool:
    return user.role in SURVEY_READERS and _in_force(user, survey.force_id)


@rule("survey.view_trends")
def _survey_view_trends(user, obj=None) -> bool:
    return user.role in SURVEY_READERS


@rule("representation.view")
def _representation_view(user, obj=None) -> bool:
    # Field officers use the "where to sign people up next" list; partners do not see it.
    return user.role in SURVEY_READERS


# --- highlight and headline returns -----------------------------------------------------------

# The HQ core team receives every division's return, reopens them and reads the force roll-up.
RETURN_RECEIVERS = frozenset({Role.HQ, Role.SYSTEM_ADMIN})


def _is_delegate(user, highlight_return) -> bool:
    return user.role == Role.INSPECTOR and highlight_return.delegates.filter(pk=user.pk).exists()


def _chief_of(user, division) -> bool:
    return user.role == Role.CHIEF_INSPECTOR and scope_for(user).covers_division(division)


@rule("return.view")
def _return_view(user, highlight_return) -> bool:
    if _chief_of(user, highlight_return.division):
        return True
    if user.role in RETURN_RECEIVERS and scope_for(user).covers_division(highlight_return.division):
        return True
    return _is_delegate(user, highlight_return)


@rule("return.edit")
def _return_edit(user, highlight_return) -> bool:
    """Write the narrative and pin top priorities: the chief inspector or an inspector they delegated."""
    return _chief_of(user, highlight_return.division) or _is_delegate(user, highlight_return)


@rule("return.submit")
def _return_submit(user, highlight_return) -> bool:
    # The chief inspector signs the return; a delegate drafts but never signs.
    return _chief_of(user, highlight_return.division)


@rule("return.reopen")
def _return_reopen(user, highlight_return) -> bool:
    return user.role in RETURN_RECEIVERS and scope_for(user).covers_division(highlight_return.division)


@rule("return.force_status")
def _return_force_status(user, obj=None) -> bool:
    return user.role in RETURN_RECEIVERS


@rule("return.list")
def _return_list(user, obj=None) -> bool:
    return user.role in RETURN_RECEIVERS | {Role.CHIEF_INSPECTOR, Role.INSPECTOR}


# --- the scorecard ----------------------------------------------------------------------------

# Figures the portal cannot count (reach, complaints and thanks, volunteers, appeal outcomes) are
# entered by the communications office across the force and by neighbourhood teams for their own
# neighbourhoods; a chief inspector and HQ read them.
SCORECARD_WRITERS = NEIGHBOURHOOD_TEAM_ROLES | {Role.COMMUNICATIONS, Role.SYSTEM_ADMIN}
SCORECARD_READERS = SCORECARD_WRITERS | {Role.CHIEF_INSPECTOR, Role.HQ}


@rule("scorecard.view")
def _scorecard_view(user, area=None) -> bool:
    """`area`: a Neighbourhood, a Division, a Force, or None for "any scorecard at all"."""
    from neighbourhoods.models import Division, Force, Neighbourhood

    if user.role not in SCORECARD_READERS:
        return False
    if isinstance(area, Neighbourhood):
        return scope_for(user).covers_neighbourhood(area)
    if isinstance(area, Division):
        return scope_for(user).covers_division(area)
    if isinstance(area, Force):
        return _covers_force(user, area.pk)
    return area is None


@rule("scorecard.enter_figures")
def _scorecard_enter_figures(user, area=None) -> bool:
    """`area`: the Neighbourhood or Division a row is for, or None for "may enter any"."""
    from neighbourhoods.models import Division, Neighbourhood

    if user.role not in SCORECARD_WRITERS:
        return False
    if isinstance(area, Neighbourhood):
        return scope_for(user).covers_neighbourhood(area)
    if isinstance(area, Division):
        # A PCSO's area is neighbourhoods, never a whole division.
        return scope_for(user).covers_division(area)
    return area is None


@rule("scorecard.record_appeal_outcome")
def _scorecard_record_appeal_outcome(user, alert) -> bool:
    from messaging.models import AlertKind

    return alert.kind == AlertKind.APPEAL and user.role in SCORECARD_WRITERS and _alert_in_area(user, alert)


# --- open interfaces --------------------------------------------------------------------------


@rule("open311.manage_keys")
def _open311_manage_keys(user, obj=None) -> bool:
    # An Open311 key lets an outside app file issues into every neighbourhood of the force.
    return user.role in {Role.HQ, Role.SYSTEM_ADMIN}


# --- data protection --------------------------------------------------------------------------

# Finding, exporting and erasing everything held about one person: the force's data protection
# officer and system administrators, no one else (not HQ, who read the outbox, nor comms).
SUBJECT_REQUEST_HANDLERS = frozenset({Role.DATA_PROTECTION_OFFICER, Role.SYSTEM_ADMIN})


@rule("dataprotection.subject_request")
def _dataprotection_subject_request(user, obj=None) -> bool:
    return user.role in SUBJECT_REQUEST_HANDLERS


@rule("dataprotection.audit_trail")
def _dataprotection_audit_trail(user, obj=None) -> bool:
    # The trail shows who changed whose role and API keys: the administrators who answer for them.
    return user.role == Role.SYSTEM_ADMIN
