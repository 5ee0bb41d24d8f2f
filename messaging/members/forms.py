"""Forms for joining In the Know (online and on the doorstep), managing a membership and
confirming a mobile number. The rules that need the database live in the services; these check
what a resident typed."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from messaging.members.phone import mobile_normalise
from messaging.members.services.signup import Demographics
from messaging.models import Accepts, AgeBand, Channel, ConsentMethod, Digest, EthnicGroup, Language

FIELD_CONSENT_METHODS = [(value, label) for value, label in ConsentMethod.choices if value != ConsentMethod.ONLINE_FORM]
CHANNEL_LABELS = {
    Channel.EMAIL: _("Email"),
    Channel.SMS: _("Text message (SMS)"),
    Channel.VOICE: _("Voice call to your mobile"),
}


class MembershipForm(forms.Form):
    """What every way of joining asks: where to send alerts, where the member lives, what about."""

    email = forms.EmailField(
        required=False,
        max_length=254,
        label=_("Email address"),
        error_messages={"invalid": _("Enter an email address like name@example.com.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    mobile = forms.CharField(
        required=False,
        max_length=32,
        label=_("UK mobile number"),
        help_text=_("For texts and voice calls. We send a code to check it."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    channels = forms.MultipleChoiceField(
        choices=[(value, CHANNEL_LABELS[value]) for value in Channel.values],
        widget=forms.CheckboxSelectMultiple,
        label=_("How should we send alerts?"),
        error_messages={"required": _("Choose at least one way to get alerts.")},
    )
    ward = forms.ModelChoiceField(
        queryset=None,
        to_field_name="code",
        empty_label=_("Choose a ward"),
        label=_("Home ward"),
        error_messages={
            "required": _("Choose the ward you live in."),
            "invalid_choice": _("Choose a ward from the list."),
        },
    )
    interests = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("What would you like to hear about?"),
        help_text=_("Alerts meant for everyone in your area reach you whatever you tick."),
    )
    language = forms.ChoiceField(
        choices=Language.choices,
        initial=Language.ENGLISH,
        label=_("Preferred language"),
        error_messages={"required": _("Choose a language."), "invalid_choice": _("Choose a language from the list.")},
    )

    def __init__(self, *args, wards, interests, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = wards
        self.fields["ward"].label_from_instance = lambda w: f"{w.name} ({w.neighbourhood.name})"
        self.fields["interests"].queryset = interests

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_mobile(self):
        raw = self.cleaned_data["mobile"].strip()
        return mobile_normalise(raw) if raw else ""

    def clean(self):
        data = super().clean()
        channels = set(data.get("channels") or ())
        if "email" not in self.errors and Channel.EMAIL in channels and not data.get("email"):
            self.add_error("email", _("Give an email address for alerts by email, or untick Email."))
        if "mobile" not in self.errors and channels & {Channel.SMS, Channel.VOICE} and not data.get("mobile"):
            self.add_error("mobile", _("Give a mobile number for texts or voice calls, or untick them."))
        return data

    def membership_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "email": data["email"],
            "mobile": data["mobile"],
            "channels": data["channels"],
            "ward": data["ward"],
            "interests": list(data["interests"]),
            "language": data["language"],
        }


class SelfDescriptionMixin(forms.Form):
    """Optional, consented on its own: only ever counted in aggregate, never shown per person."""

    describe_consent = forms.BooleanField(
        required=False,
        label=_("I agree to describe myself for equality monitoring"),
        help_text=_(
            "Optional. It helps us see whether alerts reach everyone in the community. "
            "It is only ever counted with everyone else's, never shown on its own."
        ),
    )
    age_band = forms.ChoiceField(
        choices=[("", _("Choose an age band")), *AgeBand.choices], required=False, label=_("Age")
    )
    ethnic_group = forms.ChoiceField(
        choices=[("", _("Choose an ethnic group")), *EthnicGroup.choices], required=False, label=_("Ethnic group")
    )

    def clean(self):
        data = super().clean()
        if data.get("describe_consent") and not (data.get("age_band") or data.get("ethnic_group")):
            self.add_error(
                "describe_consent",
                _("Choose an age band or an ethnic group (“Prefer not to say” is fine), or untick the box."),
            )
        return data

    def demographics(self) -> Demographics | None:
        """Ignored unless the box is ticked: the answers mean nothing without their consent."""
        data = self.cleaned_data
        if not data.get("describe_consent"):
            return None
        return Demographics(age_band=data.get("age_band", ""), ethnic_group=data.get("ethnic_group", ""))


class SignUpForm(SelfDescriptionMixin, MembershipForm):
    field_order = [
        "email",
        "mobile",
        "channels",
        "ward",
        "interests",
        "language",
        "describe_consent",
        "age_band",
        "ethnic_group",
    ]


class FieldSignUpForm(MembershipForm):
    """An officer signs a household up on the doorstep: a phone-sized form, a minute's work."""

    field_order = ["email", "mobile", "channels", "ward", "interests", "language", "consent_method", "agreed"]

    consent_method = forms.ChoiceField(choices=FIELD_CONSENT_METHODS, label=_("How did the resident agree?"))
    agreed = forms.BooleanField(
        label=_("The resident agreed to get In the Know alerts and for us to keep these details"),
        error_messages={"required": _("Tick to record that the resident agreed. Without it we cannot sign them up.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mobile"].help_text = _("We text a code to check it; the resident confirms it.")
        self.fields["email"].help_text = _("We email a link to confirm it; the resident confirms it.")
        self.fields["interests"].help_text = ""


def address_masked(address: str) -> str:
    """An address as the manage page shows it (a•••@e•••.org, •••• ••• 123): enough for the member
    to recognise, nothing for whoever else holds the link (a forwarded alert) to use or look up."""
    if "@" in address:
        name, _, domain = address.partition("@")
        host, _, suffix = domain.rpartition(".")
        return f"{name[:1]}•••@{host[:1]}•••.{suffix}" if host else f"{name[:1]}•••@•••"
    return f"•••• ••• {address[-3:]}"


class ManageForm(SelfDescriptionMixin, MembershipForm):
    """The manage page's form. The member's addresses are never put in it: an empty field keeps
    the address on file (`current`), shown masked; typing one replaces it."""

    field_order = SignUpForm.field_order

    def __init__(self, *args, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        self.fields["channels"].help_text = _(
            "Turning one on again, or changing its address, sends a new confirmation."
        )
        hints = {
            "email": _("We have %(address)s. Leave this empty to keep it, or type a new email address."),
            "mobile": _("We have %(address)s. Leave this empty to keep it, or type a new mobile number."),
        }
        for name, hint in hints.items():
            if current.get(name):
                self.fields[name].help_text = hint % {"address": address_masked(current[name])}

    def clean_email(self):
        return super().clean_email() or self.current.get("email", "")

    def clean_mobile(self):
        return super().clean_mobile() or self.current.get("mobile", "")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"required": _("Enter the 6-digit code from the text message.")},
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isdigit():
            raise ValidationError(_("Enter the 6 digits of the code, like 123456."))
        return code


class ManageLinkForm(forms.Form):
    address = forms.CharField(
        label=_("Your email address or mobile number"),
        max_length=254,
        error_messages={"required": _("Enter the email address or mobile number you get alerts at.")},
    )

    def clean_address(self):
        address = self.cleaned_data["address"].strip()
        if "@" in address:
            forms.EmailField().clean(address)
            return address.lower()
        return mobile_normalise(address)


# A holiday, not a way to leave: a longer pause is what "Stop all alerts" is for.
LONGEST_PAUSE = timedelta(days=366)
ACCEPTS_LABELS = {
    Channel.EMAIL: _("By email"),
    Channel.SMS: _("By text message"),
    Channel.VOICE: _("By voice call"),
}


class ControlsForm(forms.Form):
    """What may reach the member on each channel, quiet hours for texts and calls, and a holiday
    pause. Emergencies are never held back by any of them, and the page says so."""

    quiet_hours = forms.BooleanField(required=False, label=_("Quiet hours for texts and calls"))
    quiet_start = forms.TimeField(
        required=False,
        label=_("From"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a time like 21:00.")},
    )
    quiet_end = forms.TimeField(
        required=False,
        label=_("Until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a time like 08:00.")},
    )
    paused_until = forms.DateField(
        required=False,
        label=_("Pause alerts up to and including"),
        help_text=_("For a holiday. Leave empty for no pause; alerts start again by themselves the day after."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date like 2026-08-31.")},
    )

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only the member's own channels are asked about: choices for one they lack would mean nothing.
        self.channels = [c for c in Channel.values if c in channels]
        for channel in self.channels:
            self.fields[f"accepts_{channel}"] = forms.ChoiceField(
                choices=Accepts.choices,
                label=ACCEPTS_LABELS[channel],
                error_messages={
                    "required": _("Choose what may reach you this way."),
                    "invalid_choice": _("Choose one of the options."),
                },
            )
        if Channel.EMAIL in self.channels:
            self.fields["email_digest"] = forms.ChoiceField(
                choices=Digest.choices,
                required=False,
                label=_("Routine alerts by email"),
                help_text=_("Urgent alerts and emergencies always come at once."),
                error_messages={"invalid_choice": _("Choose one of the options.")},
            )

    def clean(self):
        data = super().clean()
        if data.get("quiet_hours"):
            start, end = data.get("quiet_start"), data.get("quiet_end")
            if "quiet_start" not in self.errors and start is None:
                self.add_error("quiet_start", _("Enter the time your quiet hours start, like 21:00."))
            if "quiet_end" not in self.errors and end is None:
                self.add_error("quiet_end", _("Enter the time your quiet hours end, like 08:00."))
            if start is not None and start == end:
                self.add_error("quiet_end", _("Quiet hours must end at a different time from when they start."))
        else:
            data["quiet_start"] = data["quiet_end"] = None
        paused = data.get("paused_until")
        today = timezone.localdate()
        if paused is not None and paused < today:
            self.add_error("paused_until", _("That date has passed: choose today or a later day, or leave it empty."))
        elif paused is not None and paused > today + LONGEST_PAUSE:
            self.add_error(
                "paused_until", _("A pause can last up to a year. To stop alerts for longer, stop all alerts.")
            )
        return data

    def accepts(self) -> dict[str, str]:
        return {channel: self.cleaned_data[f"accepts_{channel}"] for channel in self.channels}

    def digest(self) -> str | None:
        """The digest chosen, or None when the member has no email to take one by."""
        return self.cleaned_data.get("email_digest") if "email_digest" in self.fields else None

    def accepts_fields(self):
        return [self[f"accepts_{channel}"] for channel in self.channels]
