"""Schemathesis fuzzes every operation of the REST API, as the schema at /api/schema/ describes it,
signed in as a system administrator (the staff role the policy lets do the most). Each case must
get an answer that is no server error and that matches the schema: status, content type, headers
and body, with the server refusing what the schema forbids and refusing it without credentials.

The whole file runs on one xdist worker (--dist loadfile), so the module's counters see every case.
"""

import datetime
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from knox.crypto import hash_token
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.models import ApiToken, PartnerAgency, User
from messaging.models import Interest
from neighbourhoods.models import Division, Neighbourhood, Ward
from pact_portal.wsgi import application
from priorities import services as priority_services
from priorities.tasking import services as tasking_services
from reports.models import HighlightReturn
from tests.conftest import build_world
from tests.meetings.factories import MeetingFactory
from tests.messaging.factories import alert, subscriber
from tests.priorities.factories import agreed, propose, raise_issue
from tests.surveys.factories import respond, survey

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

# Hypothesis's draws per operation, on top of the cases schemathesis derives from the schema's
# boundaries: with the schema's 50 operations, 1,500 drawn and more derived.
FUZZ_EXAMPLES = 30
MINIMUM_CASES = 1000

# Schemathesis puts credentials on the cases it builds while collecting, before any database
# exists, so the staff member's token is a key known in advance; each test stores its digest afresh.
STAFF_TOKEN = "schemathesis-fuzz-staff-token"

cases_by_operation: Counter = Counter()
cases_by_phase: Counter = Counter()
# What each test's world holds, for aiming generated ids and codes at real records: the ids in
# the paths under each resource, and the records a request body's fields refer to.
records_by_resource: dict[str, list] = {}
records_by_field: dict[str, list] = {}


@schema.auth(refresh_interval=None)
class StaffToken:
    def get(self, case, context):
        return STAFF_TOKEN

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


@pytest.fixture
def fuzz_world(db, signed_in_as):
    """The named people, records of each kind in several states, and the staff member's token."""
    world = build_world()
    # Saved directly: knox's manager would make a random key of its own.
    ApiToken(
        user=getattr(world, signed_in_as), name="Fuzz", token_key=STAFF_TOKEN[:15], digest=hash_token(STAFF_TOKEN)
    ).save()
    records_by_resource.update(_records(world))
    users = list(User.objects.values_list("pk", flat=True))
    agencies = list(PartnerAgency.objects.values_list("pk", flat=True))
    records_by_field.update(
        {
            "neighbourhood": records_by_resource["/api/neighbourhoods/"],
            "neighbourhoods": records_by_resource["/api/neighbourhoods/"],
            "ward": records_by_resource["/api/wards/"],
            "wards": records_by_resource["/api/wards/"],
            "divisions": list(Division.objects.values_list("code", flat=True)),
            "interests": list(Interest.objects.values_list("slug", flat=True)),
            "meeting": records_by_resource["/api/meetings/"],
            "priority": records_by_resource["/api/priorities/"],
            "issues": records_by_resource["/api/issues/"],
            "partners_invited": agencies,
            "owner_agency": agencies,
            **{name: users for name in ("lead_officer", "officers", "owner_officer", "owner_partner_user")},
        }
    )
    return world


def _records(world) -> dict[str, list]:
    """The ids (or codes) under each resource's path: a draft, published, past and cancelled
    meeting, a proposed, started and resolved priority, and one or two of everything else."""
    meetings = [
        MeetingFactory(neighbourhood=world.daneshouse, created_by=world.pcso),
        MeetingFactory(neighbourhood=world.daneshouse, created_by=world.pcso, published=True),
        MeetingFactory(neighbourhood=world.daneshouse, created_by=world.pcso, published=True, past=True),
        MeetingFactory(neighbourhood=world.fleetwood, created_by=world.pcso_other, cancelled=True),
    ]
    issue = raise_issue(world)
    proposed = propose(world, issues=[issue])
    started = priority_services.priority_start(priority=agreed(world), actor=world.sergeant)
    resolved = priority_services.priority_start(priority=agreed(world), actor=world.sergeant)
    priority_services.priority_resolve(priority=resolved, actor=world.sergeant, public_outcome="A camera went up.")
    action = priority_services.action_add(
        priority=started, actor=world.pcso, description="Speed watch", due_date=datetime.date(2030, 1, 1),
        owner_agency=world.partner.agency,
    )  # fmt: skip
    made = survey(world)
    respond(made, ward=world.daneshouse.wards.get(), police_good_job="good")
    subscriber(world, mobile="+447700900123", interests=("burglary",))
    for title in ("Dealing in the park", "Cuckooed flat"):
        escalated = agreed(world, title=title)
        priority_services.priority_escalate(priority=escalated, actor=world.sergeant, forum="ttcg", reason="Licensing")
    agenda = tasking_services.tasking_agenda_create(
        division=world.east, forum="ttcg", meets_on=datetime.date(2027, 1, 12), actor=world.admin
    )
    highlight_return = HighlightReturn.objects.create(
        division=world.east, period_start=datetime.date(2026, 10, 1), period_end=datetime.date(2026, 10, 31),
        due_date=datetime.date(2026, 11, 9),
    )  # fmt: skip
    return {
        "/api/meetings/": [meeting.pk for meeting in meetings],
        "/api/priorities/": [proposed.pk, started.pk, resolved.pk],
        "/api/actions/": [action.pk],
        "/api/issues/": [issue.pk, raise_issue(world, supporters=2).pk],
        "/api/alerts/": [alert(world).pk, alert(world, author=world.admin, level="force").pk],
        "/api/surveys/": [made.pk],
        "/api/returns/": [highlight_return.pk],
        "/api/tasking/agendas/": [agenda.pk],
        "/api/tasking/items/": list(agenda.items.values_list("pk", flat=True)),
        "/api/partner-boards/": list(Neighbourhood.objects.values_list("code", flat=True)),
        "/api/neighbourhoods/": list(Neighbourhood.objects.values_list("code", flat=True)),
        "/api/wards/": list(Ward.objects.values_list("code", flat=True)),
    }


@pytest.fixture
def in_process_requests():
    """Requests reach Django's WSGI handler directly, which closes the database connection when a
    request starts and ends; on PostgreSQL that would end the test's transaction. Django's own
    test client stops the same signal handler while it makes a request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _pick(candidates: list, generated):
    """A known value chosen by the generated one, or (one time in len + 1) the generated value
    itself, so ids and codes that match nothing are still tried."""
    if isinstance(generated, bool) or not isinstance(generated, int | str) or not candidates:
        return generated
    choices = [*candidates, generated]
    return choices[(abs(generated) if isinstance(generated, int) else len(generated)) % len(choices)]


def _aim_at_the_world(case) -> None:
    """Most random ids and codes name nothing, so the handlers past the 404 would never run. Valid
    ones are swapped for records of the world; values generated to be invalid are left alone."""
    meta = case.meta
    if case.path_parameters and not (meta and meta.is_negative_at(ParameterLocation.PATH)):
        records = next((ids for prefix, ids in records_by_resource.items() if case.path.startswith(prefix)), [])
        for name, value in case.path_parameters.items():
            case.path_parameters[name] = _pick(records, value)
    if isinstance(case.body, dict) and not (meta and meta.is_negative_at(ParameterLocation.BODY)):
        for name, value in case.body.items():
            records = records_by_field.get(name, [])
            case.body[name] = (
                [_pick(records, item) for item in value] if isinstance(value, list) else _pick(records, value)
            )


@schema.parametrize()
# The world's member the fuzz signs in as. Being a parameter, it also gives each operation's test
# an id of its own: without one, schemathesis 4.32 names them all alike under pytest 9.2, and xdist
# then runs only one operation.
@pytest.mark.parametrize("signed_in_as", ["admin"])
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    # The world is built once per operation and every example of it runs in the same transaction:
    # what one example writes, the next may read, as a staff member's session would.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_it_answers_every_generated_request_as_the_schema_says(case, fuzz_world, in_process_requests):
    _aim_at_the_world(case)
    cases_by_operation[case.operation.label] += 1
    cases_by_phase[case.meta.phase.name.value if case.meta else "explicit"] += 1
    # positive_data_acceptance expects every schema-valid body to be accepted. The API checks
    # references and rules against the database: a ward code or meeting id that names no record
    # in the user's area, a meeting that ends before it starts, a review date in the past. Those
    # are answered with the documented 400 and its field errors, nothing stored, which is right;
    # a JSON Schema cannot say "a ward that exists", so schema-valid does not mean acceptable.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


def test_it_fuzzed_every_operation_with_at_least_a_thousand_cases(request):
    operations = {result.ok().label for result in schema.get_all_operations()}
    fuzz = test_it_answers_every_generated_request_as_the_schema_says.__name__
    if sum(item.name.startswith(f"{fuzz}[") for item in request.session.items) < len(operations):
        pytest.skip("only part of the fuzz was selected, so the count would say nothing")
    assert set(cases_by_operation) == operations
    # Hypothesis's draws alone reach the thousand; the cases derived from the schema's boundaries
    # (the "coverage" phase) come on top.
    assert cases_by_phase["fuzzing"] >= MINIMUM_CASES, dict(cases_by_phase)
