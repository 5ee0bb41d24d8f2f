from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.policy import policy_required
from dataprotection.audit import selectors
from dataprotection.audit.forms import AuditFilterForm


@never_cache
@require_GET
@policy_required("dataprotection.audit_trail")
def audit_trail(request):
    """The latest changes to users, roles, team memberships, API tokens, restricted notes and
    consent, filtered by what changed, who changed it and when."""
    form = AuditFilterForm(request.GET or None)
    events, status = [], 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        filters = form.cleaned_data if form.is_bound else {}
        events = selectors.audit_events(
            model=filters.get("model") or "",
            user=filters.get("user"),
            since=filters.get("since"),
            until=filters.get("until"),
        )
    context = {
        "form": form,
        "events": events,
        "recorded": selectors.audit_trail_recorded(),
        "page_size": selectors.PAGE_SIZE,
    }
    return render(request, "dataprotection/audit_trail.html", context, status=status)
