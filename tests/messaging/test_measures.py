"""The In the Know measures page: scoped to the viewer's area, right on a small hand-built set,
and a fixed number of queries however many members there are."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.analytics.selectors import period_of_full_months
from messaging.measures.selectors import measures_area_for, messaging_measures
from messaging.models import Delivery, Feedback, SubscriberChannel
from tests.messaging.factories import alert, subscriber

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
URL = "/officer/in-the-know/measures/"


def _at(when: datetime, make, *args, **kwargs):
    with time_machine.travel(when, tick=False):
        return make(*args, **kwargs)


def _deliver(sent, person, *, status="delivered", **fields):
    return Delivery.objects.create(
        alert=sent, subscriber=person, channel="email", status=status, queued_at=sent.released_at, **fields
    )


@pytest.fixture
def members(world):
    """Daneshouse: A (Jan), B (field, Mar), OLD (Oct 2025) are members; P never confirmed;
    LEFT joined in Oct 2025 and unsubscribed from alert X in April. Queensgate: Q. Fleetwood: F1, F2."""
    dane, queens, fleet = (n.wards.first() for n in (world.daneshouse, world.queensgate, world.fleetwood))
    people = {
        "OLD": _at(datetime(2025, 10, 5, tzinfo=UTC), subscriber, world, email="old@example.org"),
        "LEFT": _at(datetime(2025, 10, 6, tzinfo=UTC), subscriber, world, email="left@example.org"),
        "A": _at(datetime(2026, 1, 10, tzinfo=UTC), subscriber, world, email="a@example.org"),
        "F1": _at(datetime(2026, 1, 11, tzinfo=UTC), subscriber, world, ward=fleet, email="f1@example.org"),
        "B": _at(datetime(2026, 3, 3, tzinfo=UTC), subscriber, world, email="b@example.org", source="field"),
        "P": _at(datetime(2026, 3, 4, tzinfo=UTC), subscriber, world, email="p@example.org", status="pending"),
        "Q": _at(datetime(2026, 3, 5, tzinfo=UTC), subscriber, world, ward=queens, email="q@example.org"),
        "F2": _at(datetime(2026, 5, 20, tzinfo=UTC), subscriber, world, ward=fleet, mobile="+447700900123"),
    }
    assert dane.pk == people["A"].ward_id
    x = alert(world, title="Shed burglaries", status="sent", released_at=datetime(2026, 4, 2, 10, tzinfo=UTC))
    y = alert(world, level="force", title="Scam calls", status="sent", released_at=datetime(2026, 5, 25, tzinfo=UTC))
    clicked = _deliver(x, people["A"], clicked_at=datetime(2026, 4, 2, 11, tzinfo=UTC))
    answered = datetime(2026, 4, 2, 12, tzinfo=UTC)
    _at(answered, Feedback.objects.create, delivery=clicked, useful=True, acted_on=True, comment="Locked my shed.")
    _at(answered, Feedback.objects.create, delivery=_deliver(x, people["OLD"]), useful=False)
    _deliver(x, people["LEFT"])
    _deliver(x, people["B"], status="failed")
    _deliver(y, people["A"])
    _deliver(y, people["F1"])
    SubscriberChannel.objects.filter(subscriber=people["LEFT"]).update(
        status="unsubscribed", unsubscribed_at=datetime(2026, 4, 3, tzinfo=UTC), unsubscribed_from_alert=x
    )
    return people


def _measures(user, months=6):
    with time_machine.travel(NOW, tick=False):
        return messaging_measures(area=measures_area_for(user=user), period=period_of_full_months(months=months))


def test_it_counts_the_pcsos_members_and_their_growth(world, members):
    m = _measures(world.pcso)
    assert (m.total.members, m.total.field_members) == (3, 1)
    assert [row.name for row in m.by_neighbourhood] == ["Daneshouse"]
    assert m.growth.months[0] == date(2026, 1, 1)
    assert m.growth.overall.joined == [1, 0, 1, 0, 0, 0]
    assert m.growth.overall.left == [0, 0, 0, 1, 0, 0]
    assert m.growth.overall.total == [3, 3, 4, 3, 3, 3]
    assert m.channels == {"email": 3, "sms": 0, "voice": 0}


def test_it_works_out_conversion_by_source(world, members):
    m = _measures(world.pcso)
    rows = {row.label: (row.signed_up, row.confirmed, row.rate) for row in m.conversion}
    assert rows["Online"][:2] == (2, 1) and str(rows["Online"][2]) == "50.0"
    assert rows["Field sign-up by an officer"][:2] == (1, 1)
    assert "Imported" not in rows and m.conversion_total.signed_up == 3


def test_it_counts_unsubscribes_by_month_and_alert(world, members):
    m = _measures(world.pcso)
    april = next(month for month in m.unsubscribes if month.month == date(2026, 4, 1))
    assert (april.by_channel, april.from_alert) == ([1, 0, 0], 1)
    assert m.unsubscribed_in_period == 1


def test_it_measures_each_alert_as_the_area_received_it(world, members):
    alerts = {a.title: a for a in _measures(world.pcso).alerts}
    x = alerts["Shed burglaries"]
    assert (x.messages, x.delivered, x.failed, x.clicked) == (4, 3, 1, 1)
    assert (x.useful_yes, x.useful_no, x.acted_on, x.unsubscribed) == (1, 1, 1, 1)
    assert alerts["Scam calls"].messages == 1  # only the Daneshouse member's message
    assert list(alerts) == ["Scam calls", "Shed burglaries"]  # newest first
    force_wide = {a.title: a for a in _measures(world.hq).alerts}
    assert force_wide["Scam calls"].messages == 2


def test_it_draws_no_line_per_area_when_there_are_too_many(world, members, monkeypatch):
    monkeypatch.setattr("messaging.measures.selectors.MAX_GROWTH_LINES", 1)
    m = _measures(world.hq)
    assert m.growth.groups == [] and m.growth.overall.total[-1] == 6


def test_it_breaks_the_force_down_by_division(world, members):
    m = _measures(world.hq)
    assert m.total.members == 6
    assert [(d.name, d.members) for d in m.by_division] == [("East Division", 4), ("West Division", 2)]
    assert [s.name for s in m.growth.groups] == ["East Division", "West Division"]
    assert [s.total[-1] for s in m.growth.groups] == [4, 2]
    assert m.growth.overall.total[-1] == m.total.members


@pytest.mark.parametrize(
    ("who", "count"),
    [("pcso", 3), ("sergeant", 3), ("inspector", 4), ("pcso_other", 2), ("chief_inspector", 4),
     ("chief_inspector_other", 2), ("hq", 6), ("comms", 6), ("admin", 6)],
)  # fmt: skip
def test_it_shows_each_user_their_own_area(client, world, members, who, count):
    client.force_login(getattr(world, who))
    with time_machine.travel(NOW, tick=False):
        response = client.get(URL)
    assert response.status_code == 200
    assert f'data-figure="members">{count}<' in response.content.decode()


@pytest.mark.parametrize("who", ["partner", "resident"])
def test_it_refuses_partners_and_residents(client, world, members, who):
    client.force_login(getattr(world, who))
    assert client.get(URL).status_code == 403


def test_it_sends_a_signed_out_visitor_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_keeps_other_areas_alerts_and_comments_off_the_page(client, world, members):
    client.force_login(world.pcso_other)
    with time_machine.travel(NOW, tick=False):
        page = client.get(URL).content.decode()
    assert "Shed burglaries" not in page and "Locked my shed" not in page and "Scam calls" in page
    client.force_login(world.pcso)
    with time_machine.travel(NOW, tick=False):
        assert "Locked my shed" in client.get(URL).content.decode()


def test_it_escapes_comments_and_titles(client, world, members):
    Feedback.objects.filter(comment__startswith="Locked").update(comment="<script>x()</script>")
    client.force_login(world.pcso)
    with time_machine.travel(NOW, tick=False):
        page = client.get(URL).content.decode()
    assert "<script>x()</script>" not in page and "&lt;script&gt;x()&lt;/script&gt;" in page


def test_it_falls_back_to_twelve_months_for_an_unknown_period(client, world, members):
    client.force_login(world.hq)
    with time_machine.travel(NOW, tick=False):
        page = client.get(URL + "?months=7").content.decode()
    assert "July 2025 to June 2026" in page


def test_it_shows_opens_only_when_tracked(client, world, members, settings):
    client.force_login(world.hq)
    with time_machine.travel(NOW, tick=False):
        assert "Opens are not tracked" in client.get(URL).content.decode()
        settings.MESSAGING_OPEN_TRACKING = True
        assert ">Opened</th>" in client.get(URL).content.decode()


def test_it_pins_its_queries(client, world, members, django_assert_max_num_queries):
    client.force_login(world.pcso)
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(15):
        # session, user, scope, wards, members, channels, joins, leaves, conversion, unsubscribes,
        # alerts, alert unsubscribes, comments, bounces, door-knock reach
        client.get(URL)


def test_it_runs_the_same_queries_however_many_members(client, world, members):
    client.force_login(world.hq)
    with time_machine.travel(NOW, tick=False):
        # The first request after signing in may read the user from the database and later ones
        # from the cache (with Redis): compare two later ones.
        client.get(URL)
        with CaptureQueriesContext(connection) as few:
            client.get(URL)
    for n in range(30):
        person = _at(datetime(2026, 2, 1 + n % 27, tzinfo=UTC), subscriber, world, email=f"more{n}@example.org")
        _deliver(Delivery.objects.first().alert, person)
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as many:
        page = client.get(URL).content.decode()
    assert len(many) == len(few) and 'data-figure="members">36<' in page


def test_it_counts_bounced_recovered_and_lost_addresses_in_the_viewers_area(client, world):
    from messaging.models import BounceRecovery

    at = NOW - timedelta(days=3)
    here = subscriber(world, email="here@example.org")
    there = subscriber(world, email="there@example.org", ward=world.fleetwood.wards.get())
    BounceRecovery.objects.create(subscriber=here, address="a@x.org", bounced_at=at, sms_sent_at=at, recovered_at=at)
    BounceRecovery.objects.create(subscriber=here, address="b@x.org", bounced_at=at)
    BounceRecovery.objects.create(subscriber=there, address="c@x.org", bounced_at=at)
    client.force_login(world.pcso)
    with time_machine.travel(NOW, tick=False):
        page = client.get(URL).content.decode()
    figures = dict(re.findall(r'data-figure="(bounced|recovered|lost|waiting)">(\d+)<', page))
    assert figures == {"bounced": "2", "recovered": "1", "lost": "1", "waiting": "0"}
