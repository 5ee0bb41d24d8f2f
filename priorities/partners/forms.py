from django import forms
from django.utils.translation import gettext_lazy as _

from priorities.models import Category

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class PartnerIssueForm(forms.Form):
    ward = forms.ModelChoiceField(queryset=None, empty_label=None, label=_("Ward"))
    category = forms.ChoiceField(choices=Category.choices, label=_("Category"))
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), label=_("What is happening, where and when")
    )

    def __init__(self, *args, wards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = wards

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class ActionProposeForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("What your agency will do"))
    due_date = forms.DateField(
        widget=DATE_WIDGET, label=_("Due date"), error_messages={"required": _("Give the action a due date.")}
    )

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class ProposalDeclineForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Why not"), max_length=2000)
