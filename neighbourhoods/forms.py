from django import forms
from django.utils.translation import gettext_lazy as _

from neighbourhoods.models import Neighbourhood


class NeighbourhoodProfileForm(forms.ModelForm):
    class Meta:
        model = Neighbourhood
        fields = ["name", "description", "public_email", "public_telephone"]
        labels = {
            "name": _("Name"),
            "description": _("Description"),
            "public_email": _("Team email address"),
            "public_telephone": _("Team telephone number"),
        }
        help_texts = {
            "description": _("Shown to the public on the neighbourhood page."),
            "public_telephone": _("A shared team or force number; never an officer's personal mobile."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}


class LocateForm(forms.Form):
    lat = forms.FloatField(min_value=-90, max_value=90, label=_("Latitude"))
    lng = forms.FloatField(min_value=-180, max_value=180, label=_("Longitude"))


class WardSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Ward, town or neighbourhood"),
        max_length=100,
        min_length=2,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "placeholder": _("e.g. Daneshouse")}),
    )
