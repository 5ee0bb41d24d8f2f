"""Door-knock rounds: the street and address list of each ward, the rounds officers plan from it,
each door's outcome, and the reach a finished round leaves behind.

The street list is a gazetteer (addresses alone are not personal data). A round's doors are: they
say who opened the door and what they said, so they belong to the team whose neighbourhood the
round is in and are deleted with the round after settings.RETENTION["door_knock_rounds_days"].
What outlives them is DoorKnockReach: counts only, kept with the round's meeting for the returns.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Street(models.Model):
    ward = models.ForeignKey("neighbourhoods.Ward", on_delete=models.CASCADE, related_name="streets")
    name = models.CharField(max_length=120)
    # The demo makes its streets up: they must never pass for a real place.
    is_synthetic = models.BooleanField(default=False)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["ward", "name"], name="street_unique_in_ward")]

    def __str__(self):
        return self.name


class Address(models.Model):
    street = models.ForeignKey(Street, on_delete=models.CASCADE, related_name="addresses")
    # What is painted on the door: "12", "12a", "Flat 3, Weavers Court".
    number = models.CharField(max_length=60)
    postcode = models.CharField(max_length=8, blank=True)
    # The order a round walks the street in (the list's order, odd and even sides as given).
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["street", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["street", "number"], name="address_unique_on_street")]

    def __str__(self):
        return f"{self.number} {self.street.name}"


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    FINISHED = "finished", _("Finished")


class DoorKnockRoundQuerySet(models.QuerySet):
    def planned(self):
        return self.filter(status=RoundStatus.PLANNED)

    def finished(self):
        return self.filter(status=RoundStatus.FINISHED)


class DoorKnockRound(models.Model):
    neighbourhood = models.ForeignKey(
        "neighbourhoods.Neighbourhood", on_delete=models.PROTECT, related_name="door_knock_rounds"
    )
    ward = models.ForeignKey("neighbourhoods.Ward", on_delete=models.PROTECT, related_name="door_knock_rounds")
    streets = models.ManyToManyField(Street, related_name="rounds")
    # A round planned from another's "not in" doors.
    follows = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="followed_by")
    status = models.CharField(max_length=16, choices=RoundStatus, default=RoundStatus.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="door_knock_round"
    )

    objects = DoorKnockRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["neighbourhood", "status"]), models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="planned") | Q(finished_at__isnull=False), name="finished_round_has_time"
            )
        ]

    def __str__(self):
        when = f"{timezone.localtime(self.created_at):%d %b %Y}"
        return _("Door knocks in %(ward)s (%(when)s)") % {"ward": self.ward.name, "when": when}


class DoorOutcome(models.TextChoices):
    SIGNED_UP = "signed_up", _("Signed up")
    NOT_IN = "not_in", _("Not in")
    DECLINED = "declined", _("Declined")
    LEAFLET = "leaflet", _("Leaflet left")
    ISSUE = "issue", _("Issue raised")


# Someone came to the door: they signed up, said no, or told the officer about a problem.
SPOKEN_TO = frozenset({DoorOutcome.SIGNED_UP, DoorOutcome.DECLINED, DoorOutcome.ISSUE})


class RoundDoor(models.Model):
    round = models.ForeignKey(DoorKnockRound, on_delete=models.CASCADE, related_name="doors")
    address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=16, choices=DoorOutcome, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "address"], name="door_once_per_round")]

    def __str__(self):
        return str(self.address)


class DoorKnockReach(models.Model):
    """A finished round's counts, kept with its meeting after the round and its doors are deleted."""

    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.CASCADE, related_name="door_knock_reach")
    doors = models.PositiveIntegerField(help_text="Doors on the round's list.")
    knocked = models.PositiveIntegerField()
    spoken_to = models.PositiveIntegerField()
    signed_up = models.PositiveIntegerField()
    declined = models.PositiveIntegerField()
    leaflets = models.PositiveIntegerField()
    issues = models.PositiveIntegerField()
    not_in = models.PositiveIntegerField()

    def __str__(self):
        return _("%(knocked)s doors knocked (%(meeting)s)") % {"knocked": self.knocked, "meeting": self.meeting}
