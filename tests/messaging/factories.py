"""In the Know test data: subscribers with confirmed (or pending) channels, and alerts, built
straight on the models so tests of one part do not depend on another part's services."""

from django.utils import timezone

from messaging.models import (
    Alert,
    ChannelStatus,
    Interest,
    SignUpSource,
    Subscriber,
    SubscriberChannel,
    SubscriberInterest,
)


def interest(slug: str) -> Interest:
    """One of the default interests the migration installs (burglary, scams, pact-meetings …), made
    again if a transactional test's flush has removed the migration's rows."""
    return Interest.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ").capitalize()})[0]


def subscriber(
    world,
    *,
    ward=None,
    email: str | None = "amina@example.org",
    mobile: str | None = None,
    interests: tuple[str, ...] = (),
    status: str = ChannelStatus.ACTIVE,
    voice: bool = False,
    **fields,
) -> Subscriber:
    """A subscriber in Daneshouse (unless `ward`), with an email and/or an E.164 mobile channel
    in `status`; `voice` adds a voice channel on the mobile number."""
    now = timezone.now()
    fields.setdefault("source", SignUpSource.ONLINE)
    # No quiet hours unless a test gives some, so no test depends on the time of day it runs at.
    fields.setdefault("quiet_start", None)
    fields.setdefault("quiet_end", None)
    if fields["source"] == SignUpSource.FIELD:
        fields.setdefault("consent_taken_by", world.pcso)
    person = Subscriber.objects.create(ward=ward or world.daneshouse.wards.first(), consent_at=now, **fields)
    confirmed = now if status in (ChannelStatus.ACTIVE, ChannelStatus.UNSUBSCRIBED) else None
    rows = []
    if email:
        rows.append(("email", email.lower()))
    if mobile:
        rows.append(("sms", mobile))
        if voice:
            rows.append(("voice", mobile))
    SubscriberChannel.objects.bulk_create(
        SubscriberChannel(
            subscriber=person,
            channel=channel,
            address=address,
            status=status,
            confirmed_at=confirmed,
            unsubscribed_at=now if status == ChannelStatus.UNSUBSCRIBED else None,
        )
        for channel, address in rows
    )
    SubscriberInterest.objects.bulk_create(
        SubscriberInterest(subscriber=person, interest=interest(slug)) for slug in interests
    )
    return person


def alert(world, *, author=None, level="neighbourhoods", area=None, interests=(), **fields) -> Alert:
    """A draft alert to Daneshouse (unless `level`/`area` say otherwise), by the PCSO."""
    fields.setdefault("title", "Burglaries on Elm Street")
    fields.setdefault("body", "Three sheds were broken into this week. Lock yours and mark your tools.")
    made = Alert.objects.create(force=world.force, created_by=author or world.pcso, audience_level=level, **fields)
    if level != "force":
        default_area = {"neighbourhoods": [world.daneshouse]}
        for name, objects in (area or default_area).items():
            getattr(made, name).set(objects)
    made.interests.set([interest(slug) for slug in interests])
    return made
