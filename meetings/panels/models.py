"""PACT panels: the standing group of residents, councillors, partners and community groups that
agrees a neighbourhood's priorities (HMIC 2015: "agreed by the PACT panel with the community").

A panel serves one neighbourhood or a group of them (a town-wide panel); a neighbourhood has at most
one panel. Members serve terms; a member is current on a day inside their term.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# A quorum of three ordinary members, at least one of them the chair or the vice-chair: the
# smallest table at which a resident voice outweighs any one agency, the usual rule in PACT
# panel terms of reference.
DEFAULT_QUORUM = 3


class PanelRole(models.TextChoices):
    RESIDENT = "resident", gettext_noop("Resident")
    COUNCILLOR = "councillor", gettext_noop("Ward councillor")
    PARTNER = "partner", gettext_noop("Partner agency representative")
    BUSINESS = "business", gettext_noop("Business")
    YOUTH = "youth", gettext_noop("Youth")
    COMMUNITY = "community", gettext_noop("Faith or community group")


class PanelOffice(models.TextChoices):
    NONE = "", gettext_noop("Member")
    CHAIR = "chair", gettext_noop("Chair")
    VICE_CHAIR = "vice_chair", gettext_noop("Vice-chair")


class PublicDisplay(models.TextChoices):
    FIRST_NAME = "first_name", gettext_noop("First name only")
    ORGANISATION = "organisation", gettext_noop("Organisation only")
    HIDDEN = "hidden", gettext_noop("Not shown")


class Panel(models.Model):
    name = models.CharField(max_length=150)
    neighbourhoods = models.ManyToManyField("neighbourhoods.Neighbourhood", through="PanelArea", related_name="panels")
    quorum = models.PositiveSmallIntegerField(
        default=DEFAULT_QUORUM,
        help_text="Members on the register present, one of them the chair or vice-chair, before the panel "
        "can agree or sign off priorities.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum__gte=1),
                name="panel_quorum_at_least_one",
                violation_error_message=_("The quorum must be at least 1 member."),
            )
        ]

    def __str__(self):
        return self.name


class PanelArea(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="areas")
    # One panel per neighbourhood: two panels could agree rival priorities for the same streets.
    neighbourhood = models.OneToOneField(
        "neighbourhoods.Neighbourhood", on_delete=models.PROTECT, related_name="panel_area"
    )

    def __str__(self):
        return f"{self.neighbourhood} in {self.panel}"


class PanelMemberQuerySet(models.QuerySet):
    def current(self, *, on: date):
        return self.filter(term_starts__lte=on).filter(Q(term_ends__isnull=True) | Q(term_ends__gte=on))


class PanelMember(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=PanelRole)
    office = models.CharField(_("office"), max_length=16, choices=PanelOffice, blank=True, default="")
    term_starts = models.DateField(_("term starts"))
    term_ends = models.DateField(_("term ends"), null=True, blank=True, help_text=_("Leave empty for no fixed end."))
    # Private to the team: never on a public page, feed or export.
    email = models.EmailField(_("email"), blank=True)
    telephone = models.CharField(_("telephone"), max_length=40, blank=True)
    public_display = models.CharField(
        _("shown publicly as"), max_length=16, choices=PublicDisplay, default=PublicDisplay.FIRST_NAME
    )

    objects = PanelMemberQuerySet.as_manager()

    class Meta:
        ordering = ["panel", "role", "first_name", "last_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_ends__isnull=True) | Q(term_ends__gte=models.F("term_starts")),
                name="panel_term_ends_after_start",
                violation_error_message=_("A term cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["panel", "office"],
                condition=~Q(office=""),
                name="panel_one_holder_per_office",
                violation_error_message=_("A panel has one chair and one vice-chair at most."),
            ),
            models.CheckConstraint(
                condition=~Q(public_display="organisation") | ~Q(organisation=""),
                name="panel_organisation_shown_is_named",
                violation_error_message=_("Name the organisation to show it publicly."),
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip()

    def is_current(self, on: date) -> bool:
        return self.term_starts <= on and (self.term_ends is None or on <= self.term_ends)

    @property
    def public_name(self) -> str:
        """What a resident reads: the first name or the organisation, as the member chose."""
        if self.public_display == PublicDisplay.FIRST_NAME:
            return self.first_name
        if self.public_display == PublicDisplay.ORGANISATION:
            return self.organisation
        return ""


class PanelAttendance(models.Model):
    """A register member at a panel meeting, recorded with the meeting's outcome."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="panel_attendance")
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="attendance")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="panel_member_once_per_meeting")]

    def __str__(self):
        return f"{self.member} at {self.meeting}"


class AgendaSection(models.TextChoices):
    """A panel meeting's agenda in the order HMIC describes (PACT, 2015)."""

    REVIEW = "review", gettext_noop("Review of the last priorities and what was done")
    NEW_ISSUES = "new_issues", gettext_noop("New issues, with the evidence behind them")
    AGREEMENT = "agreement", gettext_noop("Agreement of up to three priorities")
    ACTIONS = "actions", gettext_noop("Actions and owners")
    OTHER = "other", gettext_noop("Any other business")


SECTION_ORDER = {section: position for position, section in enumerate(AgendaSection)}


class AgendaItem(models.Model):
    """One line of a panel meeting's agenda. Only public text goes in: the pack is handed to
    residents on the panel, so restricted notes and evidence never reach it."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="agenda_items")
    section = models.CharField(max_length=16, choices=AgendaSection)
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=255)
    detail = models.TextField(blank=True)
    # How many residents stand behind it, from triage (an issue's supporters, summed).
    evidence_weight = models.PositiveIntegerField(null=True, blank=True)
    priority = models.ForeignKey(
        "priorities.Priority", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["meeting", "position"]

    def __str__(self):
        return self.title
