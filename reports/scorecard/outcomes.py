"""What appeals produced, complaints and letters of thanks, campaigns and their outcomes, and
Citizens in Policing (volunteers, Neighbourhood Watch and other watch schemes): the scorecard's
figures from the rows people enter (reports.models), one query each."""

from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from messaging.models import Alert, AlertKind, AlertStatus, AudienceLevel
from reports.models import (
    Campaign,
    CampaignOutcome,
    FeedbackKind,
    FeedbackMonth,
    VolunteerCount,
    VolunteerRole,
    WatchSchemeCount,
    WatchSchemeKind,
)
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


def _at_quarter_ends(window, rows, groups) -> dict[str, list]:
    """Counts "as of" a date, at each quarter's end: every neighbourhood's latest count of each
    group on or before it, added up; None where no neighbourhood had been counted yet (or left a
    figure empty). `rows` are (neighbourhood_id, group, as_of, count)."""
    rows = sorted(rows, key=lambda row: row[2])
    figures = {group: [None] * QUARTERS for group in groups}
    for i, name in enumerate(window.names):
        end = window.dates[name][1]
        latest = {}
        for neighbourhood_id, group, as_of, count in rows:
            if as_of <= end:
                latest[neighbourhood_id, group] = count
        for (_pk, group), count in latest.items():
            if count is not None:
                figures[group][i] = (figures[group][i] or 0) + count
    return figures


def _volunteers(window, places) -> dict[str, list]:
    """Volunteers of each role at each quarter's end (one query)."""
    rows = VolunteerCount.objects.filter(
        neighbourhood_id__in=places.neighbourhood_ids, as_of__lte=window.last_day
    ).values_list("neighbourhood_id", "role", "as_of", "count")
    return _at_quarter_ends(window, rows, VolunteerRole.values)


OTHER_WATCH = "other"


def _sum_or_none(values) -> int | None:
    """The total of the figures someone gave; None if nobody gave any."""
    given = [v for v in values if v is not None]
    return sum(given) if given else None


def _watch_schemes(window, places) -> dict[str, list]:
    """Neighbourhood Watch schemes and their members at each quarter's end, and the other watch
    schemes (rural, business, other) together (one query)."""
    rows = list(
        WatchSchemeCount.objects.filter(
            neighbourhood_id__in=places.neighbourhood_ids, as_of__lte=window.last_day
        ).values_list("neighbourhood_id", "kind", "as_of", "schemes", "members")
    )
    figures = {}
    for figure, column in (("schemes", 3), ("members", 4)):
        by_kind = _at_quarter_ends(window, [(r[0], r[1], r[2], r[column]) for r in rows], WatchSchemeKind.values)
        others = [by_kind[kind] for kind in WatchSchemeKind.values if kind != WatchSchemeKind.NEIGHBOURHOOD_WATCH]
        figures[f"nhw_{figure}"] = by_kind[WatchSchemeKind.NEIGHBOURHOOD_WATCH]
        figures[f"{OTHER_WATCH}_{figure}"] = [_sum_or_none(values) for values in zip(*others, strict=True)]
    return figures


def _campaigns(window, places, *, level: str) -> dict[str, list]:
    """Campaigns running in each quarter, those that ended in it, and how those turned out (one
    query). Division-wide campaigns count for the division and the force, as complaints do."""
    area = Q(neighbourhood_id__in=places.neighbourhood_ids)
    if level != "neighbourhood":
        area |= Q(division_id__in=places.division_ids)
    rows = Campaign.objects.filter(area, starts_on__lte=window.last_day, ends_on__gte=window.first_day).values_list(
        "starts_on", "ends_on", "outcome"
    )
    figures = {key: [0] * QUARTERS for key in ("running", "ended", *CampaignOutcome.values)}
    for i, name in enumerate(window.names):
        start, end = window.dates[name]
        for starts_on, ends_on, outcome in rows:
            if starts_on <= end and ends_on >= start:
                figures["running"][i] += 1
            if start <= ends_on <= end:
                figures["ended"][i] += 1
                figures[outcome][i] += 1
    return figures


def campaigns_section(window, places, sources, *, level) -> Section:
    campaigns, c = _campaigns(window, places, level=level), sources["campaigns"]
    return Section(
        gettext_lazy("Campaigns and their outcomes (6.1, 6.2)"),
        [
            Measure("campaigns_running", _("Campaigns running"), campaigns["running"], c),
            Measure("campaigns_ended", _("Campaigns that ended"), campaigns["ended"], c),
            Measure("campaigns_met", _("Ended campaigns that met their aim"), campaigns[CampaignOutcome.MET], c),
            Measure("campaigns_partly", _("Ended campaigns that partly met it"), campaigns[CampaignOutcome.PARTLY], c),
            Measure("campaigns_not_met", _("Ended campaigns that did not"), campaigns[CampaignOutcome.NOT_MET], c),
            Measure(
                "campaigns_not_assessed",
                _("Ended campaigns not assessed yet"),
                campaigns[CampaignOutcome.NOT_ASSESSED],
                c,
            ),
        ],
    )


def outcomes_section(window, places, sources, *, level) -> Section:
    appeals, feedback, volunteers = (
        _appeals(window, places),
        _feedback(window, places, level=level),
        _volunteers(window, places),
    )
    watch = _watch_schemes(window, places)
    a, f, v, w = sources["appeals"], sources["feedback"], sources["volunteers"], sources["watch"]
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
            Measure("nhw_schemes", _("Neighbourhood Watch schemes (at quarter end)"), watch["nhw_schemes"], w),
            Measure("nhw_members", _("Neighbourhood Watch members (at quarter end)"), watch["nhw_members"], w),
            Measure("other_watch_schemes", _("Other watch schemes"), watch["other_schemes"], w),
            Measure("other_watch_members", _("Members of other watch schemes"), watch["other_members"], w),
        ],
    )
