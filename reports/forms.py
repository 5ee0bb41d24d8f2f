"""Forms for returns. They check and shape input only; the services decide what is legal for the
return (a period in the future, a submitted return, a priority of another division)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.models import PeriodKind
from reports.services import NARRATIVE_MAX_LENGTH

MONTH_WIDGET = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


def last_month_start(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


class PeriodField(forms.DateField):
    """A month as YYYY-MM (what a browser's month input sends); the first day of it."""

    widget = MONTH_WIDGET
    input_formats = ["%Y-%m"]
    default_error_messages = {"invalid": _("Give the month as year and month, for example 2026-10.")}


class PeriodForm(forms.Form):
    """Which period a page shows: the status page and the force roll-up (GET)."""

    period_kind = forms.ChoiceField(choices=PeriodKind.choices, label=_("Period"), initial=PeriodKind.MONTH)
    period_start = PeriodField(label=_("Month"), help_text=_("For a quarter, any month in it."))

    def __init__(self, data=None, **kwargs):
        kwargs.setdefault("initial", {"period_kind": PeriodKind.MONTH, "period_start": last_month_start()})
        super().__init__(data, **kwargs)


class ReturnStartForm(PeriodForm):
    division = forms.ModelChoiceField(queryset=None, empty_label=None, label=_("Division"))

    field_order = ["division", "period_kind", "period_start"]

    def __init__(self, data=None, *, divisions, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["division"].queryset = divisions
        self.fields["division"].label_from_instance = lambda division: division.name

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


def _narrative_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class NarrativeForm(forms.Form):
    engagement_highlights = _narrative_field(
        _("Engagement highlights"), _("What went well with the public: meetings, street surgeries, online PACTs.")
    )
    partnership_highlights = _narrative_field(
        _("Partnership highlights"), _("Work with the council, housing, fire and rescue and other partners.")
    )
    best_practice = _narrative_field("Best practice", _("Something other divisions could copy."))
    exceptions = _narrative_field("Exceptions", _("Anything the figures do not explain, or that went wrong."))

    def __init__(self, data=None, *, highlight_return, **kwargs):
        initial = {name: getattr(highlight_return, name) for name in self.base_fields}
        super().__init__(data, initial=initial, **kwargs)

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class PinForm(forms.Form):
    priority = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    pin = forms.TypedChoiceField(
        choices=[("1", _("Pin")), ("0", _("Unpin"))], coerce=lambda value: value == "1", widget=forms.HiddenInput
    )


class DelegatesForm(forms.Form):
    delegates = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Inspectors who may help write it"),
        help_text=_("They can write the narrative and pin priorities; only you can submit."),
    )

    def __init__(self, data=None, *, candidates, current, **kwargs):
        super().__init__(data, initial={"delegates": [user.pk for user in current]}, **kwargs)
        self.fields["delegates"].queryset = candidates
        self.fields["delegates"].label_from_instance = lambda user: user.full_name

    def service_kwargs(self) -> dict:
        return {"delegates": list(self.cleaned_data["delegates"])}


class SubmitForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have reviewed the figures and the narrative, and I submit this return to HQ."),
        error_messages={"required": _("Tick the box to confirm you are submitting the return.")},
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is being reopened"),
        help_text=_("The chief inspector reads this; it stays in the return's history."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": _("Say why the return is being reopened.")},
    )
