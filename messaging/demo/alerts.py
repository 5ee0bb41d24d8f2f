"""The planned alerts: from teams, chief inspectors and HQ, plus a draft and one awaiting approval."""

import random
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from messaging.demo.data import (
    ALERT_COUNTS,
    DIVISION_ALERTS,
    FEATURED_WARD,
    FORCE_ALERTS,
    FORCE_SITE,
    MEETING_REMINDER,
    NEIGHBOURHOOD_ALERTS,
    PRIORITY_UPDATE,
    RURAL_DISTRICTS,
    SEED,
    STREETS,
    AlertText,
)
from messaging.demo.world import Send, World, aware
from messaging.models import Alert, AlertStatus, AudienceLevel
from neighbourhoods.models import Ward
from pact_portal.site import absolute_url


def plan_alerts(world: World) -> list[Send]:
    """~150 sent alerts from teams, chief inspectors and HQ, plus one draft and one awaiting approval."""
    rng = random.Random(f"{SEED}:alerts")  # noqa: S311 - demo data, not security
    areas: dict[int, list[Ward]] = {}
    for ward in world.wards:
        areas.setdefault(ward.neighbourhood_id, []).append(ward)
    featured = next((w.neighbourhood_id for w in world.wards if w.code == FEATURED_WARD), None)
    used: set = set()
    sends = []
    for n in range(ALERT_COUNTS["neighbourhood"]):
        # The featured neighbourhood, whose logins the README lists, gets a share worth looking at.
        key = featured if featured in areas and n % 16 == 0 else rng.choice(sorted(areas))
        sends.append(_neighbourhood_send(world, rng, areas[key], used))
    divisions = sorted({w.neighbourhood.division_id: w.neighbourhood.division for w in world.wards}.items())
    for _ in range(ALERT_COUNTS["division"] if divisions else 0):
        sends.append(_division_send(world, rng, rng.choice(divisions)[1]))
    for _ in range(ALERT_COUNTS["force"]):
        sends.append(_force_send(world, rng, rng.choice(FORCE_ALERTS)))
    sends = sorted((s for s in sends if s is not None), key=lambda s: (s.alert.released_at, s.alert.title))
    return sends + _unsent(world, rng, areas.get(featured) or [])


def _sent_time(world: World, rng: random.Random) -> datetime:
    span = (world.as_of.date() - world.first_day).days - 15
    day = world.first_day + timedelta(days=14 + rng.randrange(max(span, 1)))
    day -= timedelta(days=max(0, day.weekday() - 4))  # office hours, on a weekday
    return aware(day, rng.randint(9, 18), rng.randrange(0, 60, 5))


def _alert(world: World, text: AlertText, *, author: int, at: datetime, level: str, **words) -> Alert:
    title = text.title.format(**words)[:150]
    words["link"] = words.get("link") or text.link
    body = text.body.format(**words)
    return Alert(
        force=world.force, kind=text.kind, title=title, body=body, audience_level=level,
        sms_text=f"Lancashire Police In the Know: {title}. Call 101 with information." if text.sms else "",
        voice_script=f"This is Lancashire Police with an In the Know message. {body.split(chr(10))[0]}"
        if text.voice else "",
        send_email=True, send_sms=text.sms, send_voice=text.voice, status=AlertStatus.SENT, created_by_id=author,
        released_at=at, fanout_completed_at=at + timedelta(seconds=_fan_out_seconds(title)),
    )  # fmt: skip


def _fan_out_seconds(title: str) -> int:
    """A fan-out time of one to three minutes that is the same for the same alert on every run."""
    return 60 + sum(map(ord, title)) % 120


def _spoken(moment: datetime) -> str:
    """ "Tuesday 15 September at 7pm", as a reminder would put it."""
    minutes = f".{moment.minute:02d}" if moment.minute else ""
    hour = f"{moment.hour % 12 or 12}{minutes}{'am' if moment.hour < 12 else 'pm'}"
    return f"{moment:%A} {moment.day} {moment:%B} at {hour}"


def _page(name: str, **kwargs) -> str:
    return absolute_url(reverse(name, kwargs=kwargs))


def _neighbourhood_send(world: World, rng: random.Random, wards: list[Ward], used: set) -> Send | None:
    nb = wards[0].neighbourhood
    ward, street = rng.choice(wards), rng.choice(STREETS)
    words = {"ward": ward.name, "street": street, "neighbourhood": nb.name}
    meetings = [m for m in world.meetings.get(nb.pk, []) if m["pk"] not in used]
    priorities = [p for p in world.priorities.get(nb.pk, []) if p["reference"] not in used]
    roll = rng.random()
    if meetings and roll < 0.3:
        meeting = rng.choice(meetings)
        used.add(meeting["pk"])
        starts = timezone.localtime(meeting["starts_at"])
        at = starts.replace(hour=10, minute=0) - timedelta(days=4)
        words |= {"when": _spoken(starts), "meeting": meeting["title"], "venue": meeting["venue_name"]}
        text, link, links = (
            MEETING_REMINDER,
            _page("meetings:public-detail", uid=meeting["uid"]),
            {"meeting_id": meeting["pk"]},
        )
    elif priorities and roll < 0.5:
        priority = rng.choice(priorities)
        used.add(priority["reference"])
        at = min(priority["created_at"] + timedelta(days=rng.randint(7, 60)), world.as_of - timedelta(hours=14))
        words["priority"] = priority["title"]
        text, link = PRIORITY_UPDATE, _page("priorities:public-detail", reference=priority["reference"])
        links = {"priority_id": priority["pk"]}
    else:
        rural = ward.district_id is not None and ward.district.code in RURAL_DISTRICTS
        choices = [t for t in NEIGHBOURHOOD_ALERTS if rural or not t.rural]
        text, at, links = rng.choice(choices), _sent_time(world, rng), {}
        link = text.link
    author = world.team_member(nb.pk, at.date(), rng)
    if author is None or at < aware(world.first_day) or at >= world.as_of:
        return None
    alert = _alert(world, text, author=author, at=at, level=AudienceLevel.NEIGHBOURHOODS, link=link, **words)
    for name, value in links.items():
        setattr(alert, name, value)
    return _send(world, alert, text, link, frozenset(w.pk for w in wards), ("neighbourhoods", [nb.pk]))


def _send(world: World, alert: Alert, text: AlertText, link: str, ward_ids, area_m2m=()) -> Send:
    interests = frozenset(world.interests[s] for s in text.interests if s in world.interests)
    return Send(alert=alert, ward_ids=ward_ids, interest_ids=interests, text=text, link=link, area_m2m=area_m2m)


def _division_send(world: World, rng: random.Random, division) -> Send | None:
    author = world.chiefs.get(division.pk)
    if author is None:
        return None
    text = rng.choice(DIVISION_ALERTS)
    alert = _alert(world, text, author=author, at=_sent_time(world, rng), level=AudienceLevel.DIVISIONS,
                   division=division.name)  # fmt: skip
    wards = frozenset(w.pk for w in world.wards if w.neighbourhood.division_id == division.pk)
    return _send(world, alert, text, text.link, wards, ("divisions", [division.pk]))


def _force_send(world: World, rng: random.Random, text: AlertText) -> Send | None:
    if not world.hq or world.comms is None:
        return None
    at = _sent_time(world, rng)
    alert = _alert(world, text, author=rng.choice(world.hq), at=at, level=AudienceLevel.FORCE)
    # Force-wide alerts go out under the force's name: the communications office approved each one.
    alert.approved_by_id, alert.approved_at = world.comms, at - timedelta(minutes=rng.randint(10, 90))
    return _send(world, alert, text, text.link, frozenset(w.pk for w in world.wards))


def _unsent(world: World, rng: random.Random, featured_wards: list[Ward]) -> list[Send]:
    """A draft in the featured neighbourhood and a force-wide alert waiting for approval."""
    unsent = []
    if featured_wards:
        nb = featured_wards[0].neighbourhood
        author = world.team_member(nb.pk, world.as_of.date(), rng)
        if author is not None:
            words = {"ward": featured_wards[0].name, "street": STREETS[0]}
            level = AudienceLevel.NEIGHBOURHOODS
            draft = _alert(world, NEIGHBOURHOOD_ALERTS[0], author=author, at=world.as_of, level=level, **words)
            unsent.append(
                _send(world, draft, NEIGHBOURHOOD_ALERTS[0], FORCE_SITE, frozenset(), ("neighbourhoods", [nb.pk]))
            )
            unsent[-1].alert.status = AlertStatus.DRAFT
    if world.hq and world.comms is not None:
        waiting = _alert(world, FORCE_ALERTS[4], author=world.hq[0], at=world.as_of, level=AudienceLevel.FORCE)
        waiting.status = AlertStatus.AWAITING_APPROVAL
        unsent.append(_send(world, waiting, FORCE_ALERTS[4], FORCE_SITE, frozenset()))
    for send in unsent:
        send.alert.released_at = send.alert.fanout_completed_at = None
    return unsent
