"""Staff pages for alerts: the list, compose and edit (with the live audience preview), an alert's
page with its previews and live progress, the workflow buttons, and the outbox."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policy import can, policy_required, scope_for
from accounts.roles import Role, ScopeLevel
from messaging.alerts import forms, selectors, services
from messaging.models import AlertKind, AlertStatus, AudienceLevel, Channel, Interest, Language
from pact_portal.csp import admit_styles
from pact_portal.forms import form_add_service_errors

PAGE_SIZE = 25


def _force_or_refuse(user):
    force = selectors.compose_force(user=user)
    if force is None:
        raise PermissionDenied(gettext("Your account is not linked to a force or a neighbourhood team."))
    return force


def _may_edit(user, alert) -> bool:
    # A draft is its author's until it is sent: what is approved and sent is what they wrote.
    return alert.status == AlertStatus.DRAFT and alert.created_by_id == user.pk


# --- the list ---------------------------------------------------------------------------------


@require_GET
@policy_required("alert.compose")
def alert_list(request):
    status = request.GET.get("status", "")
    if status not in AlertStatus.values:
        status = ""
    alerts = selectors.alerts_for_user(user=request.user, status=status or None)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": AlertStatus.choices,
        "can_read_outbox": can(request.user, "messaging.outbox"),
    }
    return render(request, "messaging/alerts/alert_list.html", context)


# --- compose ----------------------------------------------------------------------------------


def _template_initial(request, force) -> dict:
    """Initial text from `?meeting=<pk>` or `?priority=<pk>&kind=…`; a source outside the
    composer's area is ignored with a message, never read."""
    meeting_pk, priority_pk = request.GET.get("meeting", ""), request.GET.get("priority", "")
    if meeting_pk.isdigit():
        meeting = (
            selectors.template_meetings(user=request.user, force=force)
            .prefetch_related("wards")
            .filter(pk=meeting_pk)
            .first()
        )
        if meeting:
            pact = Interest.objects.filter(slug="pact-meetings", is_active=True).first()
            return forms.initial_from_meeting(meeting, pact_meetings_interest=pact)
        messages.error(request, gettext("That meeting is not an upcoming published meeting in your area."))
    elif priority_pk.isdigit():
        priority = (
            selectors.template_priorities(user=request.user, force=force)
            .prefetch_related("wards")
            .filter(pk=priority_pk)
            .first()
        )
        if priority:
            return forms.initial_from_priority(priority, kind=request.GET.get("kind", AlertKind.PRIORITY_UPDATE))
        messages.error(request, gettext("That priority is not an agreed public priority in your area."))
    initial = {"channels": [Channel.EMAIL], "send_when": "now"}
    scope = scope_for(request.user)
    # Most alerts come from a PCSO for the one neighbourhood they work: start there.
    if scope.level == ScopeLevel.NEIGHBOURHOOD and len(scope.neighbourhood_ids) == 1:
        initial.update(audience_level=AudienceLevel.NEIGHBOURHOODS, neighbourhoods=list(scope.neighbourhood_ids))
    return initial


def _compose_context(request, form, force, alert=None) -> dict:
    from messaging import rendering

    return {
        "form": form,
        "alert": alert,
        "force": force,
        "meetings": selectors.template_meetings(user=request.user, force=force),
        "priorities": selectors.template_priorities(user=request.user, force=force),
        "sms_stop": rendering.sms_footer_worst_case(),
        "sms_max_segments": rendering.SMS_MAX_SEGMENTS,
        "levels": [value for value, _ in form.fields["audience_level"].choices],
    }


@require_http_methods(["GET", "POST"])
@policy_required("alert.compose")
def alert_create(request):
    force = _force_or_refuse(request.user)
    initial = _template_initial(request, force) if request.method == "GET" else {}
    form = forms.AlertForm(request.POST or None, user=request.user, force=force, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            alert = services.alert_create(actor=request.user, force=force, **form.service_kwargs())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, gettext("Draft saved. Check the previews and the audience, then send it."))
            return redirect(alert)
    return render(request, "messaging/alerts/alert_form.html", _compose_context(request, form, force))


@require_http_methods(["GET", "POST"])
def alert_edit(request, pk):
    alert = selectors.alert_get_for_user(user=request.user, pk=pk)
    if alert.created_by_id != request.user.pk:
        raise PermissionDenied
    if not _may_edit(request.user, alert):
        status = alert.get_status_display().lower()
        messages.error(request, gettext("This alert is %(status)s: only a draft can be changed.") % {"status": status})
        return redirect(alert)
    data = request.POST if request.method == "POST" else None
    form = forms.AlertForm(data, user=request.user, force=alert.force, initial=forms.initial_for_alert(alert))
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_update(alert=alert, actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, gettext("Draft saved."))
            return redirect(alert)
    return render(request, "messaging/alerts/alert_form.html", _compose_context(request, form, alert.force, alert))


@require_GET
@policy_required("alert.compose")
def alert_audience(request):
    """The compose page's preview: subscriptions reached per channel for the area, interests and
    channels chosen so far (htmx, on every change)."""
    force = _force_or_refuse(request.user)
    # Nothing chosen yet is not an error: the panel just says what to choose.
    data = request.GET if request.GET.get("audience_level") else None
    form = forms.AudiencePreviewForm(data, user=request.user, force=force)
    context = {"form": form, "counts": None}
    if form.is_valid():
        area = form.area_kwargs()
        kind = form.cleaned_data.get("kind") or AlertKind.GENERAL
        found = selectors.audience_preview(force=force, level=area.pop("audience_level"), kind=kind, **area)
        counts, held, digest = found.counts, found.held, found.digest
        emergency = kind == AlertKind.EMERGENCY
        # An emergency goes on every channel, whatever is ticked (alerts.services._write).
        chosen = list(Channel.values) if emergency else form.cleaned_data["channels"]
        context.update(
            counts=[(value, label, counts.get(value, 0), value in chosen) for value, label in Channel.choices],
            total=sum(counts.get(channel, 0) for channel in chosen),
            chosen=chosen,
            held=held,
            digest=digest,
            emergency=emergency,
            languages=[
                (label, found.languages[code]["members"]) for code, label in Language.choices if code in found.languages
            ],
        )
    return render(request, "messaging/alerts/_audience.html", context)


# --- versions in other languages --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def alert_version(request, pk, language):
    """Add, change or remove (a "delete" button) a draft's version in one language: its author's only."""
    alert = selectors.alert_get_for_user(user=request.user, pk=pk)
    if alert.created_by_id != request.user.pk:
        raise PermissionDenied
    if language not in Language.values or language == Language.ENGLISH:
        raise Http404("No such language.")
    if not _may_edit(request.user, alert):
        messages.error(request, gettext("Only a draft's versions can be changed."))
        return redirect(alert)
    version = next((v for v in alert.translations.all() if v.language == language), None)
    initial = {f: getattr(version, f) for f in ("title", "body", "sms_text", "voice_script")} if version else {}
    form = forms.AlertVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and "delete" in request.POST:
        services.alert_version_delete(alert=alert, actor=request.user, language=language)
        messages.success(request, gettext("Version removed: those members will get the English."))
        return redirect(alert)
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_version_save(alert=alert, actor=request.user, language=language, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, gettext("Version saved."))
            return redirect(alert)
    from messaging import rendering

    context = {
        "alert": alert,
        "form": form,
        "version": version,
        "language": Language(language),
        "sms_max_segments": rendering.SMS_MAX_SEGMENTS,
    }
    with translation.override(language):
        context["sms_stop"] = rendering.sms_footer_worst_case(survey=bool(alert.survey_id), vote=bool(alert.vote_id))
    return render(request, "messaging/alerts/alert_version.html", context)


# --- one alert --------------------------------------------------------------------------------


@require_GET
def alert_detail(request, pk):
    alert = selectors.alert_get_for_user(user=request.user, pk=pk)
    user = request.user
    is_draft = alert.status == AlertStatus.DRAFT
    # Until it is released the audience is counted afresh: the author sends, and an approver
    # approves, knowing how many people it reaches now.
    counts_live = alert.status in (AlertStatus.DRAFT, AlertStatus.AWAITING_APPROVAL)
    found = selectors.alert_audience_breakdown(alert=alert) if counts_live else None
    counts = found.counts if found else (alert.audience_counts or {})
    languages = selectors.alert_languages(alert=alert, by_language=found.languages if found else None)
    context = {
        "alert": alert,
        "previews": selectors.alert_previews(alert=alert),
        "audience": [(Channel(c).label, counts.get(c, 0)) for c in alert.channels],
        "audience_total": sum(counts.get(c, 0) for c in alert.channels),
        "audience_is_live": counts_live,
        "progress": None if is_draft or alert.released_at is None else selectors.alert_progress(alert=alert),
        "can_edit": _may_edit(user, alert),
        "can_approve": alert.status == AlertStatus.AWAITING_APPROVAL and can(user, "alert.approve", alert),
        "can_cancel": alert.status in services.CANCELLABLE and can(user, "alert.cancel", alert),
        "sms_max_segments": services.sms_max_segments(),
        # Members per language are counted only while the audience is; a released alert's
        # versions are still listed, with what each text cost in segments unknown until sent.
        "languages": languages,
        "other_languages": [(c, label) for c, label in Language.choices if c not in {r["code"] for r in languages}],
    }
    response = render(request, "messaging/alerts/alert_detail.html", context)
    email = context["previews"].get("email")
    # The email preview frame inherits this page's policy; its own inline styles are let through.
    return admit_styles(response, email.html) if email is not None else response


@require_GET
def alert_progress(request, pk):
    """The progress panel alone, polled by htmx every few seconds while the alert is sending; the
    panel it returns for a finished alert has no trigger, so the polling stops."""
    alert = selectors.alert_get_for_user(user=request.user, pk=pk)
    response = render(
        request,
        "messaging/alerts/_progress.html",
        {"alert": alert, "progress": selectors.alert_progress(alert=alert)},
    )
    response["Cache-Control"] = "no-store"
    return response


def _workflow_step(request, pk, *, need: str | None, step, done, author_only: bool = True):
    """A workflow button: `need` is the policy rule, None meaning "the author's own draft"; `done`
    gives the success message for the alert as the step left it."""
    alert = selectors.alert_get_for_user(user=request.user, pk=pk, need=need)
    if need is None and author_only and alert.created_by_id != request.user.pk:
        raise PermissionDenied
    try:
        alert = step(alert=alert, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join([*error.messages, gettext("Nothing was changed.")]))
    else:
        messages.success(request, done(alert))
    return redirect(alert)


def _where_it_stands(alert) -> str:
    """What has really happened to a released alert by the time the page comes back: with workers
    (or the embedded background threads) the sends have only just started; run in the request
    (tests, a command) they are done."""
    if alert.status == AlertStatus.AWAITING_APPROVAL and alert.agency_id is not None:
        return gettext(
            "it now waits for a police communications officer or the neighbourhood's inspector to approve it; "
            "nothing is sent until then."
        )
    if alert.status == AlertStatus.AWAITING_APPROVAL:
        return gettext(
            "it now waits for a communications officer other than its author to approve it; nothing is sent until then."
        )
    if alert.status == AlertStatus.SCHEDULED:
        when = date_format(timezone.localtime(alert.send_at), "j F Y, H:i")
        return gettext("it is scheduled, and sending starts at %(when)s.") % {"when": when}
    alert.refresh_from_db(fields=["status", "audience_counts", "fanout_completed_at"])
    totals = selectors.alert_progress(alert=alert)["totals"]
    handed_over = totals["sent"] + totals["delivered"]
    expected = totals["total"] if alert.fanout_completed_at else totals["expected"]
    numbers = {"sent": handed_over, "total": expected}
    if alert.status == AlertStatus.SENT:
        return gettext("it has been sent: %(sent)s of %(total)s messages handed to the providers.") % numbers
    if alert.status == AlertStatus.CANCELLED:
        return gettext("it was cancelled while sending: %(sent)s of %(total)s messages had gone.") % numbers
    if handed_over:
        return gettext("sending has started: %(sent)s of %(total)s messages sent so far.") % numbers
    return gettext("%(total)s messages are queued for sending. This page shows their progress.") % numbers


@require_POST
def alert_submit(request, pk):
    return _workflow_step(
        request,
        pk,
        need=None,
        step=services.alert_submit,
        done=lambda alert: gettext("Submitted: ") + _where_it_stands(alert),
    )


@require_POST
def alert_approve(request, pk):
    # A partner (or any author) pressing approve on an alert they may read is told who approves
    # it, by the service's refusal, rather than shown a bare 403.
    alert = selectors.alert_get_for_user(user=request.user, pk=pk)
    author_or_partner = alert.created_by_id == request.user.pk or request.user.role == Role.PARTNER
    return _workflow_step(
        request,
        pk,
        need=None if author_or_partner else "alert.approve",
        author_only=False,
        step=services.alert_approve,
        done=lambda alert: gettext("Approved: ") + _where_it_stands(alert),
    )


@require_POST
def alert_cancel(request, pk):
    return _workflow_step(
        request,
        pk,
        need="alert.cancel",
        step=services.alert_cancel,
        done=lambda alert: gettext("Alert cancelled: messages not yet handed to a provider will not be sent."),
    )


# --- the outbox -------------------------------------------------------------------------------


@require_GET
@policy_required("messaging.outbox")
def outbox(request):
    channel = request.GET.get("channel", "")
    if channel not in Channel.values:
        channel = ""
    page = Paginator(selectors.outbox_messages(channel=channel or None), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "channel": channel, "channels": Channel.choices}
    emails = [message.html for message in page if message.html]
    return admit_styles(render(request, "messaging/alerts/outbox.html", context), *emails)
