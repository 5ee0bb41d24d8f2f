"""The planned members: how many per ward, who they are, their channels and when each ended."""

import math
import random
from datetime import datetime, time, timedelta

from messaging.demo.data import (
    AGE_BANDS,
    DEMO_RESIDENT,
    ETHNIC_GROUPS,
    FEATURED_WARD,
    FIELD_SHARE,
    INNER_TOWN_FIELD_SHARE,
    INTEREST_CHANCE,
    MAIL_DOMAIN,
    MAIL_NAMES,
    RURAL_DISTRICTS,
    SEED,
    TAKE_UP,
    is_inner_town,
    ward_take_up,
)
from messaging.demo.world import Line, Person, World, add_months, aware, pick
from messaging.models import Accepts, Channel, ChannelStatus, ConsentMethod, Digest, SignUpSource, Subscriber
from neighbourhoods.models import Ward


def plan_ward(world: World, ward: Ward) -> list[Person]:
    rng = random.Random(f"{SEED}:members:{ward.code}")  # noqa: S311 - demo data, not security
    district = ward.district.code if ward.district else ""
    inner = is_inner_town(district_code=district, ward_name=ward.name)
    expected = (ward.population or 0) * TAKE_UP * ward_take_up(district_code=district, ward_name=ward.name)
    count = math.floor(expected) + (rng.random() < expected % 1)
    rural = district in RURAL_DISTRICTS
    people = [_plan_person(world, ward, rng, n, inner=inner, rural=rural) for n in range(count)]
    # Their own stream, so the members and their history stay the same as before these choices existed.
    prefs = random.Random(f"{SEED}:preferences:{ward.code}")  # noqa: S311 - demo data, not security
    for person in people:
        _choose_controls(world, person, prefs)
    if ward.code == FEATURED_WARD and world.resident:
        people.append(_plan_demo_resident(world, ward))
    return people


def _sign_up_time(world: World, rng: random.Random, *, field_sign_up: bool) -> datetime:
    """Sign-ups grow over the 18 months: a third spread evenly, the rest rising steadily."""
    span = (world.as_of.date() - world.first_day).days
    fraction = rng.random() if rng.random() < 0.33 else math.sqrt(rng.random())
    day = world.first_day + timedelta(days=min(int(fraction * span), span - 1))
    if field_sign_up:  # on shift, on a weekday
        day -= timedelta(days=max(0, day.weekday() - 4))
        return aware(day, rng.randint(10, 18), rng.randrange(0, 60, 5))
    return aware(day, rng.randint(7, 22), rng.randint(0, 59))


def _plan_person(world: World, ward: Ward, rng: random.Random, n: int, *, inner: bool, rural: bool) -> Person:
    is_field = rng.random() < (INNER_TOWN_FIELD_SHARE if inner else FIELD_SHARE)
    consent_at = _sign_up_time(world, rng, field_sign_up=is_field)
    subscriber = Subscriber(
        ward_id=ward.pk,
        language=_language(rng, inner=inner),
        source=SignUpSource.FIELD if is_field else SignUpSource.ONLINE,
        consent_method=_consent_method(rng) if is_field else ConsentMethod.ONLINE_FORM,
        consent_at=consent_at,
        consent_taken_by_id=world.team_member(ward.neighbourhood_id, consent_at.date(), rng) if is_field else None,
    )
    if subscriber.source == SignUpSource.FIELD and subscriber.consent_taken_by_id is None:
        subscriber.source, subscriber.consent_method = SignUpSource.ONLINE, ConsentMethod.ONLINE_FORM
    # Field sign-ups are asked in person, so more of them describe themselves.
    if rng.random() < (0.45 if is_field else 0.2):
        subscriber.demographics_consent_at = consent_at
        subscriber.age_band = pick(rng, AGE_BANDS)
        subscriber.ethnic_group = pick(rng, ETHNIC_GROUPS[inner or is_field])
    older = subscriber.age_band in ("65-74", "75+")
    person = Person(subscriber=subscriber, ward_id=ward.pk, interests=_interests(world, rng, rural=rural, older=older))
    email = f"{rng.choice(MAIL_NAMES)}.{ward.code[3:]}.{n}@{MAIL_DOMAIN}"
    person.lines = _plan_lines(world, rng, consent_at, email=email, field_sign_up=is_field, older=older)
    return person


# Most members never open the controls; of those who do, texts and calls are what people narrow
# (a call at work for a meeting reminder is unwelcome), and a few change or drop the quiet hours.
QUIET_CHOICES = [((21, 0), (8, 0))] * 14 + [((22, 0), (7, 0))] * 3 + [((23, 0), (6, 30))] + [None] * 2
SMS_ACCEPTS = [Accepts.EVERYTHING] * 7 + [Accepts.URGENT] * 2 + [Accepts.EMERGENCY]
VOICE_ACCEPTS = [Accepts.EVERYTHING] * 3 + [Accepts.URGENT] * 3 + [Accepts.EMERGENCY] * 4
PAUSED_SHARE = 0.01
DIGEST_CHOICES = [Digest.NONE] * 22 + [Digest.DAILY] * 2 + [Digest.WEEKLY]


def _choose_controls(world: World, person: Person, rng: random.Random) -> None:
    quiet = rng.choice(QUIET_CHOICES)
    subscriber = person.subscriber
    subscriber.quiet_start, subscriber.quiet_end = (time(*quiet[0]), time(*quiet[1])) if quiet else (None, None)
    subscriber.email_digest = rng.choice(DIGEST_CHOICES)
    # A holiday that is on now: it ends by itself a few days after the demo's "today".
    if rng.random() < PAUSED_SHARE:
        subscriber.paused_until = world.as_of.date() + timedelta(days=rng.randint(2, 14))
    for line in person.lines:
        if line.channel == Channel.SMS:
            line.accepts = rng.choice(SMS_ACCEPTS)
        elif line.channel == Channel.VOICE:
            line.accepts = rng.choice(VOICE_ACCEPTS)


def _language(rng: random.Random, *, inner: bool) -> str:
    roll = rng.random()
    if inner and roll < 0.12:
        return rng.choice(["ur", "ur", "pa", "bn", "gu"])
    return "pl" if roll > 0.985 else "en-gb"


def _consent_method(rng: random.Random) -> str:
    return pick(
        rng, ((ConsentMethod.DOORSTEP_VERBAL, 55), (ConsentMethod.DOORSTEP_SIGNED, 15), (ConsentMethod.EVENT, 30))
    )


def _interests(world: World, rng: random.Random, *, rural: bool, older: bool) -> frozenset:
    chances = dict(INTEREST_CHANCE)
    if rural:
        chances["rural-crime"] = 0.45
    if older:
        chances["scams"] = 0.6
    # Draw for every interest, even one the database lacks (a test's flush empties the table the
    # data migration filled), so each member's later draws, and the surveys demo, come out the same.
    drawn = [slug for slug, chance in chances.items() if rng.random() < chance]
    chosen = {world.interests[slug] for slug in drawn if slug in world.interests}
    if not chosen and "emergency-alerts" in world.interests:
        chosen.add(world.interests["emergency-alerts"])
    return frozenset(chosen)


def _plan_lines(
    world: World, rng: random.Random, consent_at: datetime, *, email: str, field_sign_up: bool, older: bool
):
    mobile = world.mobiles.pop() if world.mobiles and rng.random() < 0.06 else None
    landline = world.landlines.pop() if world.landlines and older and rng.random() < 0.12 else None
    wanted = []
    if rng.random() < 0.9 or not (mobile or landline):
        wanted.append((Channel.EMAIL, email))
    if mobile:
        wanted.append((Channel.SMS, mobile))
    if landline or (mobile and rng.random() < 0.2):
        wanted.append((Channel.VOICE, landline or mobile))
    lines = []
    for channel, address in wanted:
        if rng.random() < (0.1 if field_sign_up else 0.05):  # never confirmed
            lines.append(Line(channel, address, None))
            continue
        start = consent_at + timedelta(minutes=rng.randint(2, 60 * 48 if channel == Channel.EMAIL else 30))
        lines.append(_plan_ending(world, rng, Line(channel, address, start)))
    return lines


def _plan_ending(world: World, rng: random.Random, line: Line) -> Line:
    roll = rng.random()
    if line.start < world.as_of and roll < 0.075:
        span = (world.as_of - line.start).total_seconds()
        line.end = line.start + timedelta(seconds=rng.uniform(0.05, 1) * span)
        line.ending = ChannelStatus.UNSUBSCRIBED if roll < 0.069 else ChannelStatus.UNDELIVERABLE
    return line


def _plan_demo_resident(world: World, ward: Ward) -> Person:
    """The demo's resident login is a member too, so their alerts are in the history."""
    consent_at = aware(add_months(world.as_of.date(), -10), 19, 30)
    subscriber = Subscriber(ward_id=ward.pk, consent_at=consent_at)
    slugs = ("burglary", "scams", "pact-meetings", "emergency-alerts")
    interests = frozenset(world.interests[s] for s in slugs if s in world.interests)
    line = Line(Channel.EMAIL, DEMO_RESIDENT, consent_at + timedelta(minutes=12))
    return Person(subscriber=subscriber, ward_id=ward.pk, interests=interests, lines=[line])
