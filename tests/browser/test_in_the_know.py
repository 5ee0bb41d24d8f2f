"""In the Know end to end in a browser: a resident signs up and confirms, a PCSO sends an alert to
their neighbourhood, and the resident unsubscribes from the email's own link without signing in."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from messaging.models import Alert, ChannelStatus, Delivery, Interest, SubscriberChannel
from tests.browser.a11y import assert_page_basics
from tests.browser.test_meetings import sign_in

pytestmark = pytest.mark.browser


def path_of(url: str) -> str:
    """Links in emails are absolute on SITE_URL; the live server listens elsewhere."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def link_in(message, pattern: str) -> str:
    return path_of(re.search(rf"https?://\S+{pattern}\S*", message.body).group(0))


def test_it_signs_up_confirms_sends_an_alert_and_unsubscribes(page, world, settings):
    settings.MESSAGING_EMAIL_SENDER = "email"  # through Django's mail backend, as in production
    # A transactional test database is emptied between tests, interests from the migration too.
    Interest.objects.get_or_create(slug="burglary", defaults={"name": "Burglary"})
    Interest.objects.get_or_create(slug="scams", defaults={"name": "Scams and fraud"})

    # A resident finds the sign-up from their neighbourhood's page.
    page.goto("/neighbourhoods/daneshouse/")
    page.get_by_role("link", name=re.compile("Get In the Know alerts for Daneshouse")).click()
    assert_page_basics(page)
    page.get_by_label("Email address").fill("Amina@Example.org")
    page.get_by_role("checkbox", name="Email", exact=True).check()
    page.get_by_label("Home ward").select_option(label="Daneshouse with Stoneyholme (Daneshouse)")
    page.get_by_role("checkbox", name="Burglary").check()
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nearly done: confirm your details")
    assert SubscriberChannel.objects.get().status == ChannelStatus.PENDING

    # The confirmation link asks before it confirms (mail scanners follow links).
    [confirmation] = mail.outbox
    page.goto(link_in(confirmation, "/in-the-know/confirm/"))
    assert_page_basics(page)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your email address is confirmed")
    mail.outbox.clear()

    # The PCSO writes an alert for Daneshouse's burglary subscribers, sees who it reaches, sends it.
    officer = page.context.browser.new_context(base_url=page.url.split("/in-the-know")[0]).new_page()
    sign_in(officer, world.pcso)
    officer.get_by_role("link", name="Alerts").first.click()
    officer.get_by_role("link", name="New alert").click()
    assert_page_basics(officer)
    officer.get_by_label("Title").fill("Shed break-ins on Elm Street")
    officer.get_by_label("Body").fill("Three sheds were *broken into* this week. Lock yours.\n\n<script>x</script>")
    officer.get_by_role("radio", name="Neighbourhoods").check()
    officer.get_by_role("listbox", name="Neighbourhoods").select_option(label="Daneshouse")
    officer.get_by_role("checkbox", name="Burglary").check()
    officer.get_by_role("checkbox", name="Email").check()
    officer.get_by_role("button", name="Save the draft").click()
    assert_page_basics(officer)
    officer.get_by_role("button", name="Send it to 1 subscription").click()
    expect(officer.locator(".alert-progress, #alert-progress").first).to_contain_text(re.compile("sent", re.I))
    alert = Alert.objects.get()
    assert alert.status == "sent" and Delivery.objects.get().status == "sent"
    # The measures page counts the new member and draws its charts without a script error.
    errors = []
    officer.on("pageerror", lambda error: errors.append(str(error)))
    officer.goto("/officer/alerts/")
    officer.get_by_role("link", name="Members and engagement").click()
    assert_page_basics(officer)
    officer.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-growth'))")
    assert errors == []
    officer.context.close()

    # The alert arrives with one-click unsubscribe headers; the body's markup is escaped.
    [message] = mail.outbox
    assert message.subject == "Shed break-ins on Elm Street" and message.to == ["amina@example.org"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert "<em>broken into</em>" in html and "<script>" not in html

    # The resident unsubscribes from the message's own link, without signing in.
    page.goto(path_of(message.extra_headers["List-Unsubscribe"].strip("<>")))
    assert_page_basics(page)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    channel = SubscriberChannel.objects.get()
    assert channel.status == ChannelStatus.UNSUBSCRIBED and channel.unsubscribed_from_alert == alert
