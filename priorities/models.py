import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    ASB = "asb", _("Anti-social behaviour")
    SPEEDING = "speeding", _("Speeding and road safety")
    DRUGS = "drugs", _("Drugs")
    BURGLARY = "burglary", _("Burglary")
    CRIMINAL_DAMAGE = "criminal_damage", _("Criminal damage")
    PARKING = "parking", _("Parking")
    LITTER = "litter", _("Litter and environment")
    VEHICLE_CRIME = "vehicle_crime", _("Vehicle crime")
    THEFT = "theft", _("Theft")
    VIOLENCE = "violence", _("Violence and intimidation")
    HATE = "hate", _("Hate crime")
    FRAUD = "fraud", _("Scams and fraud")
    ROGUE_TRADERS = "rogue_traders", _("Rogue traders")
    OTHER = "other", _("Something else")


class IssueSource(models.TextChoices):
    ONLINE = "online", "Raised online"
    MEETING = "meeting", "Raised at a meeting"
    DOOR_KNOCK = "door_knock", "Raised on a door knock"
    STREET_MEETING = "street_meeting", "Raised at a street meeting"
    SURVEY = "survey", "From a survey answer"
    OPEN311 = "open311", "Sent from a reporting app (Open311)"
    PARTNER = "partner", "Raised by a partner agency"
    OTHER = "other", "Other contact"


class IssueStatus(models.TextChoices):
    NEW = "new", "Awaiting triage"
    LINKED = "linked", "Part of a priority"
    MERGED = "merged", "Merged into another issue"
    CLOSED = "closed", "Closed without a priority"


class Issue(models.Model):
    """A concern raised by a resident (online, or to an officer); it waits in its neighbourhood's
    triage queue until it is merged, closed or becomes part of a priority."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    neighbourhood = models.ForeignKey("neighbourhoods.Neighbourhood", on_delete=models.PROTECT, related_name="issues")
    ward = models.ForeignKey("neighbourhoods.Ward", on_delete=models.PROTECT, related_name="issues")
    category = models.CharField(max_length=24, choices=Category)
    description = models.TextField()
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    photo = models.ImageField(upload_to="issues/%Y/%m/", blank=True)
    contact_email = models.EmailField(blank=True)
    anonymous = models.BooleanField(default=False)
    source = models.CharField(max_length=16, choices=IssueSource, default=IssueSource.ONLINE)
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="issues_raised"
    )
    # The evidence weight: how many residents stand behind this concern (merges add theirs).
    supporters = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16, choices=IssueStatus, default=IssueStatus.NEW)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged")
    priority = models.ForeignKey("Priority", on_delete=models.SET_NULL, null=True, blank=True, related_name="issues")
    closed_reason = models.CharField(max_length=255, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["neighbourhood", "status"]),
            models.Index(fields=["ward", "category", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(supporters__gte=1), name="issue_has_a_supporter"),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False), name="merged_issue_names_its_target"
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.description[:60]}"


class PriorityState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")
    IN_ACTION = "in_action", _("In action")
    ESCALATED = "escalated", _("Escalated")
    RESOLVED = "resolved", _("Resolved")
    SIGNED_OFF = "signed_off", _("Signed off by the community")
    NOT_ADOPTED = "not_adopted", _("Not adopted")
    REOPENED = "reopened", _("Reopened")


OPEN_STATES = frozenset(
    {
        PriorityState.PROPOSED,
        PriorityState.AGREED,
        PriorityState.IN_ACTION,
        PriorityState.ESCALATED,
        PriorityState.REOPENED,
    }
)
# States a priority reaches only once the community has agreed it: a proposal, or a reopened
# priority awaiting agreement again, is not (yet) the community's priority.
AGREED_STATES = frozenset(
    {
        PriorityState.AGREED,
        PriorityState.IN_ACTION,
        PriorityState.ESCALATED,
        PriorityState.RESOLVED,
        PriorityState.SIGNED_OFF,
    }
)
# States the public sees: a proposal is not yet the community's priority.
PUBLIC_STATES = frozenset(PriorityState) - {PriorityState.PROPOSED}


class EscalationForum(models.TextChoices):
    TTCG = "ttcg", "Divisional tasking (TTCG / TCG)"
    CDRP = "cdrp", "CDRP tactical group"
    MATAC = "matac", "MATAC"
    MAPS = "maps", "MAPS (multi-agency problem solving)"
    NEIGHBOURHOOD_MANAGEMENT = "neighbourhood_management", "Neighbourhood management"


class SignOffMethod(models.TextChoices):
    MEETING = "meeting", "At a PACT meeting"
    PANEL_CHAIR = "panel_chair", "By the PACT panel chair"
    ONLINE_VOTE = "online_vote", "By an online vote"


class PriorityQuerySet(models.QuerySet):
    def public(self):
        return self.filter(state__in=PUBLIC_STATES)

    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def agreed(self):
        return self.filter(state__in=AGREED_STATES)


class Priority(models.Model):
    """A PACT priority: the EPIC tasking record from agreement to community sign-off."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    neighbourhood = models.ForeignKey(
        "neighbourhoods.Neighbourhood", on_delete=models.PROTECT, related_name="priorities"
    )
    wards = models.ManyToManyField("neighbourhoods.Ward", related_name="priorities")
    title = models.CharField(max_length=150)
    category = models.CharField(max_length=24, choices=Category)
    state = models.CharField(max_length=16, choices=PriorityState, default=PriorityState.PROPOSED)
    # Where it was first put forward, if at a meeting: the day a priority was proposed is that
    # meeting's, even when the proposal is written up a day or two later.
    proposed_at_meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="priorities_proposed"
    )
    agreed_at_meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="priorities_agreed"
    )
    # Or the closed residents' vote it was agreed by (priorities/voting).
    agreed_by_vote = models.ForeignKey(
        "priorities.Vote", on_delete=models.PROTECT, null=True, blank=True, related_name="priorities_agreed"
    )
    # Public text: what residents read ("you told us / we did / result").
    public_problem = models.TextField(help_text="The problem in plain words, for the public page.")
    public_update = models.TextField(blank=True, help_text="What we are doing, for the public page.")
    public_outcome = models.TextField(blank=True, help_text="The result, for the public page.")
    not_adopted_reason = models.TextField(blank=True, help_text="Why it was not taken on; shown publicly.")
    # Restricted text: police and partners working it only; never on a public page, feed or API.
    evidence = models.TextField(blank=True, help_text="Restricted: intelligence and evidence behind the problem.")
    restricted_notes = models.TextField(blank=True)
    # Shared with the partner agencies working the neighbourhood; never public.
    partner_notes = models.TextField(blank=True, help_text="For partners: shared with partner agencies, not public.")
    review_date = models.DateField(null=True, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    state_changed_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PriorityQuerySet.as_manager()

    class Meta:
        ordering = ["-state_changed_at"]
        verbose_name_plural = "priorities"
        # (neighbourhood, state, created_at) also answers (neighbourhood, state); a return reads both orders.
        indexes = [
            models.Index(fields=["neighbourhood", "state", "created_at"]),
            models.Index(fields=["neighbourhood", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="not_adopted") | ~Q(not_adopted_reason=""), name="not_adopted_has_public_reason"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("priorities:detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_past_review(self) -> bool:
        return self.is_open and self.review_date is not None and self.review_date < timezone.localdate()

    @property
    def proposed_from(self):
        """The moment from which it can be agreed: when it was proposed, or the meeting it was
        proposed at if that came first."""
        meeting = self.proposed_at_meeting
        if meeting is not None and meeting.starts_at < self.created_at:
            return meeting.starts_at
        return self.created_at


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Action(models.Model):
    """One step of a priority's plan, owned by an officer or by a partner agency."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="actions_owned"
    )
    owner_agency = models.ForeignKey(
        "accounts.PartnerAgency", on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    owner_partner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="partner_actions"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=16, choices=ActionStatus, default=ActionStatus.OPEN)
    is_public = models.BooleanField(default=True, help_text="Untick for actions that must not be published.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_officer__isnull=False) | Q(owner_agency__isnull=False), name="action_has_an_owner"
            ),
            models.CheckConstraint(
                condition=Q(owner_partner_user__isnull=True) | Q(owner_agency__isnull=False),
                name="partner_user_owns_through_agency",
            ),
        ]

    def __str__(self):
        return self.description[:80]

    @property
    def owner_label(self) -> str:
        if self.owner_agency_id:
            name = self.owner_agency.name
            return f"{name} ({self.owner_partner_user.full_name})" if self.owner_partner_user_id else name
        return self.owner_officer.public_title

    @property
    def is_overdue(self) -> bool:
        return self.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS) and self.due_date < timezone.localdate()


class ActionUpdate(models.Model):
    """A dated entry in an action's log."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField()
    is_public = models.BooleanField(default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:80]


class Escalation(models.Model):
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="escalations")
    forum = models.CharField(max_length=32, choices=EscalationForum)
    reason = models.TextField()
    escalated_at = models.DateTimeField(default=timezone.now)
    escalated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    de_escalated_at = models.DateTimeField(null=True, blank=True)
    de_escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    de_escalation_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-escalated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["priority"], condition=Q(de_escalated_at__isnull=True), name="one_open_escalation_per_priority"
            )
        ]

    def __str__(self):
        return f"{self.priority} → {self.get_forum_display()}"


class SignOff(models.Model):
    """The community's sign-off of a resolved priority, and how it was given."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="sign_offs")
    method = models.CharField(max_length=16, choices=SignOffMethod)
    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    panel_chair_name = models.CharField(max_length=150, blank=True)
    votes_for = models.PositiveIntegerField(null=True, blank=True)
    votes_against = models.PositiveIntegerField(null=True, blank=True)
    # A sign-off by online vote is the closed sign-off poll's: its counts are copied from it.
    poll = models.ForeignKey("priorities.Vote", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    votes_partly = models.PositiveIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="meeting") | Q(meeting__isnull=False), name="meeting_sign_off_names_meeting"
            ),
            models.CheckConstraint(
                condition=~Q(method="panel_chair") | ~Q(panel_chair_name=""), name="chair_sign_off_names_chair"
            ),
            models.CheckConstraint(
                condition=~Q(method="online_vote") | (Q(votes_for__isnull=False) & Q(votes_against__isnull=False)),
                name="vote_sign_off_has_counts",
            ),
        ]

    def __str__(self):
        return f"{self.priority} signed off {self.get_method_display().lower()}"


class PriorityEvent(models.Model):
    """The audit history: every change to a priority or its actions, who made it and when."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    verb = models.CharField(max_length=32)
    # {"field": [before, after]} for every field the change touched.
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        # A return counts the transitions in a period across all of a division's priorities.
        indexes = [models.Index(fields=["at"])]

    def __str__(self):
        return f"{self.verb} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"


class FollowerQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)


class Follower(models.Model):
    """A resident following a priority by email; told when its state changes, once they have
    confirmed the address from the email we sent it (double opt-in, as In the Know does), so
    nobody can sign someone else's address up."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="followers")
    email = models.EmailField()
    # Lets the follower stop following from the email without signing in.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The language of the page they followed from (a code of settings.LANGUAGES): their emails are in it.
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)

    objects = FollowerQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["priority", "email"], name="follow_once")]

    def __str__(self):
        return f"{self.email} follows {self.priority}"


class Open311ApiKey(models.Model):
    """A key an outside reporting app (FixMyStreet and the like) sends with each Open311 request.

    Only a hash of the secret is kept: a leaked database cannot be used to file reports, and a
    lost key is revoked and a new one issued."""

    force = models.ForeignKey("neighbourhoods.Force", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120, help_text="The app or organisation the key is for.")
    # The key's public part, shown in lists so staff can tell keys apart without the secret.
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "Open311 API key"
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_by__isnull=False), name="revoked_key_names_who"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Open311Request(models.Model):
    """What an Open311 client sent beyond the issue itself. Name, phone and address are the
    resident's contact details: kept for the neighbourhood team, never published."""

    issue = models.OneToOneField(Issue, on_delete=models.CASCADE, related_name="open311")
    api_key = models.ForeignKey(Open311ApiKey, on_delete=models.PROTECT, related_name="requests")
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    address_string = models.CharField(max_length=255, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    # {attribute code: [values]} as answered against the service definition.
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "Open311 request"

    def __str__(self):
        return f"Open311 request for issue {self.issue_id} via {self.api_key}"


# Sub-domains keep their models in their own packages; imported here so Django finds them.
from priorities.partners.models import ActionProposal, ProposalStatus  # noqa: E402, F401
from priorities.tasking.models import TaskingAgenda, TaskingDecision, TaskingItem  # noqa: E402, F401

# The voting models live in their sub-package; importing them here registers them with the app.
from priorities.voting.models import (  # noqa: E402, F401
    Ballot,
    BallotChoice,
    EmailVoter,
    SignOffAnswer,
    Vote,
    VoteMethod,
    VoteOption,
    VotePurpose,
)
