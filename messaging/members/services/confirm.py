"""Writes for confirming a member's channels: the emailed link, the texted code, and asking for
either again."""

import secrets
from datetime import timedelta

from django.contrib.auth.hashers import check_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from messaging import links
from messaging.members import selectors
from messaging.members.services.signup import RESEND_COOLDOWN, send_email_confirmation, send_mobile_code
from messaging.models import Channel, ChannelStatus, Subscriber, SubscriberChannel

CODE_MAX_AGE = timedelta(minutes=15)
CODE_MAX_ATTEMPTS = 5

CODE_WRONG = gettext_lazy("That code is not right, or it has expired. Check the text message, or ask for a new code.")
CODE_EXPIRED = gettext_lazy("That code has expired: codes work for 15 minutes. Ask for a new code.")
CODE_LOCKED = gettext_lazy("That code was entered wrongly too many times. Ask for a new code.")


class LinkError(ValidationError):
    """A confirmation link that cannot confirm; each subclass gets its own page."""


class LinkTampered(LinkError):
    """The link was altered or cut short."""


class LinkSuperseded(LinkError):
    """A newer confirmation link has replaced this one."""


class LinkExpired(LinkError):
    def __init__(self, message, *, channel):
        super().__init__(message, code="expired")
        self.channel = channel


# --- confirming -----------------------------------------------------------------------------------


def _activate(rows, now) -> None:
    SubscriberChannel.objects.filter(pk__in=[r.pk for r in rows], status=ChannelStatus.PENDING).update(
        status=ChannelStatus.ACTIVE, confirmed_at=now, confirmation_secret="", status_reason=""
    )


def _email_row_for_link(token: str) -> tuple[SubscriberChannel | None, str]:
    """The email row and nonce an unaltered link names, however old it is."""
    try:
        data = links.confirm_email_token_load(token)
    except signing.SignatureExpired:
        data = signing.loads(token, salt=links.CONFIRM_SALT)  # signature checked, age not
    if data is None:
        raise LinkTampered(_("This link has been altered or cut short, so it cannot confirm anything."))
    row = (
        SubscriberChannel.objects.select_for_update()
        .filter(pk=data.get("c"), channel=Channel.EMAIL)
        .select_related("subscriber__ward")
        .first()
    )
    return row, str(data.get("n", ""))


@transaction.atomic
def channel_confirm_email(*, token: str) -> SubscriberChannel:
    """Confirm the email address a link names. Idempotent: a second click finds it confirmed."""
    row, nonce = _email_row_for_link(token)
    if row is not None and row.status == ChannelStatus.ACTIVE:
        return row
    if row is None or row.status != ChannelStatus.PENDING or not secrets.compare_digest(row.confirmation_secret, nonce):
        raise LinkSuperseded(_("This link is no longer in use: a newer one was sent, or the address was removed."))
    try:
        links.confirm_email_token_load(token)
    except signing.SignatureExpired as error:
        raise LinkExpired(_("This link has expired: links work for 3 days."), channel=row) from error
    _activate([row], timezone.now())
    row.refresh_from_db()
    from messaging.inbox.bounces import bounce_recovery_complete

    bounce_recovery_complete(channel=row)
    return row


@transaction.atomic
def confirmation_resend_from_link(*, token: str) -> SubscriberChannel:
    """A new confirmation email for an expired link; only the latest link can ask for one."""
    row, nonce = _email_row_for_link(token)
    if row is None or row.status != ChannelStatus.PENDING or not secrets.compare_digest(row.confirmation_secret, nonce):
        raise LinkSuperseded(_("This link is no longer in use: a newer one was sent, or the address was removed."))
    return confirmation_resend(channel=row)


@transaction.atomic
def confirmation_resend(*, channel: SubscriberChannel) -> SubscriberChannel:
    """Send a channel's confirmation again (a new link voids the old one; a new code likewise)."""
    row = SubscriberChannel.objects.select_for_update().select_related("subscriber__ward").get(pk=channel.pk)
    if row.status != ChannelStatus.PENDING:
        raise ValidationError(_("This address is not waiting for confirmation."), code="not_pending")
    now = timezone.now()
    if row.confirmation_sent_at and now - row.confirmation_sent_at < RESEND_COOLDOWN:
        raise ValidationError(
            _("We sent one less than a minute ago. Wait a minute before asking again."), code="too_soon"
        )
    if row.channel == Channel.EMAIL:
        send_email_confirmation(row, now)
    else:
        send_mobile_code(subscriber=row.subscriber, address=row.address, now=now)
    return row


def channel_confirm_mobile(*, subscriber: Subscriber, code: str) -> list[SubscriberChannel]:
    """Confirm the member's pending mobile channels with the texted code.

    Deliberately not one transaction: each try is claimed (and committed) before the code is
    checked, so a wrong code counts even though it raises, and parallel guesses cannot share a try.
    """
    rows = [r for r in selectors.mobile_rows_pending(subscriber=subscriber) if r.confirmation_secret]
    if not rows:
        raise ValidationError(CODE_WRONG, code="wrong")
    lead = rows[0]
    now = timezone.now()
    if lead.confirmation_sent_at is None or now - lead.confirmation_sent_at > CODE_MAX_AGE:
        raise ValidationError(CODE_EXPIRED, code="expired")
    claimed = SubscriberChannel.objects.filter(
        pk=lead.pk, confirmation_secret=lead.confirmation_secret, confirmation_attempts__lt=CODE_MAX_ATTEMPTS
    ).update(confirmation_attempts=F("confirmation_attempts") + 1)
    if not claimed:
        raise ValidationError(CODE_LOCKED, code="locked")
    if not check_password((code or "").strip(), lead.confirmation_secret):
        left = CODE_MAX_ATTEMPTS - lead.confirmation_attempts - 1
        if left <= 0:
            raise ValidationError(CODE_LOCKED, code="locked")
        raise ValidationError(
            ngettext(
                "That code is not right. You can try %(left)s more time.",
                "That code is not right. You can try %(left)s more times.",
                left,
            )
            % {"left": left}
        )
    with transaction.atomic():
        _activate([r for r in rows if r.address == lead.address], now)
    return list(subscriber.channels.filter(pk__in=[r.pk for r in rows]))
