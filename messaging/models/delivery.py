"""Deliveries: one row per (alert, subscriber, channel), each try at the provider, receipts,
and what the recipient did with the message."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .alerts import Alert
from .members import Channel, Subscriber


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    # A routine alert's email to a member who takes a digest: it goes in their next one.
    DIGEST = "digest", _("Waiting for the member's digest")


class Delivery(models.Model):
    """One message of one alert to one subscriber on one channel: exactly once, by constraint."""

    # No index of its own: the unique constraint below starts with alert_id and serves every
    # lookup by alert. Each index is paid for on each of a million inserts in a fan-out.
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel)
    status = models.CharField(max_length=12, choices=DeliveryStatus, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Opaque, unguessable: the key in tracked links, feedback links and the provider's reference.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider_id = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=255, blank=True)
    queued_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    # A text's length in SMS segments as sent (GSM-7 or UCS-2), which is what the provider bills.
    segments = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["alert", "subscriber", "channel"], name="one_delivery_per_channel"),
        ]
        indexes = [
            # The senders' claim: an alert's queued deliveries of one channel, in id order.
            models.Index(fields=["alert", "channel", "status", "id"]),
            # Receipts find a delivery by the provider's id, which exists only once it is sent:
            # a partial index costs nothing at fan-out time.
            models.Index(fields=["provider_id"], condition=~Q(provider_id=""), name="delivery_provider_id_sent"),
            # The sweep's "what is due": only rows waiting for a time (held by quiet hours, or a retry)
            # are in it, so it too costs nothing at fan-out for the rows that go at once.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="queued", next_attempt_at__isnull=False),
                name="delivery_waiting_due",
            ),
        ]

    def __str__(self):
        return f"{self.alert_id}/{self.subscriber_id}/{self.channel}: {self.status}"


class DeliveryAttempt(models.Model):
    """Each try at the provider: the backoff between them is visible here."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    outcome = models.CharField(max_length=16)  # sent / transient / permanent / rate_limited
    detail = models.CharField(max_length=255, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["attempted_at"]

    def __str__(self):
        return f"{self.delivery_id} at {self.attempted_at:%Y-%m-%d %H:%M:%S}: {self.outcome}"


class OutboxMessage(models.Model):
    """The embedded default's channel: each rendered message is kept here and shown to staff,
    so the demo's alerts can be read without a mail server or an SMS provider."""

    delivery = models.OneToOneField(Delivery, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_channel_display()} to {self.to}"


class ReceiptEvent(models.Model):
    """A delivery receipt from a provider's webhook, kept once: a replayed receipt is ignored."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="receipt_once")]

    def __str__(self):
        return f"{self.provider} {self.event_id}"


class Feedback(models.Model):
    """A recipient's answer to an alert: was it useful, did they act on it, a comment."""

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="feedback")
    useful = models.BooleanField(null=True, blank=True)
    acted_on = models.BooleanField(default=False)
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Feedback on {self.delivery_id}"


class LinkClick(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="clicks")
    url = models.URLField(max_length=1000)
    clicked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.url
