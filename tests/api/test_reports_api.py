import datetime

import pytest
from django.urls import reverse

from reports.models import HighlightReturn, due_date_for

pytestmark = pytest.mark.django_db

LIST = reverse("api-return-list")


def a_return(division, month=10):
    start = datetime.date(2026, month, 1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return HighlightReturn.objects.create(
        division=division, period_start=start, period_end=end, due_date=due_date_for(end)
    )


def test_it_lists_a_chief_inspector_their_divisions_returns_only(api, world):
    east, west = a_return(world.east), a_return(world.west)
    api.force_login(world.chief_inspector)
    rows = api.get(LIST).json()["results"]
    assert [(r["id"], r["division"], r["period_label"], r["status"]) for r in rows] == [
        (east.pk, "east", "October 2026", "draft")
    ]
    api.force_login(world.hq)
    assert {r["id"] for r in api.get(LIST).json()["results"]} == {east.pk, west.pk}


def test_it_serves_a_return_with_its_figures_and_narrative(api, world):
    made = a_return(world.east)
    made.engagement_highlights = "<b>Street meeting</b> on Colne Road"
    made.save()
    api.force_login(world.chief_inspector)
    body = api.get(reverse("api-return-detail", kwargs={"pk": made.pk})).json()
    assert body["highlight_return"]["id"] == made.pk and body["data_changed"] is False
    assert body["figures"]["division"] == {"code": "east", "name": "East Division"}
    assert body["figures"]["headline"][0]["key"] == "meetings_held"
    assert body["narrative"][0]["text"] == "<b>Street meeting</b> on Colne Road"


def test_it_hides_another_divisions_return_and_refuses_those_without_returns(api, world):
    made = a_return(world.east)
    api.force_login(world.chief_inspector_other)
    assert api.get(reverse("api-return-detail", kwargs={"pk": made.pk})).status_code == 404
    assert api.get(LIST).json()["results"] == []
    for person in (world.pcso, world.partner):
        api.force_login(person)
        assert api.get(LIST).status_code == 403
        assert api.get(reverse("api-return-detail", kwargs={"pk": made.pk})).status_code == 403
    api.logout()
    assert api.get(LIST).status_code == 403


def test_it_lists_returns_in_constant_queries(api, world, django_assert_max_num_queries):
    for month in range(1, 11):
        a_return(world.east, month)
        a_return(world.west, month)
    api.force_login(world.hq)
    # session, user, divisions in scope (inside the returns query), count, page
    with django_assert_max_num_queries(5):
        assert len(api.get(LIST).json()["results"]) == 20
