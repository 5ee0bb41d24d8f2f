"""What appeals produced, complaints and letters of thanks, and Citizens in Policing volunteers:
the scorecard's figures from the rows people enter (reports.models), one query each."""

from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from messaging.models import Alert, AlertKind, AlertStatus, AudienceLevel
from reports.models import FeedbackKind, FeedbackMonth, VolunteerCount, VolunteerRole
from reports.scorecard.quarters import QUARTERS, Measure, Section


def _appeals(window, places) -> dict[str, list]:
    """Appeals for information that reached the area, by the quarter they went out, and what they
    produced as recorded (one query)."""
    area = (
        Q(neighbourhoods__in=places.neighbourhood_ids)
        | Q(wards__in=places.ward_ids)
        | Q(divisions__in=places.division_ids)
        | Q(audience_level=AudienceLevel.FORCE, force__divisions__in=places.division_ids)
    )
    rows = (
        Alert.objects.filter(window.within("released_at"), area, kind=AlertKind.APPEAL)
        .filter(status__in=[AlertStatus.SENDING, AlertStatus.SENT])
        .order_by()
        .values(
            "pk",
            "released_at",
            "appeal_outcome__pk",
            "appeal_outcome__information_received",
            "appeal_outcome__arrests",
            "appeal_outcome__closed",
        )
        .distinct()
    )
    figures = {key: [0] * QUARTERS for key in ("sent", "recorded", "information", "arrests", "closed")}
    for row in rows:
        i = window.names.index(window.of(row["released_at"]))
        figures["sent"][i] += 1
        if row["appeal_outcome__pk"] is not None:
            figures["recorded"][i] += 1
            figures["information"][i] += int(row["appeal_outcome__information_received"])
            figures["arrests"][i] += row["appeal_outcome__arrests"]
            figures["closed"][i] += int(row["appeal_outcome__closed"])
    return figures


def _feedback(window, places, *, level: str) -> dict[str, list]:
    """Complaints and thanks per quarter; None for a quarter with nothing entered (one query).
    Division-wide rows count for a division or the force, never for one of its neighbourhoods."""
    area = Q(neighbourhood_id__in=places.neighbourhood_ids)
    if level != "neighbourhood":
        area |= Q(division_id__in=places.division_ids)
    rows = (
        FeedbackMonth.objects.filter(area, month__gte=window.first_day, month__lte=window.last_day)
        .order_by()
        .values("month", "kind")
        .annotate(n=Sum("count"))
    )
    figures = {kind: [None] * QUARTERS for kind in FeedbackKind.values}
    for row in rows:
        i = window.names.index(window.of_day(row["month"]))
        figures[row["kind"]][i] = (figures[row["kind"]][i] or 0) + row["n"]
    return figures


def _volunteers(window, places) -> dict[str, list]:
    """Volunteers of each role at each quarter's end: every neighbourhood's latest count on or
    before it (one query); None where no neighbourhood had been counted yet."""
    rows = VolunteerCount.objects.filter(
        neighbourhood_id__in=places.neighbourhood_ids, as_of__lte=window.last_day
    ).values_list("neighbourhood_id", "role", "as_of", "count")
    rows = sorted(rows, key=lambda row: row[2])
    figures = {role: [None] * QUARTERS for role in VolunteerRole.values}
    for i, name in enumerate(window.names):
        end = window.dates[name][1]
        latest = {}
        for neighbourhood_id, role, as_of, count in rows:
            if as_of <= end:
                latest[neighbourhood_id, role] = count
        for (_pk, role), count in latest.items():
            figures[role][i] = (figures[role][i] or 0) + count
    return figures


def outcomes_section(window, places, sources, *, level) -> Section:
    appeals, feedback, volunteers = (
        _appeals(window, places),
        _feedback(window, places, level=level),
        _volunteers(window, places),
    )
    a, f, v = sources["appeals"], sources["feedback"], sources["volunteers"]
    return Section(
        gettext_lazy("Appeals, complaints and thanks, and Citizens in Policing (6.1, 6.2)"),
        [
            Measure("appeals_sent", _("Appeals for information sent"), appeals["sent"], a),
            Measure("appeals_recorded", _("Appeals with an outcome recorded"), appeals["recorded"], a),
            Measure("appeals_information", _("Appeals that brought information"), appeals["information"], a),
            Measure("appeals_arrests", _("Arrests from appeals"), appeals["arrests"], a),
            Measure("appeals_closed", _("Appeals closed"), appeals["closed"], a),
            Measure("complaints", _("Complaints about neighbourhood policing"), feedback[FeedbackKind.COMPLAINT], f),
            Measure("thanks", _("Letters and messages of thanks"), feedback[FeedbackKind.THANKS], f),
            *[
                Measure(f"volunteers_{role.value}", f"{role.label} ({_('at quarter end')})", volunteers[role.value], v)
                for role in VolunteerRole
            ],
        ],
    )
