from decimal import Decimal

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import PartnerAgency, User
from accounts.roles import POLICE_ROLES, Role
from meetings.models import (
    AttachmentKind,
    Meeting,
)
from meetings.services import meeting_problems, repeat_rule_problem
from neighbourhoods.models import Neighbourhood, TeamMembership, Ward
from pact_portal import text
from priorities.models import Category

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

REPEAT_CHOICES = [
    ("", _("Does not repeat")),
    ("FREQ=WEEKLY", _("Every week")),
    ("FREQ=WEEKLY;INTERVAL=2", _("Every two weeks")),
    ("monthly-nth", _("Monthly on the same weekday (e.g. first Tuesday)")),
    ("FREQ=MONTHLY", _("Monthly on the same date")),
    ("custom", _("Custom rule (iCalendar RRULE)")),
]
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def nth_weekday_rule(start) -> tuple[str, str]:
    """('FREQ=MONTHLY;BYDAY=1TU', 'first Tuesday of the month') for a start date."""
    local = timezone.localtime(start)
    nth = (local.day - 1) // 7 + 1
    if nth == 5:
        nth = -1  # a fifth weekday does not exist every month; "last" does
    return f"FREQ=MONTHLY;BYDAY={nth}{WEEKDAYS[local.weekday()]}", f"{ORDINALS[nth]} {local:%A} of the month"


class MeetingForm(forms.ModelForm):
    """Create or edit a meeting on a phone: one column, native date pickers, ward checkboxes."""

    neighbourhood = forms.ModelChoiceField(queryset=Neighbourhood.objects.none())
    wards = forms.ModelMultipleChoiceField(
        queryset=Ward.objects.none(), widget=forms.CheckboxSelectMultiple, help_text=_("Every ward the meeting covers.")
    )
    also_covers = forms.ModelMultipleChoiceField(
        queryset=Neighbourhood.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Also covers (a town-wide meeting)"),
        help_text=_("Other neighbourhoods of the division it serves: it appears on their pages too."),
    )
    online_url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label=_("Online link"),
        help_text=_("Facebook Live, Teams or stream address. Needed for online and hybrid meetings."),
    )
    repeat = forms.ChoiceField(choices=REPEAT_CHOICES, required=False, label=_("Repeats"))
    custom_rule = forms.CharField(
        required=False,
        max_length=255,
        validators=[text.single_line],
        label=_("Custom repeat rule"),
        help_text=_("Daily or slower, for example FREQ=MONTHLY;BYDAY=2WE;COUNT=10"),
    )

    class Meta:
        model = Meeting
        fields = [
            "neighbourhood",
            "meeting_type",
            "audience",
            "audience_detail",
            "title",
            "wards",
            "also_covers",
            "starts_at",
            "ends_at",
            "venue_name",
            "venue_address",
            "venue_latitude",
            "venue_longitude",
            "accessibility_notes",
            "online_url",
            "public_agenda",
            "lead_officer",
            "officers",
            "partners_invited",
        ]
        widgets = {
            "starts_at": DATETIME_INPUT,
            "ends_at": DATETIME_INPUT,
            "officers": forms.CheckboxSelectMultiple,
            "partners_invited": forms.CheckboxSelectMultiple,
            "public_agenda": forms.Textarea(attrs={"rows": 3}),
            "accessibility_notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "online_url": _("Online link"),
            "audience": _("Specialist audience"),
            "venue_latitude": _("Venue latitude"),
        }
        help_texts = {
            "accessibility_notes": _("Step-free access, hearing loop, BSL interpreter, parking …"),
            "online_url": _("Facebook Live, Teams or stream address. Needed for online and hybrid meetings."),
        }

    def __init__(self, *args, neighbourhoods, creating: bool, shared=None, **kwargs):
        """`shared`: the neighbourhoods the user may add a meeting to, which it may also cover."""
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"].queryset = neighbourhoods
        only = list(neighbourhoods[:2])
        if len(only) == 1:
            self.fields["neighbourhood"].initial = only[0]
        shared = neighbourhoods if shared is None else shared
        self.fields["also_covers"].queryset = shared
        self.fields["wards"].queryset = Ward.objects.filter(
            Q(neighbourhood__in=neighbourhoods) | Q(neighbourhood__in=shared)
        ).select_related("neighbourhood")
        self.fields["wards"].label_from_instance = lambda w: f"{w.name} ({w.neighbourhood.name})"
        team = User.objects.filter(
            pk__in=TeamMembership.objects.current().filter(neighbourhood__in=neighbourhoods).values("user_id"),
            role__in=POLICE_ROLES,
        )
        self.fields["lead_officer"].queryset = team
        self.fields["officers"].queryset = team
        self.fields["partners_invited"].queryset = PartnerAgency.objects.all()
        if not creating:
            # A meeting stays in its neighbourhood; repeating is set when it is created.
            del self.fields["neighbourhood"]
            del self.fields["repeat"]
            del self.fields["custom_rule"]

    def clean(self):
        data = super().clean()
        for field, problem in meeting_problems(values=data).items():
            if field in self.fields:
                self.add_error(field, problem)
        neighbourhood = data.get("neighbourhood") or getattr(self.instance, "neighbourhood", None)
        covered = {getattr(neighbourhood, "pk", None), *(n.pk for n in data.get("also_covers") or [])}
        outside = [w.name for w in data.get("wards") or [] if neighbourhood and w.neighbourhood_id not in covered]
        if outside:
            self.add_error(
                "wards", _("Not in the neighbourhoods it covers: %(wards)s.") % {"wards": ", ".join(outside)}
            )
        if data.get("repeat") == "custom" and not data.get("custom_rule"):
            self.add_error("custom_rule", _("Enter the repeat rule, or choose another repeat option."))
        elif data.get("repeat") == "custom" and (problem := repeat_rule_problem(data["custom_rule"])):
            self.add_error("custom_rule", problem)
        return data

    def repeat_rule(self) -> tuple[str, str] | None:
        choice = self.cleaned_data.get("repeat")
        if not choice:
            return None
        if choice == "monthly-nth":
            return nth_weekday_rule(self.cleaned_data["starts_at"])
        if choice == "custom":
            rule = self.cleaned_data["custom_rule"].strip().removeprefix("RRULE:")
            return rule, f"custom rule {rule}"
        # The description is stored with the series, so it keeps the site's own wording whatever the
        # language of the page it was set on.
        with translation.override(settings.LANGUAGE_CODE):
            return choice, str(dict(REPEAT_CHOICES)[choice]).lower()

    def service_fields(self) -> dict:
        """Cleaned data as the services take it (relations split out)."""
        excluded = {"neighbourhood", "wards", "also_covers", "officers", "partners_invited", "repeat", "custom_rule"}
        return {k: v for k, v in self.cleaned_data.items() if k not in excluded}


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=255,
        label=_("Reason, for the public"),
        help_text=_("Shown on the meeting page and in calendar feeds, e.g. 'Venue unavailable: moved to 12 May'."),
    )


class CopyForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("New start"), widget=DATETIME_INPUT)

    def clean_starts_at(self):
        starts = self.cleaned_data["starts_at"]
        if problem := meeting_problems(values={"starts_at": starts}).get("starts_at"):
            raise forms.ValidationError(problem)
        return starts


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "public_attendees",
            "online_live_viewers",
            "online_later_views",
            "questions_received",
            "public_summary",
            "restricted_notes",
        ]
        labels = {
            "public_attendees": _("Members of the public in person"),
            "online_live_viewers": _("Live online viewers"),
            "online_later_views": _("Later online views"),
            "questions_received": _("Questions or comments received"),
            "restricted_notes": _("Restricted notes (police only)"),
        }
        help_texts = {
            "public_summary": _("Published on the meeting page."),
            "restricted_notes": _("Sensitive community information. Never shown to the public or partners."),
        }
        widgets = {
            "public_summary": forms.Textarea(attrs={"rows": 3}),
            "restricted_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, panel_members=None, **kwargs):
        """`panel_members`: the register members who may be ticked present at a panel meeting
        (current on its day), or None for a meeting with no panel register to take."""
        super().__init__(*args, **kwargs)
        if panel_members is not None:
            self.fields["panel_members"] = forms.ModelMultipleChoiceField(
                queryset=panel_members,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                label=_("Panel members present"),
                help_text=_(
                    "Members of the panel's register whose term covers the meeting's day. The panel can "
                    "agree priorities only with its quorum present, the chair or vice-chair among them."
                ),
            )


class IssueRaisedForm(forms.Form):
    """One concern raised at the meeting, filed in the triage queue under its own category and
    ward (one of the meeting's), so like concerns find each other there."""

    description = forms.CharField(max_length=4000, required=False, label=_("Issue raised"))
    category = forms.ChoiceField(choices=[("", _("Choose a category")), *Category.choices], required=False)
    ward = forms.ModelChoiceField(queryset=Ward.objects.none(), required=False, empty_label=_("Choose the ward"))

    def __init__(self, *args, wards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = wards
        if len(wards) == 1:  # nothing to choose
            self.fields["ward"].initial = wards[0].pk

    def clean(self):
        data = super().clean()
        if data.get("description", "").strip():
            if not data.get("category"):
                self.add_error("category", _("Choose the category of this issue."))
            if not data.get("ward"):
                self.add_error("ward", _("Choose the ward it is about."))
        return data


IssueRaisedFormSet = forms.formset_factory(IssueRaisedForm, extra=3)


HOURS = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal("0"), "max_value": Decimal("24")}


RANKS = [Role.PCSO, Role.CONSTABLE, Role.SERGEANT, Role.INSPECTOR, Role.CHIEF_INSPECTOR]


class OfficerHoursForm(forms.Form):
    officer = forms.ModelChoiceField(queryset=User.objects.none())
    # Blank by default so an untouched spare row stays empty; the officer's own rank fills it in.
    rank = forms.ChoiceField(
        choices=[("", _("Their rank")), *((r.value, r.label) for r in RANKS)], required=False, label=_("Rank")
    )
    preparation_hours = forms.DecimalField(initial=Decimal("1"), label=_("Preparation"), **HOURS)
    attending_hours = forms.DecimalField(initial=Decimal("1"), label=_("Attending"), **HOURS)
    follow_up_hours = forms.DecimalField(initial=Decimal("1"), label=_("Follow-up"), **HOURS)

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers

    def clean(self):
        data = super().clean()
        officer = data.get("officer")
        if officer and not data.get("rank"):
            if officer.role not in RANKS:
                self.add_error("rank", _("Choose the rank they attended in."))
            data["rank"] = officer.role
        return data


class PartnerPresentForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=PartnerAgency.objects.all())
    people = forms.IntegerField(min_value=1, initial=1)


class BaseUniqueFormSet(forms.BaseFormSet):
    unique_field = ""

    def clean(self):
        seen = set()
        for form in self.forms:
            if not form.has_changed() or self.can_delete and self._should_delete_form(form):
                continue
            value = form.cleaned_data.get(self.unique_field)
            if value in seen:
                form.add_error(self.unique_field, _("Listed twice."))
            seen.add(value)


class OfficerFormSet(BaseUniqueFormSet):
    unique_field = "officer"


class PartnerFormSet(BaseUniqueFormSet):
    unique_field = "agency"


OfficerHoursFormSet = forms.formset_factory(OfficerHoursForm, formset=OfficerFormSet, extra=2, can_delete=True)
PartnerPresentFormSet = forms.formset_factory(PartnerPresentForm, formset=PartnerFormSet, extra=2, can_delete=True)


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(choices=AttachmentKind.choices)
    file = forms.FileField()
    is_public = forms.BooleanField(required=False, initial=True, label=_("Publish with the meeting"))
