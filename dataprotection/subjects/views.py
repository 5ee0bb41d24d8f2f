"""The staff page for subject requests: find everything held about a person, download it, erase
it. The address or number travels in POST bodies only, never in a URL (URLs reach access logs)."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.policy import policy_required
from dataprotection.models import RequestAction
from dataprotection.subjects import exports, selectors, services
from dataprotection.subjects.forms import SubjectEraseForm, SubjectRequestForm

EXPORT_ACTIONS = {"json": RequestAction.EXPORT_JSON, "csv": RequestAction.EXPORT_CSV}
EXPORT_FORMATS = [("json", _("Download as JSON")), ("csv", _("Download as CSV"))]


def _page(request, *, form, found=None, erase_form=None, earlier=None, status=200):
    context = {
        "form": form,
        "erase_form": erase_form,
        "found": None if found is None else [_section(key, rows) for key, rows in found.items()],
        "export_formats": EXPORT_FORMATS,
        "earlier": earlier,
        "recent": selectors.subject_requests_recent(),
    }
    return render(request, "dataprotection/subjects.html", context, status=status)


# A member with years of alerts has thousands of deliveries: the page shows the first of each
# section and says how many more the downloads hold.
SHOWN_PER_SECTION = 50


def _section(key: str, rows: list[dict]) -> dict:
    return {
        "heading": exports.SECTIONS[key],
        "count": len(rows),
        "rows": [_shown(record) for record in rows[:SHOWN_PER_SECTION]],
        "more": max(len(rows) - SHOWN_PER_SECTION, 0),
    }


def _shown(record: dict) -> list[tuple[str, object, bool]]:
    """(field, value, nested): nested records (a member's channels) shown as indented JSON."""
    return [
        (field, json.dumps(value, indent=1, ensure_ascii=False), True)
        if isinstance(value, dict | list)
        else (field, value, False)
        for field, value in record.items()
    ]


@never_cache
@require_http_methods(["GET", "POST"])
@policy_required("dataprotection.subject_request")
def subjects(request):
    """GET: the search form and the record of recent requests. POST: search, and show what was
    found, table by table, with the export and erase forms for the same person."""
    form = SubjectRequestForm(request.POST or None)
    if request.method == "GET":
        return _page(request, form=form)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    term, data = form.cleaned_data["term"], form.cleaned_data
    found = exports.subject_findings(term=term, viewer=request.user)
    earlier = list(selectors.subject_requests_about(term=term))
    services.subject_request_record(
        actor=request.user,
        action=RequestAction.SEARCH,
        term=term,
        basis=data["basis"],
        reference=data["reference"],
        counts=exports.findings_counts(found),
    )
    erase_form = SubjectEraseForm(initial={"term": term.value, "basis": data["basis"], "reference": data["reference"]})
    return _page(request, form=form, found=found, erase_form=erase_form, earlier=earlier)


@never_cache
@require_POST
@policy_required("dataprotection.subject_request")
def subject_export(request, fmt: str):
    form = SubjectRequestForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    term, data = form.cleaned_data["term"], form.cleaned_data
    found = exports.subject_findings(term=term, viewer=request.user)
    record = services.subject_request_record(
        actor=request.user,
        action=EXPORT_ACTIONS[fmt],
        term=term,
        basis=data["basis"],
        reference=data["reference"],
        counts=exports.findings_counts(found),
    )
    if fmt == "json":
        about = {
            "reference": record.reference,
            "basis": record.get_basis_display(),
            "exported_at": record.created_at.isoformat(),
            "exported_by": request.user.full_name,
            "searched_for": term.value,
        }
        body, content_type = exports.findings_json(found=found, request=about), "application/json"
    else:
        body, content_type = exports.findings_csv(found=found), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localtime(record.created_at).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="subject-data-{record.pk}-{stamp}.{fmt}"'
    return response


@require_POST
@policy_required("dataprotection.subject_request")
def subject_erase(request):
    form = SubjectEraseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = services.subject_erase(
                term=data["term"], actor=request.user, basis=data["basis"], reference=data["reference"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            if record.counts:
                messages.success(request, _("Erased: %(what)s.") % {"what": _counts_text(record.counts)})
            else:
                messages.info(request, _("Nothing was held about that address or number: nothing changed."))
            return redirect("dataprotection:subjects")
    return _page(request, form=form, erase_form=form, status=400)


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{exports.SECTIONS.get(table, table).lower()} ({rows})" for table, rows in counts.items())
