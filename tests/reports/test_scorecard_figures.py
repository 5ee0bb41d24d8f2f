"""The scorecard's own figures: entry, CSV import (all or nothing) and appeal outcomes, each rule
tried from inside and outside the area."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from messaging.models import AlertStatus
from reports.models import AppealOutcome, Campaign, FeedbackMonth, ReachMonth, VolunteerCount, WatchSchemeCount
from tests.messaging.factories import alert

pytestmark = pytest.mark.django_db

REACH = {"neighbourhood": "daneshouse", "platform": "facebook", "account": "@DaneshousePolice", "month": "2026-10",
         "followers": "1200", "reach": "5400"}  # fmt: skip


def _client(client, person):
    client.force_login(person)
    return client


def test_it_lets_a_pcso_enter_reach_for_their_own_neighbourhood(client, world):
    response = _client(client, world.pcso).post(reverse("reports:scorecard-figures", args=["reach"]), REACH)
    assert response.status_code == 302
    row = ReachMonth.objects.get()
    expected = (datetime.date(2026, 10, 1), 5400, None, world.pcso)
    assert (row.month, row.reach, row.engagements, row.entered_by) == expected


def test_it_replaces_a_row_entered_again_for_the_same_account_and_month(client, world):
    client = _client(client, world.comms)
    client.post(reverse("reports:scorecard-figures", args=["reach"]), REACH)
    client.post(reverse("reports:scorecard-figures", args=["reach"]), REACH | {"reach": "6000"})
    assert list(ReachMonth.objects.values_list("reach", flat=True)) == [6000]


def test_it_refuses_a_pcso_another_neighbourhoods_figures(client, world):
    response = _client(client, world.pcso).post(
        reverse("reports:scorecard-figures", args=["reach"]), REACH | {"neighbourhood": "fleetwood"}
    )
    assert response.status_code == 200
    assert "Not a neighbourhood you may enter figures for." in response.content.decode()
    assert not ReachMonth.objects.exists()


def test_it_lets_communications_enter_a_division_wide_complaint_count(client, world):
    data = {"kind": "complaint", "category": "conduct", "month": "2026-10", "division": "west", "count": "3"}
    _client(client, world.comms).post(reverse("reports:scorecard-figures", args=["feedback"]), data)
    assert FeedbackMonth.objects.get().division == world.west


def test_it_refuses_a_pcso_a_division_wide_row(client, world):
    data = {"kind": "thanks", "category": "service", "month": "2026-10", "division": "east", "count": "3"}
    response = _client(client, world.pcso).post(reverse("reports:scorecard-figures", args=["feedback"]), data)
    assert "Not a division you may enter figures for." in response.content.decode()
    assert not FeedbackMonth.objects.exists()


def test_it_shows_a_chief_inspector_their_divisions_rows_without_a_form(client, world):
    VolunteerCount.objects.create(neighbourhood=world.daneshouse, role="cadet", as_of=datetime.date(2026, 10, 1),
                                  count=7, entered_by=world.comms)  # fmt: skip
    VolunteerCount.objects.create(neighbourhood=world.fleetwood, role="cadet", as_of=datetime.date(2026, 10, 1),
                                  count=99, entered_by=world.comms)  # fmt: skip
    client = _client(client, world.chief_inspector)
    response = client.get(reverse("reports:scorecard-figures", args=["volunteers"]))
    assert response.context["form"] is None
    assert [cells[-1] for cells in response.context["rows"]] == [7]
    assert client.post(reverse("reports:scorecard-figures", args=["volunteers"]), {}).status_code == 403


def test_it_lets_a_pcso_count_their_neighbourhoods_watch_schemes_and_corrects_a_count(client, world):
    data = {"neighbourhood": "daneshouse", "kind": "neighbourhood_watch", "as_of": "2026-10-01", "schemes": "4",
            "members": "61"}  # fmt: skip
    client = _client(client, world.pcso)
    assert client.post(reverse("reports:scorecard-figures", args=["watch"]), data).status_code == 302
    client.post(reverse("reports:scorecard-figures", args=["watch"]), data | {"schemes": "5", "members": ""})
    assert list(WatchSchemeCount.objects.values_list("schemes", "members")) == [(5, None)]
    response = client.post(reverse("reports:scorecard-figures", args=["watch"]), data | {"neighbourhood": "fleetwood"})
    assert "Not a neighbourhood you may enter figures for." in response.content.decode()


def test_it_records_a_division_wide_campaign_and_its_outcome(client, world):
    data = {"title": "Lock it or lose it", "division": "west", "starts_on": "2026-10-01", "ends_on": "2026-10-31",
            "aim": "Fewer sheds broken into", "outcome": "not_assessed"}  # fmt: skip
    client = _client(client, world.comms)
    assert client.post(reverse("reports:scorecard-figures", args=["campaigns"]), data).status_code == 302
    client.post(reverse("reports:scorecard-figures", args=["campaigns"]), data | {"outcome": "met"})
    assert list(Campaign.objects.values_list("division__code", "outcome")) == [("west", "met")]


def test_it_refuses_a_campaign_that_ends_before_it_starts_or_names_two_areas(client, world):
    data = {"title": "Backwards", "neighbourhood": "daneshouse", "starts_on": "2026-10-31", "ends_on": "2026-10-01",
            "outcome": "met"}  # fmt: skip
    client = _client(client, world.comms)
    page = client.post(reverse("reports:scorecard-figures", args=["campaigns"]), data).content.decode()
    assert "The campaign cannot end before it starts." in page
    both = data | {"ends_on": "2026-11-01", "division": "east"}
    page = client.post(reverse("reports:scorecard-figures", args=["campaigns"]), both).content.decode()
    assert "Give either a neighbourhood or a division, not both." in page
    assert not Campaign.objects.exists()


def test_it_refuses_a_pcso_a_division_wide_campaign(client, world):
    data = {"title": "Week", "division": "east", "starts_on": "2026-10-01", "ends_on": "2026-10-02", "outcome": "met"}
    page = _client(client, world.pcso).post(reverse("reports:scorecard-figures", args=["campaigns"]), data)
    assert "Not a division you may enter figures for." in page.content.decode()
    assert not Campaign.objects.exists()


def test_it_imports_watch_scheme_counts_all_or_nothing(client, world):
    url = reverse("reports:scorecard-import", args=["watch"])
    good = "neighbourhood,kind,as_of,schemes,members\ndaneshouse,neighbourhood_watch,2026-10-01,4,61\n"
    bad = good + "daneshouse,pigeon_watch,2026-10-01,1,\n"
    page = _client(client, world.pcso).post(url, {"file": _csv(bad)}).content.decode()
    assert "Line 3, kind:" in page and not WatchSchemeCount.objects.exists()
    assert client.post(url, {"file": _csv(good)}).status_code == 302
    assert WatchSchemeCount.objects.get().members == 61


def test_it_refuses_partners_and_residents(client, world):
    for person in (world.partner, world.resident):
        client.force_login(person)
        assert client.get(reverse("reports:scorecard-figures", args=["reach"])).status_code == 403


def test_it_pins_the_figures_pages_queries(client, world, django_assert_max_num_queries):
    for month in range(1, 13):
        ReachMonth.objects.create(neighbourhood=world.daneshouse, platform="x", account="@d",
                                  month=datetime.date(2026, month, 1), entered_by=world.comms)  # fmt: skip
    client = _client(client, world.comms)
    # session, user, rows, the form's neighbourhood and division choices
    with django_assert_max_num_queries(6):
        client.get(reverse("reports:scorecard-figures", args=["reach"]))


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("export.csv", text.encode(), content_type="text/csv")


def test_it_imports_every_row_of_a_good_file(client, world):
    text = "neighbourhood,role,as_of,count\ndaneshouse,cadet,2026-10-01,7\ndaneshouse,special_constable,2026-10-01,2\n"
    response = _client(client, world.pcso).post(
        reverse("reports:scorecard-import", args=["volunteers"]), {"file": _csv(text)}
    )
    assert response.status_code == 302
    assert sorted(VolunteerCount.objects.values_list("count", flat=True)) == [2, 7]


def test_it_imports_nothing_when_one_row_is_wrong_and_says_which(client, world):
    text = "neighbourhood,role,as_of,count\ndaneshouse,cadet,2026-10-01,7\nfleetwood,cadet,2026-10-01,-1\n"
    response = _client(client, world.pcso).post(
        reverse("reports:scorecard-import", args=["volunteers"]), {"file": _csv(text)}
    )
    page = response.content.decode()
    assert "Line 3, neighbourhood: Not a neighbourhood you may enter figures for." in page
    assert "Line 3, count:" in page
    assert not VolunteerCount.objects.exists()


def test_it_rejects_a_file_with_unknown_columns(client, world):
    response = _client(client, world.comms).post(
        reverse("reports:scorecard-import", args=["reach"]), {"file": _csv("neighbourhood,likes\ndaneshouse,3\n")}
    )
    assert "Unknown columns: likes." in response.content.decode()


def test_it_escapes_what_a_file_says(client, world):
    text = "neighbourhood,role,as_of,count\n<script>x</script>,cadet,2026-10-01,7\n"
    response = _client(client, world.comms).post(
        reverse("reports:scorecard-import", args=["volunteers"]), {"file": _csv(text)}
    )
    assert "<script>x</script>" not in response.content.decode()


def test_it_records_an_appeals_outcome(client, world):
    appeal = alert(world, kind="appeal", status=AlertStatus.SENT)
    data = {"information_received": "on", "arrests": "2", "closed": "on"}
    response = _client(client, world.pcso).post(reverse("reports:scorecard-appeal-outcome", args=[appeal.pk]), data)
    assert response.status_code == 302
    outcome = AppealOutcome.objects.get(alert=appeal)
    assert (outcome.information_received, outcome.arrests, outcome.closed) == (True, 2, True)


def test_it_hides_another_areas_appeal(client, world):
    appeal = alert(world, kind="appeal", status=AlertStatus.SENT)
    response = _client(client, world.pcso_other).get(reverse("reports:scorecard-appeal-outcome", args=[appeal.pk]))
    assert response.status_code == 404


def test_it_refuses_an_outcome_for_an_alert_that_is_not_an_appeal(client, world):
    general = alert(world, status=AlertStatus.SENT)
    response = _client(client, world.comms).get(reverse("reports:scorecard-appeal-outcome", args=[general.pk]))
    assert response.status_code == 403


def test_it_lists_appeals_with_their_outcomes(client, world, django_assert_max_num_queries):
    for n in range(3):
        appeal = alert(world, kind="appeal", status=AlertStatus.SENT, title=f"Appeal {n}")
        AppealOutcome.objects.create(alert=appeal, arrests=n, recorded_by=world.comms)
    client = _client(client, world.comms)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("reports:scorecard-appeals"))
    assert len(response.context["appeals"]) == 3


def test_it_offers_a_chief_inspector_no_outcome_to_record(client, world):
    appeal = alert(world, kind="appeal", status=AlertStatus.SENT)
    response = _client(client, world.chief_inspector).get(reverse("reports:scorecard-appeals"))
    assert appeal.title in response.content.decode()
    assert reverse("reports:scorecard-appeal-outcome", args=[appeal.pk]) not in response.content.decode()
