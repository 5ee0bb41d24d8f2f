"""Writes for the staff side of alerts: compose, submit, approve, release on time, cancel.

The life of an alert: draft → (awaiting approval, for force-wide alerts) → scheduled (when a send
time lies ahead) → sending (the fan-out records deliveries and workers send them) → sent; or
cancelled at any point before it is sent. Views ask accounts/policy.py first; these functions still
re-check what the record and the domain require (the area a user may target, four eyes on
force-wide alerts, an audience that reaches someone), whoever calls them.
"""

from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.policy import can
from accounts.roles import Role
from messaging.models import (
    Alert,
    AlertKind,
    AlertStatus,
    AlertTranslation,
    AudienceLevel,
    Channel,
    Delivery,
    DeliveryStatus,
    Language,
)

CANCELLABLE = (AlertStatus.AWAITING_APPROVAL, AlertStatus.SCHEDULED, AlertStatus.SENDING)


def sms_message(*, title: str, sms_text: str, survey: bool = False, vote: bool = False, signature: str = "") -> str:
    """The text message as residents receive it, before any cut: the SMS text, or the title when
    it is left empty (a short title is a usable text; an empty message is not), with whitespace
    collapsed and the footer added (a survey link for an invitation, the manage link, at their
    longest, and how to stop), exactly as rendering.sms_text builds it."""
    from messaging import rendering

    text = " ".join((sms_text or title).split())
    # A partner agency's name comes first, as rendering.sms_text signs it.
    text = f"{signature}: {text}" if signature else text
    return text + rendering.sms_footer_worst_case(survey=survey, vote=vote)


def sms_segments_for(
    *, title: str, sms_text: str, survey: bool = False, vote: bool = False, signature: str = ""
) -> int:
    from messaging import rendering

    return rendering.sms_segments(
        sms_message(title=title, sms_text=sms_text, survey=survey, vote=vote, signature=signature)
    )


def sms_max_segments() -> int:
    # Four segments is what a phone shows as one readable message; beyond that each part is billed
    # and the detail belongs in the email. The limit lives with the renderer that enforces it.
    from messaging import rendering

    return rendering.SMS_MAX_SEGMENTS


# --- checks shared by compose and submit ----------------------------------------------------------


def _check_area(*, actor, force, level: str, wards, neighbourhoods, divisions) -> None:
    """Everything chosen lies in the alert's force and in the actor's area: a PCSO targets only the
    neighbourhoods they work, a chief inspector their division, the force needs a force-wide role."""
    if level == AudienceLevel.FORCE:
        if not can(actor, "alert.target_force", force):
            raise ValidationError({"audience_level": _("Only force-wide staff may send to the whole force.")})
        return
    chosen = {AudienceLevel.WARDS: wards, AudienceLevel.NEIGHBOURHOODS: neighbourhoods}
    chosen[AudienceLevel.DIVISIONS] = divisions
    if level not in chosen:
        raise ValidationError({"audience_level": _("Choose who the alert is for.")})
    if not chosen[level]:
        message = _("Choose at least one of the %(level)s.") % {"level": AudienceLevel(level).label.lower()}
        raise ValidationError({level: message})
    refused = []
    for item in chosen[level]:
        if level == AudienceLevel.DIVISIONS:
            allowed = item.force_id == force.pk and can(actor, "alert.target_division", item)
        else:
            neighbourhood = item.neighbourhood if level == AudienceLevel.WARDS else item
            allowed = (
                neighbourhood is not None
                and neighbourhood.division.force_id == force.pk
                and can(actor, "alert.target_neighbourhood", neighbourhood)
            )
        if not allowed:
            refused.append(item.name)
    if refused:
        message = _("Outside the area you may send to: %(places)s.") % {"places": ", ".join(refused)}
        raise ValidationError({level: message})


def _check_content(
    *, title: str, sms_text: str, channels: Iterable[str], send_at, survey=None, vote=None, signature: str = ""
) -> None:
    errors = {}
    if not channels:
        errors["channels"] = _("Choose at least one way to send it: email, text message or voice call.")
    elif any(channel not in Channel.values for channel in channels):
        errors["channels"] = _("Choose email, text message or voice call.")
    if Channel.SMS in channels and title.strip():
        segments = sms_segments_for(
            title=title, sms_text=sms_text, survey=survey is not None, vote=vote is not None, signature=signature
        )
        if segments > sms_max_segments():
            if survey is not None:
                message = _(
                    "With the survey link the text message would be %(segments)s segments; the most allowed is "
                    "%(most)s. Shorten it (or leave the detail to the email)."
                )
            elif vote is not None:
                message = _(
                    "With the ballot link the text message would be %(segments)s segments; the most allowed is "
                    "%(most)s. Shorten it (or leave the detail to the email)."
                )
            else:
                message = _(
                    "The text message would be %(segments)s segments; the most allowed is %(most)s. "
                    "Shorten it (or leave the detail to the email)."
                )
            errors["sms_text"] = message % {"segments": segments, "most": sms_max_segments()}
    if send_at is not None and send_at <= timezone.now():
        errors["send_at"] = _("The send time has passed: choose a time in the future, or send now.")
    if errors:
        raise ValidationError(errors)


def _audience_counts(alert: Alert) -> dict[str, int]:
    from messaging.delivery import audience

    return audience.audience_counts(**audience.alert_audience_kwargs(alert=alert))


def _refuse_empty(counts: dict[str, int]) -> None:
    if not sum(counts.values()):
        raise ValidationError(
            _(
                "No one would receive this alert: nobody with a confirmed subscription on the chosen channels "
                "lives in the area with the chosen interests. Widen the area, the interests or the channels."
            )
        )


def _lock(alert: Alert) -> None:
    """Lock the alert's row for this transaction and read its current state into `alert`, so two
    clicks (or a worker finishing) cannot both move it, and the caller's object is up to date."""
    list(Alert.objects.select_for_update().filter(pk=alert.pk).values_list("pk"))
    alert.refresh_from_db()


def _fill(alert: Alert, *, channels, audience_level, **fields) -> None:
    for name, value in fields.items():
        setattr(alert, name, value)
    alert.audience_level = audience_level
    alert.send_email, alert.send_sms, alert.send_voice = (c in channels for c in Channel.values)


def _set_area(alert: Alert, *, wards, neighbourhoods, divisions, interests) -> None:
    """Only the chosen level's places are kept, so the audience never depends on leftovers."""
    level = alert.audience_level
    alert.wards.set(wards if level == AudienceLevel.WARDS else [])
    alert.neighbourhoods.set(neighbourhoods if level == AudienceLevel.NEIGHBOURHOODS else [])
    alert.divisions.set(divisions if level == AudienceLevel.DIVISIONS else [])
    alert.interests.set(interests)


# --- compose ----------------------------------------------------------------------------------


def _write(
    alert: Alert,
    *,
    actor,
    title: str,
    body: str,
    channels: Iterable[str],
    audience_level: str,
    kind: str = "general",
    sms_text: str = "",
    voice_script: str = "",
    wards=(),
    neighbourhoods=(),
    divisions=(),
    interests=(),
    send_at=None,
    meeting=None,
    priority=None,
    survey=None,
    vote=None,
) -> Alert:
    """Check and store a draft's content and audience: creating and editing alike. An emergency
    goes on every channel, whatever was ticked: it reaches each member by every way they have."""
    channels = list(Channel.values) if kind == AlertKind.EMERGENCY else list(channels)
    _check_area(
        actor=actor, force=alert.force, level=audience_level, wards=wards, neighbourhoods=neighbourhoods,
        divisions=divisions,
    )  # fmt: skip
    signature = alert.agency.name if alert.agency_id else ""
    _check_content(
        title=title, sms_text=sms_text, channels=channels, send_at=send_at, survey=survey, vote=vote,
        signature=signature,
    )  # fmt: skip
    _fill(
        alert,
        channels=channels,
        audience_level=audience_level,
        kind=kind,
        title=title.strip(),
        body=body.strip(),
        sms_text=sms_text.strip(),
        voice_script=voice_script.strip(),
        send_at=send_at,
        meeting=meeting,
        priority=priority,
        survey=survey,
        vote=vote,
    )
    alert.full_clean()
    alert.save()
    _set_area(alert, wards=wards, neighbourhoods=neighbourhoods, divisions=divisions, interests=interests)
    return alert


@transaction.atomic
def alert_create(*, actor, force, **content) -> Alert:
    """A draft alert; nothing is sent until it is submitted. `content` as for `_write`: title, body,
    channels, audience_level, kind, sms_text, voice_script, the area, interests, send_at and what
    it is about (a meeting, a priority, or a survey whose invitation it is)."""
    if not can(actor, "alert.compose"):
        raise ValidationError(_("Your role does not send alerts."))
    agency = actor.agency if actor.role == Role.PARTNER else None
    return _write(Alert(force=force, created_by=actor, agency=agency), actor=actor, **content)


@transaction.atomic
def alert_update(*, alert: Alert, actor, **content) -> Alert:
    """Change a draft (`content` as for `alert_create`). Once submitted an alert's text and
    audience are fixed: what was approved is what goes."""
    _lock(alert)
    if alert.status != AlertStatus.DRAFT:
        status = alert.get_status_display().lower()
        raise ValidationError(_("This alert is %(status)s: only a draft can be changed.") % {"status": status})
    return _write(alert, actor=actor, **content)


# --- versions in other languages --------------------------------------------------------------


@transaction.atomic
def alert_version_save(
    *, alert: Alert, actor, language: str, title: str, body: str, sms_text: str = "", voice_script: str = ""
) -> AlertTranslation:
    """Add or change a draft's version in `language` (not English: that is the alert itself). Its
    text message is held to the same segment limit as the English one, counted as UCS-2 when it
    needs to be (as Urdu or Bengali always will)."""
    _lock(alert)
    if alert.status != AlertStatus.DRAFT or alert.created_by_id != actor.pk:
        raise ValidationError(_("Only the author of a draft can change its versions in other languages."))
    if language not in Language.values or language == Language.ENGLISH:
        raise ValidationError({"language": _("Choose one of the languages members can choose, other than English.")})
    if alert.send_sms and title.strip():
        with translation.override(language):  # the footer is in the member's language too
            segments = sms_segments_for(
                title=title, sms_text=sms_text, survey=alert.survey_id is not None, vote=alert.vote_id is not None
            )
        if segments > sms_max_segments():
            message = _(
                "The text message would be %(segments)s segments; the most allowed is %(most)s. "
                "Shorten it (or leave the detail to the email)."
            )
            raise ValidationError({"sms_text": message % {"segments": segments, "most": sms_max_segments()}})
    version = AlertTranslation.objects.filter(alert=alert, language=language).first() or AlertTranslation(
        alert=alert, language=language
    )
    version.title, version.body = title.strip(), body.strip()
    version.sms_text, version.voice_script = sms_text.strip(), voice_script.strip()
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def alert_version_delete(*, alert: Alert, actor, language: str) -> None:
    """Remove a draft's version: members of that language then get the English."""
    _lock(alert)
    if alert.status != AlertStatus.DRAFT or alert.created_by_id != actor.pk:
        raise ValidationError(_("Only the author of a draft can change its versions in other languages."))
    AlertTranslation.objects.filter(alert=alert, language=language).delete()


# --- the workflow -----------------------------------------------------------------------------


def _area_of(alert: Alert) -> dict:
    return {
        "wards": list(alert.wards.select_related("neighbourhood__division").defer("boundary")),
        "neighbourhoods": list(alert.neighbourhoods.select_related("division")),
        "divisions": list(alert.divisions.all()),
    }


@transaction.atomic
def alert_submit(*, alert: Alert, actor) -> Alert:
    """Send a draft on its way: a force-wide alert waits for a communications officer's approval,
    any other is released (scheduled, or sending at once)."""
    _lock(alert)
    if alert.status != AlertStatus.DRAFT:
        raise ValidationError(_("This alert is already %(status)s.") % {"status": alert.get_status_display().lower()})
    # The actor's area may have changed since the draft was saved (a move to another team).
    _check_area(actor=actor, force=alert.force, level=alert.audience_level, **_area_of(alert))
    _check_content(
        title=alert.title, sms_text=alert.sms_text, channels=alert.channels, send_at=alert.send_at,
        survey=alert.survey_id, vote=alert.vote_id, signature=alert.agency.name if alert.agency_id else "",
    )  # fmt: skip
    _refuse_empty(_audience_counts(alert))
    if alert.audience_level == AudienceLevel.FORCE or alert.agency_id is not None:
        alert.status = AlertStatus.AWAITING_APPROVAL
        alert.save(update_fields=["status", "updated_at"])
        return alert
    return alert_release(alert=alert, actor=actor)


@transaction.atomic
def alert_approve(*, alert: Alert, actor) -> Alert:
    """A communications officer who did not write it approves a force-wide alert, which is then
    released: at its send time, or at once if that time has passed while it waited."""
    _lock(alert)
    if alert.status != AlertStatus.AWAITING_APPROVAL:
        status = alert.get_status_display().lower()
        raise ValidationError(_("This alert is %(status)s, not awaiting approval.") % {"status": status})
    if alert.agency_id is not None and not can(actor, "alert.approve", alert):
        raise ValidationError(
            _(
                "A partner agency's alert is approved by a police communications officer or the inspector of the "
                "neighbourhoods it goes to, never by its author or a partner agency."
            )
        )
    if alert.created_by_id == actor.pk:
        raise ValidationError(_("You wrote this alert: another communications officer must approve it."))
    if not can(actor, "alert.approve", alert):
        raise ValidationError(_("Only a communications officer of the force may approve a force-wide alert."))
    alert.approved_by = actor
    alert.approved_at = timezone.now()
    alert.save(update_fields=["approved_by", "approved_at", "updated_at"])
    return alert_release(alert=alert, actor=actor)


def _queue_fan_out(alert_id: int) -> None:
    from messaging.tasks import alert_fan_out_task

    alert_fan_out_task.delay(alert_id=alert_id)


@transaction.atomic
def alert_release(*, alert: Alert, actor) -> Alert:
    """Internal step after submit or approval: scheduled while the send time lies ahead, otherwise
    sending, with the fan-out queued once this transaction has committed (the worker must see the
    new status)."""
    counts = _audience_counts(alert)
    _refuse_empty(counts)
    now = timezone.now()
    alert.status = AlertStatus.SCHEDULED if alert.send_at and alert.send_at > now else AlertStatus.SENDING
    alert.released_at = now
    # The size when released; the fan-out replaces it with the rows it actually recorded.
    alert.audience_counts = counts
    alert.save(update_fields=["status", "released_at", "audience_counts", "updated_at"])
    if alert.status == AlertStatus.SENDING:
        transaction.on_commit(partial(_queue_fan_out, alert.pk))
    return alert


@transaction.atomic
def alerts_release_due(*, now) -> int:
    """Start sending the scheduled alerts whose time has come (run every minute by beat); returns
    how many. Each is moved by a conditional update, so two overlapping runs release it once."""
    due = Alert.objects.filter(status=AlertStatus.SCHEDULED, send_at__lte=now).values_list("pk", flat=True)
    released = 0
    for pk in list(due):
        if Alert.objects.filter(pk=pk, status=AlertStatus.SCHEDULED).update(status=AlertStatus.SENDING, updated_at=now):
            released += 1
            transaction.on_commit(partial(_queue_fan_out, pk))
    return released


@transaction.atomic
def alert_cancel(*, alert: Alert, actor) -> Alert:
    """Stop an alert that is waiting or sending. Queued deliveries are cancelled in one UPDATE so
    the workers skip them; a message already handed to the provider cannot be called back."""
    now = timezone.now()
    moved = Alert.objects.filter(pk=alert.pk, status__in=CANCELLABLE).update(
        status=AlertStatus.CANCELLED, cancelled_by=actor, cancelled_at=now, updated_at=now
    )
    alert.refresh_from_db()
    if not moved:
        if alert.status == AlertStatus.DRAFT:
            raise ValidationError(_("A draft has not been sent, so there is nothing to cancel."))
        status = alert.get_status_display().lower()
        raise ValidationError(_("This alert is already %(status)s: it cannot be cancelled.") % {"status": status})
    waiting = [DeliveryStatus.QUEUED, DeliveryStatus.DIGEST]
    Delivery.objects.filter(alert_id=alert.pk, status__in=waiting).update(status=DeliveryStatus.CANCELLED)
    return alert
