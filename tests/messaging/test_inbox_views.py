"""The inbox pages: who may open what, the constant query count of the folders, the urgent
banner, answering (with errors re-rendered) and closing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.inbox import services
from messaging.models import InboundReply, ReplyStatus
from tests.messaging.factories import subscriber

pytestmark = pytest.mark.django_db


def receive(world, n: int, *, person=None, body="Thanks for the update", unmatched=False):
    person = None if unmatched else person or subscriber(world, email=f"m{n}@example.org")
    return services.reply_receive(
        channel="email",
        sender=f"m{n}@example.org",
        body=body,
        provider="test",
        provider_message_id=str(n),
        received_at=timezone.now(),
        subscriber=person,
    )


def test_the_team_reads_its_inbox_with_urgent_replies_first(client, world):
    receive(world, 1)
    receive(world, 2, body="Someone has a gun")
    client.force_login(world.pcso)
    response = client.get(reverse("messaging:inbox-team", args=["daneshouse"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Someone has a gun") < page.index("Thanks for the update")
    assert "call 999" in page and "101" in page  # the banner, with the advice the member was sent


def test_the_team_inbox_has_no_banner_without_urgent_replies(client, world):
    receive(world, 1)
    client.force_login(world.pcso)
    assert (
        "Urgent: someone may be in danger"
        not in client.get(reverse("messaging:inbox-team", args=["daneshouse"])).content.decode()
    )


@pytest.mark.parametrize("person", ["partner", "pcso_other", "chief_inspector", "comms"])
def test_others_never_read_a_teams_inbox_or_its_replies(client, world, person):
    reply = receive(world, 1)
    client.force_login(getattr(world, person))
    assert client.get(reverse("messaging:inbox-team", args=["daneshouse"])).status_code == 404
    assert client.get(reply.get_absolute_url()).status_code == 404
    answer = client.post(reverse("messaging:inbox-reply-answer", args=[reply.pk]), {"body": "Hello"})
    assert answer.status_code == 404 and not reply.answers.exists()


def test_unmatched_replies_are_in_no_teams_inbox(client, world):
    reply = receive(world, 1, unmatched=True)
    client.force_login(world.pcso)
    assert reply.body not in client.get(reverse("messaging:inbox-team", args=["daneshouse"])).content.decode()
    assert client.get(reply.get_absolute_url()).status_code == 404
    assert client.get(reverse("messaging:inbox-unmatched")).status_code == 403


def test_communications_read_the_not_matched_folder(client, world):
    reply = receive(world, 1, unmatched=True)
    client.force_login(world.comms)
    assert reply.body in client.get(reverse("messaging:inbox-unmatched")).content.decode()
    assert client.get(reply.get_absolute_url()).status_code == 200


def test_the_team_inbox_runs_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(30):
        receive(world, n, body="Help me" if n % 7 == 0 else "Thanks")
    client.force_login(world.pcso)
    url = reverse("messaging:inbox-team", args=["daneshouse"])
    client.get(url)
    # session, user, scope, neighbourhood, count, page of replies (with ward, alert, answers counted), messages
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_the_inbox_home_runs_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(12):
        receive(world, n)
    receive(world, 99, unmatched=True)
    client.force_login(world.admin)
    client.get(reverse("messaging:inbox"))
    # session, user, scope, folders with their counts, the not-matched counts
    with django_assert_max_num_queries(6):
        response = client.get(reverse("messaging:inbox"))
    assert "Daneshouse" in response.content.decode()


def test_a_thread_shows_every_reply_and_answer_with_who_and_when(client, world, django_assert_max_num_queries):
    person = subscriber(world)
    first = receive(world, 1, person=person, body="Which street?")
    services.reply_answer(reply=first, actor=world.sergeant, body="Elm Street, north end.")
    receive(world, 2, person=person, body="Thank you")
    client.force_login(world.pcso)
    with django_assert_max_num_queries(10):
        page = client.get(first.get_absolute_url()).content.decode()
    assert page.index("Which street?") < page.index("Elm Street, north end.") < page.index("Thank you")
    assert "Sam Sergeant answered" in page


def test_staff_answer_and_close_from_the_thread(client, world):
    reply = receive(world, 1)
    client.force_login(world.pcso)
    response = client.post(reverse("messaging:inbox-reply-answer", args=[reply.pk]), {"body": "Thanks for writing."})
    assert response.status_code == 302
    answer = reply.answers.get()
    assert (answer.author, answer.body, answer.to) == (world.pcso, "Thanks for writing.", "m1@example.org")
    client.post(reverse("messaging:inbox-reply-close", args=[reply.pk]))
    reply.refresh_from_db()
    assert (reply.status, reply.closed_by) == (ReplyStatus.CLOSED, world.pcso)


def test_an_empty_answer_re_renders_with_an_error_and_sends_nothing(client, world):
    reply = receive(world, 1)
    client.force_login(world.pcso)
    response = client.post(reverse("messaging:inbox-reply-answer", args=[reply.pk]), {"body": ""})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    assert not reply.answers.exists() and InboundReply.objects.get().status == ReplyStatus.OPEN


def test_what_a_member_wrote_is_escaped(client, world):
    reply = receive(world, 1, body="<script>alert(1)</script>")
    client.force_login(world.pcso)
    page = client.get(reply.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
