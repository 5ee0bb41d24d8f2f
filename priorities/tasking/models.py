"""Divisional tasking: escalated priorities wait in a queue per forum and division until a
divisional operations manager puts them on a forum's fortnightly agenda, where the forum decides."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from priorities.models import EscalationForum


class TaskingDecision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted, with an owner")
    RETURNED = "returned", _("Returned to the neighbourhood with advice")
    CLOSED = "closed", _("Closed")


class TaskingAgenda(models.Model):
    """One sitting of a forum in a division (HMIC: the fortnightly divisional tasking group)."""

    division = models.ForeignKey("neighbourhoods.Division", on_delete=models.PROTECT, related_name="tasking_agendas")
    forum = models.CharField(max_length=32, choices=EscalationForum)
    meets_on = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-meets_on", "forum"]
        constraints = [
            models.UniqueConstraint(fields=["division", "forum", "meets_on"], name="one_sitting_per_forum_and_day")
        ]

    def __str__(self):
        return f"{self.get_forum_display()}, {self.division}, {self.meets_on:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("priorities:tasking-agenda", kwargs={"pk": self.pk})


class TaskingItem(models.Model):
    """An escalation on an agenda, and what the forum decided about it."""

    agenda = models.ForeignKey(TaskingAgenda, on_delete=models.CASCADE, related_name="items")
    # An escalation goes before a forum once, except that an item the forum left undecided is carried
    # over to the forum's next sitting as a new item (the old one stays in its sitting's record).
    # A returned or closed item leaves the queue, and a fresh escalation is a fresh item.
    escalation = models.ForeignKey("priorities.Escalation", on_delete=models.CASCADE, related_name="tasking_items")
    carried_over_from = models.OneToOneField(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="carried_over_to"
    )
    position = models.PositiveIntegerField(default=0)
    decision = models.CharField(max_length=16, choices=TaskingDecision, blank=True)
    owner = models.CharField(max_length=150, blank=True, help_text=_("Who takes it on, for an accepted item."))
    advice = models.TextField(blank=True, help_text=_("The forum's advice or reasons."))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agenda", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(decision="accepted") | ~Q(owner=""), name="accepted_item_has_owner"),
            models.CheckConstraint(condition=~Q(decision="returned") | ~Q(advice=""), name="returned_item_has_advice"),
            models.CheckConstraint(
                condition=Q(decision="") | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="decided_item_names_who_and_when",
            ),
        ]

    def __str__(self):
        return f"{self.escalation.priority} at {self.agenda}"

    @property
    def withdrawn_at(self):
        """When the neighbourhood took the escalation back (de-escalated the priority, or resolved
        it) while this item waited for the forum's decision; None for an item decided, still
        waiting, or carried over (the later sitting's item is then the one withdrawn). Select the
        escalation and carried_over_to with the item, or each call queries."""
        if self.decision or self.escalation.de_escalated_at is None:
            return None
        # A reverse one-to-one with no row raises a DoesNotExist that is also an AttributeError.
        if getattr(self, "carried_over_to", None) is not None:
            return None
        return self.escalation.de_escalated_at
