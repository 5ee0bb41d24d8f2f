"""Emails about priorities: the owners' daily digest and the followers' state-change messages."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from messaging.models import OutboxMessage
from priorities import notifications, services
from priorities.models import Action, ActionStatus, Priority
from tests.factories import TeamMembershipFactory, UserFactory
from tests.priorities.factories import agreed
from tests.test_deploy_settings import BASE_DIR, MANAGE

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + timedelta(days=n)


def agreed_past_review(world, *, review_date, **extra):
    """Agreed at a meeting weeks ago (so reviewed after it), its review date since passed."""
    priority = agreed(world, review_date=days(30), **extra)
    Priority.objects.filter(pk=priority.pk).update(review_date=review_date)
    priority.refresh_from_db()
    return priority


def action(world, priority, description, *, due, **owner):
    owner = owner or {"owner_officer": world.pcso}
    return services.action_add(priority=priority, actor=world.sergeant, description=description, due_date=due, **owner)


def sent_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_it_sends_the_owner_one_email_listing_their_overdue_actions(world):
    priority = agreed(world, review_date=days(30))
    action(world, priority, "Speed checks on Burnley Road", due=days(-3))
    action(world, priority, "Letters to parents", due=days(-1))
    action(world, priority, "Not due yet", due=days(5))
    assert notifications.daily_digests_send() == 1
    [message] = sent_to(world.pcso)
    assert "2 overdue actions" in message.subject
    assert "Speed checks on Burnley Road" in message.body and "Letters to parents" in message.body
    assert "Not due yet" not in message.body


def test_it_sends_a_partners_action_to_the_named_partner_only(world):
    colleague = UserFactory(role=Role.PARTNER, agency=world.partner.agency)
    priority = agreed(world, review_date=days(30))
    action(world, priority, "Clear the alley", due=days(-2), owner_agency=world.partner.agency,
           owner_partner_user=world.partner)  # fmt: skip
    notifications.daily_digests_send()
    assert [m.to for m in mail.outbox] == [[world.partner.email]]
    assert sent_to(colleague) == []


def test_it_sends_an_agencys_unnamed_action_to_its_active_users(world):
    colleague = UserFactory(role=Role.PARTNER, agency=world.partner.agency)
    leaver = UserFactory(role=Role.PARTNER, agency=world.partner.agency, is_active=False)
    priority = agreed(world, review_date=days(30))
    action(world, priority, "Fence the waste ground", due=days(-2), owner_agency=world.partner.agency)
    notifications.daily_digests_send()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.partner.email, colleague.email])
    assert sent_to(leaver) == []


def test_it_tells_the_sergeant_of_priorities_past_their_review_date(world):
    other_sergeant = TeamMembershipFactory(
        neighbourhood=world.fleetwood, user=UserFactory(role=Role.SERGEANT), role=Role.SERGEANT
    ).user
    agreed_past_review(world, title="Overdue for review", review_date=days(-1))
    agreed(world, title="Reviewed next month", review_date=days(30))
    notifications.daily_digests_send()
    [message] = sent_to(world.sergeant)
    assert "1 past review" in message.subject
    assert "Overdue for review" in message.body and "Reviewed next month" not in message.body
    assert sent_to(other_sergeant) == []


def test_it_sends_nothing_to_people_with_nothing_overdue(world):
    priority = agreed(world, review_date=days(30))
    done = action(world, priority, "Done already", due=days(-5))
    services.action_update(action=done, actor=world.pcso, text="Finished", status=ActionStatus.DONE)
    action(world, priority, "Due next week", due=days(7))
    closed = agreed_past_review(world, title="Resolved one", review_date=days(-3))
    left_open = action(world, closed, "Left open on a resolved priority", due=days(-3))
    services.priority_start(priority=closed, actor=world.sergeant)
    # Resolving now needs every action finished; rows from before that rule may still be open.
    Action.objects.filter(pk=left_open.pk).update(status=ActionStatus.DONE)
    services.priority_resolve(priority=closed, actor=world.sergeant, public_outcome="Fixed.")
    Action.objects.filter(pk=left_open.pk).update(status=ActionStatus.OPEN)
    assert notifications.daily_digests_send() == 0
    assert mail.outbox == []


def test_it_skips_telling_followers_about_a_state_already_left(world):
    priority = agreed(world)
    follower = services.priority_follow(priority=priority, email="amina@example.org")
    services.priority_follow_confirm(token=services.follow_confirm_token(follower=follower))
    services.priority_start(priority=priority, actor=world.sergeant)
    assert notifications.followers_notify(priority_id=priority.pk, state="agreed") == 0
    assert mail.outbox == []
    assert notifications.followers_notify(priority_id=priority.pk, state="in_action") == 1
    [message] = mail.outbox
    assert message.to == ["amina@example.org"] and "List-Unsubscribe" in message.extra_headers
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_it_builds_the_digests_in_a_constant_number_of_queries(world, django_assert_max_num_queries):
    UserFactory(role=Role.PARTNER, agency=world.partner.agency)
    for n in range(8):
        priority = agreed_past_review(world, title=f"Priority {n}", review_date=days(-1))
        action(world, priority, f"Officer step {n}", due=days(-2))
        action(world, priority, f"Agency step {n}", due=days(-2), owner_agency=world.partner.agency)
    # overdue actions + agency users, past-review priorities, sergeants
    with django_assert_max_num_queries(4):
        assert notifications.daily_digests_send() == 4


def test_it_keeps_emails_in_the_outbox_in_the_embedded_default(world, settings):
    settings.EMAIL_BACKEND = "pact_portal.email_backends.OutboxEmailBackend"
    follower = services.priority_follow(priority=agreed(world), email="amina@example.org")
    assert notifications.follow_confirmation_send(follower_id=follower.pk) == 1
    stored = OutboxMessage.objects.get()
    assert (stored.channel, stored.to) == ("email", "amina@example.org")
    assert "Confirm you want to follow" in stored.subject and "/priorities/follow/confirm/" in stored.body
    assert str(follower.token) in stored.headers["List-Unsubscribe"] and "<p>" in stored.html


def test_it_chooses_the_outbox_for_email_in_debug_without_an_email_url(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("EMAIL_URL", "DATABASE_URL", "TESTING")}
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    show = ["shell", "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)"]
    run = subprocess.run([sys.executable, "-c", MANAGE, *show], env=env, cwd=BASE_DIR, capture_output=True, text=True)  # noqa: S603
    assert run.stdout.strip().endswith("\npact_portal.email_backends.OutboxEmailBackend"), run.stderr
    env["EMAIL_URL"] = "smtp://mail.example.org:25"
    run = subprocess.run([sys.executable, "-c", MANAGE, *show], env=env, cwd=BASE_DIR, capture_output=True, text=True)  # noqa: S603
    assert run.stdout.strip().endswith("\ndjango.core.mail.backends.smtp.EmailBackend"), run.stderr
