from django import forms

from priorities.models import Category

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class PartnerIssueForm(forms.Form):
    ward = forms.ModelChoiceField(queryset=None, empty_label=None)
    category = forms.ChoiceField(choices=Category.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="What is happening, where and when")

    def __init__(self, *args, wards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = wards

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class ActionProposeForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="What your agency will do")
    due_date = forms.DateField(widget=DATE_WIDGET, error_messages={"required": "Give the action a due date."})

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class ProposalDeclineForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why not", max_length=2000)
