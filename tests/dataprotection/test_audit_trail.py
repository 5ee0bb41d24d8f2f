"""The audit trail: PostgreSQL triggers record changes however they are made, and the page that
reads them is for system administrators only. The trigger tests run on PostgreSQL
(DATABASE_URL=postgres://...); on SQLite the page says nothing is recorded."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts import api_tokens
from accounts.models import User
from accounts.roles import Role
from dataprotection.audit import selectors
from dataprotection.audit.selectors import RESTRICTED_TEXT
from dataprotection.models import (
    ApiTokenEvent,
    ChannelConsentEvent,
    MeetingRestrictedEvent,
    SubscriberConsentEvent,
    TeamMembershipEvent,
    UserEvent,
)
from messaging.models import ChannelStatus, Subscriber, SubscriberChannel
from neighbourhoods.models import TeamMembership
from pact_portal.tasks import retention_apply_task
from tests.factories import UserFactory
from tests.meetings.factories import MeetingFactory
from tests.messaging.factories import subscriber

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the audit trail's triggers exist on PostgreSQL only"
)


@postgres_only
def test_it_records_a_queryset_update_with_the_old_and_new_role(world):
    User.objects.filter(pk=world.pcso.pk).update(role=Role.SERGEANT)
    event = UserEvent.objects.filter(pgh_obj=world.pcso, pgh_label="update").get()
    assert event.role == Role.SERGEANT
    (row,) = [row for row in selectors.audit_events(model="accounts.User") if row.label == "update"]
    assert [(c.field, c.before, c.after) for c in row.changes] == [("role", "pcso", "sergeant")]


@postgres_only
def test_it_records_bulk_created_team_memberships(world):
    before = TeamMembershipEvent.objects.filter(pgh_label="insert").count()
    TeamMembership.objects.bulk_create(
        [
            TeamMembership(user=world.pcso_other, neighbourhood=n, role=Role.PCSO, start_date=timezone.localdate())
            for n in (world.daneshouse, world.queensgate)
        ]
    )
    assert TeamMembershipEvent.objects.filter(pgh_label="insert").count() == before + 2


@postgres_only
def test_it_records_set_wise_unsubscribes_and_consent_changes(world):
    member = subscriber(world, email="amina@example.org")
    SubscriberChannel.objects.filter(subscriber=member).update(status=ChannelStatus.UNSUBSCRIBED)
    member.erased_at = timezone.now()
    member.save(update_fields=["erased_at"])
    assert ChannelConsentEvent.objects.get(pgh_obj__subscriber=member).status == ChannelStatus.UNSUBSCRIBED
    assert SubscriberConsentEvent.objects.get(pgh_obj=member).erased_at is not None


@postgres_only
def test_it_keeps_no_password_hash_or_token_digest(world):
    world.pcso.set_password("a new password 123")
    world.pcso.save(update_fields=["password"])
    assert not UserEvent.objects.filter(pgh_obj=world.pcso, pgh_label="update").exists()
    api_tokens.api_token_create(user=world.pcso, name="Briefing script")
    event = ApiTokenEvent.objects.get(user=world.pcso)
    assert event.name == "Briefing script" and not hasattr(event, "digest")


@postgres_only
def test_it_names_the_signed_in_user_who_made_a_change(client, world):
    client.force_login(world.pcso)
    response = client.post(reverse("accounts:api-token-create"), {"name": "Briefing script"})
    assert response.status_code == 200
    (row,) = selectors.audit_events(model="accounts.ApiToken", user=world.pcso)
    assert row.user == world.pcso and row.label == "insert"
    assert row.url == reverse("accounts:api-token-create")


@postgres_only
def test_it_names_the_task_that_made_a_change(world):
    member = subscriber(world, email="amina@example.org", status=ChannelStatus.PENDING)
    Subscriber.objects.filter(pk=member.pk).update(created_at=timezone.now() - timedelta(days=31))
    retention_apply_task.delay()
    (row,) = [row for row in selectors.audit_events(model="messaging.Subscriber") if row.label == "update"]
    assert row.task == "pact_portal.tasks.retention_apply_task" and row.user is None


@postgres_only
def test_it_names_the_management_command_that_made_a_change(client, world):
    from django.core.management import call_command

    member = subscriber(world, email="amina@example.org", status=ChannelStatus.PENDING)
    Subscriber.objects.filter(pk=member.pk).update(created_at=timezone.now() - timedelta(days=31))
    call_command("apply_retention", stdout=io.StringIO())
    (row,) = [row for row in selectors.audit_events(model="messaging.Subscriber") if row.label == "update"]
    assert row.command == "apply_retention" and row.user is None and row.task == ""
    client.force_login(world.admin)
    page = client.get(reverse("dataprotection:audit-trail"), {"model": "messaging.Subscriber"}).content.decode()
    assert '<code class="small">apply_retention</code>' in page


@postgres_only
def test_it_shows_that_restricted_notes_changed_never_what_they_say(client, world):
    meeting = MeetingFactory(neighbourhood=world.daneshouse, created_by=world.pcso, restricted_notes="")
    type(meeting).objects.filter(pk=meeting.pk).update(restricted_notes="Named suspect: J. Bloggs")
    assert MeetingRestrictedEvent.objects.get(pgh_obj=meeting).restricted_notes == "Named suspect: J. Bloggs"
    client.force_login(world.admin)
    page = client.get(reverse("dataprotection:audit-trail"), {"model": "meetings.Meeting"}).content.decode()
    assert RESTRICTED_TEXT in page and "J. Bloggs" not in page


@postgres_only
def test_it_filters_by_who_and_when(world):
    User.objects.filter(pk=world.pcso.pk).update(collar_number="1234")
    assert selectors.audit_events(model="accounts.User", user=world.admin) == []
    today = timezone.localdate()
    assert selectors.audit_events(model="accounts.User", until=today - timezone.timedelta(days=1)) == []
    todays = selectors.audit_events(model="accounts.User", since=today, until=today)
    assert [row.label for row in todays].count("update") == 1


@postgres_only
def test_the_page_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(10):
        User.objects.filter(pk=world.pcso.pk).update(collar_number=str(n))
        UserFactory(role=Role.PCSO, force=world.force)
    client.force_login(world.admin)
    client.get(reverse("dataprotection:audit-trail"))
    # session, user, (otp device), the latest events of each of the 7 audited tables, the users named
    with django_assert_max_num_queries(11):
        response = client.get(reverse("dataprotection:audit-trail"))
    assert response.content.decode().count("<td>update</td>") >= 10


@pytest.mark.skipif(connection.vendor == "postgresql", reason="what the page says where nothing is recorded")
def test_on_sqlite_the_page_says_the_trail_is_not_recorded(client, world, django_assert_max_num_queries):
    User.objects.filter(pk=world.pcso.pk).update(role=Role.SERGEANT)
    client.force_login(world.admin)
    response = client.get(reverse("dataprotection:audit-trail"))
    assert "runs on SQLite, where the audit trail is not recorded" in response.content.decode()
    assert not UserEvent.objects.exists()


def test_it_refuses_a_filter_it_cannot_apply(client, world):
    client.force_login(world.admin)
    response = client.get(reverse("dataprotection:audit-trail"), {"user": "nobody@example.org", "since": "2026-02-30"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "No account has that email address." in page and "Enter a valid date." in page


@pytest.mark.parametrize(
    ("who", "status"), [("admin", 200), ("dpo", 403), ("hq", 403), ("chief_inspector", 403), ("resident", 403)]
)
def test_only_system_administrators_read_the_trail(client, world, who, status):
    person = UserFactory(role=Role.DATA_PROTECTION_OFFICER, force=world.force) if who == "dpo" else getattr(world, who)
    client.force_login(person)
    assert client.get(reverse("dataprotection:audit-trail")).status_code == status
