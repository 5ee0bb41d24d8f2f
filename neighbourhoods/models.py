from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

ons_ward_code = RegexValidator(r"^[EWSN]05\d{6}$", "Enter an ONS ward code such as E05005155.")
ons_district_code = RegexValidator(r"^[EWSN]0[6789]\d{6}$", "Enter an ONS district code such as E07000117.")
slug_code = RegexValidator(r"^[a-z0-9][a-z0-9-]*$", "Use lower-case letters, digits and hyphens.")


class Force(models.Model):
    # The police.uk identifier ("lancashire"): external clients address the force by it.
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    telephone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Division(models.Model):
    """A basic command unit (BCU): the area a chief inspector answers for."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="divisions")
    code = models.CharField(max_length=32, validators=[slug_code])
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["force", "code"], name="division_code_unique_in_force")]

    def __str__(self):
        return self.name


class District(models.Model):
    """A local authority district: the unit the ONS ward files come in."""

    code = models.CharField(max_length=9, unique=True, validators=[ons_district_code])
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class NeighbourhoodQuerySet(models.QuerySet):
    def for_division(self, division):
        return self.filter(division=division)

    def in_force(self, force):
        return self.filter(division__force=force)


class Neighbourhood(models.Model):
    """A neighbourhood policing team (NHPT) area: one or more wards served by one team."""

    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="neighbourhoods")
    # Stable across renames because police.uk clients and bookmarks use it.
    code = models.CharField(max_length=80, unique=True, validators=[slug_code])
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    public_email = models.EmailField(blank=True)
    public_telephone = models.CharField(max_length=40, blank=True)
    centre_latitude = models.FloatField(null=True, blank=True)
    centre_longitude = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NeighbourhoodQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("neighbourhoods:detail", kwargs={"code": self.code})


class RiskCategory(models.TextChoices):
    # Lancashire grades wards by risk, threat and vulnerability to direct neighbourhood effort.
    NOT_ASSESSED = "not_assessed", _("Not assessed")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class WardQuerySet(models.QuerySet):
    def containing_bbox(self, *, longitude, latitude):
        return self.filter(_bbox_holds(longitude=longitude, latitude=latitude))

    def containing_bbox_of_any(self, points):
        """Wards whose bounding box holds at least one of the (latitude, longitude) points."""
        held = models.Q(pk__in=[])
        for latitude, longitude in points:
            held |= _bbox_holds(longitude=longitude, latitude=latitude)
        return self.filter(held)


def _bbox_holds(*, longitude, latitude) -> models.Q:
    return models.Q(
        min_longitude__lte=longitude,
        max_longitude__gte=longitude,
        min_latitude__lte=latitude,
        max_latitude__gte=latitude,
    )


class Ward(models.Model):
    code = models.CharField(max_length=9, unique=True, validators=[ons_ward_code])
    name = models.CharField(max_length=120)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="wards", null=True, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.SET_NULL, related_name="wards", null=True, blank=True
    )
    # GeoJSON geometry (Polygon or MultiPolygon, WGS84) exactly as imported.
    boundary = models.JSONField()
    centroid_latitude = models.FloatField()
    centroid_longitude = models.FloatField()
    # The bounding box narrows a point lookup to a handful of candidates before any polygon test.
    min_longitude = models.FloatField()
    min_latitude = models.FloatField()
    max_longitude = models.FloatField()
    max_latitude = models.FloatField()
    population = models.PositiveIntegerField(null=True, blank=True)
    is_priority_neighbourhood = models.BooleanField(
        default=False, help_text=_("Among the most deprived areas, given extra neighbourhood effort.")
    )
    risk_category = models.CharField(max_length=16, choices=RiskCategory, default=RiskCategory.NOT_ASSESSED)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WardQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["min_longitude", "max_longitude", "min_latitude", "max_latitude"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_longitude__lte=models.F("max_longitude"))
                & Q(min_latitude__lte=models.F("max_latitude")),
                name="ward_bbox_ordered",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"


class TeamMembershipQuerySet(models.QuerySet):
    def current(self, *, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on)))


class TeamMembership(models.Model):
    """Who served a neighbourhood, in what role, and when.

    History is kept rather than overwritten because forces are judged on staff continuity:
    how long a resident keeps the same PCSO is a measure in its own right.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    objects = TeamMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["neighbourhood", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_ends_after_it_starts",
            ),
            models.UniqueConstraint(
                fields=["user", "neighbourhood"],
                condition=Q(end_date__isnull=True),
                name="one_open_membership_per_user_and_neighbourhood",
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.neighbourhood} ({self.get_role_display()})"


# --- What the force publishes about itself and its neighbourhoods (the police.uk-compatible API) ---

# The contact_details keys police.uk clients know; anything else would be silently ignored by them.
POLICEUK_CONTACT_KEYS = frozenset(
    {
        "email", "telephone", "mobile", "fax", "web", "address", "facebook", "twitter", "youtube", "myspace",
        "bebo", "flickr", "google-plus", "forum", "e-messaging", "rss",
    }
)  # fmt: skip


def validate_contact_details(value):
    if not isinstance(value, dict):
        raise ValidationError('Contact details are a set of named values, e.g. {"twitter": "https://…"}.')
    unknown = sorted(set(value) - POLICEUK_CONTACT_KEYS)
    if unknown:
        known = ", ".join(sorted(POLICEUK_CONTACT_KEYS))
        raise ValidationError(f"Unknown contact detail: {', '.join(unknown)}. Use one of: {known}.")
    if any(not isinstance(v, str) for v in value.values()):
        raise ValidationError("Each contact detail is a piece of text.")


class EngagementMethod(models.Model):
    """A way residents can reach or follow the force: its social media, alert scheme, online reporting."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="engagement_methods")
    title = models.CharField(max_length=120)
    url = models.URLField()
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text=_("Lower numbers are listed first."))

    class Meta:
        ordering = ["force", "position", "title"]

    def __str__(self):
        return self.title


class SeniorOfficer(models.Model):
    """A chief officer the force names publicly. Kept apart from user accounts: who is listed, and
    with which public contact details, is the force's published choice, not a login's."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="senior_officers")
    name = models.CharField(max_length=150)
    rank = models.CharField(max_length=80)
    bio = models.TextField(blank=True)
    contact_details = models.JSONField(
        default=dict, blank=True, validators=[validate_contact_details], help_text=_("Public contacts only.")
    )
    position = models.PositiveSmallIntegerField(default=0, help_text=_("Lower numbers are listed first."))

    class Meta:
        ordering = ["force", "position", "name"]

    def __str__(self):
        return f"{self.rank} {self.name}"


class LocationType(models.TextChoices):
    STATION = "station", _("Police station")
    CONTACT_POINT = "contact_point", _("Community contact point")
    OTHER = "other", _("Other place")


class NeighbourhoodLocation(models.Model):
    """A place where residents can meet the team: a station front counter, a contact point."""

    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=150)
    location_type = models.CharField(max_length=16, choices=LocationType, default=LocationType.STATION)
    address = models.TextField()
    postcode = models.CharField(max_length=10, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    description = models.TextField(blank=True, help_text=_("Opening hours, access, what can be done there."))
    position = models.PositiveSmallIntegerField(default=0, help_text=_("Lower numbers are listed first."))

    class Meta:
        ordering = ["neighbourhood", "position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="location_has_both_coordinates_or_neither",
            )
        ]

    def __str__(self):
        return self.name


class NeighbourhoodLink(models.Model):
    """A link the team points residents to: the council, a residents' association, a watch scheme."""

    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(max_length=150)
    url = models.URLField()
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text=_("Lower numbers are listed first."))

    class Meta:
        ordering = ["neighbourhood", "position", "title"]

    def __str__(self):
        return self.title
