from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from accounts.policy import can, policy_required
from meetings import selectors, services
from meetings.filters import MeetingFilter
from meetings.forms import (
    AttachmentForm,
    CancelForm,
    CopyForm,
    IssueRaisedFormSet,
    MeetingForm,
    OfficerHoursFormSet,
    OutcomeForm,
    PartnerPresentFormSet,
)
from meetings.models import MeetingAttachment, MeetingType
from meetings.panels import agenda as panel_agenda
from meetings.panels import selectors as panel_selectors
from meetings.panels.forms import AgendaItemForm
from meetings.permissions import meeting_get_for_user
from neighbourhoods.models import Neighbourhood
from neighbourhoods.selectors import neighbourhoods_for_user
from pact_portal.forms import form_add_service_errors
from priorities.models import IssueStatus


def _editable_neighbourhoods(user):
    allowed = [n.pk for n in neighbourhoods_for_user(user=user) if can(user, "meeting.create", n)]
    return Neighbourhood.objects.filter(pk__in=allowed).order_by("name")


@require_GET
@policy_required("staff.dashboard")
def meeting_list(request):
    neighbourhoods = neighbourhoods_for_user(user=request.user)
    meetings = selectors.meetings_in_list_order(selectors.meetings_for_user(user=request.user))
    filterset = MeetingFilter(request.GET or None, queryset=meetings, neighbourhoods=neighbourhoods)
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    selectors.with_figures(page.object_list)
    context = {
        "filter": filterset,
        "page": page,
        "can_create": _editable_neighbourhoods(request.user).exists(),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "meetings/_meeting_rows.html" if partial else "meetings/meeting_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _calendar_month(request) -> tuple[date, date, date]:
    """The month asked for, kept within the months a meeting can be in, and those bounds: the
    month after December 9999 or before January 1 cannot even be computed."""
    today = timezone.localdate()
    earliest = date(services.EARLIEST_MEETING_YEAR, 1, 1)
    latest = (today + services.LATEST_MEETING_AHEAD).replace(day=1)
    try:
        year, month = (int(part) for part in request.GET.get("month", f"{today:%Y-%m}").split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    if first < earliest:
        messages.info(
            request,
            _("The calendar runs from %(month)s: meetings are recorded from then on.")
            % {"month": date_format(earliest, "F Y")},
        )
    elif first > latest:
        messages.info(
            request,
            _("The calendar runs to %(month)s: meetings are planned at most five years ahead.")
            % {"month": date_format(latest, "F Y")},
        )
    return min(max(first, earliest), latest), earliest, latest


@require_GET
@policy_required("staff.dashboard")
def meeting_calendar(request):
    first, earliest, latest = _calendar_month(request)
    meetings = selectors.meetings_for_user(user=request.user)
    filterset = MeetingFilter(
        request.GET or None, queryset=meetings, neighbourhoods=neighbourhoods_for_user(user=request.user)
    )
    previous = (first - timedelta(days=1)).replace(day=1) if first > earliest else None
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1) if first < latest else None
    context = {
        "weeks": selectors.month_calendar(meetings=filterset.qs, year=first.year, month=first.month),
        "month": first,
        "previous": previous,
        "following": following,
        "filter": filterset,
        # Month links keep the filters chosen; the month itself is replaced.
        "filter_query": "".join(
            f"{urlencode({key: value})}&" for key, value in request.GET.items() if key != "month" and value
        ),
    }
    return render(request, "meetings/meeting_calendar.html", context)


@require_http_methods(["GET", "POST"])
@policy_required("staff.dashboard")
def meeting_create(request):
    neighbourhoods = _editable_neighbourhoods(request.user)
    if not neighbourhoods.exists():
        raise PermissionDenied
    form = MeetingForm(request.POST or None, neighbourhoods=neighbourhoods, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                meeting = services.meeting_create(
                    actor=request.user,
                    neighbourhood=form.cleaned_data["neighbourhood"],
                    also_covers=list(form.cleaned_data["also_covers"]),
                    wards=list(form.cleaned_data["wards"]),
                    officers=list(form.cleaned_data["officers"]),
                    partners_invited=list(form.cleaned_data["partners_invited"]),
                    **form.service_fields(),
                )
                rule = form.repeat_rule()
                if rule:
                    services.series_create(meeting=meeting, actor=request.user, rrule=rule[0], description=rule[1])
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Meeting saved as a draft. Publish it when the details are final."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form, "creating": True})


def render_detail(request, meeting, *, attachment_form=None, agenda_form=None, status=200):
    """The staff meeting page; also re-rendered, with a form's errors, by the views that post to it."""
    selectors.with_figures([meeting])
    context = {
        "meeting": meeting,
        "can_edit": can(request.user, "meeting.edit", meeting),
        "can_view_restricted": can(request.user, "meeting.view_restricted", meeting),
        "attachment_form": attachment_form or AttachmentForm(),
    }
    if meeting.meeting_type == MeetingType.PANEL:
        context["agenda_sections"] = panel_agenda.agenda_sections(meeting=meeting)
        context["agenda_form"] = agenda_form or AgendaItemForm(prefix="agenda")
        context["quorum_problem"] = meeting.is_held and panel_selectors.panel_quorum_problem(meeting=meeting)
    return render(request, "meetings/meeting_detail.html", context, status=status)


@require_GET
def meeting_detail(request, pk):
    return render_detail(request, meeting_get_for_user(user=request.user, pk=pk))


@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = meeting_get_for_user(user=request.user, pk=pk, write=True)
    form = MeetingForm(
        request.POST or None,
        instance=meeting,
        neighbourhoods=Neighbourhood.objects.filter(pk=meeting.neighbourhood_id),
        shared=selectors.coverable_neighbourhoods(meeting=meeting, editable=_editable_neighbourhoods(request.user)),
        creating=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(
                meeting=meeting,
                actor=request.user,
                also_covers=list(form.cleaned_data["also_covers"]),
                wards=list(form.cleaned_data["wards"]),
                officers=list(form.cleaned_data["officers"]),
                partners_invited=list(form.cleaned_data["partners_invited"]),
                **form.service_fields(),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Meeting updated."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting, "creating": False})


def _simple_action(request, pk, action, success: str):
    meeting = meeting_get_for_user(user=request.user, pk=pk, write=True)
    try:
        action(meeting=meeting, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("meetings:detail", pk=meeting.pk)


@require_POST
def meeting_publish(request, pk):
    return _simple_action(
        request, pk, services.meeting_publish, _("Published: the meeting is now on public pages and feeds.")
    )


@require_POST
def series_publish(request, pk):
    meeting = meeting_get_for_user(user=request.user, pk=pk, write=True)
    if meeting.series is None:
        raise Http404("This meeting is not part of a series.")
    count = services.series_publish(series=meeting.series, actor=request.user)
    messages.success(
        request,
        ngettext(
            "Published %(count)s upcoming meeting in the series.",
            "Published %(count)s upcoming meetings in the series.",
            count,
        )
        % {"count": count},
    )
    return redirect("meetings:detail", pk=meeting.pk)


@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk):
    meeting = meeting_get_for_user(user=request.user, pk=pk, write=True)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Meeting cancelled. The public page and feeds show the reason."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/meeting_cancel.html", {"meeting": meeting, "form": form})


@require_POST
def meeting_delete(request, pk):
    meeting = meeting_get_for_user(user=request.user, pk=pk, write=True)
    try:
        services.meeting_delete_draft(meeting=meeting, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("meetings:detail", pk=meeting.pk)
    messages.success(request, _("Draft deleted."))
    return redirect("meetings:list")


@require_http_methods(["GET", "POST"])
def meeting_copy(request, pk):
    meeting = meeting_get_for_user(user=request.user, pk=pk, write=True)
    form = CopyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        starts_at = form.cleaned_data["starts_at"]
        if request.POST.get("whole_series") and meeting.series:
            series = services.series_copy(series=meeting.series, actor=request.user, first_start=starts_at)
            copy = series.occurrences.order_by("starts_at").first()
            messages.success(
                request,
                _("Series copied: %(count)s draft meetings from the new date.") % {"count": series.occurrences.count()},
            )
        else:
            copy = services.meeting_copy(meeting=meeting, actor=request.user, starts_at=starts_at)
            messages.success(request, _("Copied as a new draft."))
        return redirect("meetings:edit", pk=copy.pk)
    return render(request, "meetings/meeting_copy.html", {"meeting": meeting, "form": form})


def _officer_initial(meeting):
    if meeting.outcome_recorded_at:
        return [
            {
                "officer": row.officer,
                "rank": row.rank,
                "preparation_hours": row.preparation_hours,
                "attending_hours": row.attending_hours,
                "follow_up_hours": row.follow_up_hours,
            }
            for row in meeting.officer_attendance.all()
        ]
    people = [meeting.lead_officer, *meeting.officers.all()] if meeting.lead_officer else list(meeting.officers.all())
    return [{"officer": p, "rank": p.role} for p in dict.fromkeys(people)]


@require_http_methods(["GET", "POST"])
def meeting_record_outcome(request, pk):
    meeting = meeting_get_for_user(user=request.user, pk=pk, write=True)
    data = request.POST if request.method == "POST" else None
    register = panel_selectors.panel_register_for_meeting(meeting=meeting)
    form = OutcomeForm(
        data,
        instance=meeting,
        panel_members=register,
        initial={"panel_members": list(panel_selectors.panel_attendance_member_ids(meeting=meeting))},
    )
    wards = meeting.wards.defer("boundary").order_by("name")
    # Those not yet triaged are shown again to edit (re-recording replaces them); those taken up stay.
    untriaged = [i for i in meeting.issues_raised.all() if i.status == IssueStatus.NEW]
    raised = IssueRaisedFormSet(
        data,
        prefix="raised",
        initial=[{"description": i.description, "category": i.category, "ward": i.ward_id} for i in untriaged],
        form_kwargs={"wards": wards},
    )
    officers = OfficerHoursFormSet(
        data,
        prefix="officers",
        initial=_officer_initial(meeting),
        form_kwargs={"officers": selectors.officers_who_may_attend(meeting=meeting)},
    )
    partners = PartnerPresentFormSet(
        data,
        prefix="partners",
        initial=[{"agency": row.agency, "people": row.people} for row in meeting.partner_attendance.all()],
    )
    valid = [f.is_valid() for f in (form, officers, partners, raised)]  # each, so every error shows
    if request.method == "POST" and all(valid):
        kept = [f.cleaned_data for f in officers if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        try:
            services.meeting_record_outcome(
                meeting=meeting,
                actor=request.user,
                officers=[services.OfficerHours(**{k: v for k, v in row.items() if k != "DELETE"}) for row in kept],
                partners=[
                    (f.cleaned_data["agency"], f.cleaned_data["people"])
                    for f in partners
                    if f.cleaned_data and not f.cleaned_data.get("DELETE")
                ],
                issues=[
                    services.RaisedIssue(
                        f.cleaned_data["description"], f.cleaned_data["category"], f.cleaned_data["ward"]
                    )
                    for f in raised
                    if f.cleaned_data.get("description", "").strip()
                ],
                panel_members=form.cleaned_data.get("panel_members") if register is not None else None,
                **{name: form.cleaned_data[name] for name in OutcomeForm.Meta.fields},
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Outcome recorded."))
            return redirect("meetings:detail", pk=meeting.pk)
    taken_up = [i for i in meeting.issues_raised.all() if i.status != IssueStatus.NEW]
    context = {
        "meeting": meeting,
        "form": form,
        "officers": officers,
        "partners": partners,
        "raised": raised,
        "taken_up": taken_up,
    }
    return render(request, "meetings/meeting_outcome.html", context)


@require_POST
def attachment_add(request, pk):
    meeting = meeting_get_for_user(user=request.user, pk=pk, write=True)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                meeting=meeting,
                actor=request.user,
                uploaded_file=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                is_public=form.cleaned_data["is_public"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
    if form.errors:
        return render_detail(request, meeting, attachment_form=form, status=400)
    messages.success(request, _("Attachment added."))
    return redirect("meetings:detail", pk=meeting.pk)


@login_not_required
@require_safe
def attachment_download(request, pk):
    """Staff in the area get any attachment; everyone else only public ones of public meetings."""
    attachment = get_object_or_404(MeetingAttachment.objects.select_related("meeting__neighbourhood__division"), pk=pk)
    meeting = attachment.meeting
    staff_access = can(request.user, "meeting.view_internal", meeting)
    if not staff_access and not (attachment.is_public and meeting.is_public):
        raise Http404("No such attachment.")
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)
