"""Turns one delivery into the message its channel sends: an email with a footer of personal links,
an SMS that fits in four segments, or a voice script.

The alert body is plain text with a safe subset of Markdown (paragraphs, emphasis, lists, links).
markdown-it-py renders it with raw HTML disabled, so whatever staff typed is escaped; only
http(s) and mailto links survive, and those go through the click counter when it is on.
"""

import math
import uuid
from dataclasses import dataclass
from html import unescape

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext, gettext_lazy
from markdown_it import MarkdownIt

from messaging import links
from messaging.delivery.channels.base import OutgoingMessage
from messaging.models import Channel, Delivery, SubscriberChannel

SMS_MAX_SEGMENTS = 4
# Translators: keep the word STOP in English and in capitals: it is the keyword the phone networks
# and our inbound texts recognise, whatever the language of the rest of the message.
SMS_STOP = gettext_lazy("Reply STOP to stop.")


def survey_url(*, token) -> str:
    """A survey invitation's response link: the delivery's own unguessable token, so it is personal
    (never sent through the click counter) and answers once."""
    return links.absolute(reverse("surveys:respond", kwargs={"token": token}))


def vote_url(*, alert, delivery) -> str:
    """A vote invitation's ballot link: signed for the member it was sent to, so it is personal
    (never sent through the click counter) and votes once."""
    from priorities.voting.links import ballot_url

    return ballot_url(vote_id=alert.vote_id, subscriber_id=delivery.subscriber_id if delivery else None)


def sms_footer(*, manage_url: str, survey_url: str = "", vote_url: str = "") -> str:
    """What ends every alert text: a survey invitation's response link or a vote invitation's
    ballot link, the member's own (short) manage link, and how to stop."""
    survey = " " + gettext("Survey: %(url)s") % {"url": survey_url} if survey_url else ""
    vote = " " + gettext("Vote: %(url)s") % {"url": vote_url} if vote_url else ""
    manage = gettext("Manage: %(url)s") % {"url": manage_url}
    return f"{survey}{vote} {manage} {SMS_STOP}"


def sms_footer_worst_case(*, survey: bool = False, vote: bool = False) -> str:
    """The footer at its longest, for counting a text's segments before it is sent. Every survey
    link has the same length: its token is a UUID; a ballot link is counted at its longest."""
    from priorities.voting.links import WORST_CASE_IDS, ballot_url

    return sms_footer(
        manage_url=links.short_manage_url(code=links.SHORT_CODE_WORST_CASE),
        survey_url=survey_url(token=uuid.UUID(int=0)) if survey else "",
        vote_url=ballot_url(vote_id=WORST_CASE_IDS[0], subscriber_id=None) if vote else "",
    )


# A call cannot carry a link; the member's own link went in the same invitation's text or email.
VOICE_SURVEY = gettext_lazy("Your own link to the survey has been sent to you by text message or email.")
# A member who takes alerts only by phone call gets no link at all, so the call says how to get one
# rather than pointing at a message that never came.
VOICE_SURVEY_NO_LINK = gettext_lazy(
    "To answer this survey you need an email address or a mobile that takes texts. "
    "Call 101 and ask for your neighbourhood team, who can add one to your In the Know membership."
)

# A call carries no link: every call ends by saying how to stop them (STOP by text stops calls too).
VOICE_OPT_OUT = gettext_lazy(
    "This was an In the Know alert. To stop these calls, send a text saying STOP to the number our alerts come from."
)

# The GSM 03.38 default alphabet (one septet each) and its extension table (two septets each:
# escape + character). Anything else makes the whole message UCS-2.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

ALLOWED_LINK_SCHEMES = ("http://", "https://", "mailto:")


@dataclass(frozen=True)
class AlertText:
    """An alert's words in one language: its own (English) text, or one of its versions."""

    language: str
    title: str
    body: str
    sms_text: str
    voice_script: str
    # A partner agency's alert is signed with its name, whatever the channel.
    signature: str = ""

    @property
    def bidi(self) -> bool:
        return translation.get_language_info(self.language)["bidi"]


def alert_text(*, alert, language: str | None) -> AlertText:
    """The text a member whose language is `language` receives: that language's version when the
    alert has one, else the alert's own English. Reads `alert.translations.all()`, so a sender that
    prefetched them (once per batch) asks nothing more; English asks nothing at all."""
    signature = alert.agency.name if alert.agency_id else ""
    if language and language != settings.LANGUAGE_CODE and alert.pk:
        for version in alert.translations.all():
            if version.language == language:
                return AlertText(
                    language, version.title, version.body, version.sms_text, version.voice_script, signature
                )
    return AlertText(settings.LANGUAGE_CODE, alert.title, alert.body, alert.sms_text, alert.voice_script, signature)


def _markdown() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "breaks": True, "linkify": False})
    md.enable(["emphasis", "list", "link", "autolink", "escape", "entity", "newline"])
    # markdown-it already refuses javascript:, vbscript: and data: links; narrow it to what an
    # alert needs, so nothing unexpected (file:, tel: spoofing …) is ever made clickable.
    md.validateLink = lambda url: url.strip().lower().startswith(ALLOWED_LINK_SCHEMES)
    return md


MARKDOWN = _markdown()


def markdown_html(text: str, *, rewrite_link=None) -> str:
    """The safe HTML of an alert body; `rewrite_link(url) -> url` changes each link target."""
    env: dict = {}
    tokens = MARKDOWN.parse(text, env)
    if rewrite_link is not None:
        for token in tokens:
            for child in token.children or ():
                if child.type == "link_open" and child.attrGet("href"):
                    href = str(child.attrGet("href"))
                    if not href.lower().startswith("mailto:"):
                        child.attrSet("href", rewrite_link(href))
    return MARKDOWN.renderer.render(tokens, MARKDOWN.options, env)


def markdown_text(text: str) -> str:
    """The body as plain text, for voice: Markdown markers dropped, link text kept."""
    return unescape(strip_tags(markdown_html(text))).strip()


def sms_segments(text: str) -> int:
    """How many SMS segments `text` takes: GSM-7 160 septets (153 per part when split, extension
    characters count two), otherwise UCS-2 70 UTF-16 units (67 per part). Empty text: 0."""
    if not text:
        return 0
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, part = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if units <= single else math.ceil(units / part)


def sms_text(alert, *, footer: str | None = None, text: AlertText | None = None) -> str:
    """The SMS an alert sends: its SMS text (or title) in `text`'s language (default the alert's
    own), then the footer (the member's manage link and how to stop; the longest possible one when
    no member is given), cut to four segments at a word boundary if it would be longer (the compose
    page refuses that, so this is a safety net)."""
    footer = sms_footer_worst_case(survey=bool(alert.survey_id), vote=bool(alert.vote_id)) if footer is None else footer
    words = text or alert_text(alert=alert, language=None)
    text = " ".join((words.sms_text or words.title).split())
    if words.signature:
        # First, so cutting an over-long text to fit never drops who it is from.
        text = f"{words.signature}: {text}"
    if sms_segments(text + footer) <= SMS_MAX_SEGMENTS:
        return text + footer
    # Three dots, not "…": the ellipsis is outside GSM-7 and would make the whole text UCS-2.
    words = text.split(" ")
    while words and sms_segments(" ".join(words) + "..." + footer) > SMS_MAX_SEGMENTS:
        words.pop()
    return " ".join(words) + "..." + footer


def _address(delivery) -> str:
    # The send loop annotates it; anything else (a preview, a test) looks it up.
    address = getattr(delivery, "address", None)
    if address is None:
        address = (
            SubscriberChannel.objects.filter(subscriber_id=delivery.subscriber_id, channel=delivery.channel)
            .values_list("address", flat=True)
            .first()
        )
    return address or ""


def _email(delivery, alert, to: str, text: AlertText) -> OutgoingMessage:
    def rewrite(url: str) -> str:
        return links.tracked_url(delivery=delivery, url=url)

    tracking = settings.MESSAGING_CLICK_TRACKING
    unsubscribe = links.unsubscribe_url(delivery=delivery)
    context = {
        "alert": alert,
        "text": text,
        "body_html": markdown_html(text.body, rewrite_link=rewrite if tracking else None),
        "feedback_url": links.feedback_url(delivery=delivery),
        "manage_url": links.manage_url(subscriber=delivery.subscriber),
        "unsubscribe_url": unsubscribe,
        "open_pixel_url": links.open_pixel_url(delivery=delivery) if settings.MESSAGING_OPEN_TRACKING else "",
        "site_name": getattr(settings, "SITE_NAME", "PACT Portal"),
        "survey_url": survey_url(token=delivery.token) if alert.survey_id else "",
        "vote_url": vote_url(alert=alert, delivery=delivery) if alert.vote_id else "",
    }
    headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    # A member's reply comes back to the team's inbox, threaded to this delivery by its token.
    if reply_to := links.reply_address(token=delivery.token):
        headers["Reply-To"] = reply_to
    return OutgoingMessage(
        channel=Channel.EMAIL,
        to=to,
        subject=" ".join(render_to_string("messaging/emails/alert_subject.txt", context).split()),
        body=render_to_string("messaging/emails/alert_body.txt", context),
        html=render_to_string("messaging/emails/alert_body.html", context),
        # RFC 8058: mail clients offer one-click unsubscribe, which POSTs to the link.
        headers=headers,
        reference=str(delivery.token),
        delivery_id=delivery.pk,
    )


def _voice_survey_line(delivery) -> str:
    # One query, only for survey invitations by phone call: a small share of any send.
    has_link = not delivery.subscriber_id or (
        Delivery.objects.filter(alert_id=delivery.alert_id, subscriber_id=delivery.subscriber_id)
        .exclude(channel=Channel.VOICE)
        .exists()
    )
    return str(VOICE_SURVEY if has_link else VOICE_SURVEY_NO_LINK)


def render_delivery(*, delivery) -> OutgoingMessage:
    """The message for one delivery, in the member's language: the alert's version in it if there is
    one, and the words around it (footer, links' labels) in it as far as the catalogues go. Reads
    delivery.alert (with its translations prefetched) and delivery.subscriber (select them)."""
    language = delivery.subscriber.language
    text = alert_text(alert=delivery.alert, language=language)
    # An email's frame is the member's language whatever its text. A text message or a call is one
    # piece in one language: with no version in theirs, the English comes with an English footer,
    # which also keeps an English text in GSM-7 and within the segments the compose page counted.
    framing = language if delivery.channel == Channel.EMAIL else text.language
    with translation.override(framing):
        return _render(delivery, text)


def _render(delivery, text: AlertText) -> OutgoingMessage:
    alert = delivery.alert
    to = _address(delivery)
    if delivery.channel == Channel.EMAIL:
        return _email(delivery, alert, to, text)
    if delivery.channel == Channel.SMS:
        member = delivery.subscriber
        # A preview's made-up member has no id: it shows the longest link a member can get.
        code = links.short_manage_code(subscriber=member) if member.pk else links.SHORT_CODE_WORST_CASE
        survey = survey_url(token=delivery.token) if alert.survey_id else ""
        ballot = vote_url(alert=alert, delivery=delivery) if alert.vote_id else ""
        footer = sms_footer(manage_url=links.short_manage_url(code=code), survey_url=survey, vote_url=ballot)
        body = sms_text(alert, footer=footer, text=text)
    else:
        script = " ".join((text.voice_script or markdown_text(text.body)).split())
        if text.signature:
            script = gettext("A message from %(agency)s.") % {"agency": text.signature} + " " + script
        body = script + (" " + _voice_survey_line(delivery) if alert.survey_id else "") + " " + str(VOICE_OPT_OUT)
    return OutgoingMessage(
        channel=delivery.channel, to=to, body=body, reference=str(delivery.token), delivery_id=delivery.pk
    )
