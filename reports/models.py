"""The monthly (or quarterly) highlight and headline return of one division.

The figures are never stored while a return is a draft: they are built from the live data every
time it is read. Submitting freezes them in `snapshot`, with a fingerprint of the same figures so
the return can say when the underlying data has changed since it was signed.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


# HMIC: the return reaches the HQ core team "by the ninth day of the following month".
DUE_DAY = 9
# Reminders to the chief inspector while the return is still a draft.
REMINDER_DAYS = (5, 8)


class HighlightReturn(models.Model):
    division = models.ForeignKey("neighbourhoods.Division", on_delete=models.PROTECT, related_name="returns")
    period_kind = models.CharField(max_length=8, choices=PeriodKind, default=PeriodKind.MONTH)
    period_start = models.DateField()
    period_end = models.DateField(help_text="The last day of the period, inclusive.")
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=ReturnStatus, default=ReturnStatus.DRAFT)

    engagement_highlights = models.TextField(blank=True)
    partnership_highlights = models.TextField(blank=True)
    best_practice = models.TextField(blank=True)
    exceptions = models.TextField(blank=True)
    top_priorities = models.ManyToManyField("priorities.Priority", related_name="+", blank=True)
    # Inspectors the chief inspector has asked to write the narrative with them.
    delegates = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="delegated_returns", blank=True)

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(null=True, blank=True, help_text="The figures as they were when submitted.")
    snapshot_fingerprint = models.CharField(max_length=64, blank=True)
    first_reminder_at = models.DateTimeField(null=True, blank=True)
    final_reminder_at = models.DateTimeField(null=True, blank=True)
    marked_late_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "division__name"]
        constraints = [
            models.UniqueConstraint(fields=["division", "period_kind", "period_start"], name="one_return_per_period"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="period_in_order"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(submitted_at__isnull=False, snapshot__isnull=False),
                name="submitted_return_has_snapshot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division} — {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.period_kind == PeriodKind.QUARTER:
            return f"{self.period_start:%b} to {self.period_end:%b %Y}"
        return f"{self.period_start:%B %Y}"

    @property
    def is_submitted(self) -> bool:
        return self.status == ReturnStatus.SUBMITTED

    @property
    def is_late(self) -> bool:
        """Submitted after the due date, or still a draft once it has passed."""
        if self.submitted_at is not None:
            return timezone.localdate(self.submitted_at) > self.due_date
        return self.marked_late_at is not None or timezone.localdate() > self.due_date


class ReturnEventVerb(models.TextChoices):
    CREATED = "created", _("Draft created")
    EDITED = "edited", _("Narrative edited")
    REMINDED = "reminded", _("Reminder sent")
    SUBMITTED = "submitted", _("Submitted")
    MARKED_LATE = "marked_late", _("Marked late")
    REOPENED = "reopened", _("Reopened")


class ReturnEvent(models.Model):
    """The return's history: who did what, when, and why (a reopening always gives a reason)."""

    highlight_return = models.ForeignKey(HighlightReturn, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    verb = models.CharField(max_length=16, choices=ReturnEventVerb)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_verb_display()} at {self.at:%Y-%m-%d %H:%M}"


def due_date_for(period_end: datetime.date) -> datetime.date:
    """The ninth day of the month after the period ends."""
    first_of_next = (period_end.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return first_of_next.replace(day=DUE_DAY)


class WardMonthMembership(models.Model):
    """In the Know's membership of one ward at the close of one month, recorded once the month
    has ended (beat, on the 1st) so a return reads a few rows per ward instead of counting every
    member the ward has ever had. Later changes to a closed month's members (a channel found
    undeliverable, with no date) do not move it: the figure is the month as it closed."""

    ward = models.ForeignKey("neighbourhoods.Ward", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month.")
    members = models.PositiveIntegerField(help_text="Members reachable at the month's end.")
    joined_by_end = models.PositiveIntegerField(help_text="Members who had confirmed a channel by the month's end.")
    unsubscribes = models.PositiveIntegerField(help_text="Channels unsubscribed during the month.")
    profile = models.JSONField(
        default=dict,
        help_text="Reachable members who shared their age band or ethnic group: {category: {group: count}}.",
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ward", "month"], name="one_membership_row_per_ward_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="membership_month_is_a_first"),
        ]

    def __str__(self) -> str:
        return f"{self.ward_id} {self.month:%Y-%m}: {self.members}"


# --- the scorecard's own figures: what the portal cannot count for itself --------------------------


class ReachPlatform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    X = "x", "X (Twitter)"
    INSTAGRAM = "instagram", "Instagram"
    NEXTDOOR = "nextdoor", "Nextdoor"
    WEBSITE = "website", "Website"
    OTHER = "other", "Other"


class ReachMonth(models.Model):
    """One neighbourhood account's month on a social media platform or website, as the platform's
    insights export gives it (engagement strategy 6.1). A figure the platform does not give is
    left empty, never zero, so a total never pretends to count what nobody counted."""

    neighbourhood = models.ForeignKey("neighbourhoods.Neighbourhood", on_delete=models.PROTECT, related_name="+")
    platform = models.CharField(max_length=16, choices=ReachPlatform)
    account = models.CharField(max_length=150, help_text="The account's handle or the site's address.")
    month = models.DateField(help_text="The first day of the month.")
    followers = models.PositiveIntegerField(null=True, blank=True, help_text="Page likes or followers at month end.")
    reach = models.PositiveIntegerField(null=True, blank=True, help_text="People who saw the account's posts.")
    engagements = models.PositiveIntegerField(null=True, blank=True, help_text="Reactions, shares and comments.")
    shares = models.PositiveIntegerField(null=True, blank=True)
    comments = models.PositiveIntegerField(null=True, blank=True)
    mentions = models.PositiveIntegerField(null=True, blank=True)
    unique_visitors = models.PositiveIntegerField(null=True, blank=True)
    return_visitors = models.PositiveIntegerField(null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "platform", "account"]
        constraints = [
            models.UniqueConstraint(fields=["neighbourhood", "platform", "account", "month"], name="one_reach_row"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="reach_month_is_a_first"),
        ]

    def __str__(self) -> str:
        return f"{self.account} ({self.get_platform_display()}) {self.month:%Y-%m}"


class FeedbackKind(models.TextChoices):
    COMPLAINT = "complaint", "Complaint"
    THANKS = "thanks", "Letter or message of thanks"


class FeedbackCategory(models.TextChoices):
    CONDUCT = "conduct", "Officer conduct"
    SERVICE = "service", "Quality of service"
    RESPONSE = "response", "Response or follow-up"
    ENGAGEMENT = "engagement", "Engagement and PACT"
    OTHER = "other", "Other"


class FeedbackMonth(models.Model):
    """Complaints and letters of thanks about neighbourhood policing in one month, counted by
    category, for a neighbourhood or (where the source does not say which) a whole division."""

    kind = models.CharField(max_length=12, choices=FeedbackKind)
    category = models.CharField(max_length=12, choices=FeedbackCategory)
    month = models.DateField(help_text="The first day of the month.")
    neighbourhood = models.ForeignKey(
        "neighbourhoods.Neighbourhood", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    division = models.ForeignKey(
        "neighbourhoods.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    count = models.PositiveIntegerField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "kind", "category"]
        constraints = [
            models.CheckConstraint(condition=models.Q(month__day=1), name="feedback_month_is_a_first"),
            models.CheckConstraint(
                condition=models.Q(neighbourhood__isnull=True) ^ models.Q(division__isnull=True),
                name="feedback_for_one_area",
            ),
            models.UniqueConstraint(
                fields=["kind", "category", "month", "neighbourhood"],
                condition=models.Q(neighbourhood__isnull=False),
                name="one_feedback_row_per_neighbourhood",
            ),
            models.UniqueConstraint(
                fields=["kind", "category", "month", "division"],
                condition=models.Q(division__isnull=False),
                name="one_feedback_row_per_division",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_category_display()} {self.month:%Y-%m}: {self.count}"


class VolunteerRole(models.TextChoices):
    SPECIAL_CONSTABLE = "special_constable", "Special constables"
    SUPPORT_VOLUNTEER = "support_volunteer", "Police support volunteers"
    CADET = "cadet", "Volunteer police cadets"
    # Volunteers outside the police family the strategy counts too (6.2): speed watch, street pastors.
    COMMUNITY = "community", "Community volunteers"


class VolunteerCount(models.Model):
    """Citizens in Policing volunteers serving a neighbourhood, counted as of a date."""

    neighbourhood = models.ForeignKey("neighbourhoods.Neighbourhood", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=VolunteerRole)
    as_of = models.DateField()
    count = models.PositiveIntegerField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-as_of", "role"]
        constraints = [
            models.UniqueConstraint(fields=["neighbourhood", "role", "as_of"], name="one_volunteer_count_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.as_of}: {self.count}"


class WatchSchemeKind(models.TextChoices):
    NEIGHBOURHOOD_WATCH = "neighbourhood_watch", "Neighbourhood Watch"
    RURAL = "rural", "Farm or rural watch"
    BUSINESS = "business", "Shop, pub or business watch"
    OTHER = "other", "Other watch scheme"


class WatchSchemeCount(models.Model):
    """Watch schemes in a neighbourhood and their members, counted as of a date (engagement
    strategy 6.2: "numbers of NHW schemes set up, participation in other watch schemes"). The
    schemes' own registers live with their coordinators, not in the portal: this is their count."""

    neighbourhood = models.ForeignKey("neighbourhoods.Neighbourhood", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=WatchSchemeKind)
    as_of = models.DateField()
    schemes = models.PositiveIntegerField()
    members = models.PositiveIntegerField(null=True, blank=True, help_text="Households or people signed up.")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-as_of", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["neighbourhood", "kind", "as_of"], name="one_watch_count_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.as_of}: {self.schemes}"


class CampaignOutcome(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not assessed yet"
    MET = "met", "Met its aim"
    PARTLY = "partly", "Partly met its aim"
    NOT_MET = "not_met", "Did not meet its aim"


class Campaign(models.Model):
    """A planned engagement campaign (a burglary-prevention week, a drink-drive campaign) run in a
    neighbourhood or across a division, and whether it met its aim (strategy 6.1 "campaign
    activities", 6.2 "outcomes of planned campaign activity")."""

    title = models.CharField(max_length=150)
    neighbourhood = models.ForeignKey(
        "neighbourhoods.Neighbourhood", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    division = models.ForeignKey(
        "neighbourhoods.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    aim = models.CharField(max_length=300, blank=True, help_text="What the campaign set out to change.")
    outcome = models.CharField(max_length=16, choices=CampaignOutcome, default=CampaignOutcome.NOT_ASSESSED)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_ends_after"),
            models.CheckConstraint(
                condition=models.Q(neighbourhood__isnull=True) ^ models.Q(division__isnull=True),
                name="campaign_for_one_area",
            ),
            models.UniqueConstraint(
                fields=["title", "starts_on", "neighbourhood"],
                condition=models.Q(neighbourhood__isnull=False),
                name="one_campaign_per_neighbourhood",
            ),
            models.UniqueConstraint(
                fields=["title", "starts_on", "division"],
                condition=models.Q(division__isnull=False),
                name="one_campaign_per_division",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_on})"


class AppealOutcome(models.Model):
    """What an In the Know appeal for information produced (engagement strategy 6.1: "operational
    and investigative results from appeals"). Kept here, not on the alert, because it is recorded
    afterwards by whoever follows the appeal up."""

    alert = models.OneToOneField("messaging.Alert", on_delete=models.CASCADE, related_name="appeal_outcome")
    information_received = models.BooleanField(default=False)
    arrests = models.PositiveIntegerField(default=0)
    closed = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Outcome of {self.alert_id}"
