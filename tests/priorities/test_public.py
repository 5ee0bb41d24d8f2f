"""The public priority pages: "our priorities", one priority's page, following by email."""

import datetime
import re
import uuid

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from priorities import services
from priorities.models import Action, EscalationForum, Follower, Priority, PriorityState, SignOff, SignOffMethod
from priorities.views import public as public_views
from tests.meetings.test_services import at, new_meeting
from tests.priorities.factories import agreed, propose, raise_issue, signed_off

pytestmark = pytest.mark.django_db

SECRETS = ["SECRET-EVIDENCE", "SECRET-NOTES", "SECRET-ACTION", "SECRET-UPDATE", "SECRET-REASON"]
SOON = datetime.date(2027, 1, 1)


def list_url(world):
    return reverse("priorities:public-list", args=[world.daneshouse.code])


def detail_url(priority):
    return reverse("priorities:public-detail", args=[priority.reference])


def worked_priority(world, *, title="Speeding on Burnley Road"):
    """An escalated priority carrying restricted text in every place it can hide."""
    priority = agreed(world, title=title, evidence="SECRET-EVIDENCE: a named driver")
    services.priority_update(
        priority=priority, actor=world.sergeant, restricted_notes="SECRET-NOTES", public_update="Speed checks weekly."
    )
    checks = services.action_add(
        priority=priority, actor=world.sergeant, description="Speed checks at school times", due_date=SOON,
        owner_officer=world.pcso,
    )  # fmt: skip
    services.action_update(
        action=checks, actor=world.pcso, text="Ten drivers stopped", status="in_progress", is_public=True
    )
    services.action_update(action=checks, actor=world.pcso, text="SECRET-UPDATE: plate seen", is_public=False)
    hidden = services.action_add(
        priority=priority, actor=world.sergeant, description="SECRET-ACTION: warrant", due_date=SOON,
        owner_agency=world.partner.agency, owner_partner_user=world.partner, is_public=False,
    )  # fmt: skip
    services.action_update(action=hidden, actor=world.partner, text="Done too", is_public=True)
    services.priority_escalate(
        priority=priority, actor=world.sergeant, forum=EscalationForum.CDRP, reason="SECRET-REASON: gang links"
    )
    return priority


def resolved(world, title):
    priority = agreed(world, title=title)
    services.priority_start(priority=priority, actor=world.sergeant)
    return services.priority_resolve(priority=priority, actor=world.sergeant, public_outcome=f"{title} fixed.")


def test_it_tells_residents_what_they_said_and_what_is_being_done(client, world):
    worked_priority(world)
    page = client.get(list_url(world)).content.decode()
    assert "You told us" in page and "Residents told us cars speed on Burnley Road at night." in page
    assert "Speed checks weekly." in page and "Ten drivers stopped" in page
    assert "CDRP" in page and "Getting extra help" in page


def test_it_counts_the_residents_behind_a_priority(client, world):
    priority = agreed(world, issues=[raise_issue(world, supporters=3), raise_issue(world)])
    assert "4 residents raised it" in client.get(detail_url(priority)).content.decode()
    assert "4 residents raised it" in client.get(list_url(world)).content.decode()


@pytest.mark.parametrize("viewer", [None, "sergeant"])
def test_it_never_shows_restricted_text_on_public_pages(client, world, viewer):
    priority = worked_priority(world)
    if viewer:
        client.force_login(getattr(world, viewer))  # even the team sees only public text here
    for url in (list_url(world), detail_url(priority), world.daneshouse.get_absolute_url()):
        page = client.get(url).content.decode()
        assert priority.title in page
        assert not [secret for secret in SECRETS if secret in page], url
    assert "Done too" not in client.get(detail_url(priority)).content.decode()  # an update of a hidden action


def test_it_leaves_proposed_priorities_out(client, world):
    proposal = propose(world, title="Only proposed so far")
    assert client.get(detail_url(proposal)).status_code == 404
    follow = reverse("priorities:public-follow", args=[proposal.reference])
    assert client.post(follow, {"email": "a@b.org"}).status_code == 404
    for url in (list_url(world), world.daneshouse.get_absolute_url()):
        assert "Only proposed so far" not in client.get(url).content.decode()


def test_it_answers_404_for_unknown_priorities_and_neighbourhoods(client, world):
    assert client.get(reverse("priorities:public-detail", args=[uuid.uuid4()])).status_code == 404
    assert client.get(reverse("priorities:public-list", args=["nowhere"])).status_code == 404


def test_it_shows_how_each_priority_was_signed_off(client, world):
    meeting = new_meeting(world, title="December PACT", outcome_recorded_at=at(2026, 12, 1, 21), status="published")
    with time_machine.travel(at(2026, 11, 20, 9), tick=False):
        by_meeting, by_chair, by_vote = (resolved(world, t) for t in ("Litter", "Graffiti", "Parking"))
    with time_machine.travel(at(2026, 12, 2, 9), tick=False):
        services.priority_sign_off(priority=by_meeting, actor=world.pcso, method=SignOffMethod.MEETING, meeting=meeting)
    # Sign-offs recorded before the community had to decide at a meeting still read as they were.
    SignOff.objects.create(
        priority=by_chair, method=SignOffMethod.PANEL_CHAIR, panel_chair_name="Jo Chair", recorded_by=world.pcso
    )
    SignOff.objects.create(
        priority=by_vote, method=SignOffMethod.ONLINE_VOTE, votes_for=41, votes_against=3, recorded_by=world.pcso
    )
    Priority.objects.filter(pk__in=[by_chair.pk, by_vote.pk]).update(state=PriorityState.SIGNED_OFF)
    page = client.get(list_url(world)).content.decode()
    assert "December PACT</a>" in page and "on 1 December 2026" in page
    assert "by the PACT panel chair, Jo Chair" in page
    assert "41 for, 3 against" in page and "Parking fixed." in page


def test_it_says_why_a_concern_was_not_taken_on(client, world):
    priority = propose(world, title="Noisy pub")
    services.priority_not_adopt(priority=priority, actor=world.sergeant, reason="A licensing matter for the council.")
    page = client.get(list_url(world)).content.decode()
    assert "Noisy pub" in page and "A licensing matter for the council." in page


def test_it_lists_the_top_three_current_priorities_on_the_neighbourhood_page(client, world):
    for title in ("First", "Second", "Third", "Fourth"):
        agreed(world, title=title)
    resolved(world, "Done already")
    page = client.get(world.daneshouse.get_absolute_url()).content.decode()
    assert all(t in page for t in ("Second", "Third", "Fourth")) and ">First<" not in page
    assert "Done already" not in page and list_url(world) in page


def test_it_lets_a_resident_follow_a_priority_and_emails_them_when_it_moves(
    client, world, django_capture_on_commit_callbacks
):
    priority = agreed(world)
    follow = reverse("priorities:public-follow", args=[priority.reference])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(follow, {"email": "Amina@Example.org"})
    assert response.status_code == 302
    assert "we have emailed Amina@Example.org a link to confirm" in client.get(response.url).content.decode()
    follower = Follower.objects.get(priority=priority)
    [confirmation] = mail.outbox
    confirm_url = confirmation_link(confirmation)
    # A mail scanner fetching the link confirms nothing; the resident's button does.
    assert "a••••@example.org" in client.get(confirm_url).content.decode()
    follower.refresh_from_db()
    assert follower.confirmed_at is None
    assert "Confirmed" in client.post(confirm_url).content.decode()
    follower.refresh_from_db()
    assert follower.confirmed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.priority_start(priority=priority, actor=world.sergeant)
    message = mail.outbox[-1]
    assert message.to == ["amina@example.org"] and "is now in action" in message.subject
    assert reverse("priorities:public-unfollow", args=[follower.token]) in message.body


def confirmation_link(message) -> str:
    [url] = re.findall(r"http://testserver(/priorities/follow/confirm/[^/\s]+/)", message.body)
    return url


def test_it_emails_nothing_but_the_confirmation_to_an_address_never_confirmed(
    client, world, django_capture_on_commit_callbacks
):
    priority = agreed(world)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("priorities:public-follow", args=[priority.reference]), {"email": "victim@example.org"})
        services.priority_start(priority=priority, actor=world.sergeant)
    [confirmation] = mail.outbox
    assert "Confirm you want to follow" in confirmation.subject
    follower = Follower.objects.get()
    unfollow = "http://testserver" + reverse("priorities:public-unfollow", args=[follower.token])
    assert unfollow in confirmation.body and confirmation.extra_headers["List-Unsubscribe"] == f"<{unfollow}>"
    assert unfollow in confirmation.alternatives[0][0]


def test_it_refuses_an_expired_or_forged_confirmation_link(client, world, django_capture_on_commit_callbacks):
    priority = agreed(world)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("priorities:public-follow", args=[priority.reference]), {"email": "amina@example.org"})
    confirm_url = confirmation_link(mail.outbox[0])
    forged = reverse("priorities:public-follow-confirm", args=[str(Follower.objects.get().token)])
    assert client.post(forged).status_code == 404
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        response = client.post(confirm_url)
    assert response.status_code == 404 and "has expired" in response.content.decode()
    assert Follower.objects.get().confirmed_at is None


def test_it_explains_a_bad_email_address(client, world):
    priority = agreed(world)
    response = client.post(reverse("priorities:public-follow", args=[priority.reference]), {"email": "not-an-email"})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    assert not Follower.objects.exists()


def test_it_throttles_following_for_one_address(client, world, monkeypatch):
    monkeypatch.setattr(public_views, "FOLLOWS_PER_EMAIL_PER_HOUR", 2)
    priorities = [agreed(world, title=f"Priority {n}") for n in range(3)]
    statuses = [
        client.post(reverse("priorities:public-follow", args=[p.reference]), {"email": "a@example.org"}).status_code
        for p in priorities
    ]
    assert statuses == [302, 302, 429]
    assert Follower.objects.count() == 2


def test_it_asks_before_unfollowing_so_a_link_scanner_unfollows_nobody(client, world):
    follower = services.priority_follow(priority=agreed(world), email="amina@example.org")
    url = reverse("priorities:public-unfollow", args=[follower.token])
    page = client.get(url).content.decode()
    assert "a••••@example.org" in page and "Stop following" in page
    assert Follower.objects.filter(pk=follower.pk).exists()
    assert "no more emails" in client.post(url).content.decode()
    assert not Follower.objects.filter(pk=follower.pk).exists()


def test_it_accepts_a_one_click_unsubscribe_from_the_mail_client(world):
    follower = services.priority_follow(priority=agreed(world), email="amina@example.org")
    mail_provider = Client(enforce_csrf_checks=True)
    url = reverse("priorities:public-unfollow", args=[follower.token])
    response = mail_provider.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert not Follower.objects.exists()


def test_it_says_an_unknown_unfollow_link_follows_nothing(client, world):
    url = reverse("priorities:public-unfollow", args=[uuid.uuid4()])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 200


def test_it_runs_the_public_pages_in_constant_queries(client, world, django_assert_max_num_queries):
    meeting = new_meeting(world, outcome_recorded_at=at(2026, 12, 1, 21), status="published")
    for n in range(6):
        worked_priority(world, title=f"Worked {n}")
        with time_machine.travel(at(2026, 11, 20, 9), tick=False):
            priority = resolved(world, f"Resolved {n}")
        with time_machine.travel(at(2026, 12, 2, 9), tick=False):
            services.priority_sign_off(
                priority=priority, actor=world.pcso, method=SignOffMethod.MEETING, meeting=meeting
            )
    # neighbourhood, its wards; priorities, their wards, actions, updates, sign-offs, escalations
    with django_assert_max_num_queries(8):
        client.get(list_url(world))
    # the priority, its wards, actions, updates, sign-offs, escalations, history
    with django_assert_max_num_queries(7):
        client.get(detail_url(priority))
    # neighbourhood, wards, team, upcoming meetings, current priorities, the PACT panel's register
    with django_assert_max_num_queries(6):
        client.get(world.daneshouse.get_absolute_url())


def test_it_never_shows_work_in_progress_under_a_signed_off_priority(client, world):
    priority = agreed(world)
    checks = services.action_add(
        priority=priority, actor=world.pcso, description="Speed checks at school times", due_date=SOON,
        owner_officer=world.pcso,
    )  # fmt: skip
    services.action_update(action=checks, actor=world.pcso, text="Done", status="done")
    services.priority_resolve(priority=priority, actor=world.sergeant, public_outcome="Speeds are down.")
    signed_off(world, priority)
    # A row from before resolving needed every action finished.
    Action.objects.filter(pk=checks.pk).update(status="in_progress")
    page = client.get(detail_url(priority)).content.decode()
    assert "Speed checks at school times" in page and "Not finished when the priority was resolved" in page
    assert "In progress" not in page


def test_it_stops_emailing_confirmations_to_one_address_past_the_limit(
    client, world, django_capture_on_commit_callbacks
):
    priorities = [agreed(world, title=f"Priority {n}") for n in range(public_views.FOLLOWS_PER_EMAIL_PER_HOUR + 1)]
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            client.post(reverse("priorities:public-follow", args=[p.reference]), {"email": "victim@example.org"})
            for p in priorities
        ]
    assert [s.status_code for s in statuses][-2:] == [302, 429]
    assert len(mail.outbox) == public_views.FOLLOWS_PER_EMAIL_PER_HOUR


def test_it_throttles_following_from_one_client_address(client, world, monkeypatch):
    monkeypatch.setattr(public_views, "FOLLOWS_PER_ADDRESS_PER_HOUR", 2)
    priority = agreed(world)
    url = reverse("priorities:public-follow", args=[priority.reference])
    statuses = [client.post(url, {"email": f"person{n}@example.org"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert Follower.objects.count() == 2


def test_it_answers_a_link_checkers_head_on_the_email_links_and_changes_nothing(
    client, world, django_capture_on_commit_callbacks
):
    priority = agreed(world)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("priorities:public-follow", args=[priority.reference]), {"email": "amina@example.org"})
    follower = Follower.objects.get()
    for url in (confirmation_link(mail.outbox[0]), reverse("priorities:public-unfollow", args=[follower.token])):
        response = client.head(url)
        assert response.status_code == 200 and response.content == b""
    follower.refresh_from_db()
    assert follower.confirmed_at is None


def test_it_shows_what_was_done_not_in_progress_once_open_actions_close_with_the_priority(client, world):
    priority = agreed(world)
    checks = services.action_add(
        priority=priority, actor=world.pcso, description="Speed checks at school times", due_date=SOON,
        owner_officer=world.pcso,
    )  # fmt: skip
    services.action_update(action=checks, actor=world.pcso, text="Ten drivers stopped", status="in_progress")
    assert "In progress" in client.get(detail_url(priority)).content.decode()
    closure = {"action": checks.pk, "status": "done", "reason": "Nobody speeding at the last three checks"}
    services.priority_resolve(
        priority=priority, actor=world.sergeant, public_outcome="Speeds are down.", close_actions=[closure]
    )
    signed_off(world, priority)
    page = client.get(detail_url(priority)).content.decode()
    assert "Speed checks at school times" in page and "Done" in page
    assert "In progress" not in page and "Nobody speeding" not in page  # the reason stays with the team
