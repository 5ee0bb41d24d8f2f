"""Reads for the staff side of alerts: who may see which alert, the places and sources a composer
may use, one alert's page, its live progress and the outbox.

Every list costs a fixed number of queries however long it is; the area test of the alert list
is done in SQL, mirroring accounts.policy's `alert.view`, so the list and the page agree.
"""

import uuid
from collections import defaultdict
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import translation

from accounts.policy import ALERT_APPROVERS, ALERT_COMPOSERS, can, scope_for
from accounts.roles import Role, ScopeLevel
from meetings.models import Meeting, MeetingStatus
from messaging.models import (
    Alert,
    AlertKind,
    AlertStatus,
    AudienceLevel,
    Channel,
    Delivery,
    DeliveryStatus,
    Interest,
    OutboxMessage,
    Subscriber,
)
from neighbourhoods.models import Division, Force, Neighbourhood, Ward
from priorities.models import Priority, PriorityState

if TYPE_CHECKING:
    from messaging.delivery import audience

# Priorities worth an update to residents: agreed by the community and still being reported on.
UPDATABLE_PRIORITY_STATES = (
    PriorityState.AGREED,
    PriorityState.IN_ACTION,
    PriorityState.ESCALATED,
    PriorityState.RESOLVED,
    PriorityState.SIGNED_OFF,
)
# Made-up recipients for the previews: reserved example addresses and an Ofcom drama number.
PREVIEW_ADDRESSES = {"email": "resident@example.org", "sms": "+447700900123", "voice": "+447700900123"}
# Alerts whose deliveries are still moving: their progress panel polls.
LIVE_STATUSES = ("sending",)


# --- access -----------------------------------------------------------------------------------


def alert_get_for_user(*, user, pk: int, need: str | None = None) -> Alert:
    """An alert the user may see, with what its page shows; 404 for one that is missing or
    outside their area, 403 when `need` ("alert.approve", "alert.cancel") is refused."""
    alert = alert_for_page(pk=pk)
    if alert is None or not can(user, "alert.view", alert):
        raise Http404("No such alert in your area.")
    if need and not can(user, need, alert):
        raise PermissionDenied
    return alert


def alert_for_page(*, pk: int) -> Alert | None:
    """One alert with everything its page reads. Only the area level's own places are fetched:
    alerts.services keeps the other levels empty, so their (empty) lists are filled in unasked,
    which pays for reading the alert's versions in other languages."""
    alert = (
        Alert.objects.select_related(
            "force", "created_by", "approved_by", "cancelled_by", "meeting", "priority__neighbourhood"
        )
        .filter(pk=pk)
        .first()
    )
    if alert is None:
        return None
    areas = {
        AudienceLevel.WARDS: Prefetch("wards", queryset=Ward.objects.defer("boundary").select_related("neighbourhood")),
        AudienceLevel.NEIGHBOURHOODS: Prefetch(
            "neighbourhoods", queryset=Neighbourhood.objects.select_related("division")
        ),
        AudienceLevel.DIVISIONS: Prefetch("divisions"),
    }
    cache = alert.__dict__.setdefault("_prefetched_objects_cache", {})
    for level, lookup in areas.items():
        if level != alert.audience_level:
            cache[lookup.prefetch_through] = getattr(alert, lookup.prefetch_through).none()
    chosen = [areas[alert.audience_level]] if alert.audience_level in areas else []
    prefetch_related_objects([alert], *chosen, "interests", "translations")
    return alert


def _covered_neighbourhoods(user) -> QuerySet[Neighbourhood]:
    scope_filter = scope_for(user).neighbourhood_filter()
    return Neighbourhood.objects.none() if scope_filter is None else Neighbourhood.objects.filter(**scope_filter)


def _force_ids_covered(user) -> frozenset | None:
    """The forces a force-wide user sees (None: every force); an empty set for anyone else."""
    scope = scope_for(user)
    return scope.force_ids if scope.level == ScopeLevel.FORCE else frozenset()


def _in_area(user) -> Q:
    """Alerts whose every touched neighbourhood the user covers (and that touch at least one), as
    accounts.policy `_alert_in_area` decides it for one alert."""
    links = {
        "pk__in": Alert.neighbourhoods.through.objects.filter(alert_id=OuterRef(OuterRef("pk"))).values(
            "neighbourhood_id"
        ),
        "division_id__in": Alert.divisions.through.objects.filter(alert_id=OuterRef(OuterRef("pk"))).values(
            "division_id"
        ),
    }
    by_ward = Alert.wards.through.objects.filter(alert_id=OuterRef(OuterRef("pk"))).values("ward__neighbourhood_id")
    touched = Neighbourhood.objects.filter(
        Q(pk__in=links["pk__in"]) | Q(division_id__in=links["division_id__in"]) | Q(pk__in=by_ward)
    )
    outside = touched.exclude(pk__in=_covered_neighbourhoods(user).values("pk"))
    return ~Q(audience_level=AudienceLevel.FORCE) & Exists(touched) & ~Exists(outside)


def alerts_for_user(*, user, status: str | None = None) -> QuerySet[Alert]:
    """The alerts the user may see, newest first: their own, those wholly in their area, and for
    force-wide staff every alert of their force."""
    force_ids = _force_ids_covered(user)
    if user.role == Role.PARTNER and user.agency_id:
        # A partner agency reads its own alerts only.
        visible = Alert.objects.filter(agency_id=user.agency_id, force_id=user.force_id)
    elif user.role not in ALERT_COMPOSERS:
        return Alert.objects.none()
    elif force_ids is None:
        visible = Alert.objects.all()
    else:
        visible = Alert.objects.filter(Q(created_by=user) | Q(force_id__in=force_ids) | _in_area(user))
    if status:
        visible = visible.filter(status=status)
    return (
        visible.select_related("created_by")
        .prefetch_related(
            Prefetch("wards", queryset=Ward.objects.defer("boundary").order_by("name")),
            Prefetch("neighbourhoods", queryset=Neighbourhood.objects.order_by("name")),
            Prefetch("divisions", queryset=Division.objects.order_by("name")),
        )
        .order_by("-created_at", "-pk")
    )


def with_area_neighbourhoods(alerts: list[Alert]) -> list[Alert]:
    """The alerts, each knowing every neighbourhood its audience touches (Alert.area_neighbourhoods),
    in four queries however many there are: the policy's approval rule reads them per alert."""
    if not alerts:
        return alerts
    ids = [a.pk for a in alerts]
    touched = defaultdict(set)
    for alert_id, neighbourhood_id in Alert.neighbourhoods.through.objects.filter(alert_id__in=ids).values_list(
        "alert_id", "neighbourhood_id"
    ):
        touched[alert_id].add(neighbourhood_id)
    for alert_id, neighbourhood_id in Alert.wards.through.objects.filter(alert_id__in=ids).values_list(
        "alert_id", "ward__neighbourhood_id"
    ):
        touched[alert_id].add(neighbourhood_id)
    divisions = defaultdict(set)
    for alert_id, division_id in Alert.divisions.through.objects.filter(alert_id__in=ids).values_list(
        "alert_id", "division_id"
    ):
        divisions[alert_id].add(division_id)
    forces = {a.force_id for a in alerts if a.audience_level == AudienceLevel.FORCE}
    wanted_divisions = set().union(*divisions.values())
    neighbourhoods = list(
        Neighbourhood.objects.filter(
            Q(pk__in=set().union(*touched.values())) | Q(division__in=wanted_divisions) | Q(division__force__in=forces)
        ).select_related("division")
    )
    for alert in alerts:
        alert._area_neighbourhoods = [
            n
            for n in neighbourhoods
            if (n.division.force_id == alert.force_id and alert.audience_level == AudienceLevel.FORCE)
            or n.pk in touched[alert.pk]
            or n.division_id in divisions[alert.pk]
        ]
    return alerts


def alerts_awaiting_approval_by(*, user) -> list[Alert] | None:
    """The alerts waiting for this user to approve them, oldest first (one query), as accounts.policy's
    `alert.approve` decides it: a force they cover, and never their own. None if they approve nothing."""
    if user.role == Role.INSPECTOR:
        # Partner agencies' alerts to the inspector's neighbourhoods (policy: wholly in their area).
        waiting = Alert.objects.filter(status=AlertStatus.AWAITING_APPROVAL, agency__isnull=False)
        waiting = list(
            waiting.filter(force_id=user.force_id).select_related("created_by", "agency").order_by("created_at", "pk")
        )
        return [a for a in with_area_neighbourhoods(waiting) if can(user, "alert.approve", a)]
    if user.role not in ALERT_APPROVERS:
        return None
    force_ids = _force_ids_covered(user)
    waiting = Alert.objects.filter(status=AlertStatus.AWAITING_APPROVAL).exclude(created_by=user)
    if force_ids is not None:
        waiting = waiting.filter(force_id__in=force_ids)
    return list(waiting.select_related("created_by").order_by("created_at", "pk"))


# --- composing --------------------------------------------------------------------------------


def compose_force(*, user) -> Force | None:
    """The force a user's alerts go out under: their own, or that of the neighbourhoods they work."""
    if user.force_id:
        return Force.objects.filter(pk=user.force_id).first()
    return Force.objects.filter(divisions__neighbourhoods__in=_covered_neighbourhoods(user)).distinct().first()


def targetable_neighbourhoods(*, user, force) -> QuerySet[Neighbourhood]:
    """`alert.target_neighbourhood` as a queryset: the composer's area within the force."""
    if not can(user, "alert.compose"):
        return Neighbourhood.objects.none()
    return (
        _covered_neighbourhoods(user)
        .filter(division__force=force)
        .select_related("division")
        .order_by("division__name", "name")
    )


def targetable_wards(*, user, force) -> QuerySet[Ward]:
    return (
        Ward.objects.filter(neighbourhood__in=targetable_neighbourhoods(user=user, force=force).values("pk"))
        .select_related("neighbourhood__division")
        .defer("boundary")
        .order_by("neighbourhood__name", "name")
    )


def targetable_divisions(*, user, force) -> QuerySet[Division]:
    """`alert.target_division` as a queryset: a chief inspector's division, or every division for
    force-wide staff. Never for neighbourhood roles, however many neighbourhoods they work."""
    scope = scope_for(user)
    if not can(user, "alert.compose") or scope.level not in (ScopeLevel.DIVISION, ScopeLevel.FORCE):
        return Division.objects.none()
    divisions = Division.objects.filter(force=force).order_by("name")
    if scope.level == ScopeLevel.DIVISION:
        divisions = divisions.filter(pk__in=scope.division_ids)
    return divisions


def active_interests() -> QuerySet[Interest]:
    return Interest.objects.filter(is_active=True)


def template_meetings(*, user, force) -> QuerySet[Meeting]:
    """Upcoming published meetings the composer may remind people of (cancelled ones are not
    reminded; their cancellation is for the meeting's own page)."""
    return (
        Meeting.objects.filter(
            status=MeetingStatus.PUBLISHED,
            neighbourhood__in=targetable_neighbourhoods(user=user, force=force).values("pk"),
        )
        .upcoming()
        .select_related("neighbourhood")
    )


def template_priorities(*, user, force) -> QuerySet[Priority]:
    """Public priorities, agreed or further on, in the composer's area."""
    return (
        Priority.objects.filter(
            state__in=UPDATABLE_PRIORITY_STATES,
            neighbourhood__in=targetable_neighbourhoods(user=user, force=force).values("pk"),
        )
        .select_related("neighbourhood")
        .defer("evidence", "restricted_notes")
        .order_by("neighbourhood__name", "title")
    )


def audience_preview(
    *,
    force,
    level: str,
    wards=(),
    neighbourhoods=(),
    divisions=(),
    interests=(),
    channels=(),
    kind: str = AlertKind.GENERAL,
    at=None,
) -> "audience.AudienceBreakdown":
    """Active subscriptions reached per channel (every channel, chosen or not), how many of
    those quiet hours would hold back if it went `at` (default now), how many would wait for
    members' email digests, and the members per language, in one query."""
    from messaging.delivery import audience

    return audience.audience_breakdown(
        members=True,
        force_id=force.pk,
        level=level,
        ward_ids=[w.pk for w in wards],
        neighbourhood_ids=[n.pk for n in neighbourhoods],
        division_ids=[d.pk for d in divisions],
        interest_ids=[] if kind == AlertKind.EMERGENCY else [i.pk for i in interests],
        channels=list(Channel.values),
        kind=kind,
        at=at,
    )


def alert_audience(*, alert) -> dict[str, int]:
    """A saved alert's audience per chosen channel, as it would be counted now."""
    from messaging.delivery import audience

    return audience.audience_counts(**audience.alert_audience_kwargs(alert=alert))


def alert_audience_breakdown(*, alert) -> "audience.AudienceBreakdown":
    """A saved alert's audience as it would be counted now, with the members per language."""
    from messaging.delivery import audience

    return audience.audience_breakdown(members=True, **audience.alert_audience_kwargs(alert=alert))


def alert_languages(*, alert, by_language: dict[str, dict[str, int]] | None) -> list[dict]:
    """A row per language that has members in the audience or a version (English always first):
    members, texts, whether there is a version, and a text's SMS segments in that language (the
    version's, else the English a member of it receives) and so the segments the texts cost.
    Reads the alert's prefetched translations: no query."""
    from django.conf import settings

    from messaging import rendering
    from messaging.models import Language

    versions = {version.language: version for version in alert.translations.all()}
    rows = []
    for code, label in Language.choices:
        counts = (by_language or {}).get(code, {})
        english = code == settings.LANGUAGE_CODE
        if not (english or counts or code in versions):
            continue
        text = rendering.alert_text(alert=alert, language=code)
        # The footer (manage link, how to stop) is in the text's language too, and counts.
        with translation.override(text.language):
            segments = rendering.sms_segments(rendering.sms_text(alert, text=text)) if alert.send_sms else 0
        texts = counts.get(Channel.SMS, 0)
        rows.append(
            {
                "code": code,
                "label": label,
                "members": counts.get("members", 0),
                "texts": texts,
                "is_english": english,
                "version": versions.get(code),
                "sms_segments": segments,
                "sms_cost": segments * texts,
            }
        )
    return rows


def alert_previews(*, alert) -> dict:
    """Each chosen channel's message as a resident would get it, rendered by the same code the
    workers use, for a made-up recipient (no query: the personal links point nowhere real)."""
    from messaging import rendering

    previews = {}
    for channel in alert.channels:
        sample = Delivery(alert=alert, subscriber=Subscriber(reference=uuid.uuid4()), channel=channel)
        sample.address = PREVIEW_ADDRESSES[channel]
        previews[channel] = rendering.render_delivery(delivery=sample)
    if Channel.SMS in previews:
        previews["sms_segments"] = rendering.sms_segments(previews[Channel.SMS].body)
    return previews


# --- progress ---------------------------------------------------------------------------------


def alert_progress(*, alert) -> dict:
    """Deliveries per channel and status, from one grouped query: {"rows": [{channel, label,
    queued, sending, sent, delivered, failed, cancelled, digest, total, expected}], "totals": {...}}."""
    grouped = (
        Delivery.objects.filter(alert_id=alert.pk)
        .order_by()
        .values("channel", "status")
        .annotate(n=Count("pk"))
        .values_list("channel", "status", "n")
    )
    blank = dict.fromkeys(DeliveryStatus.values, 0)
    per_channel = {channel: dict(blank) for channel in alert.channels}
    for channel, status, n in grouped:
        per_channel.setdefault(channel, dict(blank))[status] = n
    rows, totals = [], dict(blank, total=0, expected=0)
    for channel, counts in per_channel.items():
        total = sum(counts.values())
        expected = (alert.audience_counts or {}).get(channel, 0)
        label = Channel(channel).label
        rows.append({"channel": channel, "label": label, **counts, "total": total, "expected": expected})
        for key, value in counts.items():
            totals[key] += value
        totals["total"] += total
        totals["expected"] += expected
    # An email waiting for its member's digest is handled as far as this alert is concerned.
    done = totals["sent"] + totals["delivered"] + totals["failed"] + totals["cancelled"] + totals["digest"]
    totals["percent_done"] = round(100 * done / totals["total"]) if totals["total"] else 0
    return {"rows": rows, "totals": totals, "live": alert.status in LIVE_STATUSES}


# --- the outbox -------------------------------------------------------------------------------


def outbox_messages(*, channel: str | None = None) -> QuerySet[OutboxMessage]:
    """Stored messages, newest first, with the alert each one belongs to."""
    messages = OutboxMessage.objects.select_related("delivery__alert").order_by("-created_at", "-pk")
    if channel:
        messages = messages.filter(channel=channel)
    return messages


def alerts_for_api(*, user) -> QuerySet[Alert]:
    """The alerts the user may see (the other selectors here decide which), with everything a row shows."""
    return alerts_for_user(user=user).select_related("force").prefetch_related("interests")
