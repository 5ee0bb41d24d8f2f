from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from neighbourhoods.selectors import ward_at_point
from priorities.images import ALLOWED_FORMATS
from priorities.models import Category, IssueSource

CATEGORY_CHOICES = [("", _("Choose a category")), *Category.choices]
# Online and Open311 reports come in by themselves; officers log what reached them another way.
OFFICER_SOURCES = [(v, label) for v, label in IssueSource.choices if v not in (IssueSource.ONLINE, IssueSource.OPEN311)]
PIN_AT_SEA = _(
    "The pin is not in any ward we cover (it may be at sea or outside the force area). "
    "Move the pin, or choose the ward from the list."
)


class IssueReportForm(forms.Form):
    """A resident's concern. Where it happens is a ward from the list or a pin on the map: with a
    pin the server finds the ward, so the list is only needed without JavaScript."""

    category = forms.ChoiceField(choices=CATEGORY_CHOICES, label=_("What is it about?"))
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happens, where (a street or landmark) and when. Do not include anyone's personal details."),
        error_messages={"required": _("Describe the problem: what happens, where and when.")},
    )
    ward = forms.ModelChoiceField(
        queryset=None,
        required=False,
        to_field_name="code",
        empty_label=_("Choose a ward"),
        label=_("Ward"),
        help_text=_("Or put a pin on the map where it happens."),
    )
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    photo = forms.FileField(
        required=False,
        label=_("Photo (optional)"),
        help_text=_("A JPEG, PNG or WebP photo up to 8 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_FORMATS.values())}),
    )
    contact_email = forms.EmailField(
        required=False,
        label=_("Your email (optional)"),
        help_text=_("Only if you are happy for the neighbourhood team to contact you about it."),
    )
    anonymous = forms.BooleanField(
        required=False,
        label=_("Report anonymously"),
        help_text=_("We will not record who you are, even if you are signed in, and will not keep an email address."),
    )

    def __init__(self, *args, wards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = wards
        self.fields["ward"].label_from_instance = lambda w: f"{w.name} ({w.neighbourhood.name})"

    def clean(self):
        data = super().clean()
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if (latitude is None) != (longitude is None):
            self.add_error(
                "ward", _("The map pin was incomplete. Put the pin again, or choose the ward from the list.")
            )
        elif latitude is not None:
            # The pin decides: the page's JavaScript clears it when the list is changed by hand.
            ward = ward_at_point(latitude=latitude, longitude=longitude)
            if ward is None:
                self.add_error("ward", PIN_AT_SEA)
            else:
                self.check_pinned_ward(ward)
                data["ward"] = ward
        elif not data.get("ward") and "ward" not in self.errors:
            self.add_error("ward", _("Choose the ward, or put a pin on the map where it happens."))
        return data

    def check_pinned_ward(self, ward) -> None:
        """Residents may pin anywhere the force covers; issue_raise refuses a ward without a team."""

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "ward": data["ward"],
            "category": data["category"],
            "description": data["description"],
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "photo": data.get("photo"),
            "contact_email": data.get("contact_email", ""),
            "anonymous": data.get("anonymous", False),
        }


class IssueLogForm(IssueReportForm):
    """An officer logs a concern raised at a meeting, on a door knock, a street meeting or in a survey."""

    field_order = ["source", "meeting", "category", "description", "ward", "supporters"]

    source = forms.ChoiceField(choices=OFFICER_SOURCES, label=_("How was it raised?"))
    meeting = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label=_("Not at a meeting"),
        label=_("Meeting (optional)"),
        help_text=_("The meeting where it was raised."),
    )
    supporters = forms.IntegerField(
        min_value=1,
        max_value=1000,
        initial=1,
        label=_("Residents raising it"),
        help_text=_("Its evidence weight: how many people raised this concern."),
    )

    def __init__(self, *args, wards, meetings, **kwargs):
        super().__init__(*args, wards=wards, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.fields["contact_email"].label = _("Resident's email (optional)")
        self.fields["contact_email"].help_text = _("Only with the resident's agreement to be contacted about it.")
        self.fields["anonymous"].label = _("The resident asked not to be named")
        self.fields["anonymous"].help_text = _("No email address is kept.")

    def check_pinned_ward(self, ward) -> None:
        if not self.fields["ward"].queryset.filter(pk=ward.pk).exists():
            self.add_error(
                "ward", _("The pin is in %(ward)s, which is outside your neighbourhoods.") % {"ward": ward.name}
            )

    def clean(self):
        data = super().clean()
        meeting, ward = data.get("meeting"), data.get("ward")
        if data.get("source") == IssueSource.MEETING and meeting is None:
            self.add_error("meeting", _("Choose the meeting where it was raised."))
        if meeting and ward and meeting.neighbourhood_id != ward.neighbourhood_id:
            self.add_error(
                "meeting",
                _("That meeting is not in %(neighbourhood)s, where the ward is.")
                % {"neighbourhood": ward.neighbourhood.name},
            )
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            **super().service_fields(),
            "source": data["source"],
            "meeting": data.get("meeting"),
            "supporters": data["supporters"],
        }


class MergeForm(forms.Form):
    into = forms.IntegerField(min_value=1, label=_("Merge into issue no."))


class CloseForm(forms.Form):
    # Blank is the service's to refuse, with its message.
    reason = forms.CharField(max_length=255, required=False, label=_("Reason for closing"))


class CategoryForm(forms.Form):
    category = forms.ChoiceField(choices=Category.choices, label=_("Category"))


class ProposeForm(forms.Form):
    """Propose a priority from issues ticked in the triage queue."""

    issues = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Issues"), error_messages={"required": _("Tick the issues the priority comes from.")}
    )
    title = forms.CharField(max_length=150, label=_("Priority title"))
    category = forms.ChoiceField(choices=CATEGORY_CHOICES, label=_("Priority category"))
    public_problem = forms.CharField(
        label=_("The problem, in plain words"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the public page once the priority is agreed."),
    )
    wards = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple, label=_("Wards"))
    review_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        label=_("Review date"),
        help_text=_("Normally the next PACT meeting."),
    )
    meeting = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label=_("No meeting yet"),
        label=_("Meeting where it is proposed (optional)"),
    )

    def __init__(self, *args, issues, wards, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issues"].queryset = issues
        self.fields["wards"].queryset = wards
        # All of one neighbourhood's wards: the neighbourhood in each label would only repeat itself.
        self.fields["wards"].label_from_instance = lambda ward: ward.name
        self.fields["meeting"].queryset = meetings

    def clean_review_date(self):
        review_date = self.cleaned_data["review_date"]
        if review_date < timezone.localdate():
            raise forms.ValidationError(_("The review date must be today or later."))
        return review_date
