"""Writes for the EPIC priorities: intake, the priority's life from proposal to community
sign-off, its action plan, and the audit history every change leaves behind.

Who may call which transition is decided by accounts/policy.py (views check it first); these
functions enforce what is legal for the record itself, whoever asks.
"""

import hashlib
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from priorities import agreement
from priorities.images import check_photo, photo_for_storage
from priorities.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Escalation,
    Follower,
    Issue,
    IssueSource,
    IssueStatus,
    Priority,
    PriorityEvent,
    PriorityState,
    SignOff,
    SignOffMethod,
)

S = PriorityState
# An action in one of these states is still to be carried out.
UNFINISHED_ACTIONS = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
# The legal moves of the state machine: verb -> (states it may start from, state it leads to).
TRANSITIONS = {
    "agree": ({S.PROPOSED, S.REOPENED}, S.AGREED),
    "start": ({S.AGREED}, S.IN_ACTION),
    "escalate": ({S.AGREED, S.IN_ACTION}, S.ESCALATED),
    "de_escalate": ({S.ESCALATED}, S.IN_ACTION),
    "resolve": ({S.IN_ACTION, S.ESCALATED}, S.RESOLVED),
    "sign_off": ({S.RESOLVED}, S.SIGNED_OFF),
    "not_adopt": ({S.PROPOSED, S.REOPENED}, S.NOT_ADOPTED),
    "reopen": ({S.RESOLVED, S.SIGNED_OFF, S.NOT_ADOPTED}, S.REOPENED),
}


# How each transition reads in a sentence: "cannot be signed off here".
_DONE = "what a step did to a priority"
DONE_WORDS = {
    "agree": pgettext_lazy(_DONE, "agreed"),
    "start": pgettext_lazy(_DONE, "started"),
    "escalate": pgettext_lazy(_DONE, "escalated"),
    "de_escalate": pgettext_lazy(_DONE, "de-escalated"),
    "resolve": pgettext_lazy(_DONE, "resolved"),
    "sign_off": pgettext_lazy(_DONE, "signed off"),
    "not_adopt": pgettext_lazy(_DONE, "marked not adopted"),
    "reopen": pgettext_lazy(_DONE, "reopened"),
}


def allowed_verbs(priority: Priority) -> list[str]:
    return [verb for verb, (sources, _target) in TRANSITIONS.items() if priority.state in sources]


def _record(priority: Priority, *, actor, verb: str, changes: dict | None = None, note: str = "") -> PriorityEvent:
    return PriorityEvent.objects.create(priority=priority, actor=actor, verb=verb, changes=changes or {}, note=note)


def _move(priority: Priority, *, actor, verb: str, note: str = "", **fields) -> Priority:
    """Apply a transition with its field changes, validated and audited in one go."""
    sources, target = TRANSITIONS[verb]
    if priority.state not in sources:
        either = f" {pgettext('between alternatives', 'or')} "
        raise ValidationError(
            _("A %(state)s priority cannot be %(done)s here: it must be %(allowed)s.")
            % {
                "state": priority.get_state_display().lower(),
                "done": DONE_WORDS[verb],
                "allowed": either.join(sorted(PriorityState(s).label.lower() for s in sources)),
            }
        )
    changes = {"state": [priority.state, str(target)]}
    for name, value in fields.items():
        before = getattr(priority, name)
        if before != value:
            changes[name] = [_plain(before), _plain(value)]
        setattr(priority, name, value)
    priority.state = target
    priority.state_changed_at = timezone.now()
    priority.full_clean()
    priority.save()
    _record(priority, actor=actor, verb=verb, changes=changes, note=note)
    _notify_followers(priority)
    return priority


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def _notify_followers(priority: Priority) -> None:
    if priority.state in (S.PROPOSED,):
        return
    from priorities.tasks import notify_followers_task

    transaction.on_commit(lambda: notify_followers_task.delay(priority_id=priority.pk, state=priority.state))


# --- intake -----------------------------------------------------------------------------------


@transaction.atomic
def issue_raise(
    *,
    ward,
    category: str,
    description: str,
    actor=None,
    source: str = IssueSource.ONLINE,
    meeting=None,
    photo=None,
    contact_email: str = "",
    anonymous: bool = False,
    latitude: float | None = None,
    longitude: float | None = None,
    supporters: int = 1,
) -> Issue:
    """Put a concern in its neighbourhood's triage queue (a resident online, or an officer for them)."""
    if not description.strip():
        raise ValidationError({"description": _("Describe the problem: what happens, where and when.")})
    if ward.neighbourhood_id is None:
        raise ValidationError({"ward": _("That ward has no neighbourhood team yet.")})
    if photo:
        check_photo(photo)
        photo = photo_for_storage(photo)
    issue = Issue(
        neighbourhood_id=ward.neighbourhood_id,
        ward=ward,
        category=category,
        description=description.strip(),
        source=source,
        meeting=meeting,
        photo=photo or "",
        contact_email="" if anonymous else contact_email,
        anonymous=anonymous,
        latitude=latitude,
        longitude=longitude,
        supporters=supporters,
        reported_by=None if anonymous or actor is None or not actor.is_authenticated else actor,
    )
    issue.full_clean()
    issue.save()
    return issue


@transaction.atomic
def issue_merge(*, issue: Issue, into: Issue, actor) -> Issue:
    """Fold a duplicate into another issue: its residents add to the other's evidence weight."""
    if issue.pk == into.pk:
        raise ValidationError(_("An issue cannot be merged into itself."))
    if issue.neighbourhood_id != into.neighbourhood_id:
        raise ValidationError(_("Only issues of the same neighbourhood can be merged."))
    if issue.status != IssueStatus.NEW or into.status not in (IssueStatus.NEW, IssueStatus.LINKED):
        raise ValidationError(_("Only an issue awaiting triage can be merged, and only into an open one."))
    Issue.objects.filter(pk=into.pk).update(supporters=F("supporters") + issue.supporters)
    issue.status = IssueStatus.MERGED
    issue.merged_into = into
    issue.save(update_fields=["status", "merged_into"])
    into.refresh_from_db()
    if into.priority_id:
        _record(into.priority, actor=actor, verb="issue_merged", note=f"{issue.supporters} more resident(s) raised it")
    return into


@transaction.atomic
def issue_close(*, issue: Issue, actor, reason: str) -> Issue:
    if issue.status != IssueStatus.NEW:
        raise ValidationError(_("Only an issue awaiting triage can be closed."))
    if not reason.strip():
        raise ValidationError({"closed_reason": _("Say why, e.g. 'passed to the council: street lighting'.")})
    issue.status = IssueStatus.CLOSED
    issue.closed_reason = reason.strip()
    issue.save(update_fields=["status", "closed_reason"])
    return issue


# --- the priority -----------------------------------------------------------------------------


@transaction.atomic
def priority_propose(
    *,
    actor,
    neighbourhood,
    wards,
    title: str,
    category: str,
    public_problem: str,
    issues=(),
    evidence: str = "",
    review_date=None,
    meeting=None,
) -> Priority:
    """A PCSO or CBM proposes a priority, usually at a PACT meeting, from the issues behind it."""
    outside = [w.name for w in wards if w.neighbourhood_id != neighbourhood.pk]
    if not wards or outside:
        if outside:
            message = _("Choose wards of %(neighbourhood)s, not %(outside)s.") % {
                "neighbourhood": neighbourhood.name,
                "outside": ", ".join(outside),
            }
        else:
            message = _("Choose wards of %(neighbourhood)s.") % {"neighbourhood": neighbourhood.name}
        raise ValidationError({"wards": message})
    stray = [i for i in issues if i.neighbourhood_id != neighbourhood.pk or i.status not in (IssueStatus.NEW,)]
    if stray:
        raise ValidationError({"issues": _("Only this neighbourhood's issues awaiting triage can be taken up.")})
    if meeting is not None and not agreement.covers(meeting, neighbourhood.pk):
        raise ValidationError({"meeting": _("Choose a meeting of %(name)s.") % {"name": neighbourhood.name}})
    _check_review_after_meeting(review_date, meeting)
    priority = Priority(
        neighbourhood=neighbourhood,
        title=title,
        category=category,
        public_problem=public_problem,
        evidence=evidence,
        review_date=review_date,
        proposed_at_meeting=meeting,
        proposed_by=actor,
    )
    priority.full_clean()
    priority.save()
    priority.wards.set(wards)
    Issue.objects.filter(pk__in=[i.pk for i in issues]).update(status=IssueStatus.LINKED, priority=priority)
    _record(priority, actor=actor, verb="propose", changes={"state": [None, S.PROPOSED]})
    return priority


def priority_agree(*, priority: Priority, actor, meeting=None, review_date=None) -> Priority:
    """A sergeant or above records that the community agreed the priority at a held PACT or panel
    meeting of its neighbourhood (by default the one it was proposed at)."""
    meeting = meeting or priority.proposed_at_meeting
    if meeting is None:
        raise ValidationError(
            {"meeting": _("Choose the PACT or panel meeting where the community agreed it: a priority is agreed at "
             "a meeting that has taken place, or by a closed online vote.")}
        )  # fmt: skip
    problem = agreement.agreement_problem(priority, meeting, at=timezone.now())
    if problem:
        raise ValidationError({"meeting": problem})
    return _agree(priority, actor=actor, review_date=review_date, agreed_at_meeting=meeting, agreed_by_vote=None)


def _agree(priority: Priority, *, actor, review_date=None, **source) -> Priority:
    """The agreement itself, whatever the community agreed it by: `source` names the meeting
    (`agreed_at_meeting`) or the closed online vote (`agreed_by_vote`, priorities/voting)."""
    fields = dict(source)
    if review_date:
        fields["review_date"] = review_date
    if not fields.get("review_date", priority.review_date):
        raise ValidationError({"review_date": _("Set a review date: priorities are reviewed at the next PACT.")})
    _check_review_after_meeting(fields.get("review_date", priority.review_date), fields.get("agreed_at_meeting"))
    with transaction.atomic():
        return _move(priority, actor=actor, verb="agree", **fields)


def _check_review_after_meeting(review_date, meeting) -> None:
    if review_date and meeting is not None and review_date < agreement.day_of(meeting.starts_at):
        raise ValidationError(
            {"review_date": _("The review date cannot be before the meeting it was agreed at (%(date)s).")
             % {"date": f"{agreement.day_of(meeting.starts_at):%-d %B %Y}"}}
        )  # fmt: skip


def _check_actions_finished(priority: Priority, *, verb: str) -> None:
    """A priority is resolved (and signed off) only once its plan is carried out: an action still
    open or in progress would show the public "in progress" under a closed priority."""
    unfinished = list(priority.actions.filter(status__in=UNFINISHED_ACTIONS).order_by("due_date", "pk"))
    if unfinished:
        listed = "; ".join(f"“{a.description[:80]}” ({a.get_status_display().lower()})" for a in unfinished)
        raise ValidationError(
            ngettext(
                "This priority cannot be %(done)s while %(count)s of its actions is not finished: %(listed)s. "
                "Mark each one done or dropped first.",
                "This priority cannot be %(done)s while %(count)s of its actions are not finished: %(listed)s. "
                "Mark each one done or dropped first.",
                len(unfinished),
            )
            % {"done": DONE_WORDS[verb], "count": len(unfinished), "listed": listed}
        )


def priority_start(*, priority: Priority, actor) -> Priority:
    with transaction.atomic():
        return _move(priority, actor=actor, verb="start")


@transaction.atomic
def priority_escalate(*, priority: Priority, actor, forum: str, reason: str) -> Priority:
    """Hand the priority to a wider forum when it cannot be solved locally."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why local action is not enough.")})
    escalation = Escalation(priority=priority, forum=forum, reason=reason.strip(), escalated_by=actor)
    escalation.full_clean()
    _move(priority, actor=actor, verb="escalate", note=f"{escalation.get_forum_display()}: {reason.strip()}")
    escalation.save()
    return priority


@transaction.atomic
def priority_de_escalate(*, priority: Priority, actor, reason: str) -> Priority:
    escalation = priority.escalations.filter(de_escalated_at__isnull=True).first()
    if escalation is None:
        raise ValidationError(_("This priority has no open escalation."))
    _move(priority, actor=actor, verb="de_escalate", note=reason.strip())
    escalation.de_escalated_at = timezone.now()
    escalation.de_escalated_by = actor
    escalation.de_escalation_reason = reason.strip()
    escalation.save(update_fields=["de_escalated_at", "de_escalated_by", "de_escalation_reason"])
    return priority


# How an open action can be closed when its priority is resolved.
CLOSING_STATUSES = (ActionStatus.DONE, ActionStatus.DROPPED)


def priority_resolve(*, priority: Priority, actor, public_outcome: str, close_actions=()) -> Priority:
    """Resolve the priority, telling the public the result. Every action still open must be closed
    in the same step, done or dropped with a reason (`close_actions`: [{"action": id, "status":
    "done" | "dropped", "reason": str}]), so the public never reads "in progress" under a result."""
    errors = {}
    if not public_outcome.strip():
        errors["public_outcome"] = _("Tell the community the result in plain words.")
    closing, problems = _closures(priority, close_actions)
    if problems:
        errors["close_actions"] = problems
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for action, status, reason in closing:
            action_update(action=action, actor=actor, status=status, text=_closed_note(status, reason))
        resolved = _move(priority, actor=actor, verb="resolve", public_outcome=public_outcome.strip())
        # Resolving an escalated priority ends its escalation too; left open, it would block the
        # next escalation if the priority is ever reopened.
        priority.escalations.filter(de_escalated_at__isnull=True).update(
            de_escalated_at=timezone.now(), de_escalated_by=actor, de_escalation_reason="Closed when resolved."
        )
        return resolved


def _closed_note(status: str, reason: str) -> str:
    if status == ActionStatus.DONE:
        return _("Done when the priority was resolved: %(reason)s") % {"reason": reason}
    return _("Dropped when the priority was resolved: %(reason)s") % {"reason": reason}


def _closures(priority: Priority, close_actions) -> tuple[list[tuple[Action, str, str]], list[str]]:
    """The open actions to close with the priority, and what is wrong with the request if any:
    an action that is not one of its open ones, no reason, or an open action left out."""
    unfinished = {a.pk: a for a in priority.actions.filter(status__in=UNFINISHED_ACTIONS).order_by("due_date", "pk")}
    closing, problems, named = [], [], set()
    for item in close_actions:
        action = unfinished.get(item.get("action"))
        reason, status = str(item.get("reason") or "").strip(), item.get("status")
        if action is None:
            problems.append(_("Action %(id)s is not an open action of this priority.") % {"id": item.get("action")})
            continue
        named.add(action.pk)
        if status not in CLOSING_STATUSES:
            problems.append(_("Close “%(action)s” as done or dropped.") % {"action": action.description[:80]})
        elif not reason:
            problems.append(_("Give the reason “%(action)s” is closed.") % {"action": action.description[:80]})
        else:
            closing.append((action, status, reason))
    left = [a for pk, a in unfinished.items() if pk not in named]
    if left:
        listed = "; ".join(f"“{a.description[:80]}” ({a.get_status_display().lower()})" for a in left)
        problems.append(
            _("These actions are still open: %(listed)s. Close each one with a reason as you resolve it.")
            % {"listed": listed}
        )
    return closing, problems


@transaction.atomic
def priority_sign_off(*, priority: Priority, actor, meeting=None, method: str = SignOffMethod.MEETING) -> Priority:
    """Record that the community signed off the resolved priority at a held PACT or panel meeting
    of its neighbourhood, from the day it was resolved. (An online vote's sign-off is recorded by
    the closed vote itself, with its counts, never typed in.)"""
    if method != SignOffMethod.MEETING:
        raise ValidationError(
            {"method": _("The community signs a priority off at a PACT or panel meeting that has taken place, or "
             "by a closed online vote, which records itself: choose the meeting.")}
        )  # fmt: skip
    if meeting is None:
        raise ValidationError({"meeting": _("Choose the meeting where the community signed it off.")})
    if priority.state == S.RESOLVED:
        # Only a resolved priority is signed off, so its last state change is the resolution.
        resolved_at = priority.state_changed_at
        problem = agreement.sign_off_problem(priority, meeting, resolved_at=resolved_at, at=timezone.now())
        if problem:
            raise ValidationError({"meeting": problem})
    _check_actions_finished(priority, verb="sign_off")
    sign_off = SignOff(priority=priority, method=SignOffMethod.MEETING, meeting=meeting, recorded_by=actor)
    _move(priority, actor=actor, verb="sign_off", note=str(sign_off.get_method_display()))
    sign_off.full_clean()
    sign_off.save()
    return priority


def priority_not_adopt(*, priority: Priority, actor, reason: str) -> Priority:
    if not reason.strip():
        raise ValidationError({"not_adopted_reason": _("Give the public reason it is not being taken on.")})
    with transaction.atomic():
        return _move(priority, actor=actor, verb="not_adopt", not_adopted_reason=reason.strip())


def priority_reopen(*, priority: Priority, actor, reason: str) -> Priority:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why it is back, e.g. 'speeding has returned since the camera went'.")})
    with transaction.atomic():
        return _move(priority, actor=actor, verb="reopen", note=reason.strip())


EDITABLE_TEXT = ["title", "category", "public_problem", "public_update", "evidence", "restricted_notes", "review_date"]
EDITABLE_TEXT.insert(-1, "partner_notes")  # shared with partner agencies: priorities/partners


@transaction.atomic
def priority_update(*, priority: Priority, actor, **fields) -> Priority:
    """Edit the record's text (not its state), auditing before and after."""
    unknown = set(fields) - set(EDITABLE_TEXT)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    changes = {}
    for name, value in fields.items():
        before = getattr(priority, name)
        if before != value:
            changes[name] = [_plain(before), _plain(value)]
            setattr(priority, name, value)
    if not changes:
        return priority
    if "review_date" in changes:
        _check_review_after_meeting(priority.review_date, priority.agreed_at_meeting)
    priority.full_clean()
    priority.save()
    _record(priority, actor=actor, verb="edit", changes=changes)
    return priority


# --- actions ----------------------------------------------------------------------------------


@transaction.atomic
def action_add(
    *,
    priority: Priority,
    actor,
    description: str,
    due_date,
    owner_officer=None,
    owner_agency=None,
    owner_partner_user=None,
    is_public: bool = True,
) -> Action:
    if not priority.is_open:
        raise ValidationError(_("Actions are added to open priorities only."))
    if owner_officer is None and owner_agency is None:
        raise ValidationError({"owner_officer": _("Give the action an owner: an officer or a partner agency.")})
    if owner_officer is not None and owner_agency is not None:
        raise ValidationError({"owner_agency": _("An action has one owner: an officer or an agency, not both.")})
    if owner_partner_user is not None and owner_partner_user.agency_id != getattr(owner_agency, "pk", None):
        raise ValidationError({"owner_partner_user": _("The named partner must work for the owning agency.")})
    if due_date is None:
        raise ValidationError({"due_date": _("Give the action a due date.")})
    action = Action(
        priority=priority,
        description=description.strip(),
        due_date=due_date,
        owner_officer=owner_officer,
        owner_agency=owner_agency,
        owner_partner_user=owner_partner_user,
        is_public=is_public,
    )
    action.full_clean()
    action.save()
    _record(priority, actor=actor, verb="action_add", note=f"{action.description} (owner: {action.owner_label})")
    return action


@transaction.atomic
def action_update(*, action: Action, actor, text: str, status: str | None = None, is_public: bool = False) -> Action:
    """Add a dated update to an action, optionally changing its status."""
    if not text.strip():
        raise ValidationError({"text": _("Say what was done.")})
    changes = {}
    if status in UNFINISHED_ACTIONS and status != action.status and not action.priority.is_open:
        # Else the public page would show work "in progress" under a resolved or signed-off priority.
        raise ValidationError(
            {"status": _("The priority is %(state)s: reopen it before setting its actions back to work.")
             % {"state": action.priority.get_state_display().lower()}}
        )  # fmt: skip
    if status and status != action.status:
        changes["action_status"] = [action.status, status]
        action.status = status
        action.full_clean()
        action.save(update_fields=["status", "updated_at"])
    ActionUpdate.objects.create(action=action, text=text.strip(), is_public=is_public, author=actor)
    priority = action.priority
    _record(
        priority, actor=actor, verb="action_update", changes=changes, note=f"{action.description[:60]}: {text.strip()}"
    )
    if status in (ActionStatus.IN_PROGRESS, ActionStatus.DONE) and priority.state == S.AGREED:
        # Work has begun (or a quick job is already finished): the priority is in action
        # without a separate click.
        _move(priority, actor=actor, verb="start")
    return action


# --- following --------------------------------------------------------------------------------


# A confirmation link works for a week; after that the resident asks to follow again.
FOLLOW_CONFIRM_MAX_AGE = timedelta(days=7)
FOLLOW_CONFIRM_SALT = "priorities.follow.confirm"


@transaction.atomic
def priority_follow(*, priority: Priority, email: str, site_url: str = "", language: str = "") -> Follower:
    """Start following, pending until the address is confirmed from the email this sends.
    Asking again resends the link (in the language asked in); an address already confirmed is sent
    nothing more."""
    if priority.state not in (set(S) - {S.PROPOSED}):
        raise ValidationError(_("Only published priorities can be followed."))
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    follower, created = Follower.objects.get_or_create(
        priority=priority, email=email.strip().lower(), defaults={"language": language}
    )
    if follower.confirmed_at is None:
        if not created:  # a fresh link: the pending follow is kept as long as it is good for
            follower.created_at = timezone.now()
            follower.language = language
            follower.save(update_fields=["created_at", "language"])
        from priorities.tasks import send_follow_confirmation_task

        transaction.on_commit(lambda: send_follow_confirmation_task.delay(follower_id=follower.pk, site_url=site_url))
    return follower


def _follow_fingerprint(follower: Follower) -> str:
    # Signed data is readable, not secret: the link carries a digest of the unfollow token, not
    # the token itself, and a follow stopped and asked for again has a new token, so a new digest.
    return hashlib.sha256(f"follow-confirm:{follower.token}".encode()).hexdigest()[:24]


def follow_confirm_token(*, follower: Follower) -> str:
    """Signed, so only an email we sent can confirm; timestamped, so an old one expires."""
    return signing.dumps([follower.pk, _follow_fingerprint(follower)], salt=FOLLOW_CONFIRM_SALT)


def follow_confirm_token_load(token: str) -> Follower | None:
    """The pending or confirmed follower a link names; None when it is forged, expired or the
    follow was since stopped."""
    try:
        pk, fingerprint = signing.loads(token, salt=FOLLOW_CONFIRM_SALT, max_age=FOLLOW_CONFIRM_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    follower = Follower.objects.select_related("priority").filter(pk=pk).first()
    if follower is None or not constant_time_compare(_follow_fingerprint(follower), str(fingerprint)):
        return None
    return follower


def followers_unconfirmed_purge(*, now=None) -> int:
    """Forget the addresses whose confirmation link has expired unused: someone may have typed
    another person's address in, and it is not ours to keep."""
    cutoff = (now or timezone.now()) - FOLLOW_CONFIRM_MAX_AGE
    return Follower.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()[0]


@transaction.atomic
def priority_follow_confirm(*, token: str) -> Follower:
    follower = follow_confirm_token_load(token)
    if follower is None:
        raise ValidationError("This confirmation link has expired or is not valid. Ask to follow the priority again.")
    if follower.confirmed_at is None:
        follower.confirmed_at = timezone.now()
        follower.save(update_fields=["confirmed_at"])
    return follower


@transaction.atomic
def priority_unfollow(*, token) -> bool:
    return Follower.objects.filter(token=token).delete()[0] > 0
