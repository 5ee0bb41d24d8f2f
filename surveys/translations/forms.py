from django import forms
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from surveys.models import TRANSLATION_LANGUAGES, Question, QuestionKind, Section, Survey


class QuestionTranslationForm(forms.Form):
    """A question's words in one language: the question, its help text and each option, beside the
    English. Typed right to left for Urdu and Arabic."""

    language = forms.ChoiceField(choices=TRANSLATION_LANGUAGES, widget=forms.HiddenInput)
    text = forms.CharField(
        max_length=300,
        required=False,
        label=_("The question"),
        help_text=_("Leave it empty to show this question in English to readers of this language."),
    )
    help_text = forms.CharField(max_length=300, required=False, label=_("Help text (optional)"))

    def __init__(self, *args, question: Question, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        self.option_fields = []
        words = {"lang": language, "dir": "rtl" if get_language_info(language)["bidi"] else "ltr"}
        self.fields["text"].widget.attrs |= words
        self.fields["help_text"].widget.attrs |= words
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            for option in question.options.all():
                name = f"o{option.pk}"
                self.fields[name] = forms.CharField(
                    max_length=200, required=False, label=option.label, widget=forms.TextInput(attrs=words)
                )
                self.option_fields.append(name)

    def clean(self):
        data = super().clean()
        if not data.get("text", "").strip() and any(data.get(name, "").strip() for name in self.option_fields):
            self.add_error("text", _("Translate the question too, or leave the options empty."))
        return data

    def option_labels(self) -> dict[int, str]:
        return {int(name[1:]): self.cleaned_data.get(name, "") for name in self.option_fields}


class SurveyTranslationForm(forms.Form):
    """The survey's own words in one language, beside the English: the title, introduction and thank-you,
    and each section's title and description."""

    language = forms.ChoiceField(choices=TRANSLATION_LANGUAGES, widget=forms.HiddenInput)
    title = forms.CharField(
        max_length=150,
        required=False,
        label=_("Title"),
        help_text=_("Leave everything empty to show the survey's own words in English to readers of this language."),
    )
    introduction = forms.CharField(required=False, label=_("Introduction"), widget=forms.Textarea(attrs={"rows": 4}))
    thank_you = forms.CharField(required=False, label=_("Thank-you message"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, survey: Survey, sections: list[Section], language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        words = {"lang": language, "dir": "rtl" if get_language_info(language)["bidi"] else "ltr"}
        for name in ("title", "introduction", "thank_you"):
            self.fields[name].widget.attrs |= words
        self.section_fields = []
        for section in sections:
            title, description = f"s{section.pk}_title", f"s{section.pk}_description"
            self.fields[title] = forms.CharField(
                max_length=150,
                required=False,
                label=section.title,
                help_text=_("The section's title. Empty: the section shows in English."),
                widget=forms.TextInput(attrs=words),
            )
            self.fields[description] = forms.CharField(
                required=False,
                label=_("Its description"),
                widget=forms.Textarea(attrs=words | {"rows": 2}),
            )
            self.section_fields.append((section, title, description))

    def section_rows(self) -> list[tuple[Section, object, object]]:
        """Each section with its two bound fields, for the page (the English shown beside them)."""
        return [(section, self[title], self[description]) for section, title, description in self.section_fields]

    def section_words(self) -> dict[int, tuple[str, str]]:
        return {
            section.pk: (self.cleaned_data.get(title, ""), self.cleaned_data.get(description, ""))
            for section, title, description in self.section_fields
        }
