from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dataprotection.audit.selectors import MODEL_NAMES


class AuditFilterForm(forms.Form):
    model = forms.ChoiceField(label=_("What changed"), choices=[("", _("Everything"))], required=False)
    user = forms.EmailField(label=_("Changed by (email address)"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("Everything")), *MODEL_NAMES.items()]

    def clean_user(self):
        email = self.cleaned_data["user"]
        if not email:
            return None
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise ValidationError(_("No account has that email address."), code="unknown")
        return user

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned
