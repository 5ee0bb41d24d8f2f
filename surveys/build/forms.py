"""Forms for building a survey and sending it. They check what a person typed; the rules of the
survey itself (draft only, options, the bank once) live in services_build, whoever calls it."""

from django import forms
from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from messaging.alerts.forms import BODY_HELP, VOICE_HELP, AudienceForm
from messaging.models import Channel
from surveys.bank import BANK
from surveys.models import BankKey, QuestionKind, Survey, SurveyProgramme

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class SurveyForm(forms.Form):
    title = forms.CharField(max_length=150, label=_("Title"))
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown above the questions."),
    )
    thank_you = forms.CharField(
        required=False,
        label=_("Thank-you message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown once someone has answered."),
    )
    opens_at = forms.DateTimeField(label=_("Opens"), widget=DATETIME_WIDGET, help_text=_("UK time."))
    closes_at = forms.DateTimeField(
        label=_("Closes"),
        required=False,
        widget=DATETIME_WIDGET,
        help_text=_("UK time. Leave empty to close it by hand."),
    )
    is_open_to_all = forms.BooleanField(
        required=False,
        label=_("Open to anyone with the survey's public link"),
        help_text=_("Besides the In the Know members you invite. Anonymous answers are limited per address."),
    )
    wave_label = forms.CharField(
        max_length=60,
        required=False,
        label=_("Wave"),
        help_text=_(
            "For a survey repeated through the year, named after the season it opens in, e.g. “Spring 2026” "
            "or “Winter 2025/26”: trends compare waves."
        ),
    )

    programme = forms.ChoiceField(
        choices=SurveyProgramme.choices,
        initial=SurveyProgramme.FORCE,
        required=False,
        label=_("Whose survey"),
        help_text=_("The scorecard counts responses to each programme apart."),
    )

    def clean_programme(self):
        # A form posted without it (an older page still open) keeps the force's, the default.
        return self.cleaned_data.get("programme") or SurveyProgramme.FORCE

    def clean(self):
        data = super().clean()
        opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("The survey must close after it opens."))
        return data


def initial_for_survey(survey: Survey) -> dict:
    return {
        "title": survey.title,
        "introduction": survey.introduction,
        "thank_you": survey.thank_you,
        "opens_at": timezone.localtime(survey.opens_at),
        "closes_at": timezone.localtime(survey.closes_at) if survey.closes_at else None,
        "is_open_to_all": survey.is_open_to_all,
        "wave_label": survey.wave_label,
        "programme": survey.programme,
    }


class SectionForm(forms.Form):
    title = forms.CharField(max_length=150, label=_("Section title"))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. Shown under the title."),
    )


class SectionChoiceField(forms.TypedChoiceField):
    """A section of the survey, chosen from the sections the page already holds (no query of its
    own); cleans to the Section."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, **kwargs)
        self.sections: dict[int, object] = {}

    def set_sections(self, sections) -> None:
        self.sections = {section.pk: section for section in sections}
        self.choices = [(pk, section.title) for pk, section in self.sections.items()]

    def clean(self, value):
        return self.sections[super().clean(value)]


class QuestionForm(forms.Form):
    """A new question (with `kind` and `section`) or an existing one's wording (without them)."""

    section = SectionChoiceField(label=_("In the section"), error_messages={"invalid_choice": _("Choose a section.")})
    kind = forms.ChoiceField(choices=QuestionKind.choices, label=_("Kind of question"))
    text = forms.CharField(max_length=300, label=_("Question"))
    help_text = forms.CharField(
        max_length=300, required=False, label=_("Hint"), help_text=_("Optional. Shown under it.")
    )
    required = forms.BooleanField(required=False, label=_("An answer is required"))
    scale_max = forms.IntegerField(
        required=False,
        min_value=2,
        max_value=10,
        label=_("Top of the rating scale"),
        help_text=_("Rating questions only: people choose from 1 to this number (2 to 10)."),
    )
    options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=_("Options"),
        help_text=_("Single and multiple choice only: one option per line, at least two, each different."),
    )

    def __init__(self, *args, sections=None, kind: str | None = None, is_bank: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_kind = kind
        if is_bank:
            # The bank's wording and options are what make answers comparable: only "required" changes.
            for name in ("text", "help_text", "scale_max", "options"):
                self.fields[name].disabled = True
        if sections is None:
            del self.fields["section"]
        else:
            self.fields["section"].set_sections(sections)
        if kind is not None:
            del self.fields["kind"]

    def clean(self):
        data = super().clean()
        kind = self.fixed_kind or data.get("kind")
        labels = [line.strip() for line in (data.get("options") or "").splitlines() if line.strip()]
        data["option_labels"] = labels
        if kind == QuestionKind.RATING and data.get("scale_max") is None and "scale_max" not in self.errors:
            self.add_error("scale_max", _("Give the top of the scale, from 2 to 10."))
        if kind in CHOICE_KINDS and len(labels) < 2:
            self.add_error("options", _("Give at least two options, one per line."))
        if kind not in CHOICE_KINDS and labels:
            self.add_error("options", _("Only single and multiple choice questions have options: leave this empty."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            "text": data["text"],
            "help_text": data["help_text"],
            "required": data["required"],
            "scale_max": data.get("scale_max"),
            "options": data["option_labels"],
        }
        if "section" in self.fields:
            kwargs["section"] = data["section"]
        if "kind" in self.fields:
            kwargs["kind"] = data["kind"]
        return kwargs


def initial_for_question(question) -> dict:
    return {
        "text": question.text,
        "help_text": question.help_text,
        "required": question.required,
        "scale_max": question.scale_max,
        "options": "\n".join(option.label for option in question.options.all()),
    }


class BankQuestionForm(forms.Form):
    section = SectionChoiceField(label=_("In the section"), error_messages={"invalid_choice": _("Choose a section.")})
    bank_key = forms.ChoiceField(
        label=_("Standard question"),
        error_messages={"invalid_choice": _("Choose a question from the bank.")},
    )

    def __init__(self, *args, sections, used=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].set_sections(sections)
        # Every bank question stays on the list, so asking for one already used gets a clear answer.
        self.fields["bank_key"].choices = [
            (
                key,
                format_lazy("{} {}", BankKey(key).label, _("(already in this survey)"))
                if key in used
                else BankKey(key).label,
            )
            for key in BANK
        ]


class SurveySendForm(AudienceForm):
    """The invitation: its wording, then the audience and channels exactly as for an alert."""

    title = forms.CharField(max_length=150, label=_("Title"), help_text=_("The email's subject."))
    body = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=format_lazy("{} {}", BODY_HELP, _("Each member's own survey link is added below it.")),
    )
    sms_text = forms.CharField(
        required=False,
        label=_("Text message wording"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Left empty, the text carries the title. The member's survey link, the manage link and "
            "“Reply STOP to stop.” are added; at most 4 segments in all."
        ),
    )
    voice_script = forms.CharField(
        required=False,
        label=_("Voice call script"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy(
            "{} {}", VOICE_HELP, _("A call cannot carry the link: it says the link comes by text or email.")
        ),
    )

    field_order = ["title", "body", "sms_text", "voice_script"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **self.area_kwargs(),
            "title": data["title"],
            "body": data["body"],
            "sms_text": data["sms_text"],
            "voice_script": data["voice_script"],
            "channels": data["channels"],
        }


def initial_for_invitation(survey: Survey, *, is_reminder: bool) -> dict:
    """Plain wording to start from: what the survey is, and when it closes."""
    closes = ""
    if survey.closes_at:
        closes = f" It closes on {dateformat.format(timezone.localtime(survey.closes_at), 'j F Y')}."
    title = ("Reminder: " if is_reminder else "") + f"Have your say: {survey.title}"
    body = survey.introduction or "We want to hear from everyone who lives here, not only those we usually hear from."
    body += f"\n\nIt takes a few minutes and your answers are anonymous.{closes}"
    return {
        "title": title[:150],
        "body": body,
        "sms_text": f"{'Reminder: ' if is_reminder else ''}{settings.SITE_NAME} wants your views: {survey.title}.",
        "channels": [Channel.EMAIL],
    }
