"""Partners at the same table: an action a partner agency offers to take on an agreed priority,
waiting for the neighbourhood team to accept it onto the plan or decline it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the team's answer")
    ACCEPTED = "accepted", _("Accepted onto the plan")
    DECLINED = "declined", _("Declined")


class ActionProposal(models.Model):
    """What a partner agency offers to do; once accepted it is an Action the agency owns."""

    priority = models.ForeignKey("priorities.Priority", on_delete=models.CASCADE, related_name="action_proposals")
    agency = models.ForeignKey("accounts.PartnerAgency", on_delete=models.PROTECT, related_name="action_proposals")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    description = models.TextField()
    due_date = models.DateField()
    status = models.CharField(max_length=16, choices=ProposalStatus, default=ProposalStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    action = models.OneToOneField(
        "priorities.Action", on_delete=models.SET_NULL, null=True, blank=True, related_name="proposal"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="declined_proposal_says_why"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_by__isnull=False), name="decided_proposal_names_who"
            ),
        ]

    def __str__(self):
        return f"{self.agency}: {self.description[:60]}"
