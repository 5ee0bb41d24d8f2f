"""Writes for divisional tasking: an operations manager builds a forum's agenda from the queue and
records the forum's decision on each item. A decision is written into the priority's history; a
returned or closed item hands the priority back to the neighbourhood (de-escalated)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.policy import can
from priorities import services
from priorities.models import EscalationForum, PriorityEvent, PriorityState
from priorities.tasking.models import TaskingAgenda, TaskingDecision, TaskingItem
from priorities.tasking.selectors import carry_over_items, queued_escalations


@transaction.atomic
def tasking_agenda_create(*, division, forum: str, meets_on: date, actor) -> TaskingAgenda:
    """A forum's sitting, with everything queued for it in the division on its agenda."""
    if not can(actor, "tasking.manage", division):
        raise ValidationError(_("Only the division's operations manager builds its tasking agendas."))
    if forum not in EscalationForum.values:
        raise ValidationError({"forum": _("Choose one of the forums.")})
    if meets_on is None:
        raise ValidationError({"meets_on": _("Give the date the forum meets.")})
    agenda = TaskingAgenda(division=division, forum=forum, meets_on=meets_on, created_by=actor)
    agenda.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            agenda.save()
    except IntegrityError:
        message = _("%(forum)s already has an agenda on %(date)s.")
        raise ValidationError(
            {"meets_on": message % {"forum": agenda.get_forum_display(), "date": date_format(meets_on, "j F Y")}}
        ) from None
    tasking_agenda_fill(agenda=agenda, actor=actor)
    return agenda


@transaction.atomic
def tasking_agenda_fill(*, agenda: TaskingAgenda, actor) -> int:
    """Add what the forum left undecided at its earlier sittings in the division (carried over, once
    each) and what has come into its queue since the agenda was built; returns how many."""
    if not can(actor, "tasking.manage", agenda.division):
        raise ValidationError(_("Only the division's operations manager builds its tasking agendas."))
    TaskingAgenda.objects.select_for_update().filter(pk=agenda.pk).first()
    last = agenda.items.aggregate(last=Max("position"))["last"] or 0
    # Locked so that two agendas built at once cannot both take the same undecided item; the
    # one-to-one carried_over_from refuses it in the database too.
    carried = list(
        carry_over_items(division=agenda.division, forum=agenda.forum, before=agenda.meets_on).select_for_update(
            of=("self",)
        )
    )
    queued = list(queued_escalations(division=agenda.division, forum=agenda.forum))
    new_items = [
        TaskingItem(agenda=agenda, escalation_id=old.escalation_id, carried_over_from=old) for old in carried
    ] + [TaskingItem(agenda=agenda, escalation=e) for e in queued]
    for i, item in enumerate(new_items, start=1):
        item.position = last + i
    TaskingItem.objects.bulk_create(new_items)
    return len(new_items)


def _decision_note(item: TaskingItem) -> str:
    agenda = item.agenda
    words = {
        TaskingDecision.ACCEPTED: f"accepted, owner: {item.owner}",
        TaskingDecision.RETURNED: "returned to the neighbourhood",
        TaskingDecision.CLOSED: "closed",
    }[item.decision]
    note = f"{agenda.get_forum_display()}, {agenda.meets_on:%d %b %Y}: {words}"
    return f"{note}. {item.advice}" if item.advice else note


@transaction.atomic
def tasking_item_decide(*, item: TaskingItem, actor, decision: str, owner: str = "", advice: str = "") -> TaskingItem:
    """Record the forum's decision. Accepted: the forum's owner takes it on and the priority stays
    escalated. Returned (with advice) or closed: the priority goes back to the neighbourhood."""
    item = (
        TaskingItem.objects.select_for_update()
        .select_related("agenda__division", "escalation__priority")
        .get(pk=item.pk)
    )
    if not can(actor, "tasking.manage", item.agenda.division):
        raise ValidationError(_("Only the division's operations manager records the forum's decisions."))
    if item.decision:
        message = _("The forum's decision is already recorded: %(decision)s.")
        raise ValidationError(message % {"decision": item.get_decision_display().lower()})
    later = TaskingItem.objects.filter(carried_over_from=item).select_related("agenda").first()
    if later is not None:
        message = _("Not decided at this sitting: it was carried over to %(date)s; record the decision there.")
        raise ValidationError(message % {"date": date_format(later.agenda.meets_on, "j F Y")})
    if item.escalation.de_escalated_at is not None:
        # The neighbourhood de-escalated or resolved the priority before the forum sat: a decision
        # now would write into its history about an escalation that no longer stands.
        withdrawn_on = date_format(timezone.localtime(item.escalation.de_escalated_at), "j F Y")
        message = _("Withdrawn by the neighbourhood on %(date)s: there is nothing left for the forum to decide.")
        raise ValidationError(message % {"date": withdrawn_on})
    errors = {}
    if decision not in TaskingDecision.values:
        errors["decision"] = _("Choose what the forum decided.")
    if decision == TaskingDecision.ACCEPTED and not owner.strip():
        errors["owner"] = _("Name who takes it on.")
    if decision == TaskingDecision.RETURNED and not advice.strip():
        errors["advice"] = _("Give the neighbourhood the forum's advice.")
    if errors:
        raise ValidationError(errors)
    item.decision, item.owner, item.advice = decision, owner.strip(), advice.strip()
    item.decided_by, item.decided_at = actor, timezone.now()
    item.full_clean()
    item.save(update_fields=["decision", "owner", "advice", "decided_by", "decided_at"])
    priority, note = item.escalation.priority, _decision_note(item)
    PriorityEvent.objects.create(priority=priority, actor=actor, verb="tasking_decision", note=note)
    still_escalated = priority.state == PriorityState.ESCALATED and item.escalation.de_escalated_at is None
    if decision != TaskingDecision.ACCEPTED and still_escalated:
        services.priority_de_escalate(priority=priority, actor=actor, reason=note)
    return item
