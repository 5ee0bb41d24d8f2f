"""Every public form that costs someone something has a limit: signing in (django-axes), joining In
the Know, asking for a lost manage link, reporting an issue and answering an open survey. Each
refuses the request past its limit with a clear message and does nothing; the limit belongs to one
client address (a forged X-Forwarded-For does not escape it, another address is not affected);
and it lifts once its window has passed."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import views as accounts_views
from messaging.members.views import manage as views_manage
from messaging.members.views import signup as views_signup
from messaging.models import OutboxMessage, Subscriber
from priorities.models import Issue
from priorities.views import intake
from surveys.models import Response
from surveys.respond import views as views_respond
from tests.factories import TEST_PASSWORD, UserFactory
from tests.messaging.factories import interest, subscriber
from tests.surveys.factories import survey

pytestmark = pytest.mark.django_db

HOME, AWAY = "203.0.113.7", "198.51.100.20"


@pytest.fixture(autouse=True)
def _local_counters(settings):
    """Counters in this process's memory, where the test's clock decides when they expire (Redis
    keeps its own time, which a test cannot move)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "limits"}}
    settings.MESSAGING_EMAIL_SENDER = settings.MESSAGING_SMS_SENDER = "outbox"


@pytest.fixture
def clock():
    """The clock held still from now on, moved only by the test."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def browser(address: str, **headers) -> Client:
    """A fresh browser (no cookies, no session) at `address`."""
    return Client(REMOTE_ADDR=address, **headers)


@dataclass
class Limited:
    limit: int
    # One attempt, the n-th (so each can use fresh details), from a fresh browser.
    attempt: Callable
    done: Callable  # how many attempts took effect
    refusal: str


def _sign_up(world, n, web):
    data = {"email": f"resident{n}@example.org", "mobile": "", "channels": ["email"], "language": "en-gb",
            "ward": "E05005155", "interests": [interest("burglary").pk]}  # fmt: skip
    return web.post("/in-the-know/", data)


def _manage_link(world, n, web):
    return web.post(reverse("messaging:manage-request"), {"address": f"member{n}@example.org"})


def _report(world, n, web):
    data = {"category": "speeding", "description": f"Cars race past number {n}.", "ward": "E05005155"}
    return web.post(reverse("priorities:raise-issue"), data)


def _answer(world, n, web):
    made = world.open_survey
    question = made.questions.get(bank_key="police_good_job")
    answer = {f"q{question.pk}": str(question.options.get(value="fair").pk)}
    return web.post(reverse("surveys:open", args=[made.reference]), answer)


LIMITED = {
    "joining In the Know": Limited(
        views_signup.SIGN_UPS_PER_ADDRESS_PER_HOUR, _sign_up, Subscriber.objects.count, "Try again later"
    ),
    "asking for a manage link": Limited(
        views_manage.MANAGE_LINKS_PER_ADDRESS_PER_HOUR, _manage_link, OutboxMessage.objects.count, "Try again later"
    ),
    "reporting an issue": Limited(
        intake.REPORTS_PER_ADDRESS_PER_HOUR, _report, Issue.objects.count, "cannot take another just now"
    ),
    "answering an open survey": Limited(
        views_respond.OPEN_RESPONSES_PER_ADDRESS_PER_HOUR, _answer, Response.objects.count, "try again later"
    ),
}


@pytest.fixture
def ready(world, clock):
    """Members for the manage links and an open survey to answer."""
    for n in range(15):
        subscriber(world, email=f"member{n}@example.org")
    world.open_survey = survey(world, is_open_to_all=True)
    return world


@pytest.fixture
def attempts(ready, django_capture_on_commit_callbacks):
    """`attempts(action, count, address)`: the statuses of `count` attempts, numbered on from the last."""
    numbered = iter(range(10_000))

    def run(action: Limited, count: int, address: str, **headers) -> list[int]:
        statuses = []
        for _ in range(count):
            with django_capture_on_commit_callbacks(execute=True):
                statuses.append(action.attempt(ready, next(numbered), browser(address, **headers)).status_code)
        return statuses

    return run


@pytest.mark.parametrize("name", LIMITED)
def test_it_refuses_past_the_limit_with_a_message_and_does_nothing(ready, attempts, clock, name):
    action = LIMITED[name]
    assert all(status in (200, 302) for status in attempts(action, action.limit, HOME))
    done = action.done()
    response = action.attempt(ready, 9_999, browser(HOME))
    assert response.status_code == 429 and action.refusal in response.content.decode()
    assert action.done() == done


@pytest.mark.parametrize("name", LIMITED)
def test_the_limit_is_one_client_addresss_and_a_forged_header_does_not_escape_it(attempts, clock, name):
    action = LIMITED[name]
    attempts(action, action.limit, HOME)
    # With no proxy configured (PROXY_COUNT=0) X-Forwarded-For is anyone's to write: ignored.
    assert attempts(action, 1, HOME, HTTP_X_FORWARDED_FOR="192.0.2.99") == [429]
    assert attempts(action, 1, AWAY)[0] in (200, 302)


@pytest.mark.parametrize("name", LIMITED)
def test_the_limit_lifts_after_an_hour(attempts, clock, name):
    action = LIMITED[name]
    attempts(action, action.limit, HOME)
    clock.shift(datetime.timedelta(minutes=59))
    assert attempts(action, 1, HOME) == [429]
    clock.shift(datetime.timedelta(minutes=2))
    assert attempts(action, 1, HOME)[0] in (200, 302)


def test_it_limits_sign_ups_for_one_email_address_from_any_client(ready, clock, django_capture_on_commit_callbacks):
    data = {"email": "target@example.org", "mobile": "", "channels": ["email"], "language": "en-gb",
            "ward": "E05005155", "interests": [interest("burglary").pk]}  # fmt: skip
    statuses = []
    for n in range(views_signup.SIGN_UPS_PER_CONTACT_PER_HOUR + 1):
        with django_capture_on_commit_callbacks(execute=True):
            statuses.append(browser(f"192.0.2.{n + 1}").post("/in-the-know/", data).status_code)
    # Someone flooding another person's inbox from many addresses is stopped by that inbox's own limit.
    assert statuses == [302] * views_signup.SIGN_UPS_PER_CONTACT_PER_HOUR + [429]
    assert Subscriber.objects.filter(channels__address="target@example.org").count() == 1  # the rest merged
    assert browser("192.0.2.200").post("/in-the-know/", {**data, "email": "other@example.org"}).status_code == 302


def test_it_limits_reports_from_one_browser_below_the_address_limit(ready, clock):
    web = browser(HOME)
    statuses = [_report(ready, n, web).status_code for n in range(intake.REPORTS_PER_SESSION_PER_HOUR + 1)]
    assert statuses == [302] * intake.REPORTS_PER_SESSION_PER_HOUR + [429]
    assert _report(ready, 99, browser(HOME)).status_code == 302  # another browser at the same address


# --- signing in: django-axes ------------------------------------------------------------------


def sign_in(user_email, password, address, **headers):
    return browser(address, **headers).post(reverse("accounts:login"), {"username": user_email, "password": password})


def test_sign_in_locks_one_account_from_one_address_after_five_failures(world, clock):
    statuses = [sign_in(world.pcso.email, "wrong-password", HOME).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    locked = sign_in(world.pcso.email, TEST_PASSWORD, HOME)
    assert locked.status_code == 429 and "Too many failed sign-in attempts" in locked.content.decode()
    assert sign_in(world.pcso.email, TEST_PASSWORD, HOME, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
    # The lock is on this account from this address: the officer at another address, and another
    # account at this one, sign in as usual.
    assert sign_in(world.pcso.email, TEST_PASSWORD, AWAY).status_code == 302
    assert sign_in(world.sergeant.email, TEST_PASSWORD, HOME).status_code == 302


def test_sign_in_lock_lifts_after_the_cool_off_and_probing_it_restarts_the_wait(world, clock, settings):
    for _ in range(5):
        sign_in(world.pcso.email, "wrong-password", HOME)
    clock.shift(settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1))
    # A try while locked, even with the right password, counts as a failure and restarts the wait;
    # the lock is on this account from this address only, so a script keeps only itself out.
    assert sign_in(world.pcso.email, TEST_PASSWORD, HOME).status_code == 429
    clock.shift(datetime.timedelta(minutes=2))
    assert sign_in(world.pcso.email, TEST_PASSWORD, HOME).status_code == 429
    clock.shift(settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1))
    assert sign_in(world.pcso.email, TEST_PASSWORD, HOME).status_code == 302


def test_a_successful_sign_in_clears_the_failures(world, clock):
    for _ in range(4):
        sign_in(world.pcso.email, "wrong-password", HOME)
    assert sign_in(world.pcso.email, TEST_PASSWORD, HOME).status_code == 302
    for _ in range(4):
        sign_in(world.pcso.email, "wrong-password", HOME)
    assert sign_in(world.pcso.email, TEST_PASSWORD, HOME).status_code == 302


def test_sign_in_lock_holds_whatever_the_case_or_spacing_of_the_email(world, clock):
    # Sign-in matches the address in any case, so the lock must count every spelling as one account.
    for _ in range(5):
        sign_in(world.pcso.email, "wrong-password", HOME)
    for variant in (world.pcso.email.upper(), world.pcso.email.title(), f"  {world.pcso.email.upper()} "):
        assert sign_in(variant, "wrong-password", HOME).status_code == 429
        assert sign_in(variant, TEST_PASSWORD, HOME).status_code == 429


def test_failures_in_several_cases_add_up_to_one_lock(world, clock):
    for n in range(5):
        sign_in(world.pcso.email.upper() if n % 2 else world.pcso.email, "wrong-password", HOME)
    assert sign_in(world.pcso.email, TEST_PASSWORD, HOME).status_code == 429


# --- asking for a password reset ----------------------------------------------------------------


def reset(email, address):
    return browser(address).post(reverse("accounts:password-reset"), {"email": email})


@pytest.fixture
def staff(world):
    return [UserFactory(email=f"officer{n}@example.org") for n in range(accounts_views.RESETS_PER_ADDRESS_PER_HOUR + 1)]


def test_password_resets_are_limited_per_address_with_a_message(staff, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [reset(user.email, HOME).status_code for user in staff]
    assert statuses == [302] * accounts_views.RESETS_PER_ADDRESS_PER_HOUR + [429]
    assert len(mail.outbox) == accounts_views.RESETS_PER_ADDRESS_PER_HOUR
    refused = reset(staff[0].email, HOME)
    assert refused.status_code == 429 and "Try again later" in refused.content.decode()
    assert reset(staff[-1].email, AWAY).status_code == 302
    clock.shift(datetime.timedelta(minutes=61))
    assert reset(staff[-1].email, HOME).status_code == 302


def test_password_resets_for_one_email_are_limited_from_any_address(world, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            reset(world.pcso.email.upper() if n % 2 else world.pcso.email, f"192.0.2.{n + 1}").status_code
            for n in range(accounts_views.RESETS_PER_EMAIL_PER_HOUR + 1)
        ]
    # Twelve requests once sent twelve emails: an inbox is flooded from many addresses no more.
    assert statuses == [302] * accounts_views.RESETS_PER_EMAIL_PER_HOUR + [429]
    assert len(mail.outbox) == accounts_views.RESETS_PER_EMAIL_PER_HOUR


def test_the_reset_email_is_sent_after_the_request_commits(world, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert reset(world.pcso.email, HOME).status_code == 302
    assert mail.outbox == [] and len(callbacks) == 1  # queued, not sent inside the request
    callbacks[0]()
    assert mail.outbox[0].to == [world.pcso.email]
    assert "http://testserver/accounts/password/reset/" in mail.outbox[0].body
