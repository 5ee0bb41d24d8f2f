from django import forms
from django.utils.translation import gettext_lazy as _


class FollowForm(forms.Form):
    """Follow a priority by email: no account, just an address to tell when its state changes."""

    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We only use it to tell you when this priority moves on. Every email has a link to stop."),
        error_messages={
            "required": _("Enter your email address to follow this priority."),
            "invalid": _("Enter an email address like name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
