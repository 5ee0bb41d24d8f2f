from django import forms
from django.utils.translation import gettext_lazy as _


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Sent to the member by the way they wrote: email, or text (keep it short)."),
    )
