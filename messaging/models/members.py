"""Members of In the Know: who they are, what they chose, and each channel that reaches them."""

import secrets
import uuid
from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message (SMS)")
    VOICE = "voice", _("Voice call")


class Language(models.TextChoices):
    """A member's language: settings.LANGUAGES, the languages the portal publishes in (the same codes,
    so a member's choice can be activated as is). Names are each language's own."""

    ENGLISH = "en-gb", "English"
    WELSH = "cy", "Cymraeg (Welsh)"
    POLISH = "pl", "Polski (Polish)"
    URDU = "ur", "اردو (Urdu)"
    PUNJABI = "pa", "ਪੰਜਾਬੀ (Punjabi)"
    BENGALI = "bn", "বাংলা (Bengali)"
    GUJARATI = "gu", "ગુજરાતી (Gujarati)"
    ARABIC = "ar", "العربية (Arabic)"
    ROMANIAN = "ro", "Română (Romanian)"


class SignUpSource(models.TextChoices):
    ONLINE = "online", _("Online")
    FIELD = "field", _("Field sign-up by an officer")
    IMPORT = "import", _("Imported")


class ConsentMethod(models.TextChoices):
    ONLINE_FORM = "online_form", _("Online form")
    DOORSTEP_VERBAL = "doorstep_verbal", _("Verbal, on the doorstep")
    DOORSTEP_SIGNED = "doorstep_signed", _("Signed paper form")
    EVENT = "event", _("At a stall or event")


class AgeBand(models.TextChoices):
    # ONS Census 2021 bands, grouped for adults (alerts are for people of 16 and over).
    A16_24 = "16-24", _("16 to 24")
    A25_34 = "25-34", _("25 to 34")
    A35_49 = "35-49", _("35 to 49")
    A50_64 = "50-64", _("50 to 64")
    A65_74 = "65-74", _("65 to 74")
    A75_PLUS = "75+", _("75 and over")
    NOT_SAID = "not_said", _("Prefer not to say")


class EthnicGroup(models.TextChoices):
    """ONS Census 2021 ethnic group, the 19 categories of England and Wales."""

    ASIAN_BANGLADESHI = "asian_bangladeshi", _("Asian, Asian British or Asian Welsh: Bangladeshi")
    ASIAN_CHINESE = "asian_chinese", _("Asian, Asian British or Asian Welsh: Chinese")
    ASIAN_INDIAN = "asian_indian", _("Asian, Asian British or Asian Welsh: Indian")
    ASIAN_PAKISTANI = "asian_pakistani", _("Asian, Asian British or Asian Welsh: Pakistani")
    ASIAN_OTHER = "asian_other", _("Asian, Asian British or Asian Welsh: Other Asian")
    BLACK_AFRICAN = "black_african", _("Black, Black British, Black Welsh, Caribbean or African: African")
    BLACK_CARIBBEAN = "black_caribbean", _("Black, Black British, Black Welsh, Caribbean or African: Caribbean")
    BLACK_OTHER = "black_other", _("Black, Black British, Black Welsh, Caribbean or African: Other Black")
    MIXED_WHITE_ASIAN = "mixed_white_asian", _("Mixed or Multiple ethnic groups: White and Asian")
    MIXED_WHITE_BLACK_AFRICAN = (
        "mixed_white_black_african",
        _("Mixed or Multiple ethnic groups: White and Black African"),
    )
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "mixed_white_black_caribbean",
        _("Mixed or Multiple ethnic groups: White and Black Caribbean"),
    )
    MIXED_OTHER = "mixed_other", _("Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups")
    WHITE_BRITISH = "white_british", _("White: English, Welsh, Scottish, Northern Irish or British")
    WHITE_IRISH = "white_irish", _("White: Irish")
    WHITE_GYPSY_TRAVELLER = "white_gypsy_traveller", _("White: Gypsy or Irish Traveller")
    WHITE_ROMA = "white_roma", _("White: Roma")
    WHITE_OTHER = "white_other", _("White: Other White")
    OTHER_ARAB = "other_arab", _("Other ethnic group: Arab")
    OTHER_ANY = "other_any", _("Other ethnic group: Any other ethnic group")
    NOT_SAID = "not_said", _("Prefer not to say")


class Interest(models.Model):
    """A topic residents opt into (burglary, rural crime, PACT meetings …); staff manage the list."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


def new_manage_secret() -> str:
    return secrets.token_urlsafe(12)


# Quiet hours for texts and calls unless the member chooses others (or none): the hours most
# people are asleep, as the commercial platforms default them.
QUIET_START = time(21, 0)
QUIET_END = time(8, 0)


class Digest(models.TextChoices):
    """How a member takes routine alerts by email: each as it is sent, or gathered into one."""

    NONE = "", _("Each alert by itself, as it is sent")
    DAILY = "daily", _("One email a day with the day's routine alerts")
    WEEKLY = "weekly", _("One email a week, on Monday mornings")


class SubscriberQuerySet(models.QuerySet):
    def current(self):
        """Not erased: an erased subscriber keeps only an anonymous row for the measures."""
        return self.filter(erased_at__isnull=True)


class Subscriber(models.Model):
    """A member of In the Know. One per person: a second sign-up with the same email or mobile
    number is merged into the first, never duplicated."""

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ward = models.ForeignKey("neighbourhoods.Ward", on_delete=models.PROTECT, related_name="subscribers")
    interests = models.ManyToManyField(Interest, through="SubscriberInterest", related_name="subscribers")
    language = models.CharField(max_length=8, choices=Language, default=Language.ENGLISH)
    source = models.CharField(max_length=16, choices=SignUpSource, default=SignUpSource.ONLINE)
    consent_method = models.CharField(max_length=20, choices=ConsentMethod, default=ConsentMethod.ONLINE_FORM)
    consent_at = models.DateTimeField()
    # Who took a field sign-up on the doorstep; null for online sign-ups.
    consent_taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Optional self-description, consented separately; only ever reported in aggregate.
    demographics_consent_at = models.DateTimeField(null=True, blank=True)
    age_band = models.CharField(max_length=10, choices=AgeBand, blank=True)
    ethnic_group = models.CharField(max_length=32, choices=EthnicGroup, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    # Signed into every manage link: changing it (the member's "cancel all earlier links", or an
    # erasure) makes every link already sent stop working, however young.
    manage_secret = models.CharField(max_length=32, default=new_manage_secret, editable=False)
    # Texts and calls that would arrive between these (Europe/London wall-clock) times wait for the
    # end of them; emails are never held, nor emergencies. Both empty: no quiet hours. The window
    # may cross midnight (21:00-08:00). Database defaults too, as the benchmarks insert set-wise.
    quiet_start = models.TimeField(null=True, blank=True, default=QUIET_START, db_default=QUIET_START)
    quiet_end = models.TimeField(null=True, blank=True, default=QUIET_END, db_default=QUIET_END)
    # A holiday: nothing but emergencies up to and including this day; it ends by itself.
    paused_until = models.DateField(null=True, blank=True)
    # Routine alerts by email gathered into one email a day or a week (urgent ones never wait).
    email_digest = models.CharField(max_length=8, choices=Digest, blank=True, default=Digest.NONE, db_default="")

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        # (ward, consent_at) serves the ward filter alone too, and a return's sign-ups in a period.
        indexes = [models.Index(fields=["ward", "consent_at"]), models.Index(fields=["created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="field") | Q(consent_taken_by__isnull=False) | Q(erased_at__isnull=False),
                name="field_sign_up_names_who_took_consent",
            ),
            models.CheckConstraint(
                condition=Q(age_band="", ethnic_group="") | Q(demographics_consent_at__isnull=False),
                name="self_description_needs_its_own_consent",
            ),
            models.CheckConstraint(
                condition=Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | (Q(quiet_start__isnull=False, quiet_end__isnull=False) & ~Q(quiet_start=models.F("quiet_end"))),
                name="quiet_hours_both_or_neither",
            ),
        ]

    def __str__(self):
        return f"Subscriber {self.reference.hex[:8]} ({self.ward})"


class SubscriberInterest(models.Model):
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE)
    interest = models.ForeignKey(Interest, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscriber", "interest"], name="one_row_per_interest")]
        indexes = [models.Index(fields=["interest", "subscriber"])]

    def __str__(self):
        return f"{self.subscriber_id}: {self.interest_id}"


class ChannelStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    ACTIVE = "active", _("Active")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    # The provider said the address cannot receive (hard bounce, number not in service).
    UNDELIVERABLE = "undeliverable", _("Undeliverable")


class Urgency(models.TextChoices):
    """How urgent each kind of alert is, and so which members' channels it may use (below)."""

    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class Accepts(models.TextChoices):
    """What a member lets through on one channel: the least urgent message it may carry."""

    EVERYTHING = "everything", _("Everything")
    URGENT = "urgent", _("Only urgent messages and emergencies")
    EMERGENCY = "emergency", _("Only emergencies")


class SubscriberChannelQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=ChannelStatus.ACTIVE)


class SubscriberChannel(models.Model):
    """One way to reach a subscriber: an email address, or a mobile number for SMS and voice.
    Only an active (confirmed, not unsubscribed) channel is ever in an audience."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="channels")
    channel = models.CharField(max_length=8, choices=Channel)
    # Email in lower case; a phone number in E.164 (+447700900123).
    address = models.CharField(max_length=254)
    status = models.CharField(max_length=16, choices=ChannelStatus, default=ChannelStatus.PENDING)
    # Email: the signed link's single-use nonce. SMS: a salted hash of the six-digit code.
    confirmation_secret = models.CharField(max_length=128, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmation_attempts = models.PositiveSmallIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # Which alert's message the unsubscribe came from, for "unsubscribes per alert".
    unsubscribed_from_alert = models.ForeignKey(
        "Alert", null=True, blank=True, on_delete=models.SET_NULL, related_name="unsubscribes"
    )
    status_reason = models.CharField(max_length=255, blank=True)
    # The member's choice of which messages may come this way. Emergencies always do: an
    # "emergency" alert reaches every active channel, whatever is chosen here.
    accepts = models.CharField(
        max_length=12, choices=Accepts, default=Accepts.EVERYTHING, db_default=Accepts.EVERYTHING
    )

    objects = SubscriberChannelQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "channel"], name="one_channel_row_per_subscriber"),
            # Duplicate sign-ups merge: an address belongs to one subscriber per channel.
            models.UniqueConstraint(fields=["channel", "address"], name="address_unique_per_channel"),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(confirmed_at__isnull=False), name="active_channel_is_confirmed"
            ),
        ]
        indexes = [models.Index(fields=["status", "channel", "subscriber"])]

    def __str__(self):
        return f"{self.get_channel_display()} for {self.subscriber_id} ({self.status})"
