"""The survey as a form, built from its questions, and the officer's "send to the triage queue" form.

Choices carry option and ward ids, so a forged value (another question's option, a ward of another
force, a rating off the scale) is simply not a valid choice and comes back as a form error.
"""

from django import forms
from django.core.validators import RegexValidator
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from priorities.models import Category
from surveys.models import AGREEMENT_LABELS, QuestionKind
from surveys.respond.services import CONTROL_CHARACTERS, TEXT_MAX, AnswerInput

FORGED = _("Choose one of the answers shown.")
REQUIRED = {
    QuestionKind.SINGLE: _("Choose an answer."),
    QuestionKind.MULTIPLE: _("Tick at least one answer."),
    QuestionKind.AGREEMENT: _("Choose how much you agree."),
    QuestionKind.RATING: _("Choose a rating."),
    QuestionKind.TEXT: _("Write your answer."),
    QuestionKind.WARD: _("Choose your ward."),
}


# Word's manual line break and page break reach the form as a vertical tab and a form feed when
# an answer is pasted in: they are line breaks to the person who wrote it.
PASTED_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})


class WrittenAnswerField(forms.CharField):
    """A written answer: pasted line breaks kept as line breaks, any other control character
    (a bell, an escape) refused with a message rather than saved."""

    default_validators = [
        RegexValidator(
            CONTROL_CHARACTERS,
            inverse_match=True,
            message=_(
                "Your answer has a character that cannot be typed (such as a bell or escape character), "
                "perhaps pasted from another program. Remove it, or type the answer again."
            ),
        )
    ]

    def to_python(self, value):
        value = super().to_python(value)
        return value.translate(PASTED_LINE_BREAKS) if isinstance(value, str) else value


def ward_label(ward) -> str:
    return f"{ward.name} ({ward.neighbourhood.name})"


class SurveyResponseForm(forms.Form):
    """One field per question, named q<question id>; `questions` come from selectors.survey_questions, in the
    reader's language (shown_text, shown_label)."""

    def __init__(self, *args, questions, wards, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self._wards = {str(ward.pk): ward for ward in wards}
        for question in questions:
            field = self._field_for(question)
            field.question = question
            field.label = question.shown_text
            field.help_text = question.shown_help_text
            field.required = question.required
            field.error_messages |= {"required": REQUIRED[question.kind], "invalid_choice": FORGED}
            self.fields[f"q{question.pk}"] = field

    def _field_for(self, question):
        legend = {"aria-labelledby": f"id_q{question.pk}_legend"}
        if question.kind == QuestionKind.SINGLE:
            choices = [(str(option.pk), option.shown_label) for option in question.options.all()]
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
        if question.kind == QuestionKind.MULTIPLE:
            choices = [(str(option.pk), option.shown_label) for option in question.options.all()]
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
            )
        if question.kind == QuestionKind.AGREEMENT:
            return _scale([(value, gettext(label)) for value, label in AGREEMENT_LABELS.items()])
        if question.kind == QuestionKind.RATING:
            return _scale([(n, str(n)) for n in range(1, (question.scale_max or 5) + 1)])
        if question.kind == QuestionKind.WARD:
            wards = [(key, ward_label(ward)) for key, ward in self._wards.items()]
            choices = [("", gettext("Choose your ward")), *wards]
            return forms.ChoiceField(choices=choices, widget=forms.Select(attrs={"class": "form-select", **legend}))
        return WrittenAnswerField(
            max_length=TEXT_MAX,
            strip=True,
            widget=forms.Textarea(attrs={"class": "form-control", "rows": 4, "maxlength": TEXT_MAX, **legend}),
            error_messages={
                "max_length": gettext("Keep your answer to %(count)s characters or fewer.")
                % {"count": number_format(TEXT_MAX, force_grouping=True)}
            },
        )

    def full_clean(self):
        super().full_clean()
        for name, field in self.fields.items():
            if name in self.errors:
                # Screen readers announce the field as wrong; Bootstrap draws it so.
                field.widget.attrs["aria-invalid"] = "true"
                field.widget.attrs["class"] = field.widget.attrs.get("class", "") + " is-invalid"

    def sections(self) -> list[tuple[object, list]]:
        """The bound fields grouped by section, in order, for the template."""
        grouped: list[tuple[object, list]] = []
        for question in self.questions:
            if not grouped or grouped[-1][0].pk != question.section_id:
                grouped.append((question.section, []))
            grouped[-1][1].append(self[f"q{question.pk}"])
        return grouped

    def answers(self) -> list[AnswerInput]:
        """The cleaned answers as the service takes them; unanswered optional questions give none."""
        given = []
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if value in (None, "", []):
                continue
            if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                options = {str(option.pk): option for option in question.options.all()}
                values = dict.fromkeys(value) if isinstance(value, list) else [value]  # a box ticked twice counts once
                given += [AnswerInput(question=question, option=options[v]) for v in values]
            elif question.kind in (QuestionKind.AGREEMENT, QuestionKind.RATING):
                given.append(AnswerInput(question=question, number=value))
            elif question.kind == QuestionKind.WARD:
                given.append(AnswerInput(question=question, ward=self._wards[value]))
            else:
                given.append(AnswerInput(question=question, text=value))
        return given


def _scale(choices):
    return forms.TypedChoiceField(
        choices=choices,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )


class TextAnswerIssueForm(forms.Form):
    """What the officer adds when sending a written answer to the triage queue: its category, and
    the ward when the response has none (an open survey without a ward question)."""

    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Choose a category")), *Category.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        error_messages={"required": _("Choose the category of this concern."), "invalid_choice": FORGED},
    )

    def __init__(self, *args, wards=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._wards = {str(ward.pk): ward for ward in wards or []}
        if wards is not None:
            self.fields["ward"] = forms.ChoiceField(
                label=_("Ward"),
                choices=[("", gettext("Choose the ward")), *((key, ward_label(w)) for key, w in self._wards.items())],
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                error_messages={"required": _("Choose the ward this concern is about."), "invalid_choice": FORGED},
            )

    @property
    def chosen_ward(self):
        return self._wards.get(self.cleaned_data.get("ward", ""))
