"""The returns pages: who sees what, every change refused cleanly, and constant queries."""

import base64
import datetime
import hashlib
import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from reports import services
from reports.models import HighlightReturn, ReturnEvent
from tests.factories import NeighbourhoodFactory, TeamMembershipFactory, UserFactory, WardFactory
from tests.priorities.factories import propose
from tests.reports.workflow import OCTOBER, october_draft, on, submit, with_data

pytestmark = pytest.mark.django_db
NOV_6 = datetime.date(2026, 11, 6)


@pytest.fixture
def data(world):
    return with_data(world)


def url(name, highlight_return=None, **kwargs):
    if highlight_return is not None:
        kwargs["pk"] = highlight_return.pk
    return reverse(f"reports:{name}", kwargs=kwargs)


@pytest.fixture
def draft(data):
    return october_draft(data)


@pytest.fixture
def delegate(data, draft):
    draft.delegates.add(data.inspector)
    return data.inspector


def get(client, person, path, **extra):
    client.force_login(person)
    with on(NOV_6):
        return client.get(path, **extra)


def post(client, person, path, form=None, **extra):
    client.force_login(person)
    with on(NOV_6):
        return client.post(path, form or {}, **extra)


# --- the list -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "status", "sees"),
    [
        ("chief_inspector", 200, {"East Division"}),
        ("chief_inspector_other", 200, {"West Division"}),
        ("hq", 200, {"East Division", "West Division"}),
        ("inspector", 200, {"East Division"}),
        ("sergeant", 403, set()),
        ("pcso", 403, set()),
        ("partner", 403, set()),
        ("resident", 403, set()),
    ],
)
def test_it_lists_the_returns_each_person_may_see(client, data, draft, delegate, person, status, sees):
    october_draft(data, division=data.west)
    response = get(client, getattr(data, person), url("list"))
    assert response.status_code == status
    if status == 200:
        listed = {r.division.name for r in response.context["page"].object_list}
        assert listed == sees


def test_it_lists_nothing_for_an_inspector_nobody_delegated(client, data, draft):
    response = get(client, data.inspector, url("list"))
    assert list(response.context["page"].object_list) == []
    assert "No returns for you yet" in response.content.decode()


def test_it_shows_status_due_date_and_a_late_badge_in_the_list(client, data, draft):
    client.force_login(data.chief_inspector)
    with on(datetime.date(2026, 11, 12)):
        page = client.get(url("list")).content.decode()
    assert "October 2026" in page and "9 Nov 2026" in page and "return-late" in page


def test_it_sends_anonymous_visitors_to_sign_in(client, draft):
    response = client.get(url("detail", draft))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("many", [False, True])
def test_it_lists_returns_in_constant_queries(client, data, many, django_assert_max_num_queries):
    periods = [("month", 8), ("month", 9), ("month", 10), ("quarter", 8)] if many else [("month", 10)]
    for division in (data.east, data.west) if many else (data.east,):
        for kind, month in periods:
            with on(datetime.date(2026, 11, 2)):
                services.return_draft_create(division=division, period_kind=kind,
                                             period_start=datetime.date(2026, month, 1))  # fmt: skip
    for person in (data.chief_inspector, data.hq):
        client.force_login(person)
        with on(NOV_6), django_assert_max_num_queries(5):  # session, user, count, returns, divisions to start
            assert client.get(url("list")).status_code == 200


# --- starting a return ----------------------------------------------------------------------------


def test_it_starts_a_return_for_a_chosen_period(client, data):
    response = post(client, data.chief_inspector, url("start"),
                    {"division": data.east.pk, "period_kind": "quarter", "period_start": "2026-09"})  # fmt: skip
    quarter = HighlightReturn.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", quarter)
    assert (quarter.period_kind, quarter.period_start) == ("quarter", datetime.date(2026, 7, 1))


@pytest.mark.parametrize(
    ("period", "message"),
    [("2026-12", "December 2026 has not ended yet"), ("2026-06", "before the force&#x27;s data"),
     ("October", "Give the month as year and month")],
)  # fmt: skip
def test_it_refuses_a_bad_period_with_a_message_and_creates_nothing(client, data, period, message):
    response = post(client, data.chief_inspector, url("start"),
                    {"division": data.east.pk, "period_kind": "month", "period_start": period})  # fmt: skip
    assert response.status_code == 200 and message in response.content.decode()
    assert "There is a problem" in response.content.decode() and not HighlightReturn.objects.exists()


def test_it_lets_no_one_start_another_divisions_return(client, data):
    response = post(client, data.chief_inspector_other, url("start"),
                    {"division": data.east.pk, "period_kind": "month", "period_start": "2026-10"})  # fmt: skip
    assert "Select a valid choice" in response.content.decode() and not HighlightReturn.objects.exists()
    assert get(client, data.inspector, url("start")).status_code == 403
    assert get(client, data.pcso, url("start")).status_code == 403


# --- the return page ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "status"),
    [("chief_inspector", 200), ("hq", 200), ("admin", 200), ("inspector", 200), ("chief_inspector_other", 404),
     ("pcso", 404), ("sergeant", 404), ("partner", 404), ("comms", 404), ("resident", 404)],
)  # fmt: skip
def test_it_shows_a_return_only_to_those_who_may_see_it(client, data, draft, delegate, person, status):
    assert get(client, getattr(data, person), url("detail", draft)).status_code == status


def test_it_404s_a_return_that_does_not_exist(client, data):
    assert get(client, data.hq, reverse("reports:detail", kwargs={"pk": 999})).status_code == 404


def test_it_shows_the_figures_priorities_and_controls_of_a_draft(client, data, draft):
    page = get(client, data.chief_inspector, url("detail", draft)).content.decode()
    expected = ["Headline measures", "Meetings held", "September 2026", "October 2025", "By neighbourhood",
                "Daneshouse", "Queensgate", "Speeding on Burnley Road", "In the Know", "Representation",
                "Submit to HQ", "Edit the highlights", "Save delegates", "Ian Inspector", "Draft created"]  # fmt: skip
    for text in expected:
        assert text in page, text
    assert 'name="pin" value="1"' in page and "data has changed" not in page


def test_it_says_what_multi_agency_meetings_are_on_the_return_and_its_printed_page(client, data, draft):
    for name in ("detail", "print"):
        page = get(client, data.chief_inspector, url(name, draft)).content.decode()
        assert "the meetings of the PACT multi-agency group" in page, name
        assert "that partners attend counts as that kind of meeting" in page, name


def test_it_shows_hq_a_read_only_draft(client, data, draft):
    page = get(client, data.hq, url("detail", draft)).content.decode()
    assert "Headline measures" in page
    for control in ["Submit to HQ", "Edit the highlights", 'name="pin"', "Save delegates", "Reopen the return"]:
        assert control not in page


def test_it_shows_a_delegate_the_editing_controls_but_not_submission(client, data, draft, delegate):
    page = get(client, delegate, url("detail", draft)).content.decode()
    assert "Edit the highlights" in page and 'name="pin"' in page
    assert "Submit to HQ" not in page and "Save delegates" not in page


def test_it_says_when_the_data_has_changed_since_submission(client, data, draft):
    submit(data, draft)
    assert "data has changed" not in get(client, data.hq, url("detail", draft)).content.decode()
    with on(datetime.date(2026, 10, 20)):
        propose(data, title="Noise at the takeaway")
    page = get(client, data.hq, url("detail", draft)).content.decode()
    assert "The data has changed since submission." in page and "Reopen the return" in page


# The figures of a period, every division at once, with its months not yet recorded per ward
# (tests.reports.test_figures.QUERIES lists them).
FIGURES = 18


@pytest.mark.parametrize("size", [1, 4])
def test_it_shows_a_return_in_constant_queries(client, data, draft, size, django_assert_max_num_queries):
    for n in range(size):
        neighbourhood = NeighbourhoodFactory(division=data.east, name=f"Extra {n}")
        WardFactory(neighbourhood=neighbourhood)
        with on(datetime.date(2026, 10, 3 + n)):
            priority = propose(data, neighbourhood=neighbourhood, wards=list(neighbourhood.wards.all()), title=f"P{n}")
        draft.top_priorities.add(priority)
        draft.delegates.add(TeamMembershipFactory(
            user=UserFactory(role=Role.INSPECTOR, division=data.east), neighbourhood=neighbourhood).user)  # fmt: skip
    client.force_login(data.chief_inspector)
    # session, user, return, figures, pinned, history, delegates, delegate candidates (any? then list)
    with on(NOV_6), django_assert_max_num_queries(3 + FIGURES + 5):
        assert client.get(url("detail", draft)).status_code == 200
    submit(data, draft)
    client.force_login(data.hq)
    # session, user, return, live figures (for "data has changed"), history, delegates
    with on(NOV_6), django_assert_max_num_queries(3 + FIGURES + 2):
        assert client.get(url("detail", draft)).status_code == 200


# --- the narrative ------------------------------------------------------------------------------


NARRATIVE = {"engagement_highlights": "Online PACT in <b>Daneshouse</b>: 1,400 views.", "partnership_highlights": "",
             "best_practice": "", "exceptions": ""}  # fmt: skip


def test_it_edits_the_narrative_inline_with_htmx_and_escapes_it(client, data, draft):
    form = get(client, data.chief_inspector, url("narrative", draft), HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and 'hx-post="' in form.content.decode()
    assert "<html" not in form.content.decode()
    saved = post(client, data.chief_inspector, url("narrative", draft), NARRATIVE, HTTP_HX_REQUEST="true")
    page = saved.content.decode()
    assert "Narrative saved." in page and "&lt;b&gt;Daneshouse&lt;/b&gt;" in page and "<b>Daneshouse" not in page
    draft.refresh_from_db()
    assert draft.engagement_highlights == NARRATIVE["engagement_highlights"]


def test_it_edits_the_narrative_on_its_own_page_without_javascript(client, data, draft, delegate):
    assert get(client, delegate, url("narrative", draft)).status_code == 200
    response = post(client, delegate, url("narrative", draft), {**NARRATIVE, "best_practice": "Street surgeries"})
    assert response.status_code == 302 and response["Location"].endswith("#narrative")
    draft.refresh_from_db()
    assert draft.best_practice == "Street surgeries" and draft.events.latest("pk").actor == delegate


def test_it_re_renders_an_over_long_narrative_with_errors_and_changes_nothing(client, data, draft):
    response = post(client, data.chief_inspector, url("narrative", draft), {**NARRATIVE, "exceptions": "x" * 5001})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    draft.refresh_from_db()
    assert draft.engagement_highlights == "" and draft.events.count() == 1


@pytest.mark.parametrize(("person", "status"), [("hq", 403), ("inspector", 404), ("chief_inspector_other", 404)])
def test_it_refuses_the_narrative_to_those_who_may_not_write_it(client, data, draft, person, status):
    assert post(client, getattr(data, person), url("narrative", draft), NARRATIVE).status_code == status
    draft.refresh_from_db()
    assert draft.engagement_highlights == ""


def test_it_refuses_to_edit_a_submitted_return_with_a_message(client, data, draft):
    submit(data, draft)
    response = post(client, data.chief_inspector, url("narrative", draft), NARRATIVE, follow=True)
    assert "cannot be changed" in response.content.decode() and "Nothing was changed" in response.content.decode()
    draft.refresh_from_db()
    assert draft.engagement_highlights == ""
    htmx = post(client, data.chief_inspector, url("narrative", draft), NARRATIVE, HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == url("detail", draft)


# --- pinning and delegates ------------------------------------------------------------------------


def test_it_pins_and_unpins_a_priority(client, data, draft):
    priority = data.daneshouse.priorities.get(title="Speeding on Burnley Road")
    response = post(client, data.chief_inspector, url("pin", draft), {"priority": priority.pk, "pin": "1"})
    assert response.status_code == 302 and response["Location"].endswith("#top-priorities")
    assert list(draft.top_priorities.all()) == [priority]
    page = get(client, data.chief_inspector, url("detail", draft)).content.decode()
    assert 'name="pin" value="0"' in page
    post(client, data.chief_inspector, url("pin", draft), {"priority": priority.pk, "pin": "0"})
    assert not draft.top_priorities.exists()


def test_it_refuses_to_pin_another_divisions_or_a_missing_priority(client, data, draft):
    west = propose(data, neighbourhood=data.fleetwood, wards=list(data.fleetwood.wards.all()), actor=data.pcso_other)
    for priority_id, message in [(west.pk, "Only East Division&#x27;s priorities"), (99999, "No such priority")]:
        response = post(client, data.chief_inspector, url("pin", draft), {"priority": priority_id, "pin": "1"},
                        follow=True)  # fmt: skip
        assert message in response.content.decode() and "Nothing was changed" in response.content.decode()
    assert not draft.top_priorities.exists() and draft.events.count() == 1


def test_it_lets_only_editors_pin(client, data, draft):
    priority = data.daneshouse.priorities.first()
    assert post(client, data.hq, url("pin", draft), {"priority": priority.pk, "pin": "1"}).status_code == 403
    assert post(client, data.pcso, url("pin", draft), {"priority": priority.pk, "pin": "1"}).status_code == 404
    assert get(client, data.chief_inspector, url("pin", draft)).status_code == 405
    assert not draft.top_priorities.exists()


def test_it_sets_delegates_from_the_divisions_inspectors(client, data, draft):
    response = post(client, data.chief_inspector, url("delegates", draft), {"delegates": [data.inspector.pk]})
    assert response.status_code == 302 and list(draft.delegates.all()) == [data.inspector]
    refused = post(client, data.chief_inspector, url("delegates", draft), {"delegates": [data.pcso.pk]})
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    assert list(draft.delegates.all()) == [data.inspector]


def test_it_lets_only_the_chief_inspector_delegate(client, data, draft, delegate):
    assert post(client, delegate, url("delegates", draft), {"delegates": []}).status_code == 403
    assert post(client, data.hq, url("delegates", draft), {"delegates": []}).status_code == 403
    assert list(draft.delegates.all()) == [delegate]


# --- submitting and reopening ---------------------------------------------------------------------


def test_it_asks_for_confirmation_then_submits(client, data, draft):
    page = get(client, data.chief_inspector, url("submit", draft)).content.decode()
    assert "freezes its figures" in page and "Engagement highlights: <strong>not written</strong>" in page
    unconfirmed = post(client, data.chief_inspector, url("submit", draft))
    assert unconfirmed.status_code == 200 and "Tick the box to confirm" in unconfirmed.content.decode()
    draft.refresh_from_db()
    assert not draft.is_submitted
    response = post(client, data.chief_inspector, url("submit", draft), {"confirm": "on"}, follow=True)
    assert "Return submitted to HQ" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_submitted and draft.submitted_by == data.chief_inspector


def test_it_refuses_a_second_submission_and_changes_nothing(client, data, draft):
    submit(data, draft)
    draft.refresh_from_db()
    submitted_at = draft.submitted_at
    response = post(client, data.chief_inspector, url("submit", draft), {"confirm": "on"}, follow=True)
    assert "cannot be changed" in response.content.decode()
    draft.refresh_from_db()
    assert draft.submitted_at == submitted_at and draft.events.filter(verb="submitted").count() == 1


@pytest.mark.parametrize(("person", "status"), [("hq", 403), ("inspector", 403), ("chief_inspector_other", 404)])
def test_it_lets_only_the_divisions_chief_inspector_submit(client, data, draft, delegate, person, status):
    assert post(client, getattr(data, person), url("submit", draft), {"confirm": "on"}).status_code == status
    draft.refresh_from_db()
    assert not draft.is_submitted


def test_it_lets_hq_reopen_with_a_reason(client, data, draft):
    submit(data, draft)
    empty = post(client, data.hq, url("reopen", draft), {"reason": "  "})
    assert empty.status_code == 400 and "Say why the return is being reopened" in empty.content.decode()
    response = post(client, data.hq, url("reopen", draft), {"reason": "Queensgate meetings missing", "back": "status"})
    assert response.status_code == 302
    assert response["Location"] == url("status") + "?period_kind=month&period_start=2026-10"
    draft.refresh_from_db()
    assert not draft.is_submitted and draft.events.latest("pk").note == "Queensgate meetings missing"


def test_it_refuses_reopening_to_others_and_of_a_draft(client, data, draft):
    assert post(client, data.chief_inspector, url("reopen", draft), {"reason": "Mine"}).status_code == 403
    response = post(client, data.hq, url("reopen", draft), {"reason": "Why not"}, follow=True)
    assert "still a draft" in response.content.decode()
    assert draft.events.count() == 1


# --- HQ: status and roll-up -----------------------------------------------------------------------


def test_it_shows_hq_every_divisions_status_for_a_period(client, data, draft):
    submit(data, draft)
    page = get(client, data.hq, url("status") + "?period_kind=month&period_start=2026-10").content.decode()
    assert "Returns for October 2026" in page and "Chris Chief" in page and 'name="reason"' in page
    assert "West Division" in page and "No return" in page
    assert get(client, data.chief_inspector, url("status")).status_code == 403
    assert get(client, data.inspector, url("status")).status_code == 403


def test_it_shows_the_month_just_ended_by_default_and_for_a_bad_period(client, data, draft):
    assert "Returns for October 2026" in get(client, data.hq, url("status")).content.decode()
    page = get(client, data.hq, url("status") + "?period_start=soon").content.decode()
    assert "Returns for October 2026" in page and "Give the month as year and month" in page


def test_it_rolls_up_the_divisions_side_by_side_from_snapshots(client, data, draft):
    submit(data, draft)
    with on(datetime.date(2026, 10, 20)):
        propose(data, title="Noise at the takeaway")
    response = get(client, data.hq, url("rollup") + "?period_kind=month&period_start=2026-10")
    documents = response.context["documents"]
    assert [d.highlight_return.division.name for d in documents] == ["East Division", "West Division"]
    new = {row["label"]: row for row in response.context["rows"]}["New priorities"]
    assert new["cells"] == ["1", "0"] and "Data changed" in response.content.decode()
    assert get(client, data.chief_inspector, url("rollup")).status_code == 403


def test_it_gives_the_force_cost_per_person_from_the_force_totals(client, data):
    from tests.reports.factories import division_month

    division_month(data)
    response = get(client, data.hq, url("rollup") + "?period_kind=month&period_start=2026-10")
    rows = {row["label"]: row for row in response.context["rows"]}
    # East: £530.00 over 23 + 230 people (£2.09); West: £0 over 50 (£0.00); the force: £530 over 303.
    assert rows["Cost per person reached"]["cells"] == ["£2.09", "£0.00"]
    assert rows["Cost per person reached"]["total"] == "£1.75"
    assert "cost per person is the force's officer cost over everyone" in response.content.decode()


@pytest.mark.parametrize("name", ["status", "rollup"])
@pytest.mark.parametrize("divisions", [0, 3])
def test_it_shows_hq_pages_in_constant_queries(client, data, draft, name, divisions, django_assert_max_num_queries):
    from tests.factories import DivisionFactory

    for n in range(divisions):
        NeighbourhoodFactory(division=DivisionFactory(force=data.force, name=f"Extra {n}"))
    submit(data, draft)
    client.force_login(data.hq)
    # session, user, divisions, their returns (the roll-up adds every division's figures)
    limit = 4 if name == "status" else 4 + FIGURES
    with on(NOV_6), django_assert_max_num_queries(limit):
        assert client.get(url(name)).status_code == 200


# --- exports --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type", "filename"),
    [("pdf", "application/pdf", "return-east-2026-10.pdf"),
     ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "return-east-2026-10.xlsx"),
     ("csv", "text/csv; charset=utf-8", "return-east-2026-10.csv")],
)  # fmt: skip
def test_it_exports_a_return(client, data, draft, fmt, content_type, filename):
    response = get(client, data.hq, url("export", draft, fmt=fmt))
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert get(client, data.pcso, url("export", draft, fmt=fmt)).status_code == 404


def test_it_prints_a_return_and_refuses_an_unknown_format(client, data, draft):
    response = get(client, data.chief_inspector, url("print", draft))
    assert response.status_code == 200 and "East Division" in response.content.decode()
    assert get(client, data.chief_inspector_other, url("print", draft)).status_code == 404
    assert get(client, data.chief_inspector, url("export", draft, fmt="docx")).status_code == 404


def test_it_lets_only_the_print_pages_own_styles_past_the_content_security_policy(client, data, draft):
    response = get(client, data.chief_inspector, url("print", draft))
    [style] = re.findall(r"<style>(.*?)</style>", response.content.decode(), flags=re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["style-src"] == f"'self' 'sha256-{digest}'" and policy["script-src"] == "'self'"


def test_it_names_a_quarters_export_by_its_quarter(client, data):
    with on(datetime.date(2026, 10, 20)):
        quarter = services.return_draft_create(
            division=data.east, period_kind="quarter", period_start=OCTOBER.replace(month=8)
        )
    response = get(client, data.hq, url("export", quarter, fmt="csv"))
    assert 'filename="return-east-2026-q3.csv"' in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("fmt", "filename"), [("xlsx", "returns-rollup-2026-10.xlsx"), ("csv", "returns-rollup-2026-10.csv")]
)
def test_it_exports_the_roll_up(client, data, draft, fmt, filename):
    response = get(client, data.hq, url("rollup-export", fmt=fmt) + "?period_kind=month&period_start=2026-10")
    assert response.status_code == 200 and f'filename="{filename}"' in response["Content-Disposition"]
    assert get(client, data.chief_inspector, url("rollup-export", fmt=fmt)).status_code == 403
    assert get(client, data.hq, url("rollup-export", fmt="pdf")).status_code == 404


def test_it_puts_returns_in_the_menu_for_those_who_may_list_them(client, data):
    assert 'href="/officer/returns/"' in get(client, data.chief_inspector, "/officer/").content.decode()
    assert 'href="/officer/returns/"' not in get(client, data.pcso, "/officer/").content.decode()


def test_it_writes_no_event_for_a_refused_change(client, data, draft):
    before = ReturnEvent.objects.count()
    post(client, data.chief_inspector_other, url("narrative", draft), NARRATIVE)
    post(client, data.hq, url("submit", draft), {"confirm": "on"})
    assert ReturnEvent.objects.count() == before


def test_it_tells_the_chief_inspector_a_submission_after_the_ninth_is_late(client, data, draft):
    client.force_login(data.chief_inspector)
    with on(datetime.date(2026, 11, 12)):
        response = client.post(url("submit", draft), {"confirm": "on"}, follow=True)
    assert "It was due on 9 November 2026, so it is recorded as late." in response.content.decode()
    assert "return-late" in response.content.decode()
