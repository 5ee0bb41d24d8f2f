"""Divisional tasking pages: the queue per forum, building an agenda, the agenda with its decisions,
and the printed pack (HTML and PDF)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import can
from meetings.panels.agenda import html_to_pdf
from pact_portal.csp import admit_styles
from pact_portal.forms import form_add_service_errors
from priorities.tasking import selectors, services
from priorities.tasking.forms import AgendaCreateForm, DecisionForm


def _division(user, code: str, *, manage: bool = False):
    division = selectors.division_for_tasking(user=user, code=code)
    if division is None:
        raise Http404("No such division in your area.")
    if manage and not can(user, "tasking.manage", division):
        raise PermissionDenied
    return division


def _agenda(user, pk: int, *, manage: bool = False):
    agenda = selectors.agenda_get(pk=pk)
    if agenda is None or not can(user, "tasking.view", agenda.division):
        raise Http404("No such agenda in your area.")
    if manage and not can(user, "tasking.manage", agenda.division):
        raise PermissionDenied
    return agenda


@require_GET
def tasking_index(request):
    divisions = selectors.divisions_for_tasking(user=request.user)
    if not divisions:
        raise PermissionDenied
    if len(divisions) == 1:
        return redirect("priorities:tasking-queue", code=divisions[0].code)
    return render(request, "priorities/tasking/index.html", {"divisions": divisions})


def _queue_page(request, division, form):
    context = {
        "division": division,
        "queues": selectors.tasking_queue(division=division),
        "agendas": selectors.agendas_for_division(division=division),
        "can_manage": can(request.user, "tasking.manage", division),
        "form": form,
    }
    return render(request, "priorities/tasking/queue.html", context)


@require_GET
def tasking_queue(request, code):
    division = _division(request.user, code)
    return _queue_page(request, division, AgendaCreateForm())


@require_POST
def agenda_create(request, code):
    division = _division(request.user, code, manage=True)
    form = AgendaCreateForm(request.POST)
    if form.is_valid():
        try:
            agenda = services.tasking_agenda_create(division=division, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            count = agenda.items.count()
            carried = agenda.items.filter(carried_over_from__isnull=False).count()
            message = ngettext(
                "Agenda built: %(count)s item, %(carried)s carried over from earlier sittings.",
                "Agenda built: %(count)s items, %(carried)s carried over from earlier sittings.",
                count,
            )
            messages.success(request, message % {"count": count, "carried": carried})
            return redirect(agenda)
    return _queue_page(request, division, form)


def _agenda_page(request, agenda, forms: dict | None = None):
    items = selectors.agenda_items(agenda=agenda)
    forms = forms or {}
    for item in items:
        undecidable = item.decision or getattr(item, "carried_over_to", None) or item.withdrawn_at
        item.form = forms.get(item.pk) or (None if undecidable else DecisionForm(prefix=f"item-{item.pk}"))
    context = {"agenda": agenda, "items": items, "can_manage": can(request.user, "tasking.manage", agenda.division)}
    return render(request, "priorities/tasking/agenda.html", context)


@require_GET
def agenda_detail(request, pk):
    return _agenda_page(request, _agenda(request.user, pk))


@require_POST
def agenda_fill(request, pk):
    agenda = _agenda(request.user, pk, manage=True)
    added = services.tasking_agenda_fill(agenda=agenda, actor=request.user)
    message = ngettext("%(count)s item added from the queue.", "%(count)s items added from the queue.", added)
    messages.success(request, message % {"count": added})
    return redirect(agenda)


def _pack_html(request, agenda) -> str:
    context = {"agenda": agenda, "items": selectors.agenda_items(agenda=agenda), "printed_at": timezone.localtime()}
    return render_to_string("priorities/tasking/pack.html", context, request=request)


@require_GET
def agenda_pack(request, pk):
    html = _pack_html(request, _agenda(request.user, pk))
    return admit_styles(HttpResponse(html), html)


@require_GET
def agenda_pack_pdf(request, pk):
    agenda = _agenda(request.user, pk)
    response = HttpResponse(html_to_pdf(html=_pack_html(None, agenda)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tasking-pack-{agenda.pk}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def item_decide(request, pk):
    item = selectors.item_get(pk=pk)
    if item is None or not can(request.user, "tasking.view", item.agenda.division):
        raise Http404("No such item in your area.")
    if not can(request.user, "tasking.manage", item.agenda.division):
        raise PermissionDenied
    if request.method == "GET":
        return redirect(f"{item.agenda.get_absolute_url()}#item-{item.pk}")
    form = DecisionForm(request.POST, prefix=f"item-{item.pk}")
    if form.is_valid():
        try:
            services.tasking_item_decide(item=item, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Decision recorded: it is in the priority's history and on the briefing page."))
            return redirect(f"{item.agenda.get_absolute_url()}#item-{item.pk}")
    return _agenda_page(request, item.agenda, forms={item.pk: form})
