from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import Meeting
from meetings.panels.models import Panel, PanelArea, PanelAttendance, PanelMember
from meetings.panels.selectors import panel_meeting_panel

MEMBER_FIELDS = (
    "first_name",
    "last_name",
    "organisation",
    "role",
    "office",
    "term_starts",
    "term_ends",
    "email",
    "telephone",
    "public_display",
)


def _check_quorum(quorum) -> None:
    if quorum is None or quorum < 1:
        raise ValidationError({"quorum": _("The quorum must be at least 1 member.")})


@transaction.atomic
def panel_create(*, actor, name: str, neighbourhoods, quorum: int) -> Panel:
    """A panel for one neighbourhood or a group; each neighbourhood may have only one."""
    _check_quorum(quorum)
    if not neighbourhoods:
        raise ValidationError({"neighbourhoods": _("Choose at least one neighbourhood.")})
    taken = PanelArea.objects.filter(neighbourhood__in=neighbourhoods).select_related("neighbourhood", "panel")
    if taken:
        raise ValidationError(
            {
                "neighbourhoods": [
                    _("%(neighbourhood)s already has a panel: %(panel)s.")
                    % {"neighbourhood": area.neighbourhood.name, "panel": area.panel.name}
                    for area in taken
                ]
            }
        )
    panel = Panel(name=name, quorum=quorum, created_by=actor)
    panel.full_clean()
    panel.save()
    PanelArea.objects.bulk_create([PanelArea(panel=panel, neighbourhood=n) for n in neighbourhoods])
    return panel


@transaction.atomic
def panel_update(*, panel: Panel, actor, name: str, quorum: int) -> Panel:
    _check_quorum(quorum)
    panel.name = name
    panel.quorum = quorum
    panel.full_clean()
    panel.save(update_fields=["name", "quorum"])
    return panel


def _member_problems(member: PanelMember) -> dict[str, str]:
    problems = {}
    if member.term_ends and member.term_starts and member.term_ends < member.term_starts:
        problems["term_ends"] = _("The term cannot end (%(ends)s) before it starts (%(starts)s).") % {
            "ends": f"{member.term_ends:%-d %B %Y}",
            "starts": f"{member.term_starts:%-d %B %Y}",
        }
    if member.office:
        holder = (
            PanelMember.objects.filter(panel_id=member.panel_id, office=member.office).exclude(pk=member.pk).first()
        )
        if holder is not None:
            problems["office"] = _(
                "%(name)s already holds the office of %(office)s on this panel: stand them down first "
                "(edit their entry and set their office to Member)."
            ) % {"name": str(holder), "office": _(member.get_office_display()).lower()}
    return problems


def _member_save(member: PanelMember, *, update_fields=None) -> PanelMember:
    if problems := _member_problems(member):
        raise ValidationError(problems)
    member.full_clean()
    member.save(update_fields=update_fields)
    return member


@transaction.atomic
def panel_member_add(*, panel: Panel, actor, **fields) -> PanelMember:
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown member fields: {sorted(unknown)}")
    return _member_save(PanelMember(panel=panel, **fields))


@transaction.atomic
def panel_member_update(*, member: PanelMember, actor, **fields) -> PanelMember:
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown member fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(member, name, value)
    return _member_save(member, update_fields=list(fields))


@transaction.atomic
def panel_attendance_record(*, meeting: Meeting, actor, members: list[PanelMember]) -> list[PanelAttendance]:
    """Replace the meeting's panel attendance with these register members, each of whom must be a
    current member of the meeting's panel on the meeting's day."""
    panel = panel_meeting_panel(meeting=meeting)
    if panel is None:
        if members:
            raise ValidationError(_("Only a panel meeting of a neighbourhood with a panel has a register to take."))
        return []
    day: date = timezone.localdate(meeting.starts_at)
    strangers = [m for m in members if m.panel_id != panel.pk or not m.is_current(day)]
    if strangers:
        raise ValidationError(
            {
                "panel_members": _("Not current members of %(panel)s on %(day)s: %(names)s.")
                % {"names": ", ".join(str(m) for m in strangers), "panel": panel.name, "day": f"{day:%-d %B %Y}"}
            }
        )
    meeting.panel_attendance.all().delete()
    return PanelAttendance.objects.bulk_create([PanelAttendance(meeting=meeting, member=m) for m in members])
