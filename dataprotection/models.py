"""Data protection: the record of each subject request, and the audit trail's event tables.

The audit trail is django-pghistory: PostgreSQL triggers write an event row for every insert,
update or delete of the tracked fields, so `QuerySet.update()`, `bulk_create()` and raw SQL are
recorded as surely as `save()`. The triggers are PostgreSQL only: on SQLite (the embedded default)
the event tables exist but stay empty, and the audit page says so.
"""

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User
from meetings.models import Meeting
from messaging.models import Subscriber, SubscriberChannel
from neighbourhoods.models import TeamMembership
from priorities.models import Priority


class RequestAction(models.TextChoices):
    SEARCH = "search", _("Searched")
    EXPORT_JSON = "export_json", _("Exported (JSON)")
    EXPORT_CSV = "export_csv", _("Exported (CSV)")
    ERASE = "erase", _("Erased and anonymised")


class LawfulBasis(models.TextChoices):
    """Why the officer is looking: the request they are answering, under which law."""

    ACCESS = "access", _("Subject access request (UK GDPR article 15)")
    ERASURE = "erasure", _("Erasure request (UK GDPR article 17)")
    RECTIFICATION = "rectification", _("Rectification request (UK GDPR article 16)")
    LAW_ENFORCEMENT = "law_enforcement", _("Right of access or erasure under the Data Protection Act 2018, Part 3")
    OTHER = "other", _("Other: say which in the reference")


class TermKind(models.TextChoices):
    EMAIL = "email", _("Email address")
    PHONE = "phone", _("Telephone number")


class SubjectRequest(models.Model):
    """One search, export or erasure on the staff data protection page: who, when, why, and how
    many rows of each table it found. The address or number itself is kept only masked and as a
    keyed digest, so the record of an erasure does not keep what was erased, yet typing the same
    address again finds every earlier request about it."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=RequestAction)
    basis = models.CharField(max_length=16, choices=LawfulBasis)
    reference = models.CharField(max_length=120)
    term_kind = models.CharField(max_length=8, choices=TermKind)
    term_masked = models.CharField(max_length=80)
    term_digest = models.CharField(max_length=64, db_index=True)
    # {"table": rows} as found (search, export) or changed (erase); never the rows themselves.
    counts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.term_masked} ({self.reference})"


# --- the audit trail -----------------------------------------------------------------------------
# Each tracked model gets an event table here (one app, one set of migrations); the triggers go
# into the tracked model's own app's migrations, as pgtrigger installs them on its table.

# Secrets and noise stay out: password hashes and token digests would make the trail a second copy
# of the credentials; last_login and last_used change on every sign-in or API call.
USER_UNTRACKED = ["password", "last_login"]
API_TOKEN_UNTRACKED = ["digest", "last_used"]
# The restricted notes are tracked so a change can be traced; the page shows that they changed,
# never what they say (dataprotection.audit.selectors.RESTRICTED_FIELDS).
RESTRICTED_FIELDS = {"priorities.Priority": ["restricted_notes", "evidence"], "meetings.Meeting": ["restricted_notes"]}
CONSENT_FIELDS = ["consent_method", "consent_at", "consent_taken_by", "demographics_consent_at", "erased_at"]
CHANNEL_CONSENT_FIELDS = ["subscriber", "channel", "status", "confirmed_at", "unsubscribed_at"]


def _every_change():
    # A tracker learns its model's fields when set up: each model needs instances of its own.
    return pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent()


LABEL = "dataprotection"


def _newest_first():
    # The page reads each table newest first, a page at a time (dataprotection.audit.selectors).
    return {"indexes": [models.Index(fields=["-pgh_created_at", "-pgh_id"])]}


pghistory.track(
    *_every_change(), exclude=USER_UNTRACKED, app_label=LABEL, meta=_newest_first(), model_name="UserEvent"
)(User)
pghistory.track(*_every_change(), app_label=LABEL, meta=_newest_first(), model_name="TeamMembershipEvent")(
    TeamMembership
)
pghistory.track(
    *_every_change(), exclude=API_TOKEN_UNTRACKED, app_label=LABEL, meta=_newest_first(), model_name="ApiTokenEvent"
)(ApiToken)
# A priority or meeting is created with its notes by the team; what the trail must show is any
# later change to them, and who made it.
pghistory.track(
    pghistory.UpdateEvent(),
    fields=RESTRICTED_FIELDS["priorities.Priority"],
    app_label=LABEL,
    meta=_newest_first(),
    model_name="PriorityRestrictedEvent",
)(Priority)
pghistory.track(
    pghistory.UpdateEvent(),
    fields=RESTRICTED_FIELDS["meetings.Meeting"],
    app_label=LABEL,
    meta=_newest_first(),
    model_name="MeetingRestrictedEvent",
)(Meeting)
# Consent given at sign-up is on the member's row; the trail records every change after it (a
# withdrawal, a self-description consented or withdrawn, an erasure) and channel by channel the
# opt-in confirmed and the unsubscribes, which are set-wise updates (STOP texts, one-click links).
pghistory.track(
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    fields=CONSENT_FIELDS,
    app_label=LABEL,
    meta=_newest_first(),
    model_name="SubscriberConsentEvent",
)(Subscriber)
pghistory.track(
    pghistory.UpdateEvent(),
    fields=CHANNEL_CONSENT_FIELDS,
    app_label=LABEL,
    meta=_newest_first(),
    model_name="ChannelConsentEvent",
)(SubscriberChannel)

AUDITED_MODELS = {
    "accounts.User": "dataprotection.UserEvent",
    "neighbourhoods.TeamMembership": "dataprotection.TeamMembershipEvent",
    "accounts.ApiToken": "dataprotection.ApiTokenEvent",
    "priorities.Priority": "dataprotection.PriorityRestrictedEvent",
    "meetings.Meeting": "dataprotection.MeetingRestrictedEvent",
    "messaging.Subscriber": "dataprotection.SubscriberConsentEvent",
    "messaging.SubscriberChannel": "dataprotection.ChannelConsentEvent",
}
