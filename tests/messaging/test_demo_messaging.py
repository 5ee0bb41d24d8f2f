"""The demo force's In the Know, seeded once for the module at a fixed moment on two districts'
real wards: Burnley (with the inner-town wards the skew holds down) and Ribble Valley (rural,
the district it favours), both in East Division."""

import shutil
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db.models import Count, F, Q, Sum

from accounts.roles import NEIGHBOURHOOD_TEAM_ROLES
from messaging.demo.data import INNER_TOWN_WARDS, TAKE_UP, is_inner_town, ward_take_up
from messaging.demo.seed import demo_messaging_seed
from messaging.models import (
    Alert,
    ChannelStatus,
    Delivery,
    Feedback,
    LinkClick,
    SignUpSource,
    Subscriber,
    SubscriberChannel,
)
from neighbourhoods.demo import DATA_DIR, demo_force_seed
from neighbourhoods.models import Force, TeamMembership, Ward
from tests.support import module_data

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
BURNLEY, RIBBLE_VALLEY = "E07000117", "E07000124"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("wards")
    for name in [f"{BURNLEY}.json", f"{RIBBLE_VALLEY}.json", "districts.csv"]:
        shutil.copy(DATA_DIR / name, data_dir / name)
    with module_data(django_db_blocker), time_machine.travel(NOW, tick=False):
        yield demo_force_seed(data_dir=data_dir)


def _per_thousand(wards) -> float:
    members = Subscriber.objects.filter(ward__in=wards).count()
    return 1000 * members / wards.aggregate(n=Sum("population"))["n"]


def test_it_signs_up_members_in_proportion_to_each_wards_skewed_take_up(seeded):
    wards = Ward.objects.select_related("district")
    expected = sum(
        w.population * TAKE_UP * ward_take_up(district_code=w.district.code, ward_name=w.name) for w in wards
    )
    assert seeded.subscribers == Subscriber.objects.count()
    # Each ward rounds its share at random, and the demo resident is one more.
    assert abs(Subscriber.objects.count() - expected) < 0.05 * expected
    in_force = Subscriber.objects.filter(ward__neighbourhood__division__force=Force.objects.get())
    assert in_force.count() == Subscriber.objects.count()


def test_it_over_represents_rural_wards_and_under_represents_inner_town_ones(seeded):
    inner = Ward.objects.filter(district__code=BURNLEY, name__in=INNER_TOWN_WARDS[BURNLEY])
    rural = Ward.objects.filter(district__code=RIBBLE_VALLEY)
    assert inner.count() == len(INNER_TOWN_WARDS[BURNLEY]) and rural.count() > 20
    assert _per_thousand(rural) > 4 * _per_thousand(inner)


def test_it_signs_up_about_eight_percent_in_the_field_most_in_the_inner_town(seeded):
    field = Subscriber.objects.filter(source=SignUpSource.FIELD)
    assert 0.05 < field.count() / Subscriber.objects.count() < 0.12
    inner = Q(ward__name__in=INNER_TOWN_WARDS[BURNLEY], ward__district__code=BURNLEY)
    inner_share = field.filter(inner).count() / Subscriber.objects.filter(inner).count()
    assert inner_share > 2 * field.exclude(inner).count() / Subscriber.objects.exclude(inner).count()


def test_it_has_a_team_member_take_every_field_sign_up(seeded):
    for person in Subscriber.objects.filter(source=SignUpSource.FIELD).select_related("ward", "consent_taken_by"):
        assert person.consent_taken_by.role in NEIGHBOURHOOD_TEAM_ROLES
        assert TeamMembership.objects.filter(user=person.consent_taken_by, neighbourhood=person.ward.neighbourhood_id)
        assert person.consent_method != "online_form"


def test_it_spreads_sign_ups_over_eighteen_months_with_growth(seeded):
    first, last = (Subscriber.objects.filter(consent_at__year=2025, consent_at__month=m).count() for m in (6, 10))
    assert Subscriber.objects.filter(consent_at__lt=datetime(2025, 5, 23, tzinfo=UTC)).count() == 0
    assert 0 < first < last < Subscriber.objects.filter(consent_at__year=2026, consent_at__month=10).count()


def test_it_gives_most_members_email_and_some_sms_voice_pending_and_unsubscribed(seeded):
    channels = dict(SubscriberChannel.objects.values_list("channel").annotate(n=Count("pk")))
    assert channels["email"] > 10 * channels["sms"] > 0 and channels["voice"] > 0
    statuses = dict(SubscriberChannel.objects.values_list("status").annotate(n=Count("pk")))
    assert set(statuses) == set(ChannelStatus) and statuses["active"] > 0.8 * sum(statuses.values())
    phones = SubscriberChannel.objects.exclude(channel="email").values_list("address", flat=True)
    # Ofcom's drama ranges only: no real phone is ever in the demo.
    assert all(p.startswith(("+447700900", "+441632960", "+441614960")) for p in phones)
    assert not SubscriberChannel.objects.filter(status="active", confirmed_at__isnull=True).exists()


def test_it_describes_a_minority_skewed_older_and_white_british(seeded):
    described = Subscriber.objects.exclude(age_band="")
    assert 0.1 < described.count() / Subscriber.objects.count() < 0.4
    assert not described.filter(demographics_consent_at__isnull=True).exists()
    older = described.filter(age_band__in=["50-64", "65-74", "75+"]).count()
    assert older > 0.55 * described.count()
    assert described.filter(ethnic_group="white_british").count() > 0.6 * described.count()


def test_it_sends_about_150_alerts_of_every_level_and_many_kinds(seeded):
    # Besides the surveys demo's invitations, one per survey wave, and the voting demo's.
    sent = Alert.objects.filter(status="sent").exclude(kind__in=["survey", "vote"])
    assert 140 <= sent.count() <= 152
    assert set(sent.values_list("audience_level", flat=True)) == {"neighbourhoods", "divisions", "force"}
    assert len(set(sent.values_list("kind", flat=True))) == 5
    assert Alert.objects.filter(status="draft").count() == Alert.objects.filter(status="awaiting_approval").count() == 1
    for alert in sent.filter(audience_level="force"):
        assert alert.approved_by.role == "communications" and alert.approved_by_id != alert.created_by_id


def test_it_links_reminders_and_updates_to_their_own_neighbourhoods_meetings_and_priorities(seeded):
    reminders = Alert.objects.filter(meeting__isnull=False).prefetch_related("neighbourhoods")
    updates = Alert.objects.filter(priority__isnull=False).prefetch_related("neighbourhoods")
    assert reminders.exists() and updates.exists()
    for alert in reminders:
        assert [n.pk for n in alert.neighbourhoods.all()] == [alert.meeting.neighbourhood_id]
        assert alert.released_at < alert.meeting.starts_at
    for alert in updates:
        assert [n.pk for n in alert.neighbourhoods.all()] == [alert.priority.neighbourhood_id]


def test_it_delivers_only_to_channels_active_when_the_alert_went(seeded):
    on_channel = Q(subscriber__channels__channel=F("channel"))
    inactive = (
        Q(subscriber__channels__confirmed_at__isnull=True)
        | Q(subscriber__channels__confirmed_at__gt=F("alert__released_at"))
        | Q(subscriber__channels__unsubscribed_at__lte=F("alert__released_at"))
    )
    assert Delivery.objects.count() > 10_000
    assert not Delivery.objects.filter(on_channel & inactive).exists()
    for alert in Alert.objects.filter(status="sent").annotate(n=Count("deliveries")):
        assert sum(alert.audience_counts.values()) == alert.n


def test_it_attributes_unsubscribes_to_an_alert_the_member_got_on_that_channel(seeded):
    attributed = SubscriberChannel.objects.filter(unsubscribed_from_alert__isnull=False)
    assert 0 < attributed.count() < SubscriberChannel.objects.filter(status="unsubscribed").count()
    for row in attributed.select_related("unsubscribed_from_alert"):
        delivery = Delivery.objects.get(
            alert=row.unsubscribed_from_alert, subscriber=row.subscriber_id, channel=row.channel
        )
        assert delivery.sent_at < row.unsubscribed_at


def test_it_records_opens_clicks_and_feedback_on_delivered_messages(seeded):
    engaged = Delivery.objects.filter(Q(opened_at__isnull=False) | Q(clicked_at__isnull=False))
    assert engaged.exists() and not engaged.filter(status="failed").exists()
    assert LinkClick.objects.count() >= Delivery.objects.filter(clicked_at__isnull=False).count() > 0
    assert not LinkClick.objects.exclude(clicked_at=F("delivery__clicked_at")).exists()
    feedback = Feedback.objects.all()
    assert feedback.filter(useful=True).count() > feedback.filter(useful=False).count() > 0
    assert feedback.exclude(comment="").exists() and feedback.filter(acted_on=True).exists()
    assert not feedback.filter(created_at__lt=F("delivery__sent_at")).exists()


def test_it_makes_the_demo_resident_a_confirmed_member_in_daneshouse(seeded):
    channel = SubscriberChannel.objects.select_related("subscriber__ward").get(address="resident@demo.pact.example")
    assert channel.status == "active" and channel.subscriber.ward.code == "E05005155"
    assert Delivery.objects.filter(subscriber=channel.subscriber_id).exists()


def test_it_classes_only_named_wards_as_inner_town():
    assert is_inner_town(district_code=BURNLEY, ward_name="Daneshouse with Stoneyholme")
    assert not is_inner_town(district_code=RIBBLE_VALLEY, ward_name="Whalley")
    # "Park" is inner-town Blackpool but not Fylde's Park ward.
    assert is_inner_town(district_code="E06000009", ward_name="Park")
    assert not is_inner_town(district_code="E07000119", ward_name="Park")


def test_it_does_not_duplicate_on_a_second_run(seeded):
    counts = (Subscriber.objects.count(), Alert.objects.count(), Delivery.objects.count())
    result = demo_messaging_seed(force=Force.objects.get(), today=TODAY)
    assert result.created == 0 and result.subscribers == counts[0]
    assert (Subscriber.objects.count(), Alert.objects.count(), Delivery.objects.count()) == counts


def _fingerprint():
    people = Subscriber.objects.order_by("consent_at", "ward_id", "pk")
    own = Alert.objects.exclude(kind__in=["survey", "vote"])
    return (
        list(people.values_list("ward_id", "source", "consent_at", "age_band", "consent_taken_by")),
        list(SubscriberChannel.objects.order_by("address", "channel").values_list("address", "status", "confirmed_at")),
        # Survey and vote invitations come from the surveys and voting demos, which this test does not run again.
        list(own.order_by("released_at", "title").values_list("title", "released_at", "created_by")),
        Delivery.objects.filter(alert__in=own).count(),
        Feedback.objects.count(),
    )


def test_it_makes_the_same_members_and_alerts_for_the_same_day(seeded):
    before = _fingerprint()
    Alert.objects.all().delete()
    Subscriber.objects.all().delete()
    with time_machine.travel(NOW, tick=False):
        demo_messaging_seed(force=Force.objects.get(), today=TODAY)
    assert _fingerprint() == before


def test_it_gives_members_realistic_controls(seeded):
    members = Subscriber.objects.count()
    default_quiet = Subscriber.objects.filter(quiet_start="21:00", quiet_end="08:00").count()
    assert 0.5 * members < default_quiet < members
    assert Subscriber.objects.filter(quiet_start__isnull=True).exists()
    paused = Subscriber.objects.filter(paused_until__gte=NOW.date()).count()
    assert 0 < paused < 0.05 * members
    assert 0 < Subscriber.objects.exclude(email_digest="").count() < 0.2 * members
    narrowed = SubscriberChannel.objects.filter(channel__in=["sms", "voice"]).exclude(accepts="everything")
    assert narrowed.exists() and not SubscriberChannel.objects.filter(channel="email").exclude(accepts="everything")


def test_it_adds_a_few_replies_one_urgent_and_one_not_matched(seeded):
    from messaging.models import InboundReply

    replies = list(InboundReply.objects.order_by("received_at"))
    assert len(replies) == 5
    [urgent] = [r for r in replies if r.is_urgent]
    assert set(urgent.trigger_words) == {"knife", "help me"} and urgent.neighbourhood_id and urgent.alert_id
    [unmatched] = [r for r in replies if r.neighbourhood_id is None]
    assert unmatched.subscriber_id is None
    assert sum(r.answers.count() for r in replies) == 1
