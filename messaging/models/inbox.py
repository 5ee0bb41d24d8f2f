"""Replies to alerts: what members send back by email or text, the team's answers, the trigger
words that make a reply urgent and the duty contact each team keeps for them.

A reply lands in the inbox of the team of the member's neighbourhood (the part of the alert's area
the member lives in). One whose sender matches no member, or whose member lives in a ward no team
serves, has no neighbourhood: it is in the "not matched" folder, which only force-wide staff read.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .alerts import Alert
from .delivery import Delivery
from .members import Channel, Subscriber


class ReplyStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class TriggerWord(models.Model):
    """A word or phrase that makes a reply urgent. Matched as whole words, whatever the case or
    accents ("Help me", "HELP  ME", "hélp me" all match "help me")."""

    phrase = models.CharField(max_length=80, unique=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["phrase"]

    def __str__(self):
        return self.phrase


class DutyContact(models.Model):
    """Who a team's urgent replies go to at once: a shared duty mailbox or phone is better than a
    person, who goes off shift."""

    neighbourhood = models.OneToOneField(
        "neighbourhoods.Neighbourhood", on_delete=models.CASCADE, related_name="duty_contact"
    )
    name = models.CharField(max_length=120, help_text="A role or desk, e.g. 'Burnley neighbourhood duty sergeant'.")
    email = models.EmailField(blank=True)
    # E.164, as members' numbers are kept.
    mobile = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(email="") | ~Q(mobile=""), name="duty_contact_has_an_address"),
        ]

    def __str__(self):
        return f"{self.name} ({self.neighbourhood_id})"

    def clean(self):
        from messaging.members.phone import mobile_normalise

        # Kept in E.164, as the SMS sender needs it; the admin's form shows the error by the field.
        if self.mobile:
            try:
                self.mobile = mobile_normalise(self.mobile)
            except ValidationError as error:
                raise ValidationError({"mobile": error.messages}) from error


class InboundReplyQuerySet(models.QuerySet):
    def unmatched(self):
        return self.filter(neighbourhood__isnull=True)

    def for_neighbourhoods(self, neighbourhood_ids):
        return self.filter(neighbourhood_id__in=neighbourhood_ids)

    def inbox_order(self):
        # Urgent first, then the open ones, newest first within each.
        return self.annotate(is_closed=models.Case(models.When(status=ReplyStatus.CLOSED, then=1), default=0)).order_by(
            "-is_urgent", "is_closed", "-received_at", "-pk"
        )


class InboundReply(models.Model):
    """One message a member (or anyone) sent back, kept as received."""

    channel = models.CharField(max_length=8, choices=[(Channel.EMAIL, "Email"), (Channel.SMS, "Text message")])
    # An email address (lower case) or an E.164 number; what the provider said it came from.
    sender = models.CharField(max_length=254)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    received_at = models.DateTimeField()
    # Which webhook it came by and the provider's id for it: a replayed webhook stores nothing twice.
    provider = models.CharField(max_length=20)
    provider_message_id = models.CharField(max_length=255)
    subscriber = models.ForeignKey(
        Subscriber, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_replies"
    )
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    # The team's inbox it is in; empty: the "not matched" folder.
    neighbourhood = models.ForeignKey(
        "neighbourhoods.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_replies",
    )
    is_urgent = models.BooleanField(default=False)
    trigger_words = models.JSONField(default=list, blank=True)
    # Urgent replies: when the member was sent the 999 / 101 advice, and the duty contact told.
    advice_sent_at = models.DateTimeField(null=True, blank=True)
    duty_notified_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ReplyStatus, default=ReplyStatus.OPEN)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = InboundReplyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "inbound replies"
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_message_id"], name="inbound_reply_once"),
        ]
        indexes = [
            models.Index(fields=["neighbourhood", "is_urgent", "received_at"]),
            models.Index(fields=["subscriber", "received_at"]),
            models.Index(fields=["received_at"]),
        ]

    def __str__(self):
        return f"Reply {self.pk} by {self.get_channel_display()} ({self.status})"

    def get_absolute_url(self):
        return reverse("messaging:inbox-reply", kwargs={"pk": self.pk})


class AnswerOutcome(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class ReplyAnswer(models.Model):
    """A staff member's answer to a reply, sent by the member's channel."""

    reply = models.ForeignKey(InboundReply, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel)
    to = models.CharField(max_length=254)
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField()
    # The provider's reference for it, so its receipt can find it.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    outcome = models.CharField(max_length=10, choices=AnswerOutcome, default=AnswerOutcome.QUEUED)
    provider_id = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Answer {self.pk} to reply {self.reply_id}"


class BounceRecovery(models.Model):
    """An email address that bounced for good, and the attempt to get a new one by text: the member
    is texted once, and the email address in their answer starts its confirmation."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="bounce_recoveries")
    address = models.CharField(max_length=254)
    reason = models.CharField(max_length=255, blank=True)
    bounced_at = models.DateTimeField()
    # Empty: the member had no confirmed mobile, so the address is lost unless they come back.
    sms_sent_at = models.DateTimeField(null=True, blank=True)
    new_address = models.CharField(max_length=254, blank=True)
    # The member answered with an address (its confirmation was sent), then confirmed it.
    new_address_at = models.DateTimeField(null=True, blank=True)
    recovered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "bounce recoveries"
        indexes = [models.Index(fields=["bounced_at"])]
        constraints = [
            # One recovery per bounced address: a second bounce receipt for it texts no one again.
            models.UniqueConstraint(fields=["subscriber", "address"], name="one_recovery_per_bounced_address"),
        ]

    def __str__(self):
        return f"Bounce of {self.subscriber_id} at {self.bounced_at:%Y-%m-%d}"
