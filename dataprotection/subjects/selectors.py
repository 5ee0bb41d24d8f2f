"""Finding everything the portal holds about one person, by email address or telephone number.

One function per table family, each one query (or a fixed few with prefetches), so a search runs
the same number of queries however much is found. docs/data-protection.md lists the tables; every
one that holds an address or a number is searched here.
"""

import hashlib
import hmac
from dataclasses import dataclass

import phonenumbers
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from phonenumbers import NumberParseException, PhoneNumberFormat

from accounts.models import ApiToken
from accounts.policy import scope_for
from dataprotection.models import SubjectRequest, TermKind
from meetings.panels.models import PanelMember
from messaging.members.phone import mobile_masked
from messaging.models import Delivery, Interest, OutboxMessage, ReceiptEvent, Subscriber, SubscriberChannel
from neighbourhoods.models import TeamMembership
from pact_portal.privacy import email_masked
from priorities.models import Follower, Issue, Open311Request
from priorities.voting.models import EmailVoter
from surveys.models import Answer, Response

TERM_REQUIRED = _("Enter the email address or telephone number of the person the request is about.")
NOT_AN_EMAIL = _("That is not an email address. Check it has one @ and a domain, like name@example.org.")
NOT_A_NUMBER = _("That is not a telephone number. Enter a UK number, like 01282 425001 or 07700 900123.")
# Typed as staff wrote them on a register or as an Open311 app sent them: spaces, dashes, brackets.
PHONE_PUNCTUATION = (" ", "-", "(", ")", "+", ".")


@dataclass(frozen=True)
class Term:
    """What was searched for: an email in lower case, or a number in E.164 with its national
    significant number (the digits after 0 or +44) for matching numbers stored as typed."""

    kind: str
    value: str
    national: str = ""

    @property
    def masked(self) -> str:
        return email_masked(self.value) if self.kind == TermKind.EMAIL else mobile_masked(self.value)

    @property
    def digest(self) -> str:
        """Keyed, so the audit record cannot be reversed by hashing a list of addresses."""
        key = settings.SECRET_KEY.encode()
        return hmac.new(key, f"{self.kind}:{self.value}".encode(), hashlib.sha256).hexdigest()


def term_parse(raw: str) -> Term:
    text = (raw or "").strip()
    if not text:
        raise ValidationError(TERM_REQUIRED, code="required")
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError as error:
            raise ValidationError(NOT_AN_EMAIL, code="invalid") from error
        return Term(kind=TermKind.EMAIL, value=text.lower())
    try:
        number = phonenumbers.parse(text, "GB")
    except NumberParseException as error:
        raise ValidationError(NOT_A_NUMBER, code="invalid") from error
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(NOT_A_NUMBER, code="invalid")
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return Term(kind=TermKind.PHONE, value=e164, national=str(number.national_number))


def _digits(field: str):
    expression = F(field)
    for mark in PHONE_PUNCTUATION:
        expression = Replace(expression, Value(mark), Value(""))
    return expression


def _typed_number_matches(queryset: QuerySet, field: str, term: Term) -> QuerySet:
    """Rows whose free-text number field, stripped of punctuation, ends with the national number:
    "01282 425001", "+44 1282 425001" and "(01282) 425-001" all match 01282425001."""
    return queryset.exclude(**{field: ""}).alias(_digits=_digits(field)).filter(_digits__endswith=term.national)


def _in_area(queryset: QuerySet, *, viewer, via: str) -> QuerySet:
    lookup = scope_for(viewer).neighbourhood_filter(via=via)
    return queryset.none() if lookup is None else queryset.filter(**lookup)


# --- In the Know ----------------------------------------------------------------------------------


def subscribers_matching(*, term: Term, viewer) -> list[Subscriber]:
    """Members with a channel at this address (erased ones keep none), with their channels,
    interests, deliveries and feedback (four queries)."""
    channels = SubscriberChannel.objects.filter(address=term.value)
    members = Subscriber.objects.filter(pk__in=channels.values("subscriber_id"))
    members = _in_area(members, viewer=viewer, via="ward__neighbourhood__")
    return list(
        members.select_related("ward", "consent_taken_by")
        .defer("ward__boundary")
        .prefetch_related(
            Prefetch("channels", queryset=SubscriberChannel.objects.order_by("channel")),
            Prefetch("interests", queryset=Interest.objects.order_by("position", "name")),
            Prefetch(
                "deliveries",
                queryset=Delivery.objects.select_related("alert", "feedback").order_by("queued_at", "pk"),
            ),
        )
        .order_by("pk")
    )


def survey_responses_of(*, subscribers: list[Subscriber]) -> list[Response]:
    """Responses still linked to these members (an invited member's link stops a second answer),
    with their answers (two queries)."""
    if not subscribers:
        return []
    answers = Answer.objects.select_related("question", "option").order_by("question_id", "pk")
    return list(
        Response.objects.filter(subscriber__in=subscribers)
        .select_related("survey")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("submitted_at", "pk")
    )


def inbound_texts_matching(*, term: Term) -> QuerySet[ReceiptEvent]:
    if term.kind != TermKind.PHONE:
        return ReceiptEvent.objects.none()
    return ReceiptEvent.objects.filter(payload__source_number=term.value).order_by("received_at", "pk")


def outbox_matching(*, term: Term) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(to__iexact=term.value).order_by("created_at", "pk")


# --- accounts -------------------------------------------------------------------------------------


def users_matching(*, term: Term, viewer) -> list:
    """Accounts with this email, in the viewer's force (or none), with their team memberships,
    API tokens and second factor (four queries)."""
    if term.kind != TermKind.EMAIL:
        return []
    users = get_user_model().objects.filter(email__iexact=term.value)
    force_ids = scope_for(viewer).force_ids
    if force_ids is not None:
        users = users.filter(Q(force_id__in=force_ids) | Q(force__isnull=True))
    return list(
        users.select_related("force", "division", "agency")
        .prefetch_related(
            Prefetch("memberships", queryset=TeamMembership.objects.select_related("neighbourhood")),
            Prefetch("auth_token_set", queryset=ApiToken.objects.order_by("created")),
            Prefetch("totpdevice_set", queryset=TOTPDevice.objects.filter(confirmed=True)),
        )
        .order_by("pk")
    )


def sign_in_records_matching(*, term: Term) -> dict[str, list]:
    """django-axes' lockout records, which name the account tried (three queries)."""
    if term.kind != TermKind.EMAIL:
        return {"attempts": [], "failures": [], "logins": []}
    return {
        "attempts": list(AccessAttempt.objects.filter(username__iexact=term.value).order_by("attempt_time")),
        "failures": list(AccessFailureLog.objects.filter(username__iexact=term.value).order_by("attempt_time")),
        "logins": list(AccessLog.objects.filter(username__iexact=term.value).order_by("attempt_time")),
    }


# --- issues, Open311 and followers ----------------------------------------------------------------


def issues_matching(*, term: Term, viewer) -> QuerySet[Issue]:
    if term.kind != TermKind.EMAIL:
        return Issue.objects.none()
    issues = Issue.objects.filter(contact_email__iexact=term.value)
    return _in_area(issues, viewer=viewer, via="neighbourhood__").select_related("neighbourhood").order_by("created_at")


def open311_matching(*, term: Term, viewer) -> QuerySet[Open311Request]:
    if term.kind != TermKind.PHONE:
        return Open311Request.objects.none()
    rows = _typed_number_matches(Open311Request.objects.all(), "phone", term)
    rows = _in_area(rows, viewer=viewer, via="issue__neighbourhood__")
    return rows.select_related("issue__neighbourhood", "api_key").order_by("created_at")


def followers_matching(*, term: Term, viewer) -> QuerySet[Follower]:
    if term.kind != TermKind.EMAIL:
        return Follower.objects.none()
    rows = _in_area(Follower.objects.filter(email__iexact=term.value), viewer=viewer, via="priority__neighbourhood__")
    return rows.select_related("priority").order_by("created_at")


# --- residents' votes ----------------------------------------------------------------------------


def email_voters_matching(*, term: Term, viewer) -> QuerySet[EmailVoter]:
    """Ballots asked for by email on votes open to the area (the address is kept to resend the
    link and refuse a second ballot, until the ballots are deleted)."""
    if term.kind != TermKind.EMAIL:
        return EmailVoter.objects.none()
    rows = _in_area(EmailVoter.objects.filter(email__iexact=term.value), viewer=viewer, via="vote__neighbourhood__")
    return rows.select_related("vote__neighbourhood", "ward").order_by("created_at", "pk")


# --- PACT panel registers -------------------------------------------------------------------------


def panel_members_matching(*, term: Term, viewer) -> QuerySet[PanelMember]:
    if term.kind == TermKind.EMAIL:
        rows = PanelMember.objects.filter(email__iexact=term.value)
    else:
        rows = _typed_number_matches(PanelMember.objects.all(), "telephone", term)
    in_area = _in_area(PanelMember.objects.all(), viewer=viewer, via="panel__neighbourhoods__")
    return (
        rows.filter(pk__in=in_area.values("pk"))
        .select_related("panel")
        .prefetch_related("attendance__meeting")
        .order_by("panel__name", "pk")
    )


# --- the record of requests -----------------------------------------------------------------------


def subject_requests_recent(*, limit: int = 50) -> QuerySet[SubjectRequest]:
    return SubjectRequest.objects.select_related("actor").order_by("-created_at", "-pk")[:limit]


def subject_requests_about(*, term: Term) -> QuerySet[SubjectRequest]:
    """Every earlier request about the same address or number, found by its keyed digest."""
    return SubjectRequest.objects.filter(term_digest=term.digest).select_related("actor").order_by("-created_at")
