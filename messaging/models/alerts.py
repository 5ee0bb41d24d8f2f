"""Alerts: what is sent, to which area, interests and channels, and each language version."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .members import Accepts, Channel, Interest, Language, Urgency


class AudienceLevel(models.TextChoices):
    WARDS = "wards", _("Wards")
    NEIGHBOURHOODS = "neighbourhoods", _("Neighbourhoods")
    DIVISIONS = "divisions", _("Divisions")
    FORCE = "force", _("The whole force")


class AlertKind(models.TextChoices):
    GENERAL = "general", _("General alert")
    MEETING_REMINDER = "meeting_reminder", _("PACT meeting reminder")
    APPEAL = "appeal", _("Appeal for information")
    PRIORITY_UPDATE = "priority_update", _("Priority update")
    EMERGENCY = "emergency", _("Emergency alert")
    SURVEY = "survey", _("Survey invitation")
    VOTE = "vote", _("Residents' vote invitation")


# An appeal for information is time-critical (a missing person, a suspect seen); every other kind
# but an emergency can wait for the member's next look at their email.
KIND_URGENCY = {AlertKind.EMERGENCY: Urgency.EMERGENCY, AlertKind.APPEAL: Urgency.URGENT}
ACCEPTED_BY = {
    Urgency.ROUTINE: [Accepts.EVERYTHING],
    Urgency.URGENT: [Accepts.EVERYTHING, Accepts.URGENT],
    Urgency.EMERGENCY: list(Accepts.values),
}


def kind_urgency(kind: str) -> str:
    return KIND_URGENCY.get(kind, Urgency.ROUTINE)


class AlertStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Alert(models.Model):
    """A message to an audience: area (wards, neighbourhoods, divisions or the force) × interests
    (none chosen = everyone in the area) × channels."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    force = models.ForeignKey("neighbourhoods.Force", on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=20, choices=AlertKind, default=AlertKind.GENERAL)
    title = models.CharField(max_length=150)
    # Plain text with a safe subset of Markdown (emphasis, links, lists) for the email.
    body = models.TextField()
    sms_text = models.TextField(blank=True)
    voice_script = models.TextField(blank=True)
    send_email = models.BooleanField(default=True)
    send_sms = models.BooleanField(default=False)
    send_voice = models.BooleanField(default=False)
    audience_level = models.CharField(max_length=16, choices=AudienceLevel)
    wards = models.ManyToManyField("neighbourhoods.Ward", blank=True, related_name="+")
    neighbourhoods = models.ManyToManyField("neighbourhoods.Neighbourhood", blank=True, related_name="+")
    divisions = models.ManyToManyField("neighbourhoods.Division", blank=True, related_name="+")
    interests = models.ManyToManyField(Interest, blank=True, related_name="alerts")
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    priority = models.ForeignKey(
        "priorities.Priority", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    # A survey invitation: each delivery's token is that member's own response link.
    survey = models.ForeignKey(
        "surveys.Survey", null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    # A residents' vote invitation: each message carries the member's own signed ballot link.
    vote = models.ForeignKey(
        "priorities.Vote", null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    status = models.CharField(max_length=20, choices=AlertStatus, default=AlertStatus.DRAFT)
    send_at = models.DateTimeField(null=True, blank=True, help_text="Empty: send as soon as it is released.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alerts_created")
    # A partner agency's alert: signed with its name in every rendering, and sent only once the police approve it.
    agency = models.ForeignKey(
        "accounts.PartnerAgency", null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts_approved"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    fanout_completed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts_cancelled"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Audience size per channel when it was released, so progress has a denominator.
    audience_counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "send_at"]), models.Index(fields=["released_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(send_email=True) | Q(send_sms=True) | Q(send_voice=True), name="alert_has_a_channel"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("messaging:alert-detail", kwargs={"pk": self.pk})

    def area_neighbourhoods(self) -> list:
        """Every neighbourhood the audience touches (three small queries; for one alert's page, or
        none when a list has worked them out for many alerts at once: see with_area_neighbourhoods)."""
        from neighbourhoods.models import Neighbourhood

        if (known := getattr(self, "_area_neighbourhoods", None)) is not None:
            return known

        if self.audience_level == AudienceLevel.FORCE:
            return list(Neighbourhood.objects.filter(division__force_id=self.force_id).select_related("division"))
        area = (
            Q(pk__in=self.neighbourhoods.values("pk"))
            | Q(division__in=self.divisions.values("pk"))
            | Q(wards__in=self.wards.values("pk"))
        )
        return list(Neighbourhood.objects.filter(area).select_related("division").distinct())

    @property
    def channels(self) -> list[str]:
        chosen = ((Channel.EMAIL, self.send_email), (Channel.SMS, self.send_sms), (Channel.VOICE, self.send_voice))
        return [channel for channel, on in chosen if on]


class AlertTranslation(models.Model):
    """One alert's text in another language. A member whose language has a version gets it; anyone
    else gets the alert's own (English) text. English itself is never a version: it is the alert."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=[c for c in Language.choices if c[0] != Language.ENGLISH])
    title = models.CharField(max_length=150)
    body = models.TextField()
    sms_text = models.TextField(blank=True)
    voice_script = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language"]
        constraints = [models.UniqueConstraint(fields=["alert", "language"], name="one_version_per_language")]

    def __str__(self):
        return f"{self.alert_id} ({self.language})"
