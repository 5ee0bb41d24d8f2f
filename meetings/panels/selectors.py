from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import scope_for
from meetings.models import Meeting, MeetingType
from meetings.panels.models import (
    Panel,
    PanelArea,
    PanelAttendance,
    PanelMember,
    PanelOffice,
    PanelRole,
    PublicDisplay,
)
from neighbourhoods.models import Neighbourhood


def panels_for_user(*, user) -> QuerySet[Panel]:
    """Panels serving any neighbourhood in the user's area, with their neighbourhoods and member count."""
    scope_filter = scope_for(user).neighbourhood_filter(via="areas__neighbourhood__")
    if scope_filter is None:
        return Panel.objects.none()
    in_area = Panel.objects.filter(**scope_filter).values("pk")
    return (
        Panel.objects.filter(pk__in=in_area)
        .annotate(
            current_count=Count(
                "members",
                filter=Q(members__term_starts__lte=timezone.localdate())
                & (Q(members__term_ends__isnull=True) | Q(members__term_ends__gte=timezone.localdate())),
            )
        )
        .prefetch_related(
            Prefetch("neighbourhoods", queryset=Neighbourhood.objects.only("pk", "name", "code", "division_id"))
        )
        .order_by("name")
    )


def neighbourhoods_without_panel(*, neighbourhoods) -> list[Neighbourhood]:
    taken = set(PanelArea.objects.filter(neighbourhood__in=neighbourhoods).values_list("neighbourhood_id", flat=True))
    return [n for n in neighbourhoods if n.pk not in taken]


def panel_detail(*, pk: int) -> Panel | None:
    return (
        Panel.objects.filter(pk=pk)
        .prefetch_related(
            Prefetch("neighbourhoods", queryset=Neighbourhood.objects.select_related("division")),
            Prefetch("members", queryset=PanelMember.objects.order_by("-term_starts", "first_name")),
        )
        .first()
    )


def panel_member_detail(*, pk: int) -> PanelMember | None:
    return (
        PanelMember.objects.filter(pk=pk)
        .select_related("panel")
        .prefetch_related(Prefetch("panel__neighbourhoods", queryset=Neighbourhood.objects.select_related("division")))
        .first()
    )


def panel_for_neighbourhood(*, neighbourhood) -> Panel | None:
    return Panel.objects.filter(areas__neighbourhood=neighbourhood).first()


def panel_current_members(*, panel: Panel, on: date) -> QuerySet[PanelMember]:
    return panel.members.current(on=on).order_by("role", "first_name", "last_name")


@dataclass(frozen=True)
class PublicRoleGroup:
    role: str
    label: str
    names: list[str]


def panel_public_register(*, neighbourhood, on: date) -> list[PublicRoleGroup]:
    """The current members of the neighbourhood's panel as residents may see them (one query):
    by role, each by first name or organisation as they chose, office holders marked; surnames
    and contact details never leave this function."""
    members = (
        PanelMember.objects.current(on=on)
        .filter(panel__areas__neighbourhood=neighbourhood)
        .exclude(public_display=PublicDisplay.HIDDEN)
        .only("first_name", "organisation", "role", "office", "public_display")
        .order_by("role", "first_name", "organisation")
    )
    groups = {}
    for member in members:
        name = member.public_name
        if member.office:
            name = _("%(name)s (%(office)s)") % {"name": name, "office": _(member.get_office_display()).lower()}
        groups.setdefault(member.role, []).append(name)
    return [
        PublicRoleGroup(role=role, label=label, names=groups[role])
        for role, label in PanelRole.choices
        if role in groups
    ]


def panel_meeting_panel(*, meeting: Meeting) -> Panel | None:
    """The panel whose register a meeting's attendance is taken against: a panel-type meeting of
    a neighbourhood that has a panel."""
    if meeting.meeting_type != MeetingType.PANEL:
        return None
    return panel_for_neighbourhood(neighbourhood=meeting.neighbourhood_id)


def panel_register_for_meeting(*, meeting: Meeting) -> QuerySet[PanelMember] | None:
    """The members who may be recorded present at a meeting (current on its day), or None when it
    is not a panel meeting of a neighbourhood with a panel."""
    panel = panel_meeting_panel(meeting=meeting)
    if panel is None:
        return None
    return panel_current_members(panel=panel, on=timezone.localdate(meeting.starts_at))


def panel_quorum_problem(*, meeting: Meeting) -> str | None:
    """Why a panel meeting could not decide for want of a quorum, or None. The quorum is the
    panel's number of register members present (current on the meeting's day), at least one of
    them the chair or the vice-chair; only panel-type meetings of a neighbourhood with a panel."""
    panel = panel_meeting_panel(meeting=meeting)
    if panel is None:
        return None
    day = timezone.localdate(meeting.starts_at)
    present = list(
        PanelMember.objects.current(on=day)
        .filter(panel=panel, attendance__meeting=meeting)
        .values_list("office", flat=True)
    )
    when = f"{day:%-d %B %Y}"
    if len(present) < panel.quorum:
        return _(
            "The panel meeting of %(when)s was not quorate: %(panel)s needs %(quorum)s members of its register "
            "present and %(count)s were recorded. Record the panel members who attended with the outcome."
        ) % {"when": when, "panel": panel.name, "quorum": panel.quorum, "count": len(present)}
    if not any(office in (PanelOffice.CHAIR, PanelOffice.VICE_CHAIR) for office in present):
        return _(
            "The panel meeting of %(when)s was not quorate: %(count)s members of the register were present "
            "(quorum %(quorum)s) but neither the chair nor the vice-chair was."
        ) % {"when": when, "count": len(present), "quorum": panel.quorum}
    return None


def panel_attendance_member_ids(*, meeting: Meeting) -> set[int]:
    return set(PanelAttendance.objects.filter(meeting=meeting).values_list("member_id", flat=True))
