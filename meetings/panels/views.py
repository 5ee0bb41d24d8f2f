from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import can, policy_required
from meetings import views as meeting_views
from meetings.models import MeetingType
from meetings.panels import agenda, selectors, services
from meetings.panels.forms import AgendaItemForm, PanelForm, PanelMemberForm
from meetings.panels.models import AgendaItem
from meetings.panels.permissions import panel_get_for_user, panel_member_get_for_user
from meetings.panels.services import MEMBER_FIELDS
from meetings.permissions import meeting_get_for_user
from neighbourhoods.models import Neighbourhood
from neighbourhoods.selectors import neighbourhoods_for_user
from pact_portal.csp import admit_styles
from pact_portal.forms import form_add_service_errors


def _keepable(user) -> list[Neighbourhood]:
    """Neighbourhoods in the user's area whose team they are on (who may start a panel)."""
    return [n for n in neighbourhoods_for_user(user=user) if can(user, "neighbourhood.edit", n)]


@require_GET
@policy_required("staff.dashboard")
def panel_list(request):
    panels = list(selectors.panels_for_user(user=request.user))
    keepable = _keepable(request.user)
    context = {
        "panels": [p for p in panels if can(request.user, "panel.view", p)],
        "without_panel": selectors.neighbourhoods_without_panel(neighbourhoods=keepable),
    }
    return render(request, "meetings/panels/panel_list.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@policy_required("staff.dashboard")
def panel_create(request):
    choices = Neighbourhood.objects.filter(pk__in=[n.pk for n in _keepable(request.user)]).order_by("name")
    if not choices.exists():
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = PanelForm(data, neighbourhoods=choices, initial={"neighbourhoods": request.GET.getlist("neighbourhood")})
    if data is not None and form.is_valid():
        try:
            panel = services.panel_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                neighbourhoods=list(form.cleaned_data["neighbourhoods"]),
                quorum=form.cleaned_data["quorum"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Panel created."))
            return redirect("meetings:panel-detail", pk=panel.pk)
    return render(request, "meetings/panels/panel_form.html", {"form": form, "creating": True})


@require_GET
def panel_detail(request, pk):
    panel = panel_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    members = list(panel.members.all())
    context = {
        "panel": panel,
        "current": [m for m in members if m.is_current(today)],
        "past_or_future": [m for m in members if not m.is_current(today)],
        "can_edit": can(request.user, "panel.edit", panel),
    }
    return render(request, "meetings/panels/panel_detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def panel_edit(request, pk):
    panel = panel_get_for_user(user=request.user, pk=pk, write=True)
    data = request.POST if request.method == "POST" else None
    form = PanelForm(data, initial={"name": panel.name, "quorum": panel.quorum})
    if data is not None and form.is_valid():
        try:
            services.panel_update(
                panel=panel, actor=request.user, name=form.cleaned_data["name"], quorum=form.cleaned_data["quorum"]
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Panel saved."))
            return redirect("meetings:panel-detail", pk=panel.pk)
    return render(request, "meetings/panels/panel_form.html", {"form": form, "panel": panel})


def _member_form_view(request, *, panel, member=None):
    data = request.POST if request.method == "POST" else None
    form = PanelMemberForm(data, instance=member)
    if data is not None and form.is_valid():
        values = {name: form.cleaned_data[name] for name in MEMBER_FIELDS}
        try:
            if member is None:
                services.panel_member_add(panel=panel, actor=request.user, **values)
            else:
                services.panel_member_update(member=member, actor=request.user, **values)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Register saved."))
            return redirect("meetings:panel-detail", pk=panel.pk)
    return render(request, "meetings/panels/member_form.html", {"form": form, "panel": panel, "member": member})


@require_http_methods(["GET", "HEAD", "POST"])
def member_add(request, pk):
    panel = panel_get_for_user(user=request.user, pk=pk, write=True)
    return _member_form_view(request, panel=panel)


@require_http_methods(["GET", "HEAD", "POST"])
def member_edit(request, pk):
    member = panel_member_get_for_user(user=request.user, pk=pk, write=True)
    # The form edits a copy, so a rejected change leaves nothing half-applied on the object.
    return _member_form_view(request, panel=member.panel, member=member)


@login_not_required
@require_GET
def public_panel(request, code):
    neighbourhood = get_object_or_404(Neighbourhood, code=code)
    panel = selectors.panel_for_neighbourhood(neighbourhood=neighbourhood)
    groups = selectors.panel_public_register(neighbourhood=neighbourhood, on=timezone.localdate()) if panel else []
    context = {"neighbourhood": neighbourhood, "panel": panel, "groups": groups}
    return render(request, "meetings/panels/public_panel.html", context)


def _panel_meeting(request, pk, *, write=False):
    meeting = meeting_get_for_user(user=request.user, pk=pk, write=write)
    if meeting.meeting_type != MeetingType.PANEL:
        raise Http404("Only panel meetings have the standard agenda.")
    return meeting


@require_POST
def agenda_prefill(request, pk):
    meeting = _panel_meeting(request, pk, write=True)
    agenda.agenda_prefill(meeting=meeting, actor=request.user)
    messages.success(request, _("The agenda was filled in from the open issues and priorities."))
    return redirect("meetings:detail", pk=meeting.pk)


@require_GET
def meeting_pack(request, pk):
    meeting = _panel_meeting(request, pk)
    html = agenda.pack_html(meeting=meeting, request=request)
    return admit_styles(HttpResponse(html), html)


@require_GET
def meeting_pack_pdf(request, pk):
    meeting = _panel_meeting(request, pk)
    response = HttpResponse(agenda.pack_pdf(meeting=meeting), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="meeting-pack-{meeting.pk}.pdf"'
    return response


@require_POST
def agenda_item_add(request, pk):
    meeting = _panel_meeting(request, pk, write=True)
    form = AgendaItemForm(request.POST, prefix="agenda")
    if not form.is_valid():
        # The meeting page again, with the form's errors: nothing was added.
        return meeting_views.render_detail(request, meeting, agenda_form=form, status=400)
    agenda.agenda_item_add(meeting=meeting, actor=request.user, **form.cleaned_data)
    messages.success(request, _("Agenda item added."))
    return redirect("meetings:detail", pk=meeting.pk)


def _agenda_item(request, pk):
    """The item and its meeting, for the meeting's team only (404 outside the area, 403 to readers)."""
    meeting_id = agenda.agenda_item_meeting_id(pk=pk)
    if meeting_id is None:
        raise Http404("No such agenda item.")
    meeting = _panel_meeting(request, meeting_id, write=True)
    return meeting.agenda_items.get(pk=pk), meeting


@require_http_methods(["GET", "HEAD", "POST"])
def agenda_item_edit(request, pk):
    item, meeting = _agenda_item(request, pk)
    data = request.POST if request.method == "POST" else None
    # The form edits a copy, so a rejected change leaves nothing half-applied on the item.
    form = AgendaItemForm(data, instance=AgendaItem.objects.get(pk=item.pk))
    if data is not None and form.is_valid():
        try:
            agenda.agenda_item_update(item=item, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Agenda item saved."))
            return redirect("meetings:detail", pk=meeting.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "item": item, "meeting": meeting}
    return render(request, "meetings/panels/agenda_item_form.html", context, status=status)


@require_POST
def agenda_item_move(request, pk):
    item, meeting = _agenda_item(request, pk)
    try:
        agenda.agenda_item_move(item=item, actor=request.user, direction=request.POST.get("direction", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{reverse('meetings:detail', args=[meeting.pk])}#panel-agenda-heading")


@require_POST
def agenda_item_remove(request, pk):
    meeting_id = agenda.agenda_item_meeting_id(pk=pk)
    if meeting_id is None:
        raise Http404("No such agenda item.")
    meeting = _panel_meeting(request, meeting_id, write=True)
    agenda.agenda_item_remove(item=meeting.agenda_items.get(pk=pk), actor=request.user)
    messages.success(request, _("Agenda item removed."))
    return redirect("meetings:detail", pk=meeting.pk)
