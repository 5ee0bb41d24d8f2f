"""The staff page for subject requests: find a person across the tables, export, erase, and the
record kept of each request."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import api_tokens
from accounts.roles import Role
from dataprotection.models import LawfulBasis, RequestAction, SubjectRequest
from dataprotection.subjects import exports, selectors, services
from dataprotection.subjects.selectors import NOT_A_NUMBER, NOT_AN_EMAIL, TERM_REQUIRED, term_parse
from messaging.members.services.manage import subscriber_erase
from messaging.models import ChannelStatus, Delivery, Feedback, ReceiptEvent, SubscriberChannel
from priorities.models import Follower, Open311Request
from priorities.services import open311 as services_open311
from reports.selectors.membership import active_at
from surveys.models import Response, ResponseSource
from tests.factories import UserFactory
from tests.meetings.panel_factories import member as panel_member
from tests.meetings.panel_factories import panel
from tests.messaging.factories import alert, subscriber
from tests.priorities.factories import agreed, raise_issue
from tests.surveys.factories import survey

pytestmark = pytest.mark.django_db

EMAIL = "amina@example.org"
MOBILE = "+447700900123"
REQUEST = {"basis": LawfulBasis.ACCESS, "reference": "SAR-2026-014"}


@pytest.fixture
def dpo(world):
    return UserFactory(role=Role.DATA_PROTECTION_OFFICER, force=world.force, full_name="Dana DPO")


def held_about_amina(world):
    """Amina, in every table that can name her: a member with a delivery, feedback and a survey
    response, a follower, an issue's reporter, an Open311 reporter, a panel member, an account."""
    member = subscriber(world, email=EMAIL, mobile=MOBILE)
    delivery = Delivery.objects.create(
        alert=alert(world, author=world.pcso), subscriber=member, channel="email", queued_at=timezone.now()
    )
    Feedback.objects.create(delivery=delivery, useful=True, comment="Thanks, my neighbour saw the van")
    Response.objects.create(
        survey=survey(world, author=world.chief_inspector),
        source=ResponseSource.INVITED,
        subscriber=member,
        submitted_at=timezone.now(),
    )
    ReceiptEvent.objects.create(provider="notify-inbound", event_id="in-1", payload={"source_number": MOBILE})
    issue = raise_issue(world, contact_email="Amina@Example.org")
    Follower.objects.create(priority=agreed(world), email=EMAIL)
    key, _ = services_open311.open311_api_key_issue(force=world.force, name="FixMyStreet", actor=world.hq)
    Open311Request.objects.create(
        issue=raise_issue(world), api_key=key, first_name="Amina", phone="07700 900123", address_string="1 Mill St"
    )
    panel_member(panel(world), first_name="Amina", email="", telephone="(07700) 900-123")
    panel_member(panel(world, name="Queensgate panel", neighbourhoods=[world.queensgate]), email=EMAIL)
    UserFactory(role=Role.RESIDENT, email=EMAIL, full_name="Amina Khan")
    return member, issue


def test_it_parses_an_email_or_a_uk_number():
    assert term_parse(" Amina@Example.org ").value == EMAIL
    number = term_parse("07700 900123")
    assert (number.kind, number.value, number.national) == ("phone", MOBILE, "7700900123")


@pytest.mark.parametrize(
    ("typed", "message"), [("", TERM_REQUIRED), ("amina@", NOT_AN_EMAIL), ("12", NOT_A_NUMBER), ("abc", NOT_A_NUMBER)]
)
def test_it_refuses_an_empty_or_invalid_search_with_a_clear_message(client, world, dpo, typed, message):
    client.force_login(dpo)
    response = client.post(reverse("dataprotection:subjects"), {"term": typed, **REQUEST})
    assert response.status_code == 400
    assert str(message) in response.content.decode()
    assert not SubjectRequest.objects.exists()


def test_it_finds_a_person_by_email_across_the_tables(world, dpo):
    held_about_amina(world)
    found = exports.subject_findings(term=term_parse(EMAIL), viewer=dpo)
    assert exports.findings_counts(found) == {
        "in_the_know_members": 1,
        "deliveries": 1,
        "feedback": 1,
        "survey_responses": 1,
        "accounts": 1,
        "issues": 1,
        "priority_followers": 1,
        "panel_register": 1,
    }
    assert found["feedback"][0]["comment"] == "Thanks, my neighbour saw the van"


def test_it_finds_a_person_by_a_number_typed_any_way(world, dpo):
    held_about_amina(world)
    found = exports.subject_findings(term=term_parse("+44 7700 900123"), viewer=dpo)
    counts = exports.findings_counts(found)
    assert counts["in_the_know_members"] == 1
    assert counts["inbound_texts"] == 1
    assert counts["open311_reports"] == 1 and found["open311_reports"][0]["address"] == "1 Mill St"
    assert found["panel_register"][0]["telephone"] == "(07700) 900-123"


def test_it_searches_in_a_fixed_number_of_queries(client, world, dpo, django_assert_max_num_queries):
    held_about_amina(world)
    client.force_login(dpo)
    client.get(reverse("dataprotection:subjects"))  # the session and user are loaded once
    # session, user, 4 member, 2 responses, inbound, outbox, 4 accounts, 3 sign-in, issues, open311,
    # followers, 2 panel, earlier requests, the record (+ savepoint), recent requests
    with django_assert_max_num_queries(28):
        response = client.post(reverse("dataprotection:subjects"), {"term": EMAIL, **REQUEST})
    assert response.status_code == 200
    assert "Thanks, my neighbour saw the van" in response.content.decode()


def test_it_records_each_search_without_keeping_the_address(client, world, dpo):
    held_about_amina(world)
    client.force_login(dpo)
    client.post(reverse("dataprotection:subjects"), {"term": EMAIL, **REQUEST})
    record = SubjectRequest.objects.get()
    assert (record.actor, record.action, record.reference) == (dpo, RequestAction.SEARCH, "SAR-2026-014")
    assert record.counts["in_the_know_members"] == 1
    assert EMAIL not in json.dumps([record.term_masked, record.term_digest, record.counts])
    assert record.term_digest == term_parse(EMAIL.upper()).digest


def test_it_exports_json(client, world, dpo):
    held_about_amina(world)
    client.force_login(dpo)
    response = client.post(reverse("dataprotection:subject-export", args=["json"]), {"term": EMAIL, **REQUEST})
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    body = json.loads(response.content)
    assert body["request"]["reference"] == "SAR-2026-014"
    assert body["found"]["in_the_know_members"][0]["channels"][0]["address"] == EMAIL
    assert body["found"]["accounts"][0]["full_name"] == "Amina Khan"
    assert SubjectRequest.objects.get().action == RequestAction.EXPORT_JSON


def test_it_exports_csv_one_row_per_field(client, world, dpo):
    held_about_amina(world)
    client.force_login(dpo)
    response = client.post(reverse("dataprotection:subject-export", args=["csv"]), {"term": EMAIL, **REQUEST})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "record", "field", "value"]
    assert ["in_the_know_members", "1", "channels[0].address", EMAIL] in rows
    assert ["issues", "1", "contact_email", "Amina@Example.org"] in rows
    assert SubjectRequest.objects.get().action == RequestAction.EXPORT_CSV


def test_it_quotes_a_formula_in_the_csv(world, dpo):
    member = subscriber(world, email=EMAIL)
    delivery = Delivery.objects.create(
        alert=alert(world, author=world.pcso), subscriber=member, channel="email", queued_at=timezone.now()
    )
    Feedback.objects.create(delivery=delivery, comment='=HYPERLINK("http://evil")')
    text = exports.findings_csv(found=exports.subject_findings(term=term_parse(EMAIL), viewer=dpo))
    assert "'=HYPERLINK" in text


def test_it_erases_and_anonymises_everything_found(world, dpo):
    member, issue = held_about_amina(world)
    services.subject_erase(term=term_parse(EMAIL), actor=dpo, **REQUEST)
    services.subject_erase(term=term_parse(MOBILE), actor=dpo, **REQUEST)
    member.refresh_from_db()
    issue.refresh_from_db()
    assert member.erased_at is not None
    assert not SubscriberChannel.objects.filter(address__in=[EMAIL, MOBILE]).exists()
    assert not SubscriberChannel.objects.filter(subscriber=member).exclude(status=ChannelStatus.UNSUBSCRIBED).exists()
    assert Feedback.objects.get().comment == ""
    assert Response.objects.get().subscriber is None
    assert ReceiptEvent.objects.get().payload == {"erased": True}
    assert issue.contact_email == ""
    assert not Follower.objects.exists()
    assert Open311Request.objects.get().phone == ""
    for term in (EMAIL, MOBILE):
        assert not exports.findings_counts(exports.subject_findings(term=term_parse(term), viewer=dpo))


def _members_a_month_ago() -> int:
    moment = timezone.now() - timedelta(days=30)
    return SubscriberChannel.objects.filter(active_at(moment)).values("subscriber").distinct().count()


def test_erasing_keeps_the_membership_counts_of_past_months(world, dpo):
    member = subscriber(world, email=EMAIL)
    SubscriberChannel.objects.filter(subscriber=member).update(confirmed_at=timezone.now() - timedelta(days=60))
    assert _members_a_month_ago() == 1
    services.subject_erase(term=term_parse(EMAIL), actor=dpo, **REQUEST)
    assert _members_a_month_ago() == 1
    # The resident's own erasure deletes the channel rows: a month already past loses them.
    other = subscriber(world, email="other@example.org")
    SubscriberChannel.objects.filter(subscriber=other).update(confirmed_at=timezone.now() - timedelta(days=60))
    subscriber_erase(subscriber=other)
    assert _members_a_month_ago() == 1


def test_it_anonymises_an_account_and_its_keys(world, dpo):
    officer = UserFactory(role=Role.PCSO, force=world.force, email="officer@example.org", collar_number="1234")
    api_tokens.api_token_create(user=officer, name="Briefing script")
    services.subject_erase(term=term_parse("officer@example.org"), actor=dpo, **REQUEST)
    officer.refresh_from_db()
    assert (officer.full_name, officer.collar_number, officer.is_active) == ("Erased", "", False)
    assert officer.email == f"erased-{officer.pk}@erased.invalid"
    assert not officer.has_usable_password() and not officer.auth_token_set.exists()


def test_it_records_the_erasure(client, world, dpo):
    held_about_amina(world)
    client.force_login(dpo)
    data = {"term": EMAIL, "basis": LawfulBasis.ERASURE, "reference": "ERA-7", "confirm": "on"}
    response = client.post(reverse("dataprotection:subject-erase"), data, follow=True)
    assert "Erased:" in response.content.decode()
    record = SubjectRequest.objects.get()
    assert (record.action, record.basis, record.reference, record.actor) == ("erase", "erasure", "ERA-7", dpo)
    assert record.counts["in_the_know_members"] == 1 and record.counts["accounts"] == 1


def test_it_erases_nothing_without_the_confirmation(client, world, dpo):
    member, _ = held_about_amina(world)
    client.force_login(dpo)
    response = client.post(reverse("dataprotection:subject-erase"), {"term": EMAIL, **REQUEST})
    assert response.status_code == 400
    assert "Tick the box to confirm the erasure" in response.content.decode()
    member.refresh_from_db()
    assert member.erased_at is None and not SubjectRequest.objects.exists()


def test_it_refuses_to_erase_the_officers_own_account(client, world, dpo):
    client.force_login(dpo)
    data = {"term": dpo.email, "confirm": "on", **REQUEST}
    response = client.post(reverse("dataprotection:subject-erase"), data)
    assert response.status_code == 400
    dpo.refresh_from_db()
    assert dpo.is_active and not SubjectRequest.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("dpo", 200), ("admin", 200), ("hq", 403), ("comms", 403), ("pcso", 403)])
def test_only_the_dpo_and_administrators_may_search(client, world, dpo, who, status):
    client.force_login(dpo if who == "dpo" else getattr(world, who))
    assert client.get(reverse("dataprotection:subjects")).status_code == status
    assert client.post(reverse("dataprotection:subjects"), {"term": EMAIL, **REQUEST}).status_code == status
    assert (
        client.post(reverse("dataprotection:subject-export", args=["csv"]), {"term": EMAIL, **REQUEST}).status_code
        == status
    )


def test_an_outsider_cannot_erase(client, world):
    member = subscriber(world, email=EMAIL)
    client.force_login(world.hq)
    data = {"term": EMAIL, "confirm": "on", **REQUEST}
    assert client.post(reverse("dataprotection:subject-erase"), data).status_code == 403
    member.refresh_from_db()
    assert member.erased_at is None


def test_the_page_lists_recent_requests_in_a_fixed_number_of_queries(client, world, dpo, django_assert_max_num_queries):
    for n in range(5):
        services.subject_request_record(
            actor=dpo, action=RequestAction.SEARCH, term=term_parse(f"p{n}@example.org"), counts={}, **REQUEST
        )
    client.force_login(dpo)
    with django_assert_max_num_queries(4):  # session, user, requests with their actors, (otp device)
        response = client.get(reverse("dataprotection:subjects"))
    assert response.content.decode().count("<td>Searched</td>") == 5


def test_the_dpo_lands_on_the_force_overview_and_sees_no_restricted_notes(client, world, dpo):
    client.force_login(dpo)
    assert client.get(reverse("neighbourhoods:officer-home")).status_code == 200
    assert client.get(reverse("messaging:outbox")).status_code == 403
    assert client.get(reverse("dataprotection:audit-trail")).status_code == 403


def test_it_escapes_what_people_typed(client, world, dpo):
    member = subscriber(world, email=EMAIL)
    delivery = Delivery.objects.create(
        alert=alert(world, author=world.pcso), subscriber=member, channel="email", queued_at=timezone.now()
    )
    Feedback.objects.create(delivery=delivery, comment="<script>alert(1)</script>")
    client.force_login(dpo)
    page = client.post(reverse("dataprotection:subjects"), {"term": EMAIL, **REQUEST}).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_it_finds_and_erases_an_email_voter_and_unlinks_a_members_ballot(world, dpo):
    from priorities.voting.models import Ballot, EmailVoter
    from tests.priorities.voting.factories import cast, open_vote

    member = subscriber(world, email="zaid@example.org")
    vote = open_vote(world)
    cast(vote, member, [vote.options.first()])
    ballot = Ballot.objects.create(vote=vote, ward=member.ward)
    EmailVoter.objects.create(vote=vote, email=EMAIL, ward=member.ward, ballot=ballot)
    found = exports.subject_findings(term=term_parse(EMAIL), viewer=dpo)
    assert exports.findings_counts(found) == {"email_voters": 1}
    assert found["email_voters"][0]["email"] == EMAIL and found["email_voters"][0]["voted"] is True

    record = services.subject_erase(term=term_parse(EMAIL), actor=dpo, **REQUEST)
    assert record.counts == {"email_voters": 1}
    voter = EmailVoter.objects.get()
    assert voter.email == f"erased-{voter.pk}@erased.invalid" and voter.ballot == ballot  # the count stands
    assert not exports.findings_counts(exports.subject_findings(term=term_parse(EMAIL), viewer=dpo))

    services.subject_erase(term=term_parse("zaid@example.org"), actor=dpo, **REQUEST)
    assert list(Ballot.objects.order_by("pk").values_list("subscriber", flat=True)) == [None, None]


def test_an_email_voter_is_found_only_by_someone_whose_area_holds_the_vote(world, dpo):
    from priorities.voting.models import EmailVoter
    from tests.priorities.voting.factories import open_vote

    subscriber(world, email="zaid@example.org")
    vote = open_vote(world)
    EmailVoter.objects.create(vote=vote, email=EMAIL, ward=world.daneshouse.wards.first())
    inspector_elsewhere = UserFactory(role=Role.INSPECTOR, force=world.force)  # no team, so no area
    assert not selectors.email_voters_matching(term=term_parse(EMAIL), viewer=inspector_elsewhere).exists()
    assert selectors.email_voters_matching(term=term_parse(EMAIL), viewer=dpo).exists()
