"""The authorization matrix's rows for the divisional operations manager, a role added after the
main table: East's operations manager and West's (the outsider), on every URL the main table lists,
with the same objects. Kept in its own file so the main table's twelve columns stay as they are
while other work adds rows to it.

Changing views: run `MATRIX_RECORD=/tmp/ops.txt pytest tests/test_authorization_matrix_operations.py`.
"""

import os

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from accounts.roles import Role
from tests.conftest import build_world
from tests.factories import UserFactory
from tests.support import module_data
from tests.test_authorization_matrix import AREA_OBJECTS, EXPECTED, Objects

pytestmark = pytest.mark.django_db
PEOPLE = ["ops_manager", "ops_manager_other"]


@pytest.fixture(scope="module")
def objects(django_db_setup, django_db_blocker, tmp_path_factory):
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")), module_data(django_db_blocker):
        made = Objects(build_world())
        w = made.world
        made.people = {
            "ops_manager": UserFactory(role=Role.OPERATIONS_MANAGER, force=w.force, division=w.east),
            "ops_manager_other": UserFactory(role=Role.OPERATIONS_MANAGER, force=w.force, division=w.west),
        }
        made.keys = {}
        for name, user in made.people.items():
            client = Client()
            client.force_login(user)
            made.keys[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield made


def _observe(objects, name, method, key) -> str:
    path = reverse(name, kwargs=objects.kwargs(key))
    statuses = []
    for person in PEOPLE:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = objects.keys[person]
        with transaction.atomic():
            if method == "POST" and name.startswith("api-"):
                response = client.post(path, data={}, content_type="application/json")
            else:
                response = getattr(client, method.lower())(path)
            transaction.set_rollback(True)
        statuses.append(str(response.status_code))
    return " ".join(statuses)


# url name → statuses for PEOPLE; the method and objects are the main table's.
# fmt: off
OPERATIONS_EXPECTED: dict[str, str] = {
    "accounts:api-token": "200 200",
    "accounts:api-token-create": "200 200",
    "accounts:api-token-revoke": "404 404",
    "accounts:api-token-revoke-all": "302 302",
    "accounts:home": "302 302",
    "accounts:login": "200 200",
    "accounts:login-verify": "302 302",
    "accounts:logout": "302 302",
    "accounts:password-change": "200 200",
    "accounts:password-change-done": "200 200",
    "accounts:password-reset": "200 200",
    "accounts:password-reset-complete": "200 200",
    "accounts:password-reset-confirm": "200 200",
    "accounts:password-reset-done": "200 200",
    "accounts:two-factor": "200 200",
    "analytics:division": "200 404",
    "analytics:force": "404 404",
    "analytics:home": "302 302",
    "analytics:neighbourhood": "200 404",
    "api-action-detail": "200 404",
    "api-action-list": "200 200",
    "api-action-update": "403 404",
    "api-alert-detail": "403 403",
    "api-alert-list": "403 403",
    "api-docs": "200 200",
    "api-issue-detail": "404 404",
    "api-issue-list": "200 200",
    "api-meeting-cancel": "403 404",
    "api-meeting-detail": "200 404",
    "api-meeting-list": "200 200",
    "api-meeting-publish": "403 404",
    "api-neighbourhood-detail": "200 404",
    "api-neighbourhood-list": "200 200",
    "api-partner-board-detail": "403 403",
    "api-partner-board-list": "403 403",
    "api-priority-action-add": "403 404",
    "api-priority-agree": "403 404",
    "api-priority-de-escalate": "403 404",
    "api-priority-detail": "200 404",
    "api-priority-escalate": "403 404",
    "api-priority-list": "200 200",
    "api-priority-not-adopt": "403 404",
    "api-priority-reopen": "403 404",
    "api-priority-resolve": "403 404",
    "api-priority-sign-off": "403 404",
    "api-priority-start": "403 404",
    "api-return-detail": "403 403",
    "api-return-list": "403 403",
    "api-schema": "200 200",
    "api-subscriber-list": "403 403",
    "api-subscriber-wards": "403 403",
    "api-survey-detail": "403 403",
    "api-survey-list": "403 403",
    "api-survey-results": "403 403",
    "api-tasking-agenda-detail": "200 404",
    "api-tasking-agenda-list": "200 200",
    "api-tasking-decide": "400 404",
    "api-tasking-queue-list": "200 200",
    "api-ward-detail": "200 404",
    "api-ward-list": "200 200",
    "api-ward-locate": "400 400",
    "healthz": "200 200",
    "meetings:agenda-item-add": "403 404",
    "meetings:agenda-item-remove": "403 404",
    "meetings:agenda-prefill": "403 404",
    "meetings:attachment-add": "403 404",
    "meetings:attachment-download": "200 200",
    "meetings:calendar": "200 200",
    "meetings:cancel": "403 404",
    "meetings:copy": "403 404",
    "meetings:create": "403 403",
    "meetings:delete": "403 404",
    "meetings:detail": "200 404",
    "meetings:edit": "403 404",
    "meetings:force-feed": "200 200",
    "meetings:list": "200 200",
    "meetings:neighbourhood-feed": "200 200",
    "meetings:neighbourhood-meetings": "200 200",
    "meetings:pack": "200 404",
    "meetings:pack-pdf": "200 404",
    "meetings:panel-create": "403 403",
    "meetings:panel-detail": "404 404",
    "meetings:panel-edit": "404 404",
    "meetings:panel-list": "200 200",
    "meetings:panel-member-add": "404 404",
    "meetings:panel-member-edit": "404 404",
    "meetings:public-detail": "200 200",
    "meetings:public-ics": "200 200",
    "meetings:public-panel": "200 200",
    "meetings:publish": "403 404",
    "meetings:publish-series": "403 404",
    "meetings:record-outcome": "403 404",
    "meetings:ward-feed": "200 200",
    "meetings:ward-meetings": "200 200",
    "messaging:alert-approve": "404 404",
    "messaging:alert-audience": "403 403",
    "messaging:alert-cancel": "404 404",
    "messaging:alert-create": "403 403",
    "messaging:alert-detail": "404 404",
    "messaging:alert-edit": "404 404",
    "messaging:alert-list": "403 403",
    "messaging:alert-progress": "404 404",
    "messaging:alert-submit": "404 404",
    "messaging:alert-version": "404 404",
    "messaging:click": "400 400",
    "messaging:confirm-email": "200 200",
    "messaging:confirm-email-resend": "410 410",
    "messaging:confirm-mobile": "200 200",
    "messaging:confirm-mobile-resend": "302 302",
    "messaging:feedback": "200 200",
    "messaging:field-signup": "403 403",
    "messaging:manage": "200 200",
    "messaging:manage-controls": "400 400",
    "messaging:manage-download": "200 200",
    "messaging:manage-erase": "200 200",
    "messaging:manage-renew": "200 200",
    "messaging:manage-request": "200 200",
    "messaging:manage-resend": "302 302",
    "messaging:manage-rotate": "302 302",
    "messaging:manage-short": "302 302",
    "messaging:manage-short-renew": "200 200",
    "messaging:manage-stop": "302 302",
    "messaging:measures": "403 403",
    "messaging:notify-receipt": "401 401",
    "messaging:open": "200 200",
    "messaging:outbox": "403 403",
    "messaging:signup": "200 200",
    "messaging:signup-done": "302 302",
    "messaging:sms-inbound": "401 401",
    "messaging:unsubscribe": "200 200",
    "messaging:voice-receipt": "401 401",
    "metrics": "200 200",
    "neighbourhoods:detail": "200 200",
    "neighbourhoods:detail-geojson": "200 200",
    "neighbourhoods:edit": "403 404",
    "neighbourhoods:locate": "400 400",
    "neighbourhoods:officer-geojson": "200 200",
    "neighbourhoods:officer-home": "200 200",
    "neighbourhoods:public-home": "200 200",
    "neighbourhoods:wards-geojson": "200 200",
    "open311:discovery": "200 200",
    "open311:request": "200 200",
    "open311:requests": "200 200",
    "open311:service": "200 200",
    "open311:services": "200 200",
    "open311:token": "404 404",
    "policeuk:boundary": "200 200",
    "policeuk:events": "200 200",
    "policeuk:force": "200 200",
    "policeuk:force-people": "200 200",
    "policeuk:forces": "200 200",
    "policeuk:locate-neighbourhood": "400 400",
    "policeuk:neighbourhood": "200 200",
    "policeuk:neighbourhoods": "200 200",
    "policeuk:people": "200 200",
    "policeuk:priorities": "200 200",
    "priorities:action-add": "403 404",
    "priorities:action-offer-accept": "404 404",
    "priorities:action-offer-decline": "404 404",
    "priorities:action-offers": "404 404",
    "priorities:action-update": "403 404",
    "priorities:board": "200 404",
    "priorities:briefing": "302 302",
    "priorities:briefing-division": "200 404",
    "priorities:briefing-neighbourhood": "200 404",
    "priorities:detail": "200 404",
    "priorities:edit": "403 404",
    "priorities:issue-close": "404 404",
    "priorities:issue-detail": "404 404",
    "priorities:issue-merge": "404 404",
    "priorities:issue-photo": "404 404",
    "priorities:issue-recategorise": "404 404",
    "priorities:issue-received": "302 302",
    "priorities:log-issue": "403 403",
    "priorities:open311-key-revoke": "403 403",
    "priorities:open311-keys": "403 403",
    "priorities:partner-actions": "404 404",
    "priorities:partner-board": "404 404",
    "priorities:partner-board-index": "404 404",
    "priorities:partner-offer-action": "404 404",
    "priorities:partner-raise-issue": "404 404",
    "priorities:propose": "404 404",
    "priorities:public-detail": "200 200",
    "priorities:public-follow": "400 400",
    "priorities:public-follow-confirm": "404 404",
    "priorities:public-list": "200 200",
    "priorities:public-unfollow": "404 404",
    "priorities:raise-issue": "200 200",
    "priorities:tasking": "302 302",
    "priorities:tasking-queue": "200 404",
    "priorities:tasking-agenda": "200 404",
    "priorities:tasking-agenda-create": "200 404",
    "priorities:tasking-agenda-fill": "302 404",
    "priorities:tasking-decide": "200 404",
    "priorities:tasking-pack": "200 404",
    "priorities:tasking-pack-pdf": "200 404",
    "priorities:transition": "403 404",
    "priorities:triage": "404 404",
    "readyz": "200 200",
    "reports:delegates": "404 404",
    "reports:detail": "404 404",
    "reports:export": "404 404",
    "reports:list": "403 403",
    "reports:narrative": "404 404",
    "reports:pin": "404 404",
    "reports:print": "404 404",
    "reports:reopen": "404 404",
    "reports:rollup": "403 403",
    "reports:rollup-export": "403 403",
    "reports:scorecard": "403 403",
    "reports:scorecard-appeal-outcome": "403 403",
    "reports:scorecard-appeals": "403 403",
    "reports:scorecard-division": "404 404",
    "reports:scorecard-division-export": "404 404",
    "reports:scorecard-figures": "403 403",
    "reports:scorecard-force": "404 404",
    "reports:scorecard-force-export": "404 404",
    "reports:scorecard-import": "403 403",
    "reports:scorecard-neighbourhood": "404 404",
    "reports:scorecard-neighbourhood-export": "404 404",
    "reports:start": "403 403",
    "reports:status": "403 403",
    "reports:submit": "404 404",
    "set_language": "302 302",
    "surveys:close-survey": "404 404",
    "surveys:create": "403 403",
    "surveys:detail": "404 404",
    "surveys:edit": "404 404",
    "surveys:export": "404 404",
    "surveys:list": "403 403",
    "surveys:open": "200 200",
    "surveys:open-survey": "404 404",
    "surveys:question-add": "404 404",
    "surveys:question-add-from-bank": "404 404",
    "surveys:question-delete": "404 404",
    "surveys:question-edit": "404 404",
    "surveys:question-move": "404 404",
    "surveys:representation": "403 403",
    "surveys:respond": "200 200",
    "surveys:results": "404 404",
    "surveys:results-weighted": "404 404",
    "surveys:section-add": "404 404",
    "surveys:section-delete": "404 404",
    "surveys:section-edit": "404 404",
    "surveys:section-move": "404 404",
    "surveys:send": "404 404",
    "surveys:text-answer-issue": "404 404",
    "surveys:text-answers": "404 404",
    "surveys:thanks": "404 404",
    "surveys:trends": "403 403",
    "api-panel-detail": "404 404",
    "api-panel-list": "200 200",
    "api-vote-detail": "200 404",
    "api-vote-list": "200 200",
    "dataprotection:audit-trail": "403 403",
    "dataprotection:subject-erase": "403 403",
    "dataprotection:subject-export": "403 403",
    "dataprotection:subjects": "403 403",
    "meetings:agenda-item-edit": "403 404",
    "meetings:agenda-item-move": "403 404",
    "messaging:doorknock-door": "404 404",
    "messaging:doorknock-finish": "404 404",
    "messaging:doorknock-import": "403 403",
    "messaging:doorknock-next": "404 404",
    "messaging:doorknock-plan": "403 403",
    "messaging:doorknock-round": "404 404",
    "messaging:doorknock-rounds": "403 403",
    "messaging:inbox": "403 403",
    "messaging:inbox-reply": "404 404",
    "messaging:inbox-reply-answer": "404 404",
    "messaging:inbox-reply-close": "404 404",
    "messaging:inbox-team": "404 404",
    "messaging:inbox-unmatched": "403 403",
    "messaging:mailgun-inbound": "403 403",
    "priorities:ballot": "200 200",
    "priorities:public-votes": "200 200",
    "priorities:sign-off-poll-create": "403 404",
    "priorities:vote-agree": "403 404",
    "priorities:vote-close": "403 404",
    "priorities:vote-create": "403 404",
    "priorities:vote-detail": "200 404",
    "priorities:vote-list": "200 404",
    "priorities:vote-result": "200 200",
    "priorities:vote-ask-ballot": "200 200",
    "priorities:vote-sign-off": "404 404",
    "reports:scorecard-import-platform": "403 403",
    "surveys:question-translations": "404 404",
    "surveys:translations": "404 404",
}
# fmt: on


def test_every_url_of_the_main_table_has_an_operations_row():
    assert sorted(EXPECTED) == sorted(OPERATIONS_EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_operations_manager_gets_the_expected_status(objects, name):
    method, key, _ = EXPECTED[name]
    observed = _observe(objects, name, method, key)
    if os.environ.get("MATRIX_RECORD"):
        with open(os.environ["MATRIX_RECORD"], "a") as record:
            record.write(f'    "{name}": "{observed}",\n')
        return
    assert observed == OPERATIONS_EXPECTED[name]


def test_no_operations_manager_reaches_another_divisions_object():
    leaks = []
    for name, statuses in OPERATIONS_EXPECTED.items():
        _, key, main = EXPECTED[name]
        public = main.split()[0] not in ("302", "403")
        other = statuses.split()[1]
        if key in AREA_OBJECTS and not public and other not in ("403", "404"):
            leaks.append(f"{name}: {other}")
    assert not leaks, leaks
