"""The platforms' own insights exports, imported as they come: Facebook's Page data export (with its
line of column descriptions) and X's account analytics export, added up into months for one
account; a file that is not such an export, or has one bad figure, saves nothing and says why."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import ReachMonth
from reports.scorecard import platforms

pytestmark = pytest.mark.django_db
URL = reverse("reports:scorecard-import-platform")

FACEBOOK = (
    "Date,Lifetime Total Likes,Daily New Likes,Daily Total Reach,Daily Page Engaged Users,Daily Total Impressions\n"
    ",Lifetime: The total number of people who have liked your Page. (Unique Users),Daily: new likes,"
    "Daily: The number of people who had any content from your Page enter their screen. (Unique Users),"
    "Daily: engaged,Daily: impressions\n"
    "2026-09-29,1190,2,300,20,900\n"
    '2026-09-30,1200,10,"1,250",35,2000\n'
    "2026-10-01,1205,5,400,12,800\n"
    "2026-10-02,1211,6,600,,700\n"
)
X = (
    "Date,Impressions,Likes,Engagements,Bookmarks,Shares,New follows,Unfollows,Replies,Reposts,Profile visits\n"
    '"Thu, Oct 01, 2026",1500,12,40,1,2,3,0,4,6,9\n'
    '"Fri, Oct 02, 2026",500,2,10,0,0,1,1,1,2,3\n'
)


def _post(client, person, text, **fields):
    client.force_login(person)
    data = {"export_format": "facebook", "neighbourhood": "daneshouse", "account": "DaneshousePolice"} | fields
    data["file"] = SimpleUploadedFile("export.csv", text.encode(), content_type="text/csv")
    return client.post(URL, data, follow=True)


def _month(year, month):
    return ReachMonth.objects.get(month=datetime.date(year, month, 1))


def test_it_adds_a_facebook_export_up_into_months_skipping_the_description_line(client, world):
    page = _post(client, world.comms, FACEBOOK)
    assert page.redirect_chain[-1][0] == reverse("reports:scorecard-figures", args=["reach"])
    september, october = _month(2026, 9), _month(2026, 10)
    assert (september.platform, september.account, september.neighbourhood) == ("facebook", "DaneshousePolice",
                                                                                  world.daneshouse)  # fmt: skip
    # Reach and engagements summed over the days given; followers the month's last day's.
    assert (september.reach, september.engagements, september.followers) == (1550, 55, 1200)
    assert (october.reach, october.engagements, october.followers) == (1000, 12, 1211)
    assert october.shares is None and october.entered_by == world.comms
    html = page.content.decode()
    assert "Imported 2 months of DaneshousePolice." in html
    assert "The file covers only part of 2026-09, 2026-10" in html


def test_it_reads_an_x_export_its_impressions_as_reach(client, world):
    _post(client, world.comms, X, export_format="x", account="@DaneshousePolice")
    october = _month(2026, 10)
    assert october.platform == "x"
    assert (october.reach, october.engagements, october.shares, october.comments) == (2000, 50, 8, 5)
    assert october.followers is None


def test_it_replaces_the_months_figures_it_carries_and_keeps_the_others(client, world):
    ReachMonth.objects.create(neighbourhood=world.daneshouse, platform="x", account="@d",
                              month=datetime.date(2026, 10, 1), reach=1, mentions=7, entered_by=world.pcso)  # fmt: skip
    _post(client, world.comms, X, export_format="x", account="@d")
    october = _month(2026, 10)
    assert (october.reach, october.mentions) == (2000, 7)


def test_it_refuses_a_file_that_is_not_the_export_and_names_its_columns(client, world):
    html = _post(client, world.comms, "Day,Likes\n2026-10-01,3\n").content.decode()
    assert "This does not look like a Facebook Page insights export" in html
    assert "Its columns are: Day, Likes." in html
    assert not ReachMonth.objects.exists()


def test_it_saves_nothing_when_one_line_is_wrong_and_says_which(client, world):
    bad = X + '"Sat, Oct 03, 2026",lots,1,1,0,0,0,0,0,0,0\nyesterday,1,1,1,0,0,0,0,0,0,0\n'
    html = _post(client, world.comms, bad, export_format="x").content.decode()
    assert "Line 4, Impressions: “lots” is not a whole number." in html
    assert "Line 5: “yesterday” is not a date." in html
    assert not ReachMonth.objects.exists()


def test_it_refuses_a_pcso_another_neighbourhoods_account_and_partners_the_page(client, world):
    html = _post(client, world.pcso, FACEBOOK, neighbourhood="fleetwood").content.decode()
    assert "Not a neighbourhood you may enter figures for." in html
    assert not ReachMonth.objects.exists()
    client.force_login(world.partner)
    assert client.get(URL).status_code == 403


def test_it_escapes_what_a_file_says(client, world):
    html = _post(client, world.comms, "<script>x</script>,Reach\n2026-10-01,1\n").content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("text", "day"),
    [("2026-10-01", datetime.date(2026, 10, 1)), ("2026-10-01 00:00 Z", datetime.date(2026, 10, 1)),
     ("10/02/2026", datetime.date(2026, 10, 2)), ("Fri, Oct 02, 2026", datetime.date(2026, 10, 2)),
     ("Oct 2, 2026", datetime.date(2026, 10, 2)), ("2 October", None), ("", None)],
)  # fmt: skip
def test_it_reads_the_dates_the_platforms_write(text, day):
    assert platforms.parse_date(text) == day


def test_it_reads_counts_as_exports_write_them():
    assert [platforms.parse_count(t) for t in ("1,234", "12.0", "", "-")] == [1234, 12, None, None]
    for bad in ("1.5", "-3", "n/a"):
        with pytest.raises(ValueError):
            platforms.parse_count(bad)
