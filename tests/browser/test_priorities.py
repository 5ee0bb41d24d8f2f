"""The whole PACT loop in a browser: a resident's concern becomes a priority, is worked by the police
and a partner, is resolved, is signed off by the community, and the public page says so.

A month of neighbourhood policing is compressed into one afternoon: the PACT meeting where the
priority is agreed started three hours ago and the one where it is signed off an hour ago.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from meetings import services as meeting_services
from priorities.models import Issue, Priority, PriorityState
from tests.browser.a11y import assert_page_basics
from tests.browser.test_meetings import sign_in
from tests.meetings.test_services import new_meeting
from tests.priorities.factories import raise_issue

pytestmark = pytest.mark.browser


def new_page(page):
    """A separate browser session: each person in the story signs in on their own device."""
    base_url = page.url.split("/", 3)[:3]
    return page.context.browser.new_context(base_url="/".join(base_url), locale="en-GB").new_page()


@pytest.fixture
def midday():
    """Today at noon, the clock running: the story's meetings (three hours and one hour ago) and its
    proposal, agreement, resolution and sign-off then all fall on one day, as the rules need (a
    meeting on or after the day of the proposal or resolution), whatever time the suite runs."""
    with time_machine.travel(timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0), tick=True):
        yield


def test_it_takes_a_residents_concern_to_a_community_signed_off_result(midday, page, world):
    now = timezone.now()
    agreed_at = new_meeting(world, title="Daneshouse PACT", starts_at=now - timedelta(hours=3),
                            ends_at=now - timedelta(hours=2))  # fmt: skip
    signed_off_at = new_meeting(world, title="Daneshouse PACT (next)", starts_at=now - timedelta(hours=1),
                                ends_at=now - timedelta(minutes=30))  # fmt: skip

    # A resident raises a concern anonymously, without signing in.
    page.goto("/neighbourhoods/daneshouse/")
    page.get_by_role("link", name="Raise a concern in Daneshouse").click()
    assert_page_basics(page)
    page.get_by_label("What is it about?").select_option(label="Anti-social behaviour")
    page.get_by_label("Describe the problem").fill("Youths <b>throw stones</b> at buses on Elm Street after school.")
    page.get_by_label("Ward").select_option(label="Daneshouse with Stoneyholme (Daneshouse)")
    page.get_by_label("Report anonymously").check()
    page.get_by_role("button", name="Send your concern").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your concern has been received")
    reference = page.locator(".issue-reference").inner_text()
    issue = Issue.objects.get()
    assert issue.reference.hex[:8].upper() == reference and issue.reported_by is None

    # The PCSO finds it in the triage queue and proposes a priority from it at the PACT meeting.
    pcso = new_page(page)
    sign_in(pcso, world.pcso)
    pcso.get_by_role("link", name=re.compile(r"1 new issue to triage in Daneshouse")).click()
    assert_page_basics(pcso)
    # The resident's markup is shown as text, never run as HTML.
    expect(pcso.locator(f"#issue-{issue.pk}")).to_contain_text("<b>throw stones</b>")
    pcso.get_by_label(f"Include issue {issue.pk} in the proposed priority").check()
    pcso.get_by_label("Priority title").fill("Stone throwing at buses, Elm Street")
    pcso.get_by_label("Priority category").select_option(label="Anti-social behaviour")
    pcso.get_by_label("The problem, in plain words").fill("Young people throw stones at buses after school.")
    pcso.get_by_role("checkbox", name="Daneshouse with Stoneyholme").check()
    pcso.get_by_label("Review date").fill((timezone.localdate() + timedelta(days=28)).isoformat())
    pcso.get_by_label("Meeting where it is proposed (optional)").select_option(label=str(agreed_at))
    pcso.get_by_role("button", name="Propose the priority").click()
    expect(pcso.locator(".alert-success")).to_contain_text("Priority proposed")
    record_path = "/officer/" + pcso.url.split("/officer/", 1)[1]
    # A PCSO cannot agree it: that is for a sergeant or above.
    expect(pcso.get_by_role("link", name="Agree")).to_have_count(0)
    pcso.context.close()

    # The sergeant agrees it and gives the council an action.
    sergeant = new_page(page)
    sign_in(sergeant, world.sergeant)
    sergeant.goto(record_path)
    assert_page_basics(sergeant)
    # A priority is agreed only at a held meeting of its neighbourhood, with the outcome recorded.
    meeting_services.meeting_publish(meeting=agreed_at, actor=world.pcso)
    meeting_services.meeting_record_outcome(meeting=agreed_at, actor=world.pcso, officers=[], public_attendees=22)
    sergeant.get_by_role("link", name="Agree").click()
    sergeant.get_by_label("Meeting where it was agreed").select_option(label=str(agreed_at))
    sergeant.get_by_role("button", name="Agree it").click()
    expect(sergeant.locator(".alert-success")).to_contain_text("agreed")
    sergeant.get_by_role("link", name="Add an action").click()
    sergeant.get_by_label("What will be done").fill("Cut back the hedge where the stones are gathered; fit CCTV.")
    sergeant.get_by_label("Or owner: a partner agency").select_option(label="Burnley Borough Council")
    sergeant.get_by_label("Due date").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    sergeant.get_by_label("Show on the public page").check()
    sergeant.get_by_role("button", name="Add the action").click()
    expect(sergeant.locator(".alert-success")).to_be_visible()

    # The council's officer sees only their agency's action and reports progress on it.
    partner = new_page(page)
    sign_in(partner, world.partner)
    partner.get_by_role("link", name="Your actions").click()
    assert_page_basics(partner)
    card = partner.locator(".action-card", has_text="Cut back the hedge")
    card.locator("summary", has_text="Add an update").click()
    card.get_by_label("What was done").fill("Hedge cut back and a camera fitted at the bus stop.")
    card.get_by_label("Status now").select_option(label="Done")
    card.get_by_label("Show this update on the public page").check()
    card.get_by_role("button", name="Add the update").click()
    expect(partner.locator(".action-card", has_text="Cut back the hedge")).to_contain_text("Hedge cut back")
    # The EPIC record itself, with its restricted text, is not theirs to read.
    assert partner.goto(record_path).status == 404
    partner.context.close()

    # The partner's first update started the plan; the sergeant resolves the priority.
    sergeant.goto(record_path)
    expect(sergeant.locator(".record-actions")).to_be_visible()
    assert Priority.objects.get().state == PriorityState.IN_ACTION
    sergeant.get_by_role("link", name="Resolve").click()
    sergeant.get_by_label("The result, in plain words").fill("No stones thrown since the hedge was cut back.")
    sergeant.get_by_role("button", name="Resolve", exact=True).click()
    expect(sergeant.locator(".alert-success")).to_contain_text("resolved")

    # At the next meeting residents agree it is fixed. Its outcome is recorded first (the meetings
    # browser test drives that page), and then the sign-off.
    meeting_services.meeting_publish(meeting=signed_off_at, actor=world.pcso)
    meeting_services.meeting_record_outcome(meeting=signed_off_at, actor=world.pcso, officers=[], public_attendees=14)
    sergeant.get_by_role("link", name="Record community sign-off").click()
    sergeant.get_by_label("Meeting where the community signed it off").select_option(label=str(signed_off_at))
    sergeant.get_by_role("button", name="Record the sign-off").click()
    expect(sergeant.locator(".alert-success")).to_contain_text("signed off")
    history = sergeant.locator(".record-history")
    for step in ("proposed", "agreed", "in action", "resolved", "signed off"):
        expect(history).to_contain_text(re.compile(step, re.IGNORECASE))
    sergeant.context.close()

    # The public page closes the loop: what residents told us, what was done, the result.
    page.goto("/neighbourhoods/daneshouse/priorities/")
    assert_page_basics(page)
    done = page.locator(".public-priority", has_text="Stone throwing at buses, Elm Street")
    expect(done).to_contain_text("Young people throw stones at buses after school.")
    expect(done).to_contain_text("Hedge cut back and a camera fitted at the bus stop.")
    expect(done).to_contain_text("No stones thrown since the hedge was cut back.")
    expect(done).to_contain_text("Signed off by the community at")
    expect(done.get_by_role("link", name="Daneshouse PACT (next)")).to_be_visible()


def test_it_shows_the_residents_pin_on_the_triage_card_and_the_issue_page(page, world):
    issue = raise_issue(world, latitude=53.795, longitude=-2.245)
    sign_in(page, world.pcso)
    page.goto("/officer/neighbourhoods/daneshouse/triage/")
    card = page.locator(f"#issue-{issue.pk}")
    pin_map = card.locator(".issue-pin-map")
    # Folded until asked for: a long queue does not load a map for every card.
    expect(pin_map).not_to_have_attribute("data-ready", "true")
    card.locator("summary", has_text="Where the pin is").click()
    expect(pin_map).to_have_attribute("data-ready", "true")
    expect(pin_map.locator("path.leaflet-interactive")).to_have_count(1)
    card.get_by_role("link", name=f"No. {issue.pk}", exact=True).click()
    assert_page_basics(page)
    expect(page.locator(".issue-pin-map")).to_have_attribute("data-ready", "true")
