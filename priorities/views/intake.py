"""Raising concerns (residents online, officers for residents) and the neighbourhood triage queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from accounts.policy import can, policy_required
from messaging.doorknock.links import round_return_path
from neighbourhoods.permissions import neighbourhood_get_for_user
from pact_portal import throttle
from pact_portal.forms import form_add_service_errors
from priorities import services
from priorities.forms.intake import CategoryForm, CloseForm, IssueLogForm, IssueReportForm, MergeForm, ProposeForm
from priorities.images import check_photo
from priorities.models import Category, IssueSource
from priorities.permissions import issue_get_for_user
from priorities.selectors import intake as selectors
from priorities.services import intake as services_intake

# Modest limits on online reports: a resident with several concerns is never stopped, a script
# flooding a team's queue is. The address limit is higher because a library or a mobile network
# puts many residents behind one address.
REPORTS_PER_SESSION_PER_HOUR = 5
REPORTS_PER_ADDRESS_PER_HOUR = 30
THROTTLE_MESSAGE = _(
    "You have sent several reports in the last hour, so we cannot take another just now. "
    "Please try again later, or call 101. In an emergency always call 999."
)
RECEIVED_SESSION_KEY = "priorities:raised-issue"
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


def short_reference(issue) -> str:
    return issue.reference.hex[:8].upper()


# --- residents --------------------------------------------------------------------------------


def _report_counters(request) -> list[tuple[str, int]]:
    counters = [(throttle.address_key(request, "issue-reports"), REPORTS_PER_ADDRESS_PER_HOUR)]
    if request.session.session_key:
        counters.append((f"issue-reports:session:{request.session.session_key}", REPORTS_PER_SESSION_PER_HOUR))
    return counters


def _count_report(request) -> None:
    if not request.session.session_key:
        request.session.save()  # so the next report from this browser counts against it
    throttle.count(_report_counters(request))


@login_not_required
@require_http_methods(["GET", "POST"])
def issue_raise(request):
    neighbourhood = selectors.neighbourhood_for_reporting(code=request.GET.get("neighbourhood", ""))
    wards = selectors.wards_for_reporting(neighbourhood=neighbourhood)
    form = IssueReportForm(
        request.POST or None, request.FILES or None, wards=wards, initial={"ward": request.GET.get("ward")}
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        if throttle.throttled(_report_counters(request)):
            form.add_error(None, THROTTLE_MESSAGE)
            status = 429
        else:
            try:
                issue = services.issue_raise(actor=request.user, source=IssueSource.ONLINE, **form.service_fields())
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                _count_report(request)
                request.session[RECEIVED_SESSION_KEY] = {
                    "reference": short_reference(issue),
                    "ward": issue.ward.name,
                    "neighbourhood": issue.ward.neighbourhood.name,
                    "neighbourhood_code": issue.ward.neighbourhood.code,
                    "contact": bool(issue.contact_email),
                }
                return redirect("priorities:issue-received")
    context = {"form": form, "neighbourhood": neighbourhood}
    return render(request, "priorities/intake_raise.html", context, status=status)


@login_not_required
@require_safe
def issue_received(request):
    received = request.session.get(RECEIVED_SESSION_KEY)
    if not received:
        return redirect("priorities:raise-issue")
    return render(request, "priorities/intake_received.html", {"received": received})


# --- officers: logging ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@policy_required("staff.dashboard")
def issue_log(request):
    neighbourhoods = selectors.neighbourhoods_for_issue_log(user=request.user)
    if not neighbourhoods:
        raise PermissionDenied
    chosen = [n for n in neighbourhoods if n.code == request.GET.get("neighbourhood")]
    form = IssueLogForm(
        request.POST or None,
        request.FILES or None,
        wards=selectors.wards_for_issue_log(neighbourhoods=chosen or neighbourhoods),
        meetings=selectors.meetings_for_linking(neighbourhoods=chosen or neighbourhoods),
        # A door-knock round opens this for a concern raised at a door: its ward, the source preset.
        initial={"ward": request.GET.get("ward"), "source": request.GET.get("source")},
    )
    back = round_return_path(request.GET.get("next", ""))
    if request.method == "POST" and form.is_valid():
        ward = form.cleaned_data["ward"]
        if not can(request.user, "priority.propose", ward.neighbourhood):
            raise PermissionDenied
        try:
            issue = services.issue_raise(actor=request.user, **form.service_fields())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Issue %(number)s logged in %(neighbourhood)s's triage queue (%(ward)s).")
                % {"number": issue.pk, "neighbourhood": ward.neighbourhood.name, "ward": ward.name},
            )
            return redirect(back or reverse("priorities:triage", kwargs={"code": ward.neighbourhood.code}))
    context = {"form": form, "neighbourhood": chosen[0] if chosen else None, "back": back}
    return render(request, "priorities/intake_log.html", context)


# --- officers: the triage queue ---------------------------------------------------------------


def _triage_neighbourhood_get(*, user, code: str):
    """The neighbourhood's queue is its team's (issue.triage asks the same of each issue):
    a chief inspector, HQ or a partner may see the neighbourhood but gets no queue."""
    neighbourhood = neighbourhood_get_for_user(user=user, code=code)
    if not can(user, "priority.propose", neighbourhood):
        raise Http404("No triage queue of yours here.")
    return neighbourhood


def _propose_form(neighbourhood, data=None) -> ProposeForm:
    initial = {} if data is not None else {"review_date": selectors.review_date_suggested(neighbourhood=neighbourhood)}
    return ProposeForm(
        data,
        issues=selectors.issues_awaiting_triage(neighbourhood=neighbourhood),
        wards=selectors.wards_for_issue_log(neighbourhoods=[neighbourhood]),
        meetings=selectors.meetings_for_linking(neighbourhoods=[neighbourhood]),
        initial=initial,
    )


def _queue_context(neighbourhood, *, selected=(), **extra) -> dict:
    return {
        "neighbourhood": neighbourhood,
        "queue": selectors.triage_queue(neighbourhood=neighbourhood),
        "categories": Category.choices,
        # Issues ticked for a proposal stay ticked when the queue is drawn again.
        "selected_issue_ids": list(selected),
        **extra,
    }


@require_GET
def triage(request, code):
    neighbourhood = _triage_neighbourhood_get(user=request.user, code=code)
    context = _queue_context(neighbourhood)
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "priorities/_triage_queue.html", context)
    else:
        context["form"] = _propose_form(neighbourhood)
        response = render(request, "priorities/triage_queue.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _issue_problem(issue, error: ValidationError) -> str:
    return _("Issue %(number)s: %(problem)s") % {"number": issue.pk, "problem": " ".join(error.messages)}


def _after_action(request, issue, *, notice: str = "", error: str = ""):
    """htmx swaps the refreshed queue in (merged or closed rows leave it, counts change);
    without JavaScript the browser goes back to the page with a message."""
    neighbourhood = issue.neighbourhood
    if request.htmx:
        selected = request.POST.getlist("issues")
        context = _queue_context(neighbourhood, selected=selected, notice=notice, error=error)
        return render(request, "priorities/_triage_queue.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect("priorities:triage", code=neighbourhood.code)


@require_POST
def issue_merge(request, pk):
    issue = issue_get_for_user(user=request.user, pk=pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        error = _("Issue %(number)s: give the number of the issue to merge it into.") % {"number": issue.pk}
        return _after_action(request, issue, error=error)
    try:
        into = issue_get_for_user(user=request.user, pk=form.cleaned_data["into"])
    except Http404:
        error = _("There is no issue %(number)s in your area.") % {"number": form.cleaned_data["into"]}
        return _after_action(request, issue, error=error)
    try:
        into = services.issue_merge(issue=issue, into=into, actor=request.user)
    except ValidationError as error:
        return _after_action(request, issue, error=_issue_problem(issue, error))
    notice = ngettext(
        "Issue %(number)s merged into issue %(into)s: %(count)s resident now stands behind it.",
        "Issue %(number)s merged into issue %(into)s: %(count)s residents now stand behind it.",
        into.supporters,
    ) % {"number": issue.pk, "into": into.pk, "count": into.supporters}
    return _after_action(request, issue, notice=notice)


@require_POST
def issue_close(request, pk):
    issue = issue_get_for_user(user=request.user, pk=pk)
    form = CloseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.issue_close(issue=issue, actor=request.user, reason=reason)
    except ValidationError as error:
        return _after_action(request, issue, error=_issue_problem(issue, error))
    notice = _("Issue %(number)s closed: %(reason)s") % {"number": issue.pk, "reason": issue.closed_reason}
    return _after_action(request, issue, notice=notice)


@require_POST
def issue_recategorise(request, pk):
    issue = issue_get_for_user(user=request.user, pk=pk)
    form = CategoryForm(request.POST)
    if not form.is_valid():
        error = _("Issue %(number)s: choose one of the listed categories.") % {"number": issue.pk}
        return _after_action(request, issue, error=error)
    try:
        services_intake.issue_recategorise(issue=issue, actor=request.user, category=form.cleaned_data["category"])
    except ValidationError as error:
        return _after_action(request, issue, error=_issue_problem(issue, error))
    notice = _("Issue %(number)s is now under %(category)s.") % {
        "number": issue.pk,
        "category": issue.get_category_display(),
    }
    return _after_action(request, issue, notice=notice)


@require_GET
def issue_detail(request, pk):
    """One issue for its neighbourhood team: what was raised, by how many, and where the pin is."""
    issue = selectors.issue_for_team(issue=issue_get_for_user(user=request.user, pk=pk))
    return render(request, "priorities/intake_issue_detail.html", {"issue": issue})


@require_GET
def issue_photo(request, pk):
    """The photo, for the team triaging it only. Its type is read from the image itself, never
    from the uploaded name, so a crafted file cannot be served as a page."""
    issue = issue_get_for_user(user=request.user, pk=pk)
    if not issue.photo:
        raise Http404("This issue has no photo.")
    try:
        photo = issue.photo.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The photo file is missing.") from missing
    try:
        content_type = check_photo(photo)
    except ValidationError as unreadable:
        photo.close()
        raise Http404("The photo cannot be shown.") from unreadable
    response = FileResponse(photo, content_type=content_type, filename=f"issue-{issue.pk}{EXTENSIONS[content_type]}")
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def priority_propose(request, code):
    neighbourhood = _triage_neighbourhood_get(user=request.user, code=code)
    form = _propose_form(neighbourhood, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            priority = services.priority_propose(
                actor=request.user,
                neighbourhood=neighbourhood,
                wards=list(data["wards"]),
                issues=list(data["issues"]),
                title=data["title"],
                category=data["category"],
                public_problem=data["public_problem"],
                review_date=data["review_date"],
                meeting=data["meeting"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request, _("Priority proposed. A sergeant or above agrees it, normally at the PACT meeting.")
            )
            return redirect("priorities:detail", pk=priority.pk)
    context = _queue_context(neighbourhood, selected=request.POST.getlist("issues"), form=form)
    return render(request, "priorities/triage_queue.html", context)
