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
