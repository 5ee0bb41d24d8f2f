from django import forms

from priorities.models import EscalationForum
from priorities.tasking.models import TaskingDecision


class AgendaCreateForm(forms.Form):
    forum = forms.ChoiceField(choices=EscalationForum.choices)
    meets_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Meets on",
        error_messages={"required": "Give the date the forum meets."},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=TaskingDecision.choices, widget=forms.RadioSelect)
    owner = forms.CharField(max_length=150, required=False, label="Owner (when accepted)")
    advice = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Advice or reasons (needed when returned)"
    )
