"""Entry forms for the scorecard's own figures. The same form checks a typed-in row and each row
of a CSV import, so both say the same thing about the same mistake."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import AppealOutcome, Campaign, FeedbackMonth, ReachMonth, VolunteerCount, WatchSchemeCount
from reports.scorecard import platforms


class MonthField(forms.DateField):
    """A month as YYYY-MM (a browser's month input, or a platform export); its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_error_messages = {"invalid": _("Give the month as year and month, for example 2026-10.")}

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if isinstance(day, datetime.date) else day


class _AreaForm(forms.ModelForm):
    """Neighbourhoods (and divisions) offered, and accepted, are only those the user may enter for."""

    def __init__(self, *args, neighbourhoods, divisions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"] = forms.ModelChoiceField(
            queryset=neighbourhoods,
            to_field_name="code",
            required="division" not in self.fields,
            label=_("Neighbourhood"),
            error_messages={"invalid_choice": _("Not a neighbourhood you may enter figures for.")},
        )
        if "division" in self.fields:
            self.fields["division"] = forms.ModelChoiceField(
                queryset=divisions,
                to_field_name="code",
                required=False,
                label=_("Division"),
                help_text=_("Only where the source does not say which neighbourhood."),
                error_messages={"invalid_choice": _("Not a division you may enter figures for.")},
            )

    # The fields that name one row. Entering a row that exists (the same account and month, say)
    # corrects it: the service replaces the row, so the form leaves the uniqueness of these to it.
    row_key: tuple[str, ...] = ()

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() | set(self.row_key)

    def validate_unique(self):
        pass


class ReachMonthForm(_AreaForm):
    row_key = ("neighbourhood", "platform", "account", "month")
    month = MonthField(label=_("Month"))

    class Meta:
        model = ReachMonth
        fields = [
            "neighbourhood", "platform", "account", "month", "followers", "reach", "engagements",
            "shares", "comments", "mentions", "unique_visitors", "return_visitors",
        ]  # fmt: skip


class FeedbackMonthForm(_AreaForm):
    row_key = ("kind", "category", "month", "neighbourhood", "division")
    month = MonthField(label=_("Month"))

    class Meta:
        model = FeedbackMonth
        fields = ["kind", "category", "month", "neighbourhood", "division", "count"]

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("neighbourhood")) == bool(cleaned.get("division")):
            raise forms.ValidationError(_("Give either a neighbourhood or a division, not both."))
        return cleaned


class VolunteerCountForm(_AreaForm):
    row_key = ("neighbourhood", "role", "as_of")

    class Meta:
        model = VolunteerCount
        fields = ["neighbourhood", "role", "as_of", "count"]
        widgets = {"as_of": forms.DateInput(attrs={"type": "date"})}


class WatchSchemeCountForm(_AreaForm):
    row_key = ("neighbourhood", "kind", "as_of")

    class Meta:
        model = WatchSchemeCount
        fields = ["neighbourhood", "kind", "as_of", "schemes", "members"]
        widgets = {"as_of": forms.DateInput(attrs={"type": "date"})}


class CampaignForm(_AreaForm):
    row_key = ("title", "starts_on", "neighbourhood", "division")

    class Meta:
        model = Campaign
        fields = ["title", "neighbourhood", "division", "starts_on", "ends_on", "aim", "outcome"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("neighbourhood")) == bool(cleaned.get("division")):
            raise forms.ValidationError(_("Give either a neighbourhood or a division, not both."))
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The campaign cannot end before it starts."))
        return cleaned


class AppealOutcomeForm(forms.ModelForm):
    class Meta:
        model = AppealOutcome
        fields = ["information_received", "arrests", "closed"]


class PlatformImportForm(forms.Form):
    """A platform's own export for one neighbourhood account: the file does not say which."""

    export_format = forms.ChoiceField(label=_("Export"), choices=[])
    neighbourhood = forms.ModelChoiceField(
        queryset=None,
        to_field_name="code",
        label=_("Neighbourhood"),
        error_messages={"invalid_choice": _("Not a neighbourhood you may enter figures for.")},
    )
    account = forms.CharField(
        label=_("Account"), max_length=150, help_text=_("The account's handle, e.g. @DaneshousePolice.")
    )
    file = forms.FileField(label=_("The export file (CSV)"))

    def __init__(self, *args, neighbourhoods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"].queryset = neighbourhoods
        self.fields["export_format"].choices = [(key, f.label) for key, f in platforms.FORMATS.items()]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("The first row names the columns."))
