"""A residents' vote end to end in a browser: the sergeant puts Daneshouse's proposals to a vote, a
member votes on a phone through the link in their own email, a second ballot and a tampered link
are refused, the sergeant closes the vote, the result is published and the winner agreed by it."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from priorities.models import Ballot, PriorityState
from tests.browser.a11y import assert_page_basics
from tests.browser.test_meetings import sign_in
from tests.messaging.factories import subscriber
from tests.priorities.voting.factories import proposals

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_it_takes_a_vote_from_the_link_to_the_published_result(page, world, settings):
    settings.MESSAGING_EMAIL_SENDER = "email"
    subscriber(world, email="amina@example.org")
    speeding, litter, _dealing = proposals(world, 3)

    sign_in(page, world.sergeant)
    page.goto("/officer/neighbourhoods/daneshouse/votes/")
    page.get_by_role("link", name="Put proposals to a vote").click()
    assert_page_basics(page)
    page.get_by_role("checkbox", name=speeding.title).check()
    page.get_by_role("checkbox", name=litter.title).check()
    now = timezone.localtime()
    page.get_by_label("Opens").fill(now.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Closes").fill((now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("checkbox", name="Text message").uncheck()
    page.get_by_role("button", name="Set up the vote").click()
    expect(page.locator("#turnout")).to_contain_text("0 of 1 members")
    detail = page.url

    # The member votes on a phone through the link in their own invitation, without signing in.
    [invitation] = mail.outbox
    link = urlsplit(re.search(r"https?://\S+/vote/\S+/", invitation.body).group(0)).path
    member = page.context.browser.new_context(base_url=page.url.split("/officer")[0], viewport=PHONE).new_page()
    member.goto(link)
    assert_page_basics(member)
    member.get_by_role("checkbox", name=speeding.title).check()
    member.get_by_label("Your age").select_option(label="25 to 34")
    member.get_by_role("button", name="Cast my vote").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("You have voted")
    expect(member.locator("main")).to_contain_text("your vote has been counted")
    member.goto(link.rstrip("/") + "x/")  # a tampered link records nothing
    expect(member.locator("main")).to_contain_text("not valid")
    assert Ballot.objects.count() == 1

    page.goto(detail)
    expect(page.locator("#turnout")).to_contain_text("1 of 1 members")
    page.get_by_role("button", name="Close now and publish the result").click()
    expect(page.locator("main")).to_contain_text("Most support")
    page.get_by_role("button", name="Agree").click()
    expect(page.locator("main")).to_contain_text("is agreed by the vote")
    speeding.refresh_from_db()
    assert speeding.state == PriorityState.AGREED and speeding.agreed_by_vote_id

    # The member's link now says voting has closed and leads to the published result.
    member.goto(link)
    expect(member.get_by_role("heading", level=1)).to_have_text("Voting has closed")
    member.get_by_role("link", name="See the result").click()
    assert_page_basics(member)
    expect(member.get_by_role("row", name=re.compile(speeding.title))).to_contain_text("1")
    expect(member.locator("main")).to_contain_text("How the weighted result is worked out")
    member.context.close()
