"""Answering a subject request: recording each search and export, and erasing a person.

Erasure here anonymises in place and keeps the aggregates: a member's channel rows stay with
their dates and a placeholder address (the retention job's `subscriber_anonymise`), so every
return already built, and every return built later for a past month, counts the same. The
resident's own "erase my data" (messaging `subscriber_erase`) deletes the channel rows instead.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken
from dataprotection.models import RequestAction, SubjectRequest, TermKind
from dataprotection.subjects import selectors
from dataprotection.subjects.selectors import Term
from meetings.panels.models import PanelMember, PublicDisplay
from messaging.members.services.manage import INBOUND_PROVIDER
from messaging.models import ChannelStatus, ReceiptEvent, SubscriberChannel
from pact_portal.retention.services import subscriber_anonymise
from priorities.models import Follower, Open311Request
from priorities.voting.models import Ballot, EmailVoter
from surveys.models import Response

ERASED_NAME = "Erased"
CANNOT_ERASE_SELF = _("This address is your own account: another officer must erase it.")


@transaction.atomic
def subject_request_record(
    *, actor, action: str, term: Term, basis: str, reference: str, counts: dict[str, int]
) -> SubjectRequest:
    """The audit record of one search, export or erasure (docs/data-protection.md)."""
    request = SubjectRequest(
        actor=actor,
        action=action,
        basis=basis,
        reference=reference.strip(),
        term_kind=term.kind,
        term_masked=term.masked,
        term_digest=term.digest,
        counts=counts,
    )
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def subject_erase(*, term: Term, actor, basis: str, reference: str) -> SubjectRequest:
    """Erase or anonymise everything held about the person at `term` in the actor's area, and
    record it. All or nothing: a failure part-way leaves every row as it was."""
    if term.kind == TermKind.EMAIL and term.value == actor.email.lower():
        raise ValidationError({"term": CANNOT_ERASE_SELF})
    now = timezone.now()
    counts = {"in_the_know_members": _members_anonymise(term=term, viewer=actor, now=now)}
    counts["accounts"] = _accounts_anonymise(term=term, viewer=actor)
    counts["sign_in_records"] = _sign_in_records_delete(term=term)
    counts["outbox_messages"] = selectors.outbox_matching(term=term).delete()[0]
    counts["issues"] = selectors.issues_matching(term=term, viewer=actor).update(contact_email="")
    counts["open311_reports"] = Open311Request.objects.filter(
        pk__in=list(selectors.open311_matching(term=term, viewer=actor).values_list("pk", flat=True))
    ).update(first_name="", last_name="", phone="", address_string="")
    counts["priority_followers"] = Follower.objects.filter(
        pk__in=list(selectors.followers_matching(term=term, viewer=actor).values_list("pk", flat=True))
    ).delete()[0]
    counts["panel_register"] = _panel_members_anonymise(term=term, viewer=actor)
    counts["email_voters"] = _email_voters_anonymise(term=term, viewer=actor)
    counts = {table: rows for table, rows in counts.items() if rows}
    return subject_request_record(
        actor=actor, action=RequestAction.ERASE, term=term, basis=basis, reference=reference, counts=counts
    )


def _members_anonymise(*, term: Term, viewer, now) -> int:
    """Stop every channel, unlink survey responses and ballots, blank inbound texts, then anonymise the
    member as the retention job does a lapsed one: the channel rows and their dates stay."""
    members = selectors.subscribers_matching(term=term, viewer=viewer)
    for member in members:
        addresses = [row.address for row in member.channels.all()]
        channels = SubscriberChannel.objects.filter(subscriber=member)
        # An active channel's end is an unsubscribe in this month's return; one never confirmed
        # was never a member, so it stops without a date the returns would count.
        channels.filter(status=ChannelStatus.ACTIVE).update(status=ChannelStatus.UNSUBSCRIBED, unsubscribed_at=now)
        channels.filter(status=ChannelStatus.PENDING).update(status=ChannelStatus.UNSUBSCRIBED)
        ReceiptEvent.objects.filter(provider=INBOUND_PROVIDER, payload__source_number__in=addresses).update(
            payload={"erased": True}
        )
        Response.objects.filter(subscriber=member).update(subscriber=None)
        Ballot.objects.filter(subscriber=member).update(subscriber=None)
        subscriber_anonymise(subscriber_id=member.pk, now=now)
    return len(members)


def _accounts_anonymise(*, term: Term, viewer) -> int:
    """An account stays (meetings, returns and priorities name who did what) but no longer names
    or lets in the person: address and name replaced, password unusable, tokens and second factor
    gone, deactivated."""
    users = selectors.users_matching(term=term, viewer=viewer)
    for user in users:
        user.email = f"erased-{user.pk}@erased.invalid"
        user.full_name = ERASED_NAME
        user.collar_number = ""
        user.public_bio = ""
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.set_unusable_password()
        user.save(
            update_fields=[
                "email",
                "full_name",
                "collar_number",
                "public_bio",
                "is_active",
                "is_staff",
                "is_superuser",
                "password",
            ]
        )
        ApiToken.objects.filter(user=user).delete()
        TOTPDevice.objects.filter(user=user).delete()
    return len(users)


def _sign_in_records_delete(*, term: Term) -> int:
    if term.kind != TermKind.EMAIL:
        return 0
    deleted = 0
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        deleted += model.objects.filter(username__iexact=term.value).delete()[0]
    return deleted


def _panel_members_anonymise(*, term: Term, viewer) -> int:
    """The register entry stays (its attendance is in the meetings' counts), nameless and
    unreachable, and never shown publicly."""
    ids = list(selectors.panel_members_matching(term=term, viewer=viewer).values_list("pk", flat=True))
    return PanelMember.objects.filter(pk__in=ids).update(
        first_name=ERASED_NAME,
        last_name="",
        organisation="",
        email="",
        telephone="",
        public_display=PublicDisplay.HIDDEN,
    )


def _email_voters_anonymise(*, term: Term, viewer) -> int:
    """The row stays with its ballot (the vote's count and turnout do not change) but no longer
    holds the address: addresses are unique per vote, so the row's id goes into the made-up one.
    The person could ask for a ballot again while the vote is open: the erasure outweighs that one
    extra ballot."""
    ids = list(selectors.email_voters_matching(term=term, viewer=viewer).values_list("pk", flat=True))
    return EmailVoter.objects.filter(pk__in=ids).update(
        email=Concat(Value("erased-"), Cast("pk", CharField()), Value("@erased.invalid"))
    )
