"""The OpenAPI document: generated without a warning, valid, documenting every error an endpoint
gives, and describing what the endpoints really answer (responses checked against it)."""

import datetime

import jsonschema
import pytest
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from priorities import services
from priorities.tasking import services as tasking_services
from reports.models import HighlightReturn
from tests.factories import PartnerAgencyFactory
from tests.meetings.factories import MeetingFactory
from tests.meetings.panel_factories import member, panel
from tests.messaging.factories import alert, subscriber
from tests.priorities.factories import agreed, raise_issue
from tests.priorities.voting.factories import open_vote
from tests.surveys.factories import respond, survey

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_it_generates_a_valid_schema_without_warnings(tmp_path):
    # --fail-on-warn turns any warning (an unresolvable type, an enum clash) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")


def test_it_serves_the_schema_and_its_browsable_ui(client):
    assert "/api/meetings/" in client.get(reverse("api-schema"), {"format": "json"}).json()["paths"]
    assert client.get(reverse("api-docs")).status_code == 200


def test_it_documents_every_error_an_endpoint_gives(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            where = f"{method.upper()} {path}"
            if path != "/api/wards/locate/":
                assert "403" in codes, where
            if method in ("post", "patch") or operation["operationId"].endswith("_list"):
                assert "400" in codes, where
            if "{" in path or operation["operationId"].endswith("_list"):
                assert "404" in codes, where
            assert "security" in operation, where


def _json_schema(node):
    """OpenAPI 3.0's `nullable` as JSON Schema, so jsonschema can check a response against it."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def _check(schema, path: str, method: str, response):
    documented = schema["paths"][path][method]["responses"][str(response.status_code)]
    body_schema = documented["content"]["application/json"]["schema"]
    document = {"components": _json_schema(schema["components"]), **_json_schema(body_schema)}
    # Formats are checked too: a blank email answers to the schema's "blank" branch, not "email".
    jsonschema.validate(response.json(), document, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _examples(world) -> dict:
    """One object behind each GET path with a parameter, and the parameter's value."""
    priority = agreed(world, evidence="Restricted")
    action = services.action_add(
        priority=priority, actor=world.pcso, description="Bins", due_date=datetime.date(2030, 1, 1),
        owner_agency=PartnerAgencyFactory(name="Burnley Borough Council"),
    )  # fmt: skip
    made = survey(world)
    for _ in range(11):
        respond(made, ward=world.daneshouse.wards.get(), police_good_job="good")
    subscriber(world, mobile="+447700900123")
    return {
        "/api/panels/{id}/": member(panel(world)).panel_id,
        "/api/meetings/{id}/": MeetingFactory(neighbourhood=world.daneshouse, restricted_notes="Police only").pk,
        "/api/priorities/{id}/": priority.pk,
        "/api/actions/{id}/": action.pk,
        "/api/issues/{id}/": raise_issue(world, supporters=2).pk,
        "/api/alerts/{id}/": alert(world, interests=["burglary"]).pk,
        "/api/surveys/{id}/": made.pk,
        "/api/votes/{id}/": open_vote(world).pk,
        "/api/tasking/agendas/{id}/": _tasking_agenda(world).pk,
        "/api/partner-boards/{code}/": "daneshouse",
        "/api/surveys/{id}/results/": made.pk,
        "/api/wards/{code}/": "E05005155",
        "/api/neighbourhoods/{code}/": "daneshouse",
        "/api/returns/{id}/": HighlightReturn.objects.create(
            division=world.east,
            period_start=datetime.date(2026, 10, 1),
            period_end=datetime.date(2026, 10, 31),
            due_date=datetime.date(2026, 11, 9),
        ).pk,
    }


def _tasking_agenda(world):
    """A sitting with an accepted item and one the neighbourhood withdrew, so every field has a value."""
    for title in ("Accepted", "Withdrawn"):
        services.priority_escalate(priority=agreed(world, title=title), actor=world.sergeant, forum="ttcg", reason="x")
    agenda = tasking_services.tasking_agenda_create(
        division=world.east, forum="ttcg", meets_on=datetime.date(2027, 1, 12), actor=world.admin
    )
    accepted, withdrawn = agenda.items.order_by("position")
    tasking_services.tasking_item_decide(item=accepted, actor=world.admin, decision="accepted", owner="Licensing")
    services.priority_de_escalate(priority=withdrawn.escalation.priority, actor=world.sergeant, reason="Sorted")
    return agenda


def test_it_answers_as_the_schema_says(api, world, schema):
    examples = _examples(world)
    for user in (world.admin, world.partner, world.comms, world.pcso_other):
        api.force_login(user)
        for path, operations in schema["paths"].items():
            if "get" not in operations:
                continue
            assert "{" not in path or path in examples, f"add an example for {path}"
            concrete = path.replace("{id}", str(examples.get(path))).replace("{code}", str(examples.get(path)))
            response = api.get(concrete, {"lat": "53.795", "lng": "-2.245"} if path.endswith("locate/") else {})
            _check(schema, path, "get", response)


def test_it_answers_json_404_for_unknown_paths_under_the_api(api, world):
    api.force_login(world.pcso)
    for path in (
        "/api/meetings/not-a-number/",
        "/api/panels/null,null/",
        "/api/priorities/1/teleport/",
        "/api/actions/1,2/updates/",
    ):
        response = api.post(path, {}, format="json")
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_it_takes_json_bodies_only(api, world):
    api.force_login(world.pcso)
    response = api.post(reverse("api-meeting-list"), {"title": "x"}, format="multipart")
    assert response.status_code == 415
