"""Pages for the scorecard's own figures (entry, CSV import, appeal outcomes) and the scorecard."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.policy import can, policy_required
from pact_portal.csp import admit_styles
from pact_portal.forms import form_add_service_errors
from reports.models import PeriodKind
from reports.periods import period_bounds
from reports.scorecard import charts, forms, platforms, printed, selectors, services
from reports.scorecard import figures as measures
from reports.scorecard.permissions import appeal_get_for_user, scorecard_area_for_user

TITLES = {
    "reach": gettext_lazy("Social media and website reach"),
    "feedback": gettext_lazy("Complaints and letters of thanks"),
    "volunteers": gettext_lazy("Citizens in Policing volunteers"),
    "watch": gettext_lazy("Neighbourhood Watch and other watch schemes"),
    "campaigns": gettext_lazy("Campaigns and their outcomes"),
}


def _kind_or_404(kind: str) -> str:
    if kind not in services.KINDS:
        raise Http404("No such figures.")
    return kind


def _cells(row, columns) -> list:
    """A row's values as shown: choices by their label, an empty figure as a dash."""
    cells = []
    for column in columns:
        display = getattr(row, f"get_{column}_display", None)
        value = display() if display else getattr(row, column)
        cells.append("—" if value is None else value)
    return cells


def _areas(user) -> dict:
    return {
        "neighbourhoods": selectors.entry_neighbourhoods(user=user),
        "divisions": selectors.entry_divisions(user=user),
    }


@require_http_methods(["GET", "POST"])
@policy_required("scorecard.view")
def figures(request, kind: str):
    """The newest rows of one kind in the user's area, and a form to add or correct one."""
    kind = _kind_or_404(kind)
    may_enter = can(request.user, "scorecard.enter_figures")
    form_class = services.KINDS[kind][1]
    form = form_class(request.POST or None, **_areas(request.user)) if may_enter else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.scorecard_figure_record(kind=kind, actor=request.user, cleaned=form.cleaned_data)
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("reports:scorecard-figures", kind=kind)
    context = {
        "kind": kind,
        "title": TITLES[kind],
        "form": form,
        "rows": [_cells(row, form_class._meta.fields) for row in selectors.figure_rows(kind=kind, user=request.user)],
        "columns": [
            form_class.base_fields[c].label if c in form_class.base_fields else c for c in form_class._meta.fields
        ],  # fmt: skip
    }
    return render(request, "reports/scorecard/figures.html", context)


@require_http_methods(["GET", "POST"])
@policy_required("scorecard.enter_figures")
def figures_import(request, kind: str):
    kind = _kind_or_404(kind)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.scorecard_figures_import(
                kind=kind, actor=request.user, upload=form.cleaned_data["file"], **_areas(request.user)
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Imported %(n)s rows.") % {"n": saved})
            return redirect("reports:scorecard-figures", kind=kind)
    columns = services.KINDS[kind][1]._meta.fields
    return render(
        request,
        "reports/scorecard/import.html",
        {"kind": kind, "title": TITLES[kind], "form": form, "columns": columns},
    )


@require_http_methods(["GET", "POST"])
@policy_required("scorecard.enter_figures")
def platform_import(request):
    """A Facebook or X insights export, uploaded as the platform gave it, for one account."""
    form = forms.PlatformImportForm(
        request.POST or None, request.FILES or None, neighbourhoods=selectors.entry_neighbourhoods(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            months = services.reach_platform_import(
                actor=request.user, upload=data["file"], export_format=data["export_format"],
                neighbourhood=data["neighbourhood"], account=data["account"],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            imported = {"n": len(months), "account": data["account"]}
            messages.success(request, _("Imported %(n)s months of %(account)s.") % imported)
            partial = [m.month.strftime("%Y-%m") for m in months if m.partial]
            if partial:
                messages.warning(
                    request,
                    _("The file covers only part of %(months)s: those months hold only the days it has.")
                    % {"months": ", ".join(partial)},
                )
            return redirect("reports:scorecard-figures", kind="reach")
    return render(
        request,
        "reports/scorecard/platform_import.html",
        {"kind": "reach", "form": form, "formats": platforms.FORMATS.values()},
    )


@require_http_methods(["GET"])
@policy_required("scorecard.view")
def appeals(request):
    context = {
        "appeals": selectors.appeals_for_user(user=request.user),
        # Whether the user's role records outcomes at all; the outcome page checks each appeal's area.
        "may_record": can(request.user, "scorecard.enter_figures"),
    }
    return render(request, "reports/scorecard/appeals.html", context)


@require_http_methods(["GET", "POST"])
@policy_required("scorecard.view")
def appeal_outcome(request, pk: int):
    alert = appeal_get_for_user(user=request.user, pk=pk)
    instance = getattr(alert, "appeal_outcome", None)
    form = forms.AppealOutcomeForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.appeal_outcome_record(alert=alert, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The appeal's outcome is recorded."))
        return redirect("reports:scorecard-appeals")
    return render(request, "reports/scorecard/appeal_outcome.html", {"alert": alert, "form": form})


# --- the scorecard ------------------------------------------------------------------------------

PDF = "application/pdf"


def _quarter_day(request) -> tuple[datetime.date, str]:
    """The quarter asked for (any month in it, as YYYY-MM), or the last one that has ended."""
    field = forms.MonthField(required=False)
    default = period_bounds(period_kind=PeriodKind.QUARTER, day=timezone.localdate())[0] - datetime.timedelta(days=1)
    raw = request.GET.get("quarter", "")
    try:
        return (field.clean(raw) or default), ""
    except ValidationError as error:
        return default, " ".join(error.messages)


def _scorecard(request, *, level: str, code: str | None, fmt: str | None):
    if fmt not in (None, "print", "pdf"):
        raise Http404("No such format.")
    area = scorecard_area_for_user(user=request.user, level=level, code=code)
    day, quarter_error = _quarter_day(request)
    card = measures.scorecard_for_area(level=level, area=area, day=day, viewer=request.user)
    context = {
        "card": card,
        "quarter_value": day.strftime("%Y-%m"),
        "quarter_error": quarter_error,
        "chart_data": charts.trend_data(card),
        "printed_at": timezone.now(),
        "url_kwargs": {"code": code} if code else {},
        "level": level,
    }
    if fmt == "pdf":
        response = HttpResponse(printed.scorecard_pdf(context=context), content_type=PDF)
        filename = f"scorecard-{level}-{code or 'force'}-{day:%Y-%m}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    if fmt == "print":
        html = printed.scorecard_print_html(context=context, request=request)
        return admit_styles(HttpResponse(html), html)
    return render(request, "reports/scorecard/scorecard.html", context)


@require_GET
def scorecard_force(request, fmt=None):
    return _scorecard(request, level="force", code=None, fmt=fmt)


@require_GET
def scorecard_division(request, code, fmt=None):
    return _scorecard(request, level="division", code=code, fmt=fmt)


@require_GET
def scorecard_neighbourhood(request, code, fmt=None):
    return _scorecard(request, level="neighbourhood", code=code, fmt=fmt)


@require_GET
@policy_required("scorecard.view")
def scorecard_home(request):
    """The widest scorecard the user may see: the force, their division, or their first neighbourhood."""
    destination = selectors.home_scorecard(user=request.user)
    if destination is None:
        raise PermissionDenied
    name, kwargs = destination
    return redirect(name, **kwargs)
