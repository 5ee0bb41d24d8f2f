from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dataprotection.models import LawfulBasis
from dataprotection.subjects.selectors import term_parse


class SubjectRequestForm(forms.Form):
    """The person, and the request that allows looking them up: every search, export and
    erasure is recorded with the basis and reference given here."""

    term = forms.CharField(
        label=_("Email address or telephone number"),
        max_length=254,
        required=False,
        help_text=_("Exactly as the person gave it; a number may have spaces or start with +44."),
    )
    basis = forms.ChoiceField(label=_("Lawful basis"), choices=LawfulBasis.choices)
    reference = forms.CharField(
        label=_("Request reference"),
        max_length=120,
        help_text=_("The case or request number this search answers, e.g. SAR-2026-014."),
    )

    def clean_term(self):
        try:
            return term_parse(self.cleaned_data.get("term", ""))
        except ValidationError as error:
            raise ValidationError(error.messages[0], code=error.code) from error

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        if not reference:
            raise ValidationError(_("Give the reference of the request you are answering."), code="required")
        return reference


class SubjectEraseForm(SubjectRequestForm):
    confirm = forms.BooleanField(
        label=_("I have checked the request and want to erase this person's data"),
        error_messages={"required": _("Tick the box to confirm the erasure: it cannot be undone.")},
    )
