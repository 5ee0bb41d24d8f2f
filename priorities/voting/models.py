"""Residents' votes: a neighbourhood's proposed priorities put to its In the Know members, and the
community's sign-off poll ("Has this been fixed?") on a resolved priority.

HMIC (2008) asks for priorities the community has agreed and a community that formally signs off
what was resolved; the Neighbourhood Alert case study wants "a representative voice, not the vocal
few". A vote reaches every member by their own channels, gives each one ballot, and publishes its
result raw and weighted to the neighbourhood's census profile.

A ballot names its member only to keep them to one ballot; it is deleted some days after the
result is published (settings.RETENTION), and the counts on the vote and its options stay.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from messaging.models import AgeBand, EthnicGroup
from surveys.models import Sex

# Up to three priorities are agreed at a time (the PACT agenda's "agreement of up to three
# priorities"), so a resident approves or ranks up to three.
MAX_CHOICES = 3


class VotePurpose(models.TextChoices):
    PRIORITIES = "priorities", _("Choose the neighbourhood's priorities")
    SIGN_OFF = "sign_off", _("Has this been fixed?")


class VoteMethod(models.TextChoices):
    APPROVE = "approve", _("Approve up to three")
    RANK = "rank", _("Rank up to three")
    SINGLE = "single", _("One answer")


class SignOffAnswer(models.TextChoices):
    YES = "yes", _("Yes, it has been fixed")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No, it has not been fixed")


class VoteQuerySet(models.QuerySet):
    def taking_ballots(self, *, now):
        return self.filter(opens_at__lte=now, closes_at__gt=now, counted_at__isnull=True)

    def due_to_count(self, *, now):
        return self.filter(closes_at__lte=now, counted_at__isnull=True)

    def published(self):
        return self.filter(counted_at__isnull=False)


class Vote(models.Model):
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    neighbourhood = models.ForeignKey("neighbourhoods.Neighbourhood", on_delete=models.PROTECT, related_name="votes")
    purpose = models.CharField(max_length=16, choices=VotePurpose, default=VotePurpose.PRIORITIES)
    method = models.CharField(max_length=8, choices=VoteMethod, default=VoteMethod.APPROVE)
    # The resolved priority a sign-off poll asks about.
    priority = models.ForeignKey(
        "priorities.Priority", on_delete=models.PROTECT, null=True, blank=True, related_name="sign_off_polls"
    )
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Closing early is an officer's act; a vote closing on time is closed by the beat task.
    closed_early_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # When the result was counted and published; the counts below are kept after the ballots go.
    counted_at = models.DateTimeField(null=True, blank=True)
    # Who could vote, at the count: the members, plus (on a vote open to email voters) the people
    # who confirmed an email address in the area; `confirmed_email_voters` says how many of them.
    electorate = models.PositiveIntegerField(null=True, blank=True)
    confirmed_email_voters = models.PositiveIntegerField(null=True, blank=True)
    voters = models.PositiveIntegerField(null=True, blank=True)
    # The weighting as published: method, dimensions, voters per group (suppressed), who was left out.
    weighting = models.JSONField(default=dict, blank=True)
    ballots_deleted_at = models.DateTimeField(null=True, blank=True)
    # Issue 15: "and, optionally, anyone who confirms an email in the area" gets a ballot too.
    open_to_email_voters = models.BooleanField(default=False)

    objects = VoteQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        indexes = [models.Index(fields=["counted_at", "closes_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="vote_closes_after_it_opens",
                violation_error_message=_("A vote must close after it opens."),
            ),
            models.CheckConstraint(
                condition=(Q(purpose="sign_off") & Q(priority__isnull=False) & Q(method="single"))
                | (Q(purpose="priorities") & Q(priority__isnull=True) & ~Q(method="single")),
                name="vote_purpose_fits_method",
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} ({self.neighbourhood_id}, {self.opens_at:%Y-%m-%d})"

    def is_taking_ballots(self, now=None) -> bool:
        now = now or timezone.now()
        return self.counted_at is None and self.opens_at <= now < self.closes_at

    @property
    def is_published(self) -> bool:
        return self.counted_at is not None

    @property
    def members_electorate(self) -> int | None:
        """Of the counted electorate, the In the Know members."""
        if self.electorate is None:
            return None
        return self.electorate - (self.confirmed_email_voters or 0)


class VoteOption(models.Model):
    """One choice on the ballot: a proposed priority, or an answer of a sign-off poll. The result
    columns are filled when the vote is counted."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="options")
    priority = models.ForeignKey(
        "priorities.Priority", on_delete=models.PROTECT, null=True, blank=True, related_name="vote_options"
    )
    answer = models.CharField(max_length=8, choices=SignOffAnswer, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # Approvals, answers, or points when ranked (3 for a first choice, 2 for a second, 1 for a third).
    score = models.PositiveIntegerField(null=True, blank=True)
    first_preferences = models.PositiveIntegerField(null=True, blank=True)
    # Percent of the weighted voters who chose it (points per weighted voter when ranked); None:
    # the weighting was not possible.
    weighted_score = models.FloatField(null=True, blank=True)
    is_winner = models.BooleanField(default=False)

    class Meta:
        ordering = ["vote", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "priority"], condition=Q(priority__isnull=False), name="vote_option_priority_once"
            ),
            models.CheckConstraint(
                condition=Q(priority__isnull=False) | ~Q(answer=""), name="vote_option_names_a_choice"
            ),
        ]

    def __str__(self):
        return str(self.priority) if self.priority_id else self.get_answer_display()


class Ballot(models.Model):
    """A member's ballot. The member is named only so nobody votes twice (the constraint below);
    what they chose is counted with their ward and, where they gave them, age band, sex and ethnic
    group, so the result can be weighted to the census."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    subscriber = models.ForeignKey(
        "messaging.Subscriber", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ward = models.ForeignKey("neighbourhoods.Ward", on_delete=models.PROTECT, related_name="+")
    age_band = models.CharField(max_length=10, choices=AgeBand, blank=True)
    sex = models.CharField(max_length=10, choices=Sex, blank=True)
    ethnic_group = models.CharField(max_length=32, choices=EthnicGroup, blank=True)
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "subscriber"],
                condition=Q(subscriber__isnull=False),
                name="one_ballot_per_member",
                violation_error_message=_("You have already voted in this vote."),
            )
        ]

    def __str__(self):
        return f"Ballot {self.pk} in vote {self.vote_id}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    option = models.ForeignKey(VoteOption, on_delete=models.CASCADE, related_name="+")
    # 1 to 3 on a ranked ballot; None when approving or answering.
    rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "option"], name="ballot_chooses_option_once"),
            models.UniqueConstraint(
                fields=["ballot", "rank"], condition=Q(rank__isnull=False), name="ballot_rank_once"
            ),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1, rank__lte=MAX_CHOICES), name="ballot_rank_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.option_id} ({self.rank or '✓'})"


class EmailVoter(models.Model):
    """Someone who is not an In the Know member, given a ballot on a vote open to the area by
    confirming an email address: the link goes to that address, so using it confirms it. The
    address is kept only to send the same link again and never a second ballot; it is deleted
    with the ballots (settings.RETENTION["vote_ballots_days"])."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="email_voters")
    # In lower case, as SubscriberChannel keeps it.
    email = models.EmailField(max_length=254)
    ward = models.ForeignKey("neighbourhoods.Ward", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ballot = models.OneToOneField(Ballot, on_delete=models.SET_NULL, null=True, blank=True, related_name="email_voter")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "email"],
                name="one_ballot_per_email_address",
                violation_error_message=_("This address already has a ballot in this vote."),
            )
        ]

    def __str__(self):
        return f"Email voter {self.pk} in vote {self.vote_id}"
