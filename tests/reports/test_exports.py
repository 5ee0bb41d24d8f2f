import csv
import datetime
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import exports
from reports.document import NarrativeSection, ReturnDocument
from reports.exports import printed
from reports.models import HighlightReturn, ReturnStatus

HEADLINE = [
    ("meetings_held", "Meetings held", "count", 1234, 1200, 987),
    ("multi_agency_meetings", "Multi-agency meetings held", "count", 17, 20, None),
    ("people_in_person", "People reached in person", "count", 4321, 4000, 3000),
    ("people_online", "People reached online", "count", 860, 900, 500),
    ("small_meetings", "Meetings with fewer than five public", "count", 3, 3, 4),
    ("officer_hours", "Officer hours", "hours", 312.5, 300.0, 280.5),
    ("officer_cost", "Estimated officer cost", "money", 9876.54, 9000.0, 8000.0),
    ("cost_per_person", "Cost per person reached", "money", 1.91, 1.85, None),
    ("priorities_new", "Priorities new", "count", 6, 4, 5),
    ("priorities_agreed", "Priorities agreed", "count", 5, 3, 2),
    ("priorities_resolved", "Priorities resolved", "count", 2, 1, 1),
    ("priorities_signed_off", "Priorities signed off", "count", 1, 0, 0),
    ("priorities_escalated", "Priorities escalated", "count", 0, 1, 0),
    ("overdue_actions", "Overdue actions", "count", 4, 2, 1),
    ("members_total", "In the Know members", "count", 5120, 5000, 4100),
    ("members_new", "New members", "count", 120, 90, 70),
    ("field_sign_ups", "Field sign-ups", "count", 14, 9, 3),
    ("unsubscribes", "Unsubscribes", "count", 7, 5, 2),
    ("conversion_percent", "Conversion", "percent", 38.4, 36.9, 30.0),
    ("alerts_sent", "Alerts sent", "count", 11, 12, 8),
    ("messages_delivered", "Messages delivered", "count", 20456, 19000, 15000),
    ("survey_confidence_percent", "Confidence in the police", "percent", 61.5, 60.0, None),
    ("survey_safe_after_dark_percent", "Safe after dark", "percent", 48.0, 47.5, None),
]


def _neighbourhood(code, name, meetings, public):
    return {"code": code, "name": name, "meetings_held": meetings,
            "meetings_by_type": {"public_pact": public, "panel": 1}, "multi_agency_meetings": 1,
            "people_in_person": 40, "people_online": 120, "small_meetings": 1,
            "officer_hours": 12.5, "officer_cost": 540.0, "priorities_new": 1, "priorities_agreed": 1,
            "priorities_resolved": 0, "priorities_signed_off": 0, "priorities_escalated": 0, "overdue_actions": 2,
            "members_total": 800, "members_new": 12, "field_sign_ups": 3, "unsubscribes": 1}  # fmt: skip


def _priority(pk, title, **extra):
    return {"id": pk, "title": title, "neighbourhood": "Daneshouse", "category_label": "Anti-social behaviour",
            "state": "in_action", "state_label": "In action", "residents": 14, "opened": "2026-06-02",
            "age_days": 151, **extra}  # fmt: skip


def figures_for(*, division=("east", "East Division"), scale=1, **overrides):
    figures = {
        "schema": 1,
        "division": {"code": division[0], "name": division[1]},
        "period": {"kind": "month", "start": "2026-10-01", "end": "2026-10-31", "label": "October 2026"},
        "previous_period": {"start": "2026-09-01", "end": "2026-09-30", "label": "September 2026"},
        "last_year_period": {"start": "2025-10-01", "end": "2025-10-31", "label": "October 2025"},
        "headline": [
            {
                "key": key,
                "label": label,
                "unit": unit,
                "value": value if value is None else value * scale,
                "previous": previous,
                "last_year": last_year,
            }
            for key, label, unit, value, previous, last_year in HEADLINE
        ],  # fmt: skip
        "meetings_by_type": [
            {"type": "public_pact", "label": "PACT public meeting", "count": 12},
            {"type": "panel", "label": "Multi-agency PACT panel / tasking meeting", "count": 2},
            {"type": "street", "label": "Street meeting", "count": 0},
        ],
        "neighbourhoods": [
            _neighbourhood("daneshouse", "Daneshouse", 9, 8),
            _neighbourhood("queensgate", "Queensgate", 5, 4),
        ],
        "top_priorities": {
            "by_evidence": [_priority(7, "Speeding on Colne Road")],
            "by_age": [_priority(3, "Fly-tipping behind the mill", residents=2, opened="2025-12-01", age_days=334)],
        },
        "in_the_know": {
            "members_total": 5120,
            "members_new": 120,
            "field_sign_ups": 14,
            "unsubscribes": 7,
            "conversion_percent": 38.4,
            "alerts_sent": 11,
            "messages_delivered": 20456,
            "open_percent": 52.3,
            "click_percent": 9.1,
        },  # fmt: skip
        "surveys": {
            "responses": 130,
            "confidence_percent": 61.5,
            "safe_after_dark_percent": 48.0,
            "safe_day_percent": 88.1,
            "suppressed": False,
            "survey_titles": ["Autumn street survey"],
        },  # fmt: skip
        "representation": {
            "most_under_represented": [{"category": "age", "group": "16-24", "label": "Aged 16 to 24", "index": 41}],
            "wards_with_population": 2,
        },  # fmt: skip
    }
    figures.update(overrides)
    return figures


NARRATIVE = [
    ("engagement_highlights", "Engagement highlights", "Street surgery on Colne Road.\nFifty people came."),
    ("partnership_highlights", "Partnership highlights", "Council fixed the lights."),
    ("best_practice", "Best practice", ""),
    ("exceptions", "Exceptions", "None."),
]


def make_return(division, *, status=ReturnStatus.DRAFT, submitted_by=None, submitted_at=None, figures=None):
    made = HighlightReturn.objects.create(
        division=division,
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
        due_date=datetime.date(2026, 11, 9),
        status=status,
        submitted_by=submitted_by,
        submitted_at=submitted_at,
        snapshot=figures if status == ReturnStatus.SUBMITTED else None,
    )
    return HighlightReturn.objects.select_related("division", "submitted_by").get(pk=made.pk)


def document_for(highlight_return, *, figures=None, narrative=None, pinned=(), data_changed=False):
    return ReturnDocument(
        highlight_return=highlight_return,
        figures=figures or figures_for(),
        narrative=[NarrativeSection(*section) for section in (narrative or NARRATIVE)],
        pinned=list(pinned),
        data_changed=data_changed,
    )


@pytest.fixture
def draft(world):
    return document_for(make_return(world.east))


@pytest.fixture
def submitted(world):
    at = datetime.datetime(2026, 11, 6, 10, 0, tzinfo=datetime.UTC)
    made = make_return(world.east, status=ReturnStatus.SUBMITTED, submitted_by=world.chief_inspector, submitted_at=at,
                       figures=figures_for())  # fmt: skip
    return document_for(made, pinned=[{"id": 9, "title": "Parking at St Mary's school", "neighbourhood": "Queensgate",
                                       "category": "Road safety", "state_label": "Agreed"}])  # fmt: skip


# ---------------------------------------------------------------- formatting


def test_it_formats_changes_with_sign_and_proportion():
    assert exports.format_change(42, 40, "count") == "+2 (+5%)"
    assert exports.format_change(990.0, 1000.0, "money") == "−£10.00 (−1%)"
    assert exports.format_change(61.5, 60.0, "percent") == "+1.5 pts"
    assert exports.format_change(3, 3, "count") == "0"
    assert exports.format_change(3, None, "count") == "—"
    assert exports.format_value(1234, "count") == "1,234"


# ---------------------------------------------------------------- printable page


def test_it_prints_a_self_contained_a4_page(draft, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        html = exports.return_print_html(document=draft)
    assert "size: A4" in html
    assert "<script" not in html and "<link" not in html and 'src="' not in html
    assert html.count("<svg") == 4  # three headline charts and meetings by type
    assert "East Division: highlight and headline return, October 2026" in html
    assert "1 October 2026 to 31 October 2026" in html
    assert ">1,234<" in html and ">+34 (+3%)<" in html and ">£9,876.54<" in html
    assert "<dd>Draft</dd>" in html
    assert "Speeding on Colne Road" in html and "Aged 16 to 24" in html


def test_it_escapes_the_narrative_and_keeps_its_line_breaks(world):
    narrative = [("exceptions", "Exceptions", "<script>alert('x')</script>\nSecond line & more")]
    html = exports.return_print_html(document=document_for(make_return(world.east), narrative=narrative))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>Second line &amp; more" in html


def test_it_escapes_names_from_the_figures(world):
    figures = figures_for(division=("east", "East <b>Division</b>"))
    html = exports.return_print_html(document=document_for(make_return(world.east), figures=figures))
    assert "<b>Division</b>" not in html and "East &lt;b&gt;Division&lt;/b&gt;" in html


def test_it_says_who_submitted_and_that_it_was_on_time(submitted):
    html = exports.return_print_html(document=submitted)
    assert "Submitted by Chris Chief on 6 November 2026" in html
    assert 'class="flag"' not in html  # neither late nor changed
    assert "Parking at St Mary&#x27;s school" in html and "Pinned as top" in html
    assert "figures have changed" not in html


def test_it_flags_a_late_return_and_changed_figures(world):
    at = datetime.datetime(2026, 11, 12, 9, 0, tzinfo=datetime.UTC)
    made = make_return(world.east, status=ReturnStatus.SUBMITTED, submitted_by=world.chief_inspector, submitted_at=at,
                       figures=figures_for())  # fmt: skip
    html = exports.return_print_html(document=document_for(made, data_changed=True))
    assert "Submitted late: it was due on 9 November 2026." in html
    assert "The figures have changed since this return was submitted." in html


def test_it_says_when_survey_figures_are_withheld(world):
    surveys = {"responses": 6, "confidence_percent": None, "safe_after_dark_percent": None, "safe_day_percent": None,
               "suppressed": True, "survey_titles": []}  # fmt: skip
    html = exports.return_print_html(
        document=document_for(make_return(world.east), figures=figures_for(surveys=surveys))
    )
    assert "Fewer than ten responses" in html
    assert re.search(r"Police doing a good or excellent job</th><td class=\"num\">—<", html)


# ---------------------------------------------------------------- PDF


def test_it_renders_an_a4_pdf_with_the_headline_numbers(submitted):
    pdf = exports.return_pdf(document=submitted)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert len(reader.pages) >= 4  # sections start on a new page
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in ("East Division", "October 2026", "1,234", "4,321", "£9,876.54", "61.5%", "Chris Chief",
                     "Street surgery on Colne Road", "Speeding on Colne Road"):  # fmt: skip
        assert expected in text, expected


# ---------------------------------------------------------------- workbook


def _book(document):
    return load_workbook(io.BytesIO(exports.return_xlsx(document=document)))


def test_it_puts_the_figures_in_the_right_cells(submitted):
    book = _book(submitted)
    assert book.sheetnames == [
        "Headline",
        "Neighbourhoods",
        "Meetings by type",
        "No engagement",
        "Surveys",
        "Top priorities",
        "Narrative",
        "Return",
    ]
    headline = book["Headline"]
    assert headline["B1"].value == "This period (October 2026)" and headline["B1"].font.b
    assert headline.freeze_panes == "A2"
    assert [c.value for c in headline[2]] == ["Meetings held", 1234, 1200, 34, 987, 247]
    assert headline["B2"].number_format == "#,##0"
    officer_cost = next(row for row in headline.iter_rows(min_row=2) if row[0].value == "Estimated officer cost")
    assert officer_cost[1].value == 9876.54 and officer_cost[3].value == 876.54
    assert officer_cost[1].number_format == '"£"#,##0.00'
    multi_agency = headline[3]
    assert multi_agency[4].value is None and multi_agency[5].value is None
    assert headline.column_dimensions["A"].width == 34


def test_it_fills_the_other_sheets(submitted):
    book = _book(submitted)
    neighbourhoods = book["Neighbourhoods"]
    headers = [c.value for c in neighbourhoods[1]]
    row = dict(zip(headers, [c.value for c in neighbourhoods[2]], strict=True))
    assert row["Neighbourhood"] == "Daneshouse" and row["Meetings held"] == 9
    assert row["Meetings: PACT public meeting"] == 8 and row["Estimated officer cost"] == 540.0
    assert [c.value for c in book["Meetings by type"][2]] == ["PACT public meeting", 12]
    priorities = [[c.value for c in r] for r in book["Top priorities"].iter_rows(min_row=2)]
    assert [p[:2] for p in priorities] == [["Pinned as top", "Parking at St Mary's school"],
                                           ["By residents' evidence", "Speeding on Colne Road"],
                                           ["Open longest", "Fly-tipping behind the mill"]]  # fmt: skip
    assert priorities[1][6].date() == datetime.date(2026, 6, 2)
    narrative = book["Narrative"]
    assert narrative["B2"].value == "Street surgery on Colne Road.\nFifty people came."
    assert narrative["B2"].alignment.wrap_text


def test_its_survey_sheet_carries_each_interval_and_change_as_the_html_return_does(world):
    surveys = {"responses": 130, "confidence_percent": 61.5, "confidence_interval": [52.9, 69.4],
               "safe_after_dark_percent": 48.0, "safe_after_dark_interval": [39.6, 56.5], "safe_day_percent": None,
               "safe_day_interval": None, "suppressed": False, "survey_titles": [],
               "changes": {"confidence": "Up 6 points since the previous period (from 55% to 61%)."}}  # fmt: skip
    book = _book(document_for(make_return(world.east), figures=figures_for(surveys=surveys)))
    rows = [[c.value for c in r] for r in book["Surveys"].iter_rows()]
    assert rows[0][:4] == ["Measure", "Share", "95% confidence interval, lower", "95% confidence interval, upper"]
    assert rows[1][:2] == ["Survey responses", 130]
    assert rows[2] == ["Police doing a good or excellent job", 61.5, 52.9, 69.4, surveys["changes"]["confidence"]]
    assert rows[3] == ["Feel very or fairly safe after dark", 48.0, 39.6, 56.5, None]
    assert rows[4] == ["Feel very or fairly safe during the day", None, None, None, None]
    assert book["Surveys"]["C3"].number_format == '0.0"%"'


def test_its_survey_sheet_says_why_a_small_sample_shows_no_share(world):
    surveys = {"responses": 6, "confidence_percent": None, "safe_after_dark_percent": None, "safe_day_percent": None,
               "suppressed": True, "survey_titles": []}  # fmt: skip
    book = _book(document_for(make_return(world.east), figures=figures_for(surveys=surveys)))
    confidence = [c.value for c in book["Surveys"][3]]
    assert confidence[1:4] == [None, None, None] and confidence[4].startswith("Too few responses")


def test_it_stops_spreadsheet_formulas_and_bad_characters(world):
    narrative = [("exceptions", "Exceptions", '=HYPERLINK("http://evil.example","x")'),
                 ("best_practice", "Best practice", "Bell\x07 rang")]  # fmt: skip
    figures = figures_for(neighbourhoods=[_neighbourhood("x", "@SUM(A1)", 1, 1)])
    document = document_for(make_return(world.east), figures=figures, narrative=narrative)
    book = _book(document)
    cell = book["Narrative"]["B2"]
    assert cell.data_type == "s" and cell.value == '\'=HYPERLINK("http://evil.example","x")'
    assert book["Narrative"]["B3"].value == "Bell rang"
    assert book["Neighbourhoods"]["A2"].value == "'@SUM(A1)"
    rows = list(csv.reader(io.StringIO(exports.return_csv(document=document))))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert any(row[3] == "'@SUM(A1)" for row in rows)


# ---------------------------------------------------------------- CSV


def test_it_writes_a_row_per_neighbourhood_with_no_engagement_recorded(world):
    quiet = [{"month": "2026-10-01", "label": "October 2026", "neighbourhoods": ["Queensgate"]}]
    document = document_for(make_return(world.east), figures=figures_for(no_engagement=quiet))
    rows = list(csv.DictReader(io.StringIO(exports.return_csv(document=document))))
    [row] = [r for r in rows if r["section"] == "no_engagement"]
    assert (row["neighbourhood"], row["measure"], row["value"]) == ("Queensgate", "month:2026-10-01", "1")
    html = exports.return_print_html(document=document, request=None)
    assert "Neighbourhoods with no engagement recorded" in html and "Queensgate" in html


def test_it_lists_the_neighbourhoods_with_no_engagement_in_the_workbook(world):
    quiet = [
        {"month": "2026-10-01", "label": "October 2026", "neighbourhoods": ["Queensgate", "Trinity"]},
        {"month": "2026-11-01", "label": "November 2026", "neighbourhoods": []},
    ]
    book = _book(document_for(make_return(world.east), figures=figures_for(no_engagement=quiet)))
    rows = [[c.value for c in r] for r in book["No engagement"].iter_rows(min_row=2)]
    assert rows == [
        ["October 2026", "Queensgate"],
        ["October 2026", "Trinity"],
        ["November 2026", "none: every neighbourhood engaged"],
    ]


def test_it_says_when_a_frozen_return_predates_the_no_engagement_list(world):
    figures = figures_for()
    figures.pop("no_engagement", None)
    book = _book(document_for(make_return(world.east), figures=figures))
    assert [c.value for c in book["No engagement"][2]] == ["Not recorded for this return", None]


def test_it_writes_one_tidy_table(submitted):
    rows = list(csv.DictReader(io.StringIO(exports.return_csv(document=submitted))))
    assert list(rows[0]) == exports.CSV_HEADERS
    by = {(r["section"], r["neighbourhood"], r["measure"]): r for r in rows}
    meetings = by[("headline", "", "meetings_held")]
    assert (meetings["division"], meetings["period"]) == ("East Division", "October 2026")
    assert (meetings["value"], meetings["previous"], meetings["last_year"]) == ("1234", "1200", "987")
    assert by[("headline", "", "multi_agency_meetings")]["last_year"] == ""
    assert by[("neighbourhood", "Queensgate", "meetings_held")]["value"] == "5"
    assert by[("neighbourhood_meetings_by_type", "Daneshouse", "public_pact")]["value"] == "8"
    assert by[("meetings_by_type", "", "panel")]["value"] == "2"
    assert by[("surveys", "", "confidence_percent")]["value"] == "61.5"
    assert by[("representation", "", "age:16-24")]["value"] == "41"
    assert by[("top_priority_pinned", "Queensgate", "priority:9")]["label"] == "Parking at St Mary's school"


# ---------------------------------------------------------------- force roll-up


def _rollup_documents(world):
    east = document_for(make_return(world.east))
    west = document_for(make_return(world.west), figures=figures_for(division=("west", "West Division"), scale=2))
    return [east, west]


def test_it_adds_up_the_force_only_where_a_measure_adds_up(world, django_assert_max_num_queries):
    documents = _rollup_documents(world)
    with django_assert_max_num_queries(0):
        book = load_workbook(io.BytesIO(exports.rollup_xlsx(documents=documents)))
    sheet = book["Force roll-up"]
    assert [c.value for c in sheet[1]] == ["Measure", "Unit", "East Division", "West Division", "Force total"]
    rows = {row[0].value: [c.value for c in row[2:]] for row in sheet.iter_rows(min_row=2)}
    assert rows["Meetings held"] == [1234, 2468, 3702]
    assert rows["Officer hours"] == [312.5, 625.0, 937.5]
    assert rows["Conversion"] == [38.4, 76.8, None]
    assert rows["Cost per person reached"] == [1.91, 3.82, 1.91]
    assert rows["Meetings: PACT public meeting"] == [12, 12, 24]
    assert rows["Status"] == ["Draft", "Draft", None]


def test_it_works_out_the_force_cost_per_person_from_the_totals(world):
    documents = _rollup_documents(world)
    _, rows = exports.rollup_table(documents=documents)
    row = next(r for r in rows if r[0] == "Cost per person reached")
    # Force cost over force reach (3 × £9,876.54 over 3 × 5,181 people), not the divisions' ratios added up.
    assert row[-1] == (1.91, "money")
    rows = list(csv.DictReader(io.StringIO(exports.rollup_csv(documents=documents))))
    assert next(r for r in rows if r["Measure"] == "Cost per person reached")["Force total"] == "1.91"


def test_it_leaves_the_force_cost_per_person_blank_when_nobody_was_reached(world):
    nobody = [dict(row, value=0) if row["key"].startswith("people_") else row for row in figures_for()["headline"]]
    documents = [
        document_for(make_return(world.east), figures=figures_for(headline=nobody)),
        document_for(make_return(world.west), figures=figures_for(division=("west", "West"), headline=nobody)),
    ]
    _, rows = exports.rollup_table(documents=documents)
    assert next(r for r in rows if r[0] == "Cost per person reached")[-1] == (None, "money")


def test_it_writes_the_roll_up_as_csv(world):
    rows = list(csv.DictReader(io.StringIO(exports.rollup_csv(documents=_rollup_documents(world)))))
    meetings = next(r for r in rows if r["Measure"] == "Meetings held")
    assert (meetings["Period"], meetings["East Division"], meetings["West Division"], meetings["Force total"]) == (
        "October 2026", "1234", "2468", "3702")  # fmt: skip
    assert next(r for r in rows if r["Measure"] == "Conversion")["Force total"] == ""


def test_it_refuses_to_roll_up_different_periods(world):
    east, west = _rollup_documents(world)
    quarter = {"kind": "quarter", "start": "2026-10-01", "end": "2026-12-31", "label": "Oct to Dec 2026"}
    west = document_for(west.highlight_return, figures=figures_for(period=quarter))
    with pytest.raises(ValueError, match="one period"):
        exports.rollup_xlsx(documents=[east, west])


def test_it_says_which_divisions_have_no_return_yet(world):
    unsaved = HighlightReturn(division=world.west, period_start=datetime.date(2026, 10, 1),
                              period_end=datetime.date(2026, 10, 31), due_date=datetime.date(2026, 11, 9))  # fmt: skip
    documents = [
        document_for(make_return(world.east)),
        document_for(unsaved, figures=figures_for(division=("west", "West"))),
    ]
    _, rows = exports.rollup_table(documents=documents)
    assert rows[0][:4] == ["Status", "", ("Draft", ""), ("No return yet", "")]


def test_it_prints_through_the_request_context(rf, world, draft):
    request = rf.get("/")
    request.user = world.hq
    html = exports.return_print_html(document=draft, request=request)
    assert "East Division" in html and html.lstrip().startswith("<!doctype html>")


def test_it_builds_every_format_without_a_query(submitted, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):  # the caller selected the division and submitter already
        exports.return_xlsx(document=submitted)
        exports.return_csv(document=submitted)
        exports.return_print_html(document=submitted)


def test_it_lets_the_pdf_fetch_only_our_static_files():
    fetcher = printed._static_only_fetcher()
    for url in ("http://169.254.169.254/latest/meta-data/", "file:///etc/passwd", "data:text/plain,hi"):
        with pytest.raises(ValueError, match="Not fetched"):
            fetcher.fetch(url)
    response = fetcher.fetch((printed._static_base() / "css" / "print.css").as_uri())
    try:
        assert b"@page" in response.read()
    finally:
        response.close()
