from django import forms
from django.utils.translation import gettext_lazy as _

from messaging.doorknock.imports import MAX_FILE_BYTES
from messaging.models import DoorOutcome, Street


class StreetListForm(forms.Form):
    file = forms.FileField(
        label=_("Street and address list (CSV)"),
        help_text=_("Columns ward_code, street, number and optionally postcode, with a header row."),
    )

    def clean_file(self):
        # Judged by what it holds (the import reads it as CSV text), not by its name.
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB: split it by ward."))
        return upload


class PlanForm(forms.Form):
    streets = forms.ModelMultipleChoiceField(
        queryset=Street.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Streets for this round"),
        error_messages={"required": _("Choose at least one street.")},
    )

    def __init__(self, *args, ward, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["streets"].queryset = Street.objects.filter(ward=ward)


class DoorForm(forms.Form):
    outcome = forms.ChoiceField(choices=DoorOutcome.choices)
