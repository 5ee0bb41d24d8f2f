"""Forms for composing an alert and previewing its audience, and the text templates that fill an
alert in from a meeting or a priority.

The forms offer only the places the composer may target (the lists come from alerts/selectors.py,
which mirror accounts.policy), so a tampered choice is an invalid choice; the service then
checks the area again, whoever calls it.
"""

from django import forms
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.policy import can, scope_for
from accounts.roles import ScopeLevel
from messaging.alerts import selectors
from messaging.models import AlertKind, AudienceLevel, Channel
from pact_portal.site import absolute_url

BODY_HELP = _(
    "Plain text. For the email you may use a small part of Markdown: *italic*, **bold**, lists (lines "
    "starting with “- ” or “1. ”) and links written [words](https://…). Anything else, HTML included, "
    "shows exactly as typed."
)
SMS_HELP = _(
    "Left empty, the text message carries the title. “Reply STOP to stop.” is added to every text. "
    "At most 4 segments: 160 characters make one (70 if it uses characters outside the GSM alphabet, "
    "such as emoji or curly quotes), longer texts are split into parts of 153 (or 67)."
)
VOICE_HELP = _("Read out by the automated call. Left empty, the body is read as plain text: write for the ear.")
AREA_ERRORS = {"invalid_choice": _("A place you chose is outside the area you may send to.")}
LEVEL_FIELDS = {
    AudienceLevel.WARDS: "wards",
    AudienceLevel.NEIGHBOURHOODS: "neighbourhoods",
    AudienceLevel.DIVISIONS: "divisions",
}


class WardChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, ward):
        return gettext("%(ward)s (%(neighbourhood)s)") % {"ward": ward.name, "neighbourhood": ward.neighbourhood.name}


class AudienceForm(forms.Form):
    """Who an alert reaches: the area at one level, interests (none = all) and channels."""

    audience_level = forms.ChoiceField(
        label=_("Send to"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("You may not send to that audience.")},
    )
    wards = WardChoiceField(
        queryset=None,
        required=False,
        label=_("Wards"),
        error_messages=AREA_ERRORS,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose more than one."),
    )
    neighbourhoods = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Neighbourhoods"),
        error_messages=AREA_ERRORS,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose more than one."),
    )
    divisions = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Divisions"),
        error_messages=AREA_ERRORS,
        widget=forms.CheckboxSelectMultiple,
    )
    interests = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Interests"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only subscribers who chose one of these. Tick none to reach everyone in the area."),
    )
    channels = forms.MultipleChoiceField(
        choices=Channel.choices,
        label=_("Send by"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one way to send it: email, text message or voice call.")},
    )

    def __init__(self, *args, user, force, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.force = user, force
        self.fields["audience_level"].choices = audience_levels(user=user, force=force)
        self.fields["wards"].queryset = selectors.targetable_wards(user=user, force=force)
        self.fields["neighbourhoods"].queryset = selectors.targetable_neighbourhoods(user=user, force=force)
        self.fields["divisions"].queryset = selectors.targetable_divisions(user=user, force=force)
        self.fields["interests"].queryset = selectors.active_interests()

    def area_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "audience_level": data["audience_level"],
            "wards": list(data.get("wards") or ()),
            "neighbourhoods": list(data.get("neighbourhoods") or ()),
            "divisions": list(data.get("divisions") or ()),
            "interests": list(data.get("interests") or ()),
        }


def audience_levels(*, user, force) -> list[tuple[str, str]]:
    """The levels this composer may choose, from their area's level (no queries)."""
    level = scope_for(user).level
    levels = [AudienceLevel.WARDS, AudienceLevel.NEIGHBOURHOODS]
    if level in (ScopeLevel.DIVISION, ScopeLevel.FORCE):
        levels.append(AudienceLevel.DIVISIONS)
    if can(user, "alert.target_force", force):
        levels.append(AudienceLevel.FORCE)
    labels = {
        AudienceLevel.FORCE: gettext("The whole force (%(force)s): needs a communications officer's approval")
        % {"force": force.name}
    }
    return [(str(lvl), labels.get(lvl, gettext("Chosen %(level)s") % {"level": lvl.label.lower()})) for lvl in levels]


class AudiencePreviewForm(AudienceForm):
    """The compose page's live preview: channels may still be unticked, every count is shown."""

    # The compose form's own kind field, sent along: an emergency's audience is everyone in the area.
    kind = forms.ChoiceField(choices=AlertKind.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channels"].required = False

    def clean(self):
        data = super().clean()
        level = data.get("audience_level")
        if level in LEVEL_FIELDS and not data.get(LEVEL_FIELDS[level]):
            message = gettext("Choose at least one of the %(level)s.") % {"level": AudienceLevel(level).label.lower()}
            self.add_error(LEVEL_FIELDS[level], message)
        return data


class AlertForm(AudienceForm):
    # Survey and vote invitations are sent from the survey's or the vote's own page, which gives each
    # member their link.
    kind = forms.ChoiceField(
        choices=[(v, label) for v, label in AlertKind.choices if v not in (AlertKind.SURVEY, AlertKind.VOTE)],
        label=_("Kind of alert"),
        help_text=_(
            "An emergency alert goes to everyone in the area on every channel they have (email, text and voice "
            "call), whatever their interests, their choices of what may reach them, quiet hours or holiday pause."
        ),
    )
    title = forms.CharField(max_length=150, label=_("Title"), help_text=_("The email's subject. Short and specific."))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), label=_("Body"), help_text=BODY_HELP)
    sms_text = forms.CharField(
        required=False, label=_("Text message wording"), widget=forms.Textarea(attrs={"rows": 3}), help_text=SMS_HELP
    )
    voice_script = forms.CharField(
        required=False, label=_("Voice call script"), widget=forms.Textarea(attrs={"rows": 4}), help_text=VOICE_HELP
    )
    send_when = forms.ChoiceField(
        choices=[("now", _("As soon as it is sent (or approved)")), ("later", _("At a set time"))],
        widget=forms.RadioSelect,
        initial="now",
        label=_("When"),
    )
    send_at = forms.DateTimeField(
        required=False,
        label=_("Send at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("UK time."),
    )
    meeting = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    priority = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)

    field_order = ["kind", "title", "body", "sms_text", "voice_script"]

    def __init__(self, *args, user, force, **kwargs):
        super().__init__(*args, user=user, force=force, **kwargs)
        self.fields["meeting"].queryset = selectors.template_meetings(user=user, force=force)
        self.fields["priority"].queryset = selectors.template_priorities(user=user, force=force)

    def clean(self):
        data = super().clean()
        if data.get("send_when") == "later":
            send_at = data.get("send_at")
            if send_at is None:
                self.add_error("send_at", _("Give the date and time to send it, or choose to send it now."))
            elif send_at <= timezone.now():
                self.add_error("send_at", _("That time has passed: choose a time in the future, or send it now."))
        else:
            data["send_at"] = None
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **self.area_kwargs(),
            "kind": data["kind"],
            "title": data["title"],
            "body": data["body"],
            "sms_text": data["sms_text"],
            "voice_script": data["voice_script"],
            "channels": data["channels"],
            "send_at": data["send_at"],
            "meeting": data.get("meeting"),
            "priority": data.get("priority"),
        }


def initial_for_alert(alert) -> dict:
    """A saved draft as the compose form's initial data (uses the prefetched area)."""
    return {
        "kind": alert.kind,
        "title": alert.title,
        "body": alert.body,
        "sms_text": alert.sms_text,
        "voice_script": alert.voice_script,
        "audience_level": alert.audience_level,
        "wards": [w.pk for w in alert.wards.all()],
        "neighbourhoods": [n.pk for n in alert.neighbourhoods.all()],
        "divisions": [d.pk for d in alert.divisions.all()],
        "interests": [i.pk for i in alert.interests.all()],
        "channels": alert.channels,
        "send_when": "later" if alert.send_at else "now",
        "send_at": timezone.localtime(alert.send_at) if alert.send_at else None,
        "meeting": alert.meeting_id,
        "priority": alert.priority_id,
    }


# --- templates: an alert filled in from a meeting or a priority -----------------------------------
# Only public text is used (a meeting's agenda and venue, a priority's "you told us / we did /
# result"): restricted notes and evidence never reach an alert.


def _fit(text: str, limit: int) -> str:
    """Cut at a word boundary to at most `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "..."


def _fit_sms(text: str, *, tail: str = "") -> str:
    """A prefilled text message that fits the segment limit with its tail (a link) and the STOP
    line: words are dropped from the end of `text`. "..." not "…": one character outside the
    GSM alphabet would make the whole text UCS-2 and more than halve what fits."""
    from messaging import rendering
    from messaging.alerts.services import sms_message

    words = " ".join(text.split()).split(" ")
    candidate = " ".join(words) + tail
    limit = rendering.SMS_MAX_SEGMENTS
    while len(words) > 1 and rendering.sms_segments(sms_message(title="", sms_text=candidate)) > limit:
        words.pop()
        candidate = " ".join(words) + "..." + tail
    return candidate


def _public_url(path: str) -> str:
    return absolute_url(path)


def initial_from_meeting(meeting, *, pact_meetings_interest=None) -> dict:
    starts = timezone.localtime(meeting.starts_at)
    day, time = dateformat.format(starts, "l j F"), dateformat.format(starts, "H:i")
    where = ", ".join(part for part in (meeting.venue_name, meeting.venue_address) if part)
    url = _public_url(meeting.get_absolute_url())
    paragraphs = [f"{meeting.title} is on {day} at {time}" + (f", at {where}." if where else ".")]
    if meeting.public_agenda:
        paragraphs.append(f"On the agenda: {meeting.public_agenda.strip()}")
    if meeting.online_url:
        paragraphs.append(f"You can also join online: {meeting.online_url}")
    if meeting.accessibility_notes:
        paragraphs.append(f"Access: {meeting.accessibility_notes.strip()}")
    paragraphs.append(
        "Come along and tell us what matters where you live: PACT meetings are where the local "
        f"priorities are chosen. Details: {url}"
    )
    return {
        "kind": AlertKind.MEETING_REMINDER,
        "title": _fit(f"PACT meeting: {meeting.title}, {day}", 150),
        "body": "\n\n".join(paragraphs),
        "sms_text": _fit_sms(
            f"PACT meeting {day} {time}" + (f" at {meeting.venue_name}" if meeting.venue_name else "") + ".",
            tail=f" {url}",
        ),
        "voice_script": (
            f"This is your neighbourhood policing team. {meeting.title} is on {day} at {time}"
            + (f", at {where}" if where else "")
            + ". Come along and tell us what matters where you live."
        ),
        "audience_level": AudienceLevel.WARDS,
        "wards": [w.pk for w in meeting.wards.all()],
        "interests": [pact_meetings_interest.pk] if pact_meetings_interest else [],
        "channels": [Channel.EMAIL],
        "meeting": meeting.pk,
    }


def initial_from_priority(priority, *, kind: str) -> dict:
    url = _public_url(reverse("priorities:public-detail", kwargs={"reference": priority.reference}))
    if kind == AlertKind.APPEAL:
        title = f"Appeal for information: {priority.title}"
        body = (
            f"{priority.public_problem.strip()}\n\nIf you have seen anything, or know something that could help, "
            "call 101 or tell Crimestoppers anonymously on 0800 555 111. In an emergency call 999.\n\n"
            f"More about this priority: {url}"
        )
        sms = _fit_sms(
            f"Appeal: {priority.title}.", tail=" Seen anything? Call 101, or Crimestoppers anonymously on 0800 555 111."
        )
        voice = (
            f"This is your neighbourhood policing team with an appeal for information about {priority.title}. "
            "If you have seen anything, call 101, or Crimestoppers anonymously on 0800 555 111."
        )
    else:
        kind = AlertKind.PRIORITY_UPDATE
        title = f"Update: {priority.title}"
        parts = [("You told us", priority.public_problem), ("What we are doing", priority.public_update)]
        parts.append(("The result", priority.public_outcome))
        body = "\n\n".join(f"**{label}:** {text.strip()}" for label, text in parts if text.strip())
        body += f"\n\nFollow this priority: {url}"
        latest = priority.public_outcome or priority.public_update or priority.public_problem
        sms = _fit_sms(f"Update on {priority.title}: {latest}", tail=f" {url}")
        voice = f"This is your neighbourhood policing team with an update about {priority.title}. {latest.strip()}"
    return {
        "kind": kind,
        "title": _fit(title, 150),
        "body": body,
        "sms_text": sms,
        "voice_script": " ".join(voice.split()),
        "audience_level": AudienceLevel.WARDS,
        "wards": [w.pk for w in priority.wards.all()],
        "channels": [Channel.EMAIL],
        "priority": priority.pk,
    }


class AlertVersionForm(forms.Form):
    """An alert's text in another language: the same fields as the English, the SMS text with the
    same limit (the service counts it, as UCS-2 when the script needs it)."""

    title = forms.CharField(max_length=150, label=_("Title"))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), label=_("Body"), help_text=BODY_HELP)
    sms_text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Text message"), help_text=SMS_HELP
    )
    voice_script = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label=_("Voice script"), help_text=VOICE_HELP
    )
