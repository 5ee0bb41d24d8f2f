from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.panels.models import AgendaItem, Panel, PanelMember
from meetings.panels.services import MEMBER_FIELDS
from neighbourhoods.models import Neighbourhood


class PanelForm(forms.ModelForm):
    neighbourhoods = forms.ModelMultipleChoiceField(
        queryset=Neighbourhood.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One neighbourhood, or several for a town-wide panel."),
    )

    class Meta:
        model = Panel
        fields = ["name", "quorum"]

    def __init__(self, *args, neighbourhoods=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quorum"].min_value = 1
        if neighbourhoods is None:
            del self.fields["neighbourhoods"]
        else:
            self.fields["neighbourhoods"].queryset = neighbourhoods

    def clean_quorum(self):
        quorum = self.cleaned_data["quorum"]
        if quorum is not None and quorum < 1:
            raise forms.ValidationError(_("The quorum must be at least 1 member."))
        return quorum


class PanelMemberForm(forms.ModelForm):
    class Meta:
        model = PanelMember
        fields = list(MEMBER_FIELDS)
        widgets = {
            "term_starts": forms.DateInput(attrs={"type": "date"}),
            "term_ends": forms.DateInput(attrs={"type": "date"}),
        }

    def _post_clean(self):
        # Model validation (office held twice, a term ending before it starts) is the service's,
        # so the message is the same from every caller; the view shows it on the right field.
        pass


class PanelAttendanceForm(forms.Form):
    panel_members = forms.ModelMultipleChoiceField(
        queryset=PanelMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Panel members present"),
        help_text=_("Members of the panel's register whose term covers the meeting's day."),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["panel_members"].queryset = members


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["section", "title", "detail"]
        labels = {"section": _("Agenda section"), "title": _("Item"), "detail": _("Detail")}
        widgets = {"detail": forms.Textarea(attrs={"rows": 2})}
