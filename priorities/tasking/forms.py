from django import forms
from django.utils.translation import gettext_lazy as _

from priorities.models import EscalationForum
from priorities.tasking.models import TaskingDecision


class AgendaCreateForm(forms.Form):
    forum = forms.ChoiceField(label=_("Forum"), choices=EscalationForum.choices)
    meets_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        label=_("Meets on"),
        error_messages={"required": _("Give the date the forum meets.")},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=TaskingDecision.choices, widget=forms.RadioSelect)
    owner = forms.CharField(max_length=150, required=False, label=_("Owner (when accepted)"))
    advice = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Advice or reasons (needed when returned)")
    )
