from django import forms
from django.utils.translation import get_language_info

from surveys.models import TRANSLATION_LANGUAGES, Question, QuestionKind


class QuestionTranslationForm(forms.Form):
    """A question's words in one language: the question, its help text and each option, beside the
    English. Typed right to left for Urdu and Arabic."""

    language = forms.ChoiceField(choices=TRANSLATION_LANGUAGES, widget=forms.HiddenInput)
    text = forms.CharField(
        max_length=300,
        required=False,
        label="The question",
        help_text="Leave it empty to show this question in English to readers of this language.",
    )
    help_text = forms.CharField(max_length=300, required=False, label="Help text (optional)")

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
            self.add_error("text", "Translate the question too, or leave the options empty.")
        return data

    def option_labels(self) -> dict[int, str]:
        return {int(name[1:]): self.cleaned_data.get(name, "") for name in self.option_fields}
