"""HEAD is answered wherever GET is on public pages, calendar feeds, /healthz and Open311: link
checkers, uptime monitors and feed readers ask HEAD first, and a 405 reads as a broken link."""

import pytest
from django.urls import reverse

from tests.meetings.factories import MeetingFactory
from tests.priorities.factories import agreed

pytestmark = pytest.mark.django_db


def public_paths(world):
    meeting = MeetingFactory(neighbourhood=world.daneshouse, created_by=world.pcso, published=True)
    priority = agreed(world)
    ward = world.daneshouse.wards.first().code
    return [
        "/healthz",
        reverse("neighbourhoods:public-home"),
        reverse("neighbourhoods:detail", args=["daneshouse"]),
        reverse("neighbourhoods:wards-geojson"),
        reverse("neighbourhoods:detail-geojson", args=["daneshouse"]),
        reverse("meetings:public-detail", args=[meeting.uid]),
        reverse("meetings:public-ics", args=[meeting.uid]),
        reverse("meetings:neighbourhood-meetings", args=["daneshouse"]),
        reverse("meetings:neighbourhood-feed", args=["daneshouse"]),
        reverse("meetings:ward-meetings", args=[ward]),
        reverse("meetings:ward-feed", args=[ward]),
        reverse("meetings:force-feed"),
        reverse("priorities:public-list", args=["daneshouse"]),
        reverse("priorities:public-detail", args=[priority.reference]),
        "/open311/v2/discovery.json",
        "/open311/v2/services.xml",
        "/open311/v2/services/speeding.json",
        "/open311/v2/requests.json",
        f"/open311/v2/requests/{priority.pk}.json",
    ]


def test_head_is_answered_like_get_with_no_body(client, world):
    for path in public_paths(world):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code, path
        assert head.status_code in (200, 404), path  # an unknown request id is the spec's 404
        assert head["Content-Type"] == got["Content-Type"], path
        assert head.content == b"", path
