"""Pages for the highlight and headline return: the list, the return itself (narrative, pinned
priorities, delegates, submission), HQ's status page and force roll-up, and the exports."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import can, policy_required
from pact_portal.csp import admit_styles
from pact_portal.forms import form_add_service_errors
from reports import exports, services
from reports.document.build import narrative_sections, return_document, return_documents
from reports.forms import DelegatesForm, NarrativeForm, PeriodForm, PinForm, ReopenForm, ReturnStartForm, SubmitForm
from reports.models import HighlightReturn, PeriodKind, due_date_for
from reports.periods import period_bounds
from reports.permissions import divisions_startable_by, return_get_for_user
from reports.selectors import pages as selectors_pages
from reports.views.figures import NEIGHBOURHOOD_COLUMNS, headline_rows, neighbourhood_rows, rollup_rows

RETURNS_PER_PAGE = 24


# --- the list and starting a return -----------------------------------------------------------


@require_GET
@policy_required("return.list")
def return_list(request):
    returns = selectors_pages.returns_for_user(user=request.user)
    page = Paginator(returns, RETURNS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "may_start": bool(divisions_startable_by(request.user)),
        "may_see_force": can(request.user, "return.force_status"),
    }
    return render(request, "reports/list.html", context)


@require_http_methods(["GET", "POST"])
@policy_required("return.list")
def return_start(request):
    """Start a return by hand: a quarter, or a month whose draft beat has not made."""
    divisions = divisions_startable_by(request.user)
    if not divisions:
        raise PermissionDenied
    form = ReturnStartForm(
        request.POST if request.method == "POST" else None,
        divisions=selectors_pages.divisions_for_user(user=request.user).filter(pk__in=[d.pk for d in divisions]),
    )
    if request.method == "POST" and form.is_valid():
        try:
            highlight_return = services.return_draft_create(actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The %(period)s return for %(division)s is ready.")
                % {"period": highlight_return.period_label, "division": highlight_return.division.name},
            )
            return redirect("reports:detail", pk=highlight_return.pk)
    return render(request, "reports/start.html", {"form": form})


# --- the return -------------------------------------------------------------------------------


def _detail_context(request, highlight_return: HighlightReturn, **forms) -> dict:
    user = request.user
    submitted = highlight_return.is_submitted
    may_submit = not submitted and can(user, "return.submit", highlight_return)
    # The chief inspector may always edit; asking only then spares a delegate query per check.
    may_edit = not submitted and (may_submit or can(user, "return.edit", highlight_return))
    document = return_document(highlight_return=highlight_return)
    figures = document.figures
    pinned = {row["id"] for row in document.pinned}
    top = figures.get("top_priorities", {})
    context = {
        "highlight_return": highlight_return,
        "document": document,
        "figures": figures,
        "headline": headline_rows(figures),
        "neighbourhoods": neighbourhood_rows(figures),
        "pinned": [{**row, "pinned": True} for row in document.pinned],
        "neighbourhood_columns": [label for _key, label, _unit in NEIGHBOURHOOD_COLUMNS],
        "top_by_evidence": [{**row, "pinned": row["id"] in pinned} for row in top.get("by_evidence", [])],
        "top_by_age": [{**row, "pinned": row["id"] in pinned} for row in top.get("by_age", [])],
        "history": selectors_pages.return_history(highlight_return=highlight_return),
        "delegates": selectors_pages.return_delegates(highlight_return=highlight_return),
        "may_edit": may_edit,
        "may_submit": may_submit,
        "may_reopen": submitted and can(user, "return.reopen", highlight_return),
        "max_pinned": services.MAX_PINNED,
    }
    if may_submit:
        context["delegates_form"] = forms.get("delegates_form") or DelegatesForm(
            candidates=selectors_pages.delegate_candidates(division=highlight_return.division),
            current=context["delegates"],
        )
    if context["may_reopen"]:
        context["reopen_form"] = ReopenForm()
    return context


@require_GET
def return_detail(request, pk):
    highlight_return = return_get_for_user(user=request.user, pk=pk)
    return render(request, "reports/detail.html", _detail_context(request, highlight_return))


def _refuse_if_submitted(request, highlight_return) -> bool:
    if highlight_return.is_submitted:
        messages.error(
            request,
            _(
                "This return has been submitted, so it cannot be changed. HQ can reopen it if something needs "
                "correcting. Nothing was changed."
            ),
        )
        return True
    return False


@require_http_methods(["GET", "POST"])
def return_narrative(request, pk):
    """Edit the narrative: inline on the return page with htmx, or on its own page without."""
    highlight_return = return_get_for_user(user=request.user, pk=pk, need="return.edit")
    if _refuse_if_submitted(request, highlight_return):
        if request.htmx:
            response = HttpResponse()
            response["HX-Redirect"] = highlight_return_url(highlight_return)
            return response
        return redirect("reports:detail", pk=highlight_return.pk)
    form = NarrativeForm(request.POST if request.method == "POST" else None, highlight_return=highlight_return)
    notice = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.return_narrative_update(highlight_return=highlight_return, actor=request.user,
                                             **form.service_kwargs())  # fmt: skip
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            notice = _("Narrative saved.")
            if not request.htmx:
                messages.success(request, notice)
                return redirect(highlight_return_url(highlight_return) + "#narrative")
    context = {"highlight_return": highlight_return, "form": form, "notice": notice, "may_edit": True}
    if request.htmx:
        if notice:
            context["narrative"] = narrative_sections(highlight_return)
            response = render(request, "reports/_narrative.html", context)
        else:
            response = render(request, "reports/_narrative_form.html", context)
    else:
        response = render(request, "reports/narrative_edit.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def highlight_return_url(highlight_return) -> str:
    return reverse("reports:detail", kwargs={"pk": highlight_return.pk})


@require_POST
def return_pin(request, pk):
    """Pin a priority as "top", or unpin it."""
    highlight_return = return_get_for_user(user=request.user, pk=pk, need="return.edit")
    back = redirect(highlight_return_url(highlight_return) + "#top-priorities")
    if _refuse_if_submitted(request, highlight_return):
        return back
    form = PinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a priority to pin or unpin. Nothing was changed."))
        return back
    ids = selectors_pages.pinned_ids(highlight_return=highlight_return)
    priority_id, pin = form.cleaned_data["priority"], form.cleaned_data["pin"]
    ids = ids | {priority_id} if pin else ids - {priority_id}
    priorities = selectors_pages.priorities_by_ids(ids=ids)
    if pin and priority_id not in {priority.pk for priority in priorities}:
        messages.error(request, _("No such priority. Nothing was changed."))
        return back
    try:
        services.return_pin_priorities(highlight_return=highlight_return, actor=request.user, priorities=priorities)
    except ValidationError as error:
        messages.error(request, _("%(problem)s Nothing was changed.") % {"problem": " ".join(error.messages)})
    else:
        messages.success(request, _("Priority pinned as a top priority.") if pin else _("Priority unpinned."))
    return back


@require_POST
def return_delegates(request, pk):
    highlight_return = return_get_for_user(user=request.user, pk=pk, need="return.submit")
    if _refuse_if_submitted(request, highlight_return):
        return redirect(highlight_return_url(highlight_return))
    form = DelegatesForm(
        request.POST,
        candidates=selectors_pages.delegate_candidates(division=highlight_return.division),
        current=[],
    )
    if form.is_valid():
        try:
            services.return_delegates_set(highlight_return=highlight_return, actor=request.user,
                                          **form.service_kwargs())  # fmt: skip
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Delegates saved."))
            return redirect(highlight_return_url(highlight_return) + "#delegates")
    context = _detail_context(request, highlight_return, delegates_form=form)
    return render(request, "reports/detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
def return_submit(request, pk):
    """A confirmation page, then the submission: the figures are frozen from then on."""
    highlight_return = return_get_for_user(user=request.user, pk=pk, need="return.submit")
    if _refuse_if_submitted(request, highlight_return):
        return redirect(highlight_return_url(highlight_return))
    form = SubmitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_submit(highlight_return=highlight_return, actor=request.user)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            if highlight_return.is_late:
                message = _(
                    "Return submitted to HQ. Its figures are frozen as of now. It was due on %(due)s, so it is "
                    "recorded as late."
                ) % {"due": date_format(highlight_return.due_date, "j F Y")}
            else:
                message = _("Return submitted to HQ. Its figures are frozen as of now.")
            messages.success(request, message)
            return redirect(highlight_return_url(highlight_return))
    context = {
        "highlight_return": highlight_return,
        "form": form,
        "narrative": narrative_sections(highlight_return),
        "pinned_count": len(selectors_pages.pinned_ids(highlight_return=highlight_return)),
    }
    return render(request, "reports/submit.html", context)


@require_http_methods(["GET", "POST"])
def return_reopen(request, pk):
    highlight_return = return_get_for_user(user=request.user, pk=pk, need="return.reopen")
    if not highlight_return.is_submitted:
        messages.error(request, _("This return is still a draft: there is nothing to reopen. Nothing was changed."))
        return redirect(highlight_return_url(highlight_return))
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_reopen(highlight_return=highlight_return, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The %(period)s return for %(division)s is a draft again.")
                % {"period": highlight_return.period_label, "division": highlight_return.division.name},
            )
            if request.POST.get("back") == "status":
                return redirect(_status_url(highlight_return))
            return redirect(highlight_return_url(highlight_return))
    status = 400 if form.is_bound else 200
    return render(request, "reports/reopen.html", {"highlight_return": highlight_return, "form": form}, status=status)


def _status_url(highlight_return) -> str:
    query = f"?period_kind={highlight_return.period_kind}&period_start={highlight_return.period_start:%Y-%m}"
    return reverse("reports:status") + query


# --- HQ: status and roll-up -------------------------------------------------------------------


def _period(request) -> tuple[PeriodForm, str, object, object]:
    """The period a page shows, from the query string (the month just ended by default)."""
    form = PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        kind, day = form.cleaned_data["period_kind"], form.cleaned_data["period_start"]
    else:
        kind, day = PeriodKind.MONTH, form.initial["period_start"]
    start, end = period_bounds(period_kind=kind, day=day)
    return form, kind, start, end


def _returns_of_period(request, kind, start, end) -> list[tuple]:
    """(division, its return) for every division HQ sees; a division without one gets an unsaved
    return, so the roll-up can still show its live figures."""
    divisions = list(selectors_pages.divisions_for_user(user=request.user))
    saved = selectors_pages.returns_for_period(divisions=divisions, period_kind=kind, period_start=start)
    rows = []
    for division in divisions:
        highlight_return = saved.get(division.pk) or HighlightReturn(
            division=division, period_kind=kind, period_start=start, period_end=end, due_date=due_date_for(end)
        )
        rows.append((division, highlight_return))
    return rows


@require_GET
@policy_required("return.force_status")
def force_status(request):
    form, kind, start, end = _period(request)
    rows = [
        {
            "division": division,
            "highlight_return": highlight_return if highlight_return.pk else None,
            "may_reopen": highlight_return.pk
            and highlight_return.is_submitted
            and can(request.user, "return.reopen", highlight_return),
        }
        for division, highlight_return in _returns_of_period(request, kind, start, end)
    ]
    label = HighlightReturn(period_kind=kind, period_start=start, period_end=end).period_label
    context = {"form": form, "rows": rows, "period_label": label, "reopen_form": ReopenForm()}
    return render(request, "reports/status.html", context)


def _rollup_documents(request):
    form, kind, start, end = _period(request)
    returns = [highlight_return for _division, highlight_return in _returns_of_period(request, kind, start, end)]
    label = HighlightReturn(period_kind=kind, period_start=start, period_end=end).period_label
    return form, return_documents(highlight_returns=returns), label, period_slug(kind, start)


@require_GET
@policy_required("return.force_status")
def force_rollup(request):
    form, documents, label, slug = _rollup_documents(request)
    context = {
        "form": form,
        "documents": documents,
        "rows": rollup_rows(documents),
        "period_label": label,
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/rollup.html", context)


@require_GET
@policy_required("return.force_status")
def force_rollup_export(request, fmt):
    _form, documents, _label, slug = _rollup_documents(request)
    filename = f"returns-rollup-{slug}"
    if fmt == "xlsx":
        return _download(exports.rollup_xlsx(documents=documents), XLSX, f"{filename}.xlsx")
    if fmt == "csv":
        return _download(exports.rollup_csv(documents=documents), CSV, f"{filename}.csv")
    raise Http404("No such format.")


# --- exports ----------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"


def period_slug(kind: str, start) -> str:
    if kind == PeriodKind.QUARTER:
        return f"{start:%Y}-q{(start.month - 1) // 3 + 1}"
    return f"{start:%Y-%m}"


def _filename(highlight_return, ext: str) -> str:
    slug = period_slug(highlight_return.period_kind, highlight_return.period_start)
    return f"return-{highlight_return.division.code}-{slug}.{ext}"


def _download(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def return_print(request, pk):
    highlight_return = return_get_for_user(user=request.user, pk=pk)
    document = return_document(highlight_return=highlight_return)
    html = exports.return_print_html(document=document, request=request)
    return admit_styles(HttpResponse(html), html)


@require_GET
def return_export(request, pk, fmt):
    highlight_return = return_get_for_user(user=request.user, pk=pk)
    if fmt not in {"pdf", "xlsx", "csv"}:
        raise Http404("No such format.")
    document = return_document(highlight_return=highlight_return)
    if fmt == "pdf":
        return _download(exports.return_pdf(document=document), PDF, _filename(highlight_return, "pdf"))
    if fmt == "xlsx":
        return _download(exports.return_xlsx(document=document), XLSX, _filename(highlight_return, "xlsx"))
    return _download(exports.return_csv(document=document), CSV, _filename(highlight_return, "csv"))
