"""An error report built by the real Sentry SDK, from a view that fails holding a resident's
contact details, a signed link, secrets and police-restricted text, carries none of them."""

import json

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from messaging import links
from pact_portal.celery import app as celery_app
from pact_portal.observability import errors
from tests.messaging.factories import subscriber
from tests.observability import urls as exploding

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.observability.urls")]

DSN = "https://public@errors.invalid/1"


class CapturingTransport(Transport):
    """Keeps every envelope instead of sending it: no network."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)

    def events(self) -> list[dict]:
        return [item.payload.json for envelope in self.envelopes for item in envelope.items if item.payload.json]


@pytest.fixture
def sentry(request):
    transport = CapturingTransport()

    def start(**options):
        assert errors.sentry_init(dsn=DSN, transport=transport, **options)
        return transport

    yield start
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


def fail_with_everything(client, world):
    token = links.manage_token(subscriber=subscriber(world, email=exploding.RESIDENT_EMAIL))
    client.force_login(world.pcso)
    client.raise_request_exception = False
    headers = {
        "HTTP_AUTHORIZATION": "Bearer api-token-0f3e9c2b7a6d4e1f",
        "HTTP_COOKIE": "sessionid=s3ss10nc00k1e; csrftoken=c5rfc00k1e",
        "HTTP_X_FORWARDED_FOR": "198.51.100.23",
        "HTTP_REFERER": f"https://pact.example/in-the-know/manage/{token}/",
    }
    response = client.get(f"/explode/{token}/?token=reset-4f0c2a9e&email={exploding.RESIDENT_EMAIL}", **headers)
    assert response.status_code == 500
    return token


SECRETS = [
    exploding.RESIDENT_EMAIL,
    "amina.khan",
    "07400 123456",
    "07400123456",
    "496 0000",
    exploding.RESTRICTED,
    exploding.EVIDENCE,
    exploding.MANAGE_SECRET,
    "api-token-0f3e9c2b7a6d4e1f",
    "s3ss10nc00k1e",
    "c5rfc00k1e",
    "reset-4f0c2a9e",
    "198.51.100.23",
]


def leaked(events, token) -> list[str]:
    text = json.dumps(events)
    return [secret for secret in [*SECRETS, token] if secret in text]


def test_it_reports_a_view_error_without_personal_data_secrets_or_restricted_text(client, world, sentry):
    transport = sentry()
    token = fail_with_everything(client, world)
    [event] = transport.events()
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert event["transaction"] == "/explode/{token}/"  # the route, not the path
    assert len(event["event_id"]) == 32 and event["contexts"]["trace"]["trace_id"] != "[Filtered]"
    assert leaked([event], token) == []


def test_it_scrubs_local_variables_when_a_force_turns_them_on(client, world, sentry):
    transport = sentry(include_local_variables=True)
    token = fail_with_everything(client, world)
    [event] = transport.events()
    frame = event["exception"]["values"][-1]["stacktrace"]["frames"][-1]
    assert frame["function"] == "exploding"
    assert frame["vars"]["restricted_notes"] == "[Filtered]"
    assert "[Filtered]" in frame["vars"]["summary"]
    assert leaked([event], token) == []


def test_the_check_would_see_a_leak(client, world, sentry, monkeypatch):
    """Without the scrubber the same failure carries the details: the test above can fail."""
    monkeypatch.setattr(errors, "value_scrub", lambda value, **_kwargs: value)
    monkeypatch.setattr(errors, "path_scrub", lambda value: value)
    transport = sentry(include_local_variables=True)
    token = fail_with_everything(client, world)
    found = leaked(transport.events(), token)
    assert exploding.RESIDENT_EMAIL in found
    assert token in found


def test_it_stays_off_without_a_dsn():
    assert errors.sentry_init(dsn="") is False
    assert not sentry_sdk.get_client().is_active()


@celery_app.task(name="tests.observability.fail_sending")
def fail_sending(*, address):
    raise ConnectionError(f"provider refused {address}")


def test_it_reports_a_failing_task_without_its_arguments(sentry):
    transport = sentry()
    fail_sending.apply(kwargs={"address": exploding.RESIDENT_EMAIL}, throw=False)
    [event] = transport.events()
    assert event["exception"]["values"][-1]["type"] == "ConnectionError"
    assert event["extra"]["celery-job"]["task_name"] == "tests.observability.fail_sending"
    assert exploding.RESIDENT_EMAIL not in json.dumps(event)
