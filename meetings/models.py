import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.roles import Role


# Labels residents read are marked with gettext_noop: they stay plain strings (safe in iCalendar, JSON and
# exports) and go into the catalogues; public templates translate them with {% translate value %}.
class MeetingType(models.TextChoices):
    PUBLIC_PACT = "public_pact", gettext_noop("PACT public meeting")
    PANEL = "panel", gettext_noop("Multi-agency PACT panel / tasking meeting")
    STREET = "street", gettext_noop("Street meeting")
    DOOR_KNOCK = "door_knock", gettext_noop("Door knocks")
    STALL = "stall", gettext_noop("Stall or display")
    SURGERY = "surgery", gettext_noop("Surgery")
    YOUTH = "youth", gettext_noop("Youth or school PACT")
    EVA = "eva", gettext_noop("Environmental visual audit")
    SPECIALIST = "specialist", gettext_noop("Specialist PACT")
    ONLINE = "online", gettext_noop("Online meeting")
    HYBRID = "hybrid", gettext_noop("Hybrid meeting (in person and streamed)")
    # Engagement at someone else's table: a residents' association, a school governors' evening,
    # a mosque committee or a council ward forum (Lancashire 2015, Durham 2018).
    PARTNER_EVENT = "partner_event", gettext_noop("Attended another organisation's meeting or event")
    # The strategy counts open days apart (6.1: "Open Days, our own or others attended"): a station
    # or team open day the force runs. Someone else's open day is a partner event.
    OPEN_DAY = "open_day", gettext_noop("Open day")


# Online and hybrid meetings need a link; everything else happens somewhere people can walk to.
NEEDS_LINK = frozenset({MeetingType.ONLINE, MeetingType.HYBRID})
NEEDS_VENUE = frozenset(MeetingType) - {MeetingType.ONLINE}
MULTI_AGENCY = frozenset({MeetingType.PANEL})


class EngagementMode(models.TextChoices):
    IN_PERSON = "in_person", gettext_noop("In person")
    ONLINE = "online", gettext_noop("Online")
    HYBRID = "hybrid", gettext_noop("Hybrid")


def mode_of(meeting_type: str) -> EngagementMode:
    if meeting_type == MeetingType.ONLINE:
        return EngagementMode.ONLINE
    if meeting_type == MeetingType.HYBRID:
        return EngagementMode.HYBRID
    return EngagementMode.IN_PERSON


class SpecialistAudience(models.TextChoices):
    DEAF = "deaf", gettext_noop("Deaf and hard of hearing")
    POLISH = "polish", gettext_noop("Polish-speaking")
    TRAVELLERS = "travellers", gettext_noop("Gypsy, Roma and Traveller")
    WOMEN = "women", gettext_noop("Women")
    FAITH = "faith", gettext_noop("Faith group")
    LGBT = "lgbt", gettext_noop("LGBT+")
    OLDER = "older", gettext_noop("Older people")
    BUSINESS = "business", gettext_noop("Businesses")
    OTHER = "other", gettext_noop("Other (described)")


class MeetingStatus(models.TextChoices):
    DRAFT = "draft", gettext_noop("Draft")
    PUBLISHED = "published", gettext_noop("Published")
    CANCELLED = "cancelled", gettext_noop("Cancelled")


class MeetingSeries(models.Model):
    """A recurring meeting ("first Tuesday of the month"), with iCalendar RRULE semantics.

    Occurrences are stored as Meeting rows, so each one can be moved, cancelled or have its
    attendance recorded on its own; the series remembers the rule that made them.
    """

    neighbourhood = models.ForeignKey(
        "neighbourhoods.Neighbourhood", on_delete=models.CASCADE, related_name="meeting_series"
    )
    rrule = models.CharField(max_length=255, help_text=_("RFC 5545 RRULE, e.g. FREQ=MONTHLY;BYDAY=1TU"))
    description = models.CharField(max_length=200, help_text=_("The rule in words, e.g. 'first Tuesday of the month'."))
    first_start = models.DateTimeField()
    generated_until = models.DateTimeField(help_text=_("Occurrences exist up to this moment."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "meeting series"

    def __str__(self):
        return f"{self.description} ({self.neighbourhood})"


class MeetingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status__in=[MeetingStatus.PUBLISHED, MeetingStatus.CANCELLED])

    def upcoming(self, *, now=None):
        return self.filter(ends_at__gte=now or timezone.now()).order_by("starts_at")

    def past(self, *, now=None):
        return self.filter(ends_at__lt=now or timezone.now()).order_by("-starts_at")

    def held(self):
        return self.exclude(status=MeetingStatus.CANCELLED).filter(outcome_recorded_at__isnull=False)

    def for_ward(self, ward):
        return self.filter(wards=ward)

    def for_neighbourhood(self, neighbourhood):
        """Meetings it hosts and those of others that cover it too (a town-wide PACT)."""
        shared = Meeting.also_covers.through.objects.filter(neighbourhood=neighbourhood).values("meeting_id")
        return self.filter(Q(neighbourhood=neighbourhood) | Q(pk__in=shared))


class Meeting(models.Model):
    # The iCalendar UID: stable across edits so calendar apps update the event, not duplicate it.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    neighbourhood = models.ForeignKey("neighbourhoods.Neighbourhood", on_delete=models.PROTECT, related_name="meetings")
    # A town-wide online or hybrid PACT serves several neighbourhoods. `neighbourhood` is the one
    # that hosts it (whose team runs it, and where force and division totals count it, once);
    # these are the others it covers, on whose pages it appears too.
    also_covers = models.ManyToManyField(
        "neighbourhoods.Neighbourhood", related_name="meetings_shared", blank=True, verbose_name="also covers"
    )
    wards = models.ManyToManyField("neighbourhoods.Ward", related_name="meetings")
    series = models.ForeignKey(
        MeetingSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="occurrences"
    )
    # The start the rule gave this occurrence (iCalendar RECURRENCE-ID), kept when it is moved.
    occurrence_start = models.DateTimeField(null=True, blank=True)
    # An occurrence edited on its own is no longer rewritten by changes to its series.
    detached_from_series = models.BooleanField(default=False)

    meeting_type = models.CharField(max_length=16, choices=MeetingType)
    audience = models.CharField(
        max_length=16, choices=SpecialistAudience, blank=True, help_text=_("Who a specialist PACT is for.")
    )
    audience_detail = models.CharField(max_length=120, blank=True)
    title = models.CharField(max_length=150)
    public_agenda = models.TextField(blank=True)

    venue_name = models.CharField(max_length=150, blank=True)
    venue_address = models.CharField(max_length=255, blank=True)
    venue_latitude = models.FloatField(null=True, blank=True)
    venue_longitude = models.FloatField(null=True, blank=True)
    accessibility_notes = models.TextField(blank=True)
    online_url = models.URLField(blank=True, max_length=500)

    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=MeetingStatus, default=MeetingStatus.DRAFT)
    cancellation_reason = models.CharField(max_length=255, blank=True, help_text=_("Shown to the public."))
    # iCalendar SEQUENCE: bumped on every public change so calendar apps take the newer version.
    sequence = models.PositiveIntegerField(default=0)

    lead_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings_led", null=True, blank=True
    )
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="meetings_staffed", blank=True)
    partners_invited = models.ManyToManyField("accounts.PartnerAgency", related_name="meetings_invited", blank=True)

    # The outcome, recorded after the meeting.
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    public_attendees = models.PositiveIntegerField(null=True, blank=True)
    online_live_viewers = models.PositiveIntegerField(null=True, blank=True)
    online_later_views = models.PositiveIntegerField(null=True, blank=True)
    questions_received = models.PositiveIntegerField(null=True, blank=True)
    public_summary = models.TextField(blank=True)
    # Sensitive community information: police-only, never on a public page, feed or API.
    restricted_notes = models.TextField(blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["neighbourhood", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancellation_reason=""), name="cancelled_meeting_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(meeting_type__in=["online", "hybrid"]) | ~Q(online_url=""),
                name="online_meeting_has_link",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.starts_at):%d %b %Y %H:%M})"

    def get_absolute_url(self):
        return reverse("meetings:public-detail", kwargs={"uid": self.uid})

    @property
    def mode(self) -> EngagementMode:
        return mode_of(self.meeting_type)

    @property
    def is_multi_agency(self) -> bool:
        return self.meeting_type in MULTI_AGENCY

    @property
    def is_public(self) -> bool:
        return self.status in (MeetingStatus.PUBLISHED, MeetingStatus.CANCELLED)

    @property
    def is_held(self) -> bool:
        return self.outcome_recorded_at is not None and self.status != MeetingStatus.CANCELLED

    @property
    def people_reached(self) -> int:
        return sum(v or 0 for v in (self.public_attendees, self.online_live_viewers, self.online_later_views))


class RankHourlyCost(models.Model):
    """What an hour of each rank costs, for meeting cost estimates. Forces set their own."""

    role = models.CharField(max_length=32, choices=Role, unique=True)
    hourly_cost = models.DecimalField(max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["hourly_cost"]

    def __str__(self):
        return f"{self.get_role_display()}: £{self.hourly_cost}/hour"


class OfficerAttendance(models.Model):
    """An officer at a meeting and the hours it took: Durham costs each meeting at 1 hour to
    prepare, 1 to attend and 1 to follow up, so those are the defaults."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="officer_attendance")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rank = models.CharField(max_length=32, choices=Role)
    preparation_hours = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0"))]
    )
    attending_hours = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0"))]
    )
    follow_up_hours = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "officer"], name="officer_once_per_meeting"),
            models.CheckConstraint(
                condition=Q(preparation_hours__gte=0) & Q(attending_hours__gte=0) & Q(follow_up_hours__gte=0),
                name="officer_hours_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.officer} at {self.meeting}"

    @property
    def total_hours(self) -> Decimal:
        return self.preparation_hours + self.attending_hours + self.follow_up_hours


class PartnerAttendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="partner_attendance")
    agency = models.ForeignKey("accounts.PartnerAgency", on_delete=models.PROTECT, related_name="+")
    people = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "agency"], name="agency_once_per_meeting")]

    def __str__(self):
        return f"{self.agency} ({self.people}) at {self.meeting}"


class AttachmentKind(models.TextChoices):
    MINUTES = "minutes", gettext_noop("Minutes")
    AUDIO_MINUTES = "audio_minutes", gettext_noop("Audio minutes")
    AGENDA = "agenda", gettext_noop("Agenda")
    PRESENTATION = "presentation", gettext_noop("Presentation")
    PHOTO = "photo", gettext_noop("Photo")
    OTHER = "other", gettext_noop("Other")


class MeetingAttachment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=16, choices=AttachmentKind)
    file = models.FileField(upload_to="meetings/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    is_public = models.BooleanField(default=True, help_text=_("Untick for police-only documents."))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


# The panel models live in their sub-package; importing them here registers them with the app.
from meetings.panels.models import (  # noqa: E402, F401
    AgendaItem,
    AgendaSection,
    Panel,
    PanelArea,
    PanelAttendance,
    PanelMember,
    PanelOffice,
    PanelRole,
    PublicDisplay,
)
