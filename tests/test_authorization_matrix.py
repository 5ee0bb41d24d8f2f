"""Every URL of the portal × every kind of user → the status they get.

The table is built from the URL configuration: a URL with no row fails the test, so no new page or
endpoint can escape review. Each row names the objects its URL points at, all in Daneshouse (East
Division); "pcso_other" (Fleetwood) and "chief_inspector_other" (West) are the outsiders who must get
a 403 or 404 for another area's objects, never the object.

Changing views: run `MATRIX_RECORD=/tmp/rows.txt pytest tests/test_authorization_matrix.py` to write the
observed rows, and review every changed status before pasting it here.
"""

import datetime
import io
import os

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from accounts import api_tokens
from accounts.roles import Role
from meetings.models import AgendaItem, MeetingStatus
from messaging import links
from messaging.members.services import signup as services_signup
from messaging.models import Delivery, InboundReply
from priorities import services as priority_services
from priorities.models import Action, ActionProposal, TaskingAgenda, TaskingItem
from priorities.services import open311 as services_open311
from priorities.voting import links as vote_links
from priorities.voting import services as voting_services
from reports.models import HighlightReturn, due_date_for
from surveys.models import Answer, Question, QuestionKind, Response, ResponseSource
from tests.conftest import build_world
from tests.factories import UserFactory
from tests.meetings.factories import MeetingAttachmentFactory, MeetingFactory
from tests.meetings.panel_factories import member as panel_member
from tests.meetings.panel_factories import panel
from tests.messaging.doorknock.factories import planned as planned_round
from tests.messaging.factories import alert, subscriber
from tests.priorities.factories import agreed, propose, raise_issue
from tests.support import module_data
from tests.surveys.factories import survey

pytestmark = pytest.mark.django_db

PEOPLE = [
    "anonymous",
    "resident",
    "pcso",
    "pcso_other",
    "sergeant",
    "inspector",
    "chief_inspector",
    "chief_inspector_other",
    "hq",
    "comms",
    "partner",
    "admin",
]


def _url_names() -> list[str]:
    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(part for part in (namespace, pattern.namespace) if part)
                yield from walk(pattern.url_patterns, inner)
            elif pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    # The Django admin has its own permission system (is_staff), tested by Django itself.
    return sorted({name for name in walk(get_resolver().url_patterns, "") if not name.startswith("admin:")})


class Objects:
    """The things URLs point at, made once for the module."""

    def __init__(self, world):
        self.world = world
        w = world
        self.meeting = MeetingFactory(neighbourhood=w.daneshouse, status=MeetingStatus.PUBLISHED, created_by=w.pcso)
        self.attachment = MeetingAttachmentFactory(
            meeting=self.meeting, uploaded_by=w.pcso, file=ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf")
        )
        self.issue = raise_issue(w)
        self.issue.photo.save("pothole.png", ContentFile(_png(), name="pothole.png"))
        self.priority = agreed(w)
        self.action = Action.objects.create(
            priority=self.priority,
            description="Speed checks on Burnley Road",
            owner_agency=w.partner.agency,
            due_date=datetime.date(2027, 1, 5),
        )
        self.alert = alert(w, author=w.pcso)
        self.appeal = alert(w, author=w.pcso, kind="appeal", title="Have you seen this van?")
        self.survey = survey(w, author=w.chief_inspector)
        self.open_survey = survey(w, author=w.chief_inspector, is_open_to_all=True, title="Open to all")
        self.section = self.survey.sections.get()
        self.question = self.section.questions.first()
        text_question = Question.objects.create(
            survey=self.survey, section=self.section, kind=QuestionKind.TEXT, text="Anything else?", position=9
        )
        response = Response.objects.create(
            survey=self.survey, source=ResponseSource.OPEN, submitted_at=timezone.now(), ward=self.ward
        )
        self.answer = Answer.objects.create(response=response, question=text_question, text="Dark alley by the school")
        period_end = datetime.date(2026, 10, 31)
        self.highlight_return = HighlightReturn.objects.create(
            division=w.east,
            period_start=datetime.date(2026, 10, 1),
            period_end=period_end,
            due_date=due_date_for(period_end),
        )
        self.member = subscriber(w, email="member@example.org", mobile="+447700900123")
        self.delivery = Delivery.objects.create(
            alert=self.alert, subscriber=self.member, channel="email", queued_at=timezone.now()
        )
        invitation = alert(w, author=w.chief_inspector, kind="survey", survey=self.survey)
        self.invitation = Delivery.objects.create(
            alert=invitation, subscriber=self.member, channel="email", queued_at=timezone.now()
        )
        self.open311_key, _ = services_open311.open311_api_key_issue(force=w.force, name="FixMyStreet", actor=w.hq)
        self.constable = UserFactory(role=Role.CONSTABLE, force=w.force, division=w.east)
        self.api_token, _ = api_tokens.api_token_create(user=w.pcso, name="Briefing script")
        self.panel = panel(w)
        self.panel_member = panel_member(self.panel)
        self.panel_meeting = MeetingFactory(
            neighbourhood=w.daneshouse, meeting_type="panel", status=MeetingStatus.PUBLISHED, created_by=w.pcso
        )
        self.agenda_item = AgendaItem.objects.create(meeting=self.panel_meeting, section="other", title="AOB")
        self.reply = InboundReply.objects.create(
            channel="email",
            sender="member@example.org",
            body="Was it on Elm Street?",
            provider="mailgun",
            provider_message_id="<1@example.org>",
            received_at=timezone.now(),
            subscriber=self.member,
            delivery=self.delivery,
            alert=self.alert,
            neighbourhood=w.daneshouse,
        )
        self.unmatched_reply = InboundReply.objects.create(
            channel="sms", sender="+447700900999", body="Who is this?", provider="notify-inbound",
            provider_message_id="x1", received_at=timezone.now(),
        )  # fmt: skip
        self.door_round = planned_round(w)
        self.door = self.door_round.doors.first()
        self.action_proposal = ActionProposal.objects.create(
            priority=self.priority, agency=w.partner.agency, proposed_by=w.partner, description="Skip collection",
            due_date=datetime.date(2027, 1, 5),
        )  # fmt: skip
        escalated = priority_services.priority_escalate(
            priority=agreed(w), actor=w.sergeant, forum="ttcg", reason="Needs the council's licensing team"
        )
        self.tasking_agenda = TaskingAgenda.objects.create(
            division=w.east, forum="ttcg", meets_on=datetime.date(2027, 1, 12), created_by=w.admin
        )
        self.tasking_item = TaskingItem.objects.create(
            agenda=self.tasking_agenda, escalation=escalated.escalations.get(), position=1
        )
        self.vote, self.published_vote = (self._vote(w, open_to_email_voters=True), self._vote(w))
        self.published_vote = voting_services.vote_close(vote=self.published_vote, actor=w.sergeant)
        self.published_option = self.published_vote.options.first()

    def _vote(self, w, open_to_email_voters=False):
        now = timezone.now()
        proposals = [propose(w, title="Speeding on Burnley Road"), propose(w, title="Litter in the park")]
        return voting_services.vote_create(
            actor=w.sergeant, neighbourhood=w.daneshouse, priorities=proposals, method="approve", opens_at=now,
            closes_at=now + datetime.timedelta(days=7), channels=["email"], open_to_email_voters=open_to_email_voters,
        )  # fmt: skip

    @property
    def ward(self):
        return self.world.daneshouse.wards.get()

    def kwargs(self, key: str) -> dict:
        w = self.world
        email_channel = self.member.channels.get(channel="email")
        return {
            "": {},
            "meeting": {"pk": self.meeting.pk},
            "meeting_uid": {"uid": self.meeting.uid},
            "attachment": {"pk": self.attachment.pk},
            "panel": {"pk": self.panel.pk},
            "panel_member": {"pk": self.panel_member.pk},
            "panel_meeting": {"pk": self.panel_meeting.pk},
            "agenda_item": {"pk": self.agenda_item.pk},
            "door_round": {"pk": self.door_round.pk},
            "door": {"pk": self.door_round.pk, "door_pk": self.door.pk},
            "offer": {"pk": self.action_proposal.pk},
            "tasking_agenda": {"pk": self.tasking_agenda.pk},
            "tasking_item": {"pk": self.tasking_item.pk},
            "vote": {"pk": self.vote.pk},
            "published_vote": {"pk": self.published_vote.pk},
            "vote_agree": {"pk": self.published_vote.pk, "priority_pk": self.published_option.priority_id},
            "vote_reference": {"reference": self.published_vote.reference},
            "open_vote_reference": {"reference": self.vote.reference},
            "ballot": {"token": vote_links.ballot_token(vote_id=self.vote.pk, subscriber_id=self.member.pk)},
            "issue": {"pk": self.issue.pk},
            "priority": {"pk": self.priority.pk},
            "priority_verb": {"pk": self.priority.pk, "verb": "start"},
            "priority_reference": {"reference": self.priority.reference},
            "follower": {"token": "00000000-0000-0000-0000-000000000000"},
            "action": {"pk": self.action.pk},
            "alert": {"pk": self.alert.pk},
            "alert_version": {"pk": self.alert.pk, "language": "pl"},
            "appeal": {"pk": self.appeal.pk},
            "figures": {"kind": "reach"},
            "scorecard_print": {"fmt": "print"},
            "division_print": {"code": w.east.code, "fmt": "print"},
            "area_print": {"code": w.daneshouse.code, "fmt": "print"},
            "survey": {"pk": self.survey.pk},
            "survey_export": {"pk": self.survey.pk, "fmt": "csv"},
            "survey_reference": {"reference": self.open_survey.reference},
            "survey_token": {"token": self.invitation.token},
            "section": {"pk": self.survey.pk, "section_pk": self.section.pk},
            "section_move": {"pk": self.survey.pk, "section_pk": self.section.pk, "direction": "down"},
            "question": {"pk": self.survey.pk, "question_pk": self.question.pk},
            "question_move": {"pk": self.survey.pk, "question_pk": self.question.pk, "direction": "down"},
            "answer": {"pk": self.survey.pk, "answer_pk": self.answer.pk},
            "return": {"pk": self.highlight_return.pk},
            "return_export": {"pk": self.highlight_return.pk, "fmt": "csv"},
            "rollup_export": {"fmt": "csv"},
            "neighbourhood": {"code": w.daneshouse.code},
            "ward": {"code": self.ward.code},
            "division": {"code": w.east.code},
            "delivery": {"token": self.delivery.token},
            "manage": {"token": links.manage_token(subscriber=self.member)},
            "manage_short": {"code": links.short_manage_code(subscriber=self.member)},
            "confirm_email": {"token": links.confirm_email_token(channel=email_channel)},
            "confirm_mobile": {"token": services_signup.confirm_mobile_token(subscriber=self.member)},
            "open311_key": {"pk": self.open311_key.pk},
            "api_token": {"pk": self.api_token.pk},
            "subject_export": {"fmt": "csv"},
            "open311_fmt": {"fmt": "json"},
            "open311_service": {"service_code": "speeding", "fmt": "json"},
            "open311_request": {"request_id": str(self.issue.reference), "fmt": "json"},
            "open311_token": {"token": str(self.issue.reference), "fmt": "json"},
            "police_force": {"force": w.force.slug},
            "police_neighbourhood": {"force": w.force.slug, "neighbourhood": w.daneshouse.code},
            "password_reset": {"uidb64": "MQ", "token": "set-password"},
            "reply": {"pk": self.reply.pk},
            "unmatched_reply": {"pk": self.unmatched_reply.pk},
        }[key]

    def person(self, name: str):
        return None if name == "anonymous" else getattr(self.world, name)

    def sessions(self) -> dict[str, str]:
        """One signed-in session per person, made once: signing in for every request doubles the run."""
        keys = {}
        for name in PEOPLE[1:]:
            client = Client()
            client.force_login(self.person(name))
            keys[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
        return keys

    def client_for(self, name: str) -> Client:
        # A fresh client on the stored session: a request that signs out or rotates the session
        # changes only this client's cookies, and its database change is rolled back.
        client = Client()
        if name != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = self.session_keys[name]
        return client


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "grey").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def objects(django_db_setup, django_db_blocker, tmp_path_factory):
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")), module_data(django_db_blocker):
        made = Objects(build_world())
        made.session_keys = made.sessions()
        yield made


# url name → (method, objects, statuses for PEOPLE in order). GET unless it only takes POST; a POST
# carries no data, so an allowed one answers 400 (or acts and redirects) and a refused one 403/404.
# Officer pages send the anonymous to sign in (302); API endpoints answer them 403.
# fmt: off
EXPECTED: dict[str, tuple[str, str, str]] = {
    "accounts:api-token": ("GET", "", "302 403 200 200 200 200 200 200 200 200 200 200"),
    "accounts:api-token-create": ("POST", "", "302 403 200 200 200 200 200 200 200 200 200 200"),
    "accounts:api-token-revoke": ("POST", "api_token", "302 403 302 404 404 404 404 404 404 404 404 404"),
    "accounts:api-token-revoke-all": ("POST", "", "302 403 302 302 302 302 302 302 302 302 302 302"),
    "dataprotection:audit-trail": ("GET", "", "302 403 403 403 403 403 403 403 403 403 403 200"),
    "dataprotection:subject-erase": ("POST", "", "302 403 403 403 403 403 403 403 403 403 403 400"),
    "dataprotection:subject-export": ("POST", "subject_export", "302 403 403 403 403 403 403 403 403 403 403 400"),
    "dataprotection:subjects": ("GET", "", "302 403 403 403 403 403 403 403 403 403 403 200"),
    "accounts:home": ("GET", "", "302 302 302 302 302 302 302 302 302 302 302 302"),
    "accounts:login": ("GET", "", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "accounts:login-verify": ("GET", "", "302 302 302 302 302 302 302 302 302 302 302 302"),
    "accounts:logout": ("POST", "", "302 302 302 302 302 302 302 302 302 302 302 302"),
    "accounts:password-change": ("GET", "", "302 200 200 200 200 200 200 200 200 200 200 200"),
    "accounts:password-change-done": ("GET", "", "302 200 200 200 200 200 200 200 200 200 200 200"),
    "accounts:password-reset": ("GET", "", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "accounts:password-reset-complete": ("GET", "", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "accounts:password-reset-confirm": ("GET", "password_reset", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "accounts:password-reset-done": ("GET", "", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "accounts:two-factor": ("GET", "", "302 403 200 200 200 200 200 200 200 200 200 200"),
    "analytics:division": ("GET", "division", "302 404 404 404 404 404 200 404 200 200 404 200"),
    "analytics:force": ("GET", "", "302 403 404 404 404 404 404 404 200 200 404 200"),
    "analytics:home": ("GET", "", "302 403 302 302 302 302 302 302 302 302 302 302"),
    "analytics:neighbourhood": ("GET", "neighbourhood", "302 404 200 404 200 200 200 404 200 200 200 200"),
    "api-action-detail": ("GET", "action", "403 403 200 404 200 200 200 404 200 200 200 200"),
    "api-vote-list": ("GET", "", "403 403 200 200 200 200 200 200 200 200 200 200"),
    "api-vote-detail": ("GET", "vote", "403 403 200 404 200 200 200 404 200 200 404 200"),
    "api-action-list": ("GET", "", "403 403 200 200 200 200 200 200 200 200 200 200"),
    "api-action-update": ("POST", "action", "403 403 400 404 400 400 403 404 403 403 400 400"),
    "api-alert-detail": ("GET", "alert", "403 403 200 404 200 200 200 404 200 200 404 200"),
    "api-alert-list": ("GET", "", "403 403 200 200 200 200 200 200 200 200 200 200"),
    "api-docs": ("GET", "", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "api-issue-detail": ("GET", "issue", "403 403 200 404 200 200 404 404 404 404 404 200"),
    "api-issue-list": ("GET", "", "403 403 200 200 200 200 200 200 200 200 200 200"),
    "api-meeting-cancel": ("POST", "meeting", "403 403 400 404 400 400 403 404 403 403 403 400"),
    "api-meeting-detail": ("GET", "meeting", "403 403 200 404 200 200 200 404 200 200 200 200"),
    "api-panel-detail": ("GET", "panel", "403 403 200 404 200 200 200 404 200 404 404 200"),
    "api-panel-list": ("GET", "", "403 403 200 200 200 200 200 200 200 200 200 200"),
    "api-meeting-list": ("GET", "", "403 403 200 200 200 200 200 200 200 200 200 200"),
    "api-meeting-publish": ("POST", "meeting", "403 403 400 404 400 400 403 404 403 403 403 400"),
    "api-neighbourhood-detail": ("GET", "neighbourhood", "403 403 200 404 200 200 200 404 200 200 200 200"),
    "api-neighbourhood-list": ("GET", "", "403 403 200 200 200 200 200 200 200 200 200 200"),
    "api-partner-board-detail": ("GET", "neighbourhood", "403 403 403 403 403 403 403 403 403 403 200 403"),
    "api-partner-board-list": ("GET", "", "403 403 403 403 403 403 403 403 403 403 200 403"),
    "api-priority-action-add": ("POST", "priority", "403 403 400 404 400 400 403 404 403 403 404 400"),
    "api-priority-agree": ("POST", "priority", "403 403 403 404 400 400 400 404 403 403 404 400"),
    "api-priority-de-escalate": ("POST", "priority", "403 403 403 404 400 400 400 404 403 403 404 400"),
    "api-priority-detail": ("GET", "priority", "403 403 200 404 200 200 200 404 200 200 404 200"),
    "api-priority-escalate": ("POST", "priority", "403 403 403 404 400 400 400 404 403 403 404 400"),
    "api-priority-list": ("GET", "", "403 403 200 200 200 200 200 200 200 200 200 200"),
    "api-priority-not-adopt": ("POST", "priority", "403 403 403 404 400 400 400 404 403 403 404 400"),
    "api-priority-reopen": ("POST", "priority", "403 403 403 404 400 400 400 404 403 403 404 400"),
    "api-priority-resolve": ("POST", "priority", "403 403 403 404 400 400 400 404 403 403 404 400"),
    "api-priority-sign-off": ("POST", "priority", "403 403 400 404 400 400 403 404 403 403 404 400"),
    "api-priority-start": ("POST", "priority", "403 403 200 404 200 200 403 404 403 403 404 200"),
    "api-return-detail": ("GET", "return", "403 403 403 403 403 404 200 404 200 403 403 200"),
    "api-return-list": ("GET", "", "403 403 403 403 403 200 200 200 200 403 403 200"),
    "api-schema": ("GET", "", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "api-subscriber-list": ("GET", "", "403 403 403 403 403 403 403 403 200 200 403 200"),
    "api-subscriber-wards": ("GET", "", "403 403 403 403 403 403 403 403 200 200 403 200"),
    "api-survey-detail": ("GET", "survey", "403 403 200 200 200 200 200 200 200 200 403 200"),
    "api-survey-list": ("GET", "", "403 403 200 200 200 200 200 200 200 200 403 200"),
    "api-survey-results": ("GET", "survey", "403 403 200 200 200 200 200 200 200 200 403 200"),
    "api-tasking-agenda-detail": ("GET", "tasking_agenda", "403 403 404 404 404 404 200 404 200 404 404 200"),
    "api-tasking-agenda-list": ("GET", "", "403 403 403 403 403 403 200 200 200 403 403 200"),
    "api-tasking-decide": ("POST", "tasking_item", "403 403 404 404 404 404 403 404 403 404 404 400"),
    "api-tasking-queue-list": ("GET", "", "403 403 403 403 403 403 200 200 200 403 403 200"),
    "api-ward-detail": ("GET", "ward", "403 403 200 404 200 200 200 404 200 200 200 200"),
    "api-ward-list": ("GET", "", "403 403 200 200 200 200 200 200 200 200 200 200"),
    "api-ward-locate": ("GET", "", "400 400 400 400 400 400 400 400 400 400 400 400"),
    "healthz": ("GET", "", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "meetings:agenda-prefill": ("POST", "panel_meeting", "302 404 302 404 302 302 403 404 403 403 403 302"),
    "meetings:agenda-item-add": ("POST", "panel_meeting", "302 404 400 404 400 400 403 404 403 403 403 400"),
    "meetings:agenda-item-edit": ("GET", "agenda_item", "302 404 200 404 200 200 403 404 403 403 403 200"),
    "meetings:agenda-item-move": ("POST", "agenda_item", "302 404 302 404 302 302 403 404 403 403 403 302"),
    "meetings:agenda-item-remove": ("POST", "agenda_item", "302 404 302 404 302 302 403 404 403 403 403 302"),
    "meetings:attachment-add": ("POST", "meeting", "302 404 400 404 400 400 403 404 403 403 403 400"),
    "meetings:attachment-download": ("GET", "attachment", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "meetings:calendar": ("GET", "", "302 403 200 200 200 200 200 200 200 200 200 200"),
    "meetings:cancel": ("GET", "meeting", "302 404 200 404 200 200 403 404 403 403 403 200"),
    "meetings:copy": ("GET", "meeting", "302 404 200 404 200 200 403 404 403 403 403 200"),
    "meetings:create": ("GET", "", "302 403 200 200 200 200 403 403 403 403 403 200"),
    "meetings:delete": ("POST", "meeting", "302 404 302 404 302 302 403 404 403 403 403 302"),
    "meetings:detail": ("GET", "meeting", "302 404 200 404 200 200 200 404 200 200 200 200"),
    "meetings:edit": ("GET", "meeting", "302 404 200 404 200 200 403 404 403 403 403 200"),
    "meetings:force-feed": ("GET", "", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "meetings:list": ("GET", "", "302 403 200 200 200 200 200 200 200 200 200 200"),
    "meetings:neighbourhood-feed": ("GET", "neighbourhood", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "meetings:neighbourhood-meetings": ("GET", "neighbourhood", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "meetings:pack": ("GET", "panel_meeting", "302 404 200 404 200 200 200 404 200 200 200 200"),
    "meetings:pack-pdf": ("GET", "panel_meeting", "302 404 200 404 200 200 200 404 200 200 200 200"),
    "meetings:panel-create": ("GET", "", "302 403 200 200 200 200 403 403 403 403 403 200"),
    "meetings:panel-detail": ("GET", "panel", "302 404 200 404 200 200 200 404 200 404 404 200"),
    "meetings:panel-edit": ("GET", "panel", "302 404 200 404 200 200 403 404 403 404 404 200"),
    "meetings:panel-list": ("GET", "", "302 403 200 200 200 200 200 200 200 200 200 200"),
    "meetings:panel-member-add": ("GET", "panel", "302 404 200 404 200 200 403 404 403 404 404 200"),
    "meetings:panel-member-edit": ("GET", "panel_member", "302 404 200 404 200 200 403 404 403 404 404 200"),
    "meetings:public-panel": ("GET", "neighbourhood", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "meetings:public-detail": ("GET", "meeting_uid", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "meetings:public-ics": ("GET", "meeting_uid", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "meetings:publish": ("POST", "meeting", "302 404 302 404 302 302 403 404 403 403 403 302"),
    "meetings:publish-series": ("POST", "meeting", "302 404 404 404 404 404 403 404 403 403 403 404"),
    "meetings:record-outcome": ("GET", "meeting", "302 404 200 404 200 200 403 404 403 403 403 200"),
    "meetings:ward-feed": ("GET", "ward", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "meetings:ward-meetings": ("GET", "ward", "200 200 200 200 200 200 200 200 200 200 200 200"),
    # From this machine (the test client's 127.0.0.1), as Prometheus scrapes it; elsewhere see test_metrics.py.
    "metrics": ("GET", "", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "messaging:alert-approve": ("POST", "alert", "302 404 302 404 403 403 403 404 403 302 404 302"),
    "messaging:alert-audience": ("GET", "", "302 403 200 200 200 200 200 200 200 200 200 200"),
    "messaging:alert-cancel": ("POST", "alert", "302 404 302 404 302 302 302 404 302 302 404 302"),
    "messaging:alert-create": ("GET", "", "302 403 200 200 200 200 200 200 200 200 200 200"),
    "messaging:alert-detail": ("GET", "alert", "302 404 200 404 200 200 200 404 200 200 404 200"),
    "messaging:alert-edit": ("GET", "alert", "302 404 200 404 403 403 403 404 403 403 404 403"),
    "messaging:alert-list": ("GET", "", "302 403 200 200 200 200 200 200 200 200 200 200"),
    "messaging:alert-progress": ("GET", "alert", "302 404 200 404 200 200 200 404 200 200 404 200"),
    "messaging:alert-version": ("GET", "alert_version", "302 404 200 404 403 403 403 404 403 403 404 403"),
    "messaging:alert-submit": ("POST", "alert", "302 404 302 404 403 403 403 404 403 403 404 403"),
    "messaging:click": ("GET", "delivery", "400 400 400 400 400 400 400 400 400 400 400 400"),
    "messaging:confirm-email": ("GET", "confirm_email", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "messaging:confirm-email-resend": ("POST", "confirm_email", "410 410 410 410 410 410 410 410 410 410 410 410"),
    "messaging:confirm-mobile": ("GET", "confirm_mobile", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "messaging:confirm-mobile-resend": ("POST", "confirm_mobile", "302 302 302 302 302 302 302 302 302 302 302 302"),
    "messaging:feedback": ("GET", "delivery", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "messaging:doorknock-door": ("POST", "door", "302 404 302 404 302 302 404 404 404 404 404 404"),
    "messaging:doorknock-finish": ("POST", "door_round", "302 404 302 404 302 302 404 404 404 404 404 404"),
    "messaging:doorknock-import": ("GET", "", "302 403 200 200 200 200 403 403 200 403 403 200"),
    "messaging:doorknock-next": ("POST", "door_round", "302 404 302 404 302 302 404 404 404 404 404 404"),
    "messaging:doorknock-plan": ("GET", "", "302 403 200 200 200 200 403 403 403 403 403 403"),
    "messaging:doorknock-round": ("GET", "door_round", "302 404 200 404 200 200 404 404 404 404 404 404"),
    "messaging:doorknock-rounds": ("GET", "", "302 403 200 200 200 200 403 403 403 403 403 403"),
    "messaging:field-signup": ("GET", "", "302 403 200 200 200 200 403 403 403 403 403 200"),
    "messaging:manage": ("GET", "manage", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "messaging:manage-controls": ("POST", "manage", "400 400 400 400 400 400 400 400 400 400 400 400"),
    "messaging:manage-download": ("POST", "manage", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "messaging:manage-erase": ("GET", "manage", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "messaging:manage-request": ("GET", "", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "messaging:manage-resend": ("POST", "manage", "302 302 302 302 302 302 302 302 302 302 302 302"),
    "messaging:manage-renew": ("POST", "manage", "200 200 200 429 429 429 429 429 429 429 429 429"),
    "messaging:manage-rotate": ("POST", "manage", "302 302 302 302 302 302 302 302 302 302 302 302"),
    "messaging:manage-short": ("GET", "manage_short", "302 302 302 302 302 302 302 302 302 302 302 302"),
    "messaging:manage-short-renew": ("POST", "manage_short", "200 200 200 429 429 429 429 429 429 429 429 429"),
    "messaging:manage-stop": ("POST", "manage", "302 302 302 302 302 302 302 302 302 302 302 302"),
    "messaging:inbox": ("GET", "", "302 403 200 200 200 200 403 403 403 200 403 200"),
    "messaging:inbox-reply": ("GET", "reply", "302 404 200 404 200 200 404 404 404 404 404 200"),
    "messaging:inbox-reply-answer": ("POST", "reply", "302 404 400 404 400 400 404 404 404 404 404 400"),
    "messaging:inbox-reply-close": ("POST", "unmatched_reply", "302 404 404 404 404 404 404 404 404 302 404 302"),
    "messaging:inbox-team": ("GET", "neighbourhood", "302 404 200 404 200 200 404 404 404 404 404 200"),
    "messaging:inbox-unmatched": ("GET", "", "302 403 403 403 403 403 403 403 403 200 403 200"),
    "messaging:mailgun-inbound": ("POST", "", "403 403 403 403 403 403 403 403 403 403 403 403"),
    "messaging:measures": ("GET", "", "302 403 200 200 200 200 200 200 200 200 403 200"),
    "messaging:notify-receipt": ("POST", "", "401 401 401 401 401 401 401 401 401 401 401 401"),
    "messaging:open": ("GET", "delivery", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "messaging:outbox": ("GET", "", "302 403 403 403 403 403 403 403 200 200 403 200"),
    "messaging:signup": ("GET", "", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "messaging:signup-done": ("GET", "", "302 302 302 302 302 302 302 302 302 302 302 302"),
    "messaging:sms-inbound": ("POST", "", "401 401 401 401 401 401 401 401 401 401 401 401"),
    "messaging:unsubscribe": ("GET", "delivery", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "messaging:voice-receipt": ("POST", "", "401 401 401 401 401 401 401 401 401 401 401 401"),
    "neighbourhoods:detail": ("GET", "neighbourhood", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "neighbourhoods:detail-geojson": ("GET", "neighbourhood", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "neighbourhoods:edit": ("GET", "neighbourhood", "302 404 200 404 200 200 403 404 403 403 403 200"),
    "neighbourhoods:locate": ("GET", "", "400 400 400 400 400 400 400 400 400 400 400 400"),
    "neighbourhoods:officer-geojson": ("GET", "", "302 403 200 200 200 200 200 200 200 200 200 200"),
    "neighbourhoods:officer-home": ("GET", "", "302 403 200 200 200 200 200 200 200 200 200 200"),
    "neighbourhoods:public-home": ("GET", "", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "neighbourhoods:wards-geojson": ("GET", "", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "open311:discovery": ("GET", "open311_fmt", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "open311:request": ("GET", "open311_request", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "open311:requests": ("GET", "open311_fmt", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "open311:service": ("GET", "open311_service", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "open311:services": ("GET", "open311_fmt", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "open311:token": ("GET", "open311_token", "404 404 404 404 404 404 404 404 404 404 404 404"),
    "policeuk:boundary": ("GET", "police_neighbourhood", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "policeuk:events": ("GET", "police_neighbourhood", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "policeuk:force": ("GET", "police_force", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "policeuk:force-people": ("GET", "police_force", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "policeuk:forces": ("GET", "", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "policeuk:locate-neighbourhood": ("GET", "", "400 400 400 400 400 400 400 400 400 400 400 400"),
    "policeuk:neighbourhood": ("GET", "police_neighbourhood", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "policeuk:neighbourhoods": ("GET", "police_force", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "policeuk:people": ("GET", "police_neighbourhood", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "policeuk:priorities": ("GET", "police_neighbourhood", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "priorities:action-offer-accept": ("POST", "offer", "302 404 302 404 302 302 404 404 404 404 404 302"),
    "priorities:action-offer-decline": ("POST", "offer", "302 404 302 404 302 302 404 404 404 404 404 302"),
    "priorities:action-offers": ("GET", "neighbourhood", "302 404 200 404 200 200 404 404 404 404 404 200"),
    "priorities:partner-board": ("GET", "neighbourhood", "302 404 404 404 404 404 404 404 404 404 200 404"),
    "priorities:partner-board-index": ("GET", "", "302 404 404 404 404 404 404 404 404 404 302 404"),
    "priorities:partner-offer-action": ("GET", "priority", "302 404 404 404 404 404 404 404 404 404 200 404"),
    "priorities:partner-raise-issue": ("GET", "neighbourhood", "302 404 404 404 404 404 404 404 404 404 200 404"),
    "priorities:tasking": ("GET", "", "302 403 403 403 403 403 302 302 200 403 403 200"),
    "priorities:tasking-queue": ("GET", "division", "302 404 404 404 404 404 200 404 200 404 404 200"),
    "priorities:tasking-agenda": ("GET", "tasking_agenda", "302 404 404 404 404 404 200 404 200 404 404 200"),
    "priorities:tasking-agenda-create": ("POST", "division", "302 404 404 404 404 404 403 404 403 404 404 200"),
    "priorities:tasking-agenda-fill": ("POST", "tasking_agenda", "302 404 404 404 404 404 403 404 403 404 404 302"),
    "priorities:tasking-decide": ("POST", "tasking_item", "302 404 404 404 404 404 403 404 403 404 404 200"),
    "priorities:tasking-pack": ("GET", "tasking_agenda", "302 404 404 404 404 404 200 404 200 404 404 200"),
    "priorities:tasking-pack-pdf": ("GET", "tasking_agenda", "302 404 404 404 404 404 200 404 200 404 404 200"),
    "priorities:action-add": ("GET", "priority", "302 404 200 404 200 200 403 404 403 403 404 200"),
    "priorities:action-update": ("GET", "action", "302 404 200 404 200 200 403 404 403 403 200 200"),
    "priorities:board": ("GET", "neighbourhood", "302 404 200 404 200 200 200 404 200 200 404 200"),
    "priorities:briefing": ("GET", "", "302 403 302 302 302 200 302 302 200 200 200 200"),
    "priorities:briefing-division": ("GET", "division", "302 404 404 404 404 404 200 404 200 200 404 200"),
    "priorities:briefing-neighbourhood": ("GET", "neighbourhood", "302 404 200 404 200 200 200 404 200 200 404 200"),
    "priorities:detail": ("GET", "priority", "302 404 200 404 200 200 200 404 200 200 404 200"),
    "priorities:edit": ("GET", "priority", "302 404 200 404 200 200 403 404 403 403 404 200"),
    "priorities:issue-close": ("POST", "issue", "302 404 302 404 302 302 404 404 404 404 404 302"),
    "priorities:issue-detail": ("GET", "issue", "302 404 200 404 200 200 404 404 404 404 404 200"),
    "priorities:issue-merge": ("POST", "issue", "302 404 302 404 302 302 404 404 404 404 404 302"),
    "priorities:issue-photo": ("GET", "issue", "302 404 200 404 200 200 404 404 404 404 404 200"),
    "priorities:issue-recategorise": ("POST", "issue", "302 404 302 404 302 302 404 404 404 404 404 302"),
    "priorities:issue-received": ("GET", "", "302 302 302 302 302 302 302 302 302 302 302 302"),
    "priorities:log-issue": ("GET", "", "302 403 200 200 200 200 403 403 403 403 403 200"),
    "priorities:open311-key-revoke": ("GET", "open311_key", "302 403 403 403 403 403 403 403 200 403 403 200"),
    "priorities:open311-keys": ("GET", "", "302 403 403 403 403 403 403 403 200 403 403 200"),
    "priorities:partner-actions": ("GET", "", "302 403 404 404 404 404 404 404 404 404 200 404"),
    "priorities:propose": ("POST", "neighbourhood", "302 404 200 404 200 200 404 404 404 404 404 200"),
    "priorities:public-detail": ("GET", "priority_reference", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "priorities:public-follow": ("POST", "priority_reference", "400 400 400 400 400 400 400 400 400 400 400 400"),
    "priorities:public-list": ("GET", "neighbourhood", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "priorities:public-unfollow": ("GET", "follower", "404 404 404 404 404 404 404 404 404 404 404 404"),
    "priorities:public-follow-confirm": ("GET", "follower", "404 404 404 404 404 404 404 404 404 404 404 404"),
    "priorities:ballot": ("GET", "ballot", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "priorities:vote-result": ("GET", "vote_reference", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "priorities:vote-ask-ballot": ("GET", "open_vote_reference", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "priorities:public-votes": ("GET", "neighbourhood", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "priorities:vote-list": ("GET", "neighbourhood", "302 404 200 404 200 200 200 404 200 200 404 200"),
    "priorities:vote-create": ("GET", "neighbourhood", "302 404 403 404 200 200 200 404 403 403 404 200"),
    "priorities:vote-detail": ("GET", "vote", "302 404 200 404 200 200 200 404 200 200 404 200"),
    "priorities:vote-close": ("POST", "vote", "302 404 403 404 302 302 302 404 403 403 404 302"),
    "priorities:vote-agree": ("POST", "vote_agree", "302 404 403 404 400 400 400 404 403 403 404 400"),
    "priorities:vote-sign-off": ("POST", "published_vote", "302 404 404 404 404 404 404 404 404 404 404 404"),
    "priorities:sign-off-poll-create": ("GET", "priority", "302 404 200 404 200 200 403 404 403 403 404 200"),
    "priorities:raise-issue": ("GET", "", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "priorities:transition": ("GET", "priority_verb", "302 404 200 404 200 200 403 404 403 403 404 200"),
    "priorities:triage": ("GET", "neighbourhood", "302 404 200 404 200 200 404 404 404 404 404 200"),
    "readyz": ("GET", "", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "reports:delegates": ("POST", "return", "302 404 404 404 404 404 302 404 403 404 404 403"),
    "reports:detail": ("GET", "return", "302 404 404 404 404 404 200 404 200 404 404 200"),
    "reports:export": ("GET", "return_export", "302 404 404 404 404 404 200 404 200 404 404 200"),
    "reports:list": ("GET", "", "302 403 403 403 403 200 200 200 200 403 403 200"),
    "reports:narrative": ("GET", "return", "302 404 404 404 404 404 200 404 403 404 404 403"),
    "reports:pin": ("POST", "return", "302 404 404 404 404 404 302 404 403 404 404 403"),
    "reports:print": ("GET", "return", "302 404 404 404 404 404 200 404 200 404 404 200"),
    "reports:reopen": ("GET", "return", "302 404 404 404 404 404 403 404 302 404 404 302"),
    "reports:rollup": ("GET", "", "302 403 403 403 403 403 403 403 200 403 403 200"),
    "reports:rollup-export": ("GET", "rollup_export", "302 403 403 403 403 403 403 403 200 403 403 200"),
    "reports:scorecard-appeal-outcome": ("GET", "appeal", "302 403 200 404 200 200 403 404 403 200 403 200"),
    "reports:scorecard-appeals": ("GET", "", "302 403 200 200 200 200 200 200 200 200 403 200"),
    "reports:scorecard": ("GET", "", "302 403 302 302 302 302 302 302 302 302 403 302"),
    "reports:scorecard-division": ("GET", "division", "302 404 404 404 404 404 200 404 200 200 404 200"),
    "reports:scorecard-division-export": ("GET", "division_print", "302 404 404 404 404 404 200 404 200 200 404 200"),
    "reports:scorecard-force": ("GET", "", "302 404 404 404 404 404 404 404 200 200 404 200"),
    "reports:scorecard-force-export": ("GET", "scorecard_print", "302 404 404 404 404 404 404 404 200 200 404 200"),
    "reports:scorecard-neighbourhood": ("GET", "neighbourhood", "302 404 200 404 200 200 200 404 200 200 404 200"),
    "reports:scorecard-neighbourhood-export": ("GET", "area_print", "302 404 200 404 200 200 200 404 200 200 404 200"),
    "reports:scorecard-figures": ("GET", "figures", "302 403 200 200 200 200 200 200 200 200 403 200"),
    "reports:scorecard-import": ("GET", "figures", "302 403 200 200 200 200 403 403 403 200 403 200"),
    "reports:scorecard-import-platform": ("GET", "", "302 403 200 200 200 200 403 403 403 200 403 200"),
    "reports:start": ("GET", "", "302 403 403 403 403 403 200 200 200 403 403 200"),
    "reports:status": ("GET", "", "302 403 403 403 403 403 403 403 200 403 403 200"),
    "reports:submit": ("GET", "return", "302 404 404 404 404 404 200 404 403 404 404 403"),
    "set_language": ("POST", "", "302 302 302 302 302 302 302 302 302 302 302 302"),
    "surveys:close-survey": ("POST", "survey", "302 404 403 403 403 403 302 403 302 302 404 302"),
    "surveys:create": ("GET", "", "302 403 403 403 200 200 200 200 200 200 403 200"),
    "surveys:detail": ("GET", "survey", "302 404 200 200 200 200 200 200 200 200 404 200"),
    "surveys:edit": ("GET", "survey", "302 404 403 403 403 403 302 403 302 302 404 302"),
    "surveys:export": ("GET", "survey_export", "302 404 200 200 200 200 200 200 200 200 404 200"),
    "surveys:list": ("GET", "", "302 403 200 200 200 200 200 200 200 200 403 200"),
    "surveys:open": ("GET", "survey_reference", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "surveys:open-survey": ("POST", "survey", "302 404 403 403 403 403 302 403 302 302 404 302"),
    "surveys:question-add": ("GET", "survey", "302 404 403 403 403 403 302 403 302 302 404 302"),
    "surveys:question-add-from-bank": ("POST", "survey", "302 404 403 403 403 403 200 403 200 200 404 200"),
    "surveys:question-delete": ("POST", "question", "302 404 403 403 403 403 302 403 302 302 404 302"),
    "surveys:question-edit": ("GET", "question", "302 404 403 403 403 403 302 403 302 302 404 302"),
    "surveys:question-translations": ("GET", "question", "302 404 403 403 403 403 200 403 200 200 404 200"),
    "surveys:question-move": ("POST", "question_move", "302 404 403 403 403 403 302 403 302 302 404 302"),
    "surveys:representation": ("GET", "", "302 403 200 200 200 200 200 200 200 200 403 200"),
    "surveys:respond": ("GET", "survey_token", "200 200 200 200 200 200 200 200 200 200 200 200"),
    "surveys:results": ("GET", "survey", "302 404 200 200 200 200 200 200 200 200 404 200"),
    "surveys:results-weighted": ("GET", "survey", "302 404 200 200 200 200 200 200 200 200 404 200"),
    "surveys:section-add": ("POST", "survey", "302 404 403 403 403 403 200 403 200 200 404 200"),
    "surveys:section-delete": ("POST", "section", "302 404 403 403 403 403 302 403 302 302 404 302"),
    "surveys:section-edit": ("GET", "section", "302 404 403 403 403 403 302 403 302 302 404 302"),
    "surveys:section-move": ("POST", "section_move", "302 404 403 403 403 403 302 403 302 302 404 302"),
    "surveys:send": ("GET", "survey", "302 404 403 403 403 403 200 403 200 200 404 200"),
    "surveys:translations": ("GET", "survey", "302 404 403 403 403 403 200 403 200 200 404 200"),
    "surveys:text-answer-issue": ("GET", "answer", "302 404 200 404 200 200 403 404 403 403 404 200"),
    "surveys:text-answers": ("GET", "survey", "302 404 200 200 200 200 200 200 200 200 404 200"),
    "surveys:thanks": ("GET", "survey_reference", "404 404 404 404 404 404 404 404 404 404 404 404"),
    "surveys:trends": ("GET", "", "302 403 200 200 200 200 200 200 200 200 403 200"),
}
# fmt: on


def _observe(objects, name: str, method: str, key: str) -> str:
    path = reverse(name, kwargs=objects.kwargs(key))
    statuses = []
    for person in PEOPLE:
        client = objects.client_for(person)
        # Each request runs in a savepoint that is rolled back: a POST that is allowed changes
        # nothing the next person sees.
        with transaction.atomic():
            if method == "POST" and name.startswith("api-"):
                response = client.post(path, data={}, content_type="application/json")
            else:
                response = getattr(client, method.lower())(path)
            transaction.set_rollback(True)
        statuses.append(str(response.status_code))
    return " ".join(statuses)


def test_every_url_has_a_row():
    missing = sorted(set(_url_names()) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(_url_names()))
    assert not missing and not stale, f"URLs without a row: {missing}; rows without a URL: {stale}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_person_gets_the_expected_status(objects, name):
    method, key, expected = EXPECTED[name]
    observed = _observe(objects, name, method, key)
    if os.environ.get("MATRIX_RECORD"):
        with open(os.environ["MATRIX_RECORD"], "a") as record:
            record.write(f'    "{name}": ("{method}", "{key}", "{observed}"),\n')
        return
    differences = [
        f"{person}: expected {want}, got {got}"
        for person, want, got in zip(PEOPLE, expected.split(), observed.split(), strict=True)
        if want != got
    ]
    assert not differences, differences


# Objects that belong to one neighbourhood or division (surveys belong to the whole force).
AREA_OBJECTS = {
    "panel", "panel_member", "panel_meeting", "agenda_item", "offer", "tasking_agenda", "tasking_item",
    "vote", "published_vote", "vote_agree",
    "meeting", "issue", "priority", "priority_verb", "action", "alert", "alert_version", "appeal", "return",
    "return_export", "division_print", "area_print", "reply", "door_round", "door",
}  # fmt: skip
OUTSIDERS = ("pcso_other", "chief_inspector_other")


def test_no_outsider_reaches_another_areas_object():
    """No IDOR: outside the public pages, another area's object is a 403 or 404, never the object."""
    leaks = []
    for name, (_, key, expected) in EXPECTED.items():
        statuses = dict(zip(PEOPLE, expected.split(), strict=True))
        public = statuses["anonymous"] not in ("302", "403")
        if key in AREA_OBJECTS and not public:
            leaks += [f"{name}: {who} {statuses[who]}" for who in OUTSIDERS if statuses[who] not in ("403", "404")]
    assert not leaks, leaks
