"""Forms for the EPIC record: one per transition, the text edit, and adding or updating an action.

Forms only check and shape input; each hands its service the keyword arguments it takes
(`service_kwargs()`), and the service decides what is legal for the record.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from priorities.models import ActionStatus, Category, EscalationForum

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_past(value):
    if value is not None and value < timezone.localdate():
        raise forms.ValidationError(_("The date must be today or later."))
    return value


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class TransitionForm(forms.Form):
    """The base of every transition form: `heading`, `button` and `explanation` label its page."""

    heading = ""
    button = ""
    explanation = ""

    def __init__(self, *args, priority, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.priority = priority
        if "meeting" in self.fields:
            self.fields["meeting"].queryset = meetings

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class AgreeForm(TransitionForm):
    heading = _("Agree the priority")
    button = _("Agree it")
    explanation = _(
        "Agreeing makes it the community's priority: it appears on the public page. A priority is agreed at a "
        "PACT or panel meeting of its neighbourhood that has taken place and has its outcome recorded."
    )

    meeting = forms.ModelChoiceField(
        queryset=None,
        empty_label=_("Choose the meeting"),
        label=_("Meeting where it was agreed"),
        help_text=_("Held PACT and panel meetings of this neighbourhood from the day it was proposed."),
        error_messages={
            "required": _("Choose the meeting where the community agreed it."),
            "invalid_choice": _(
                "Choose one of the meetings listed: held PACT and panel meetings of this neighbourhood "
                "from the day it was proposed."
            ),
        },
    )
    review_date = forms.DateField(widget=DATE_WIDGET, help_text=_("Normally the next PACT meeting."))

    def __init__(self, *args, priority, **kwargs):
        kwargs.setdefault("initial", {"meeting": priority.proposed_at_meeting_id, "review_date": priority.review_date})
        super().__init__(*args, priority=priority, **kwargs)

    def clean_review_date(self):
        return _not_past(self.cleaned_data["review_date"])


class StartForm(TransitionForm):
    heading = _("Put the priority in action")
    button = _("Work has started")
    explanation = _("Recording an action as in progress does this too.")


class EscalateForm(TransitionForm):
    heading = _("Escalate the priority")
    button = _("Escalate")
    explanation = _("Hand it to a wider forum when the neighbourhood team and its partners cannot solve it alone.")

    forum = forms.ChoiceField(choices=[("", _("Choose a forum")), *EscalationForum.choices], label=_("Escalate to"))
    reason = forms.CharField(widget=_textarea(), label=_("Why local action is not enough"))


class DeEscalateForm(TransitionForm):
    heading = _("De-escalate the priority")
    button = _("De-escalate")
    explanation = _("It comes back to the neighbourhood team, in action.")

    reason = forms.CharField(widget=_textarea(), label=_("Why it is coming back"))


class ResolveForm(TransitionForm):
    heading = _("Resolve the priority")
    button = _("Resolve")
    explanation = _("The community then signs it off at a PACT or panel meeting of the neighbourhood.")

    public_outcome = forms.CharField(
        widget=_textarea(4), label=_("The result, in plain words"), help_text=_("Public: shown on the priority's page.")
    )

    def __init__(self, *args, priority, unfinished=(), **kwargs):
        kwargs.setdefault("initial", {"public_outcome": priority.public_outcome})
        super().__init__(*args, priority=priority, **kwargs)
        # Each action still open is closed with the priority, done or dropped, and says why.
        self.unfinished = list(unfinished)
        for action in self.unfinished:
            self.fields[f"close_{action.pk}_status"] = forms.ChoiceField(
                choices=[("", _("Choose")), (ActionStatus.DONE, _("Done")), (ActionStatus.DROPPED, _("Dropped"))],
                label=gettext("“%(action)s” (%(status)s): close it as")
                % {"action": action.description[:80], "status": action.get_status_display().lower()},
                error_messages={"required": _("Say whether this action was done or dropped.")},
            )
            self.fields[f"close_{action.pk}_reason"] = forms.CharField(
                widget=_textarea(2),
                label=_("Why it is closed now"),
                help_text=_("Kept in the action's log for the team; not published."),
                error_messages={"required": _("Give the reason this action is closed.")},
            )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "public_outcome": data["public_outcome"],
            "close_actions": [
                {"action": a.pk, "status": data[f"close_{a.pk}_status"], "reason": data[f"close_{a.pk}_reason"]}
                for a in self.unfinished
            ],
        }


class SignOffForm(TransitionForm):
    heading = _("Record the community's sign-off")
    button = _("Record the sign-off")
    explanation = _(
        "The community signs off the result at a PACT or panel meeting of the neighbourhood held on or after the "
        "day it was resolved."
    )

    meeting = forms.ModelChoiceField(
        queryset=None,
        empty_label=_("Choose the meeting"),
        label=_("Meeting where the community signed it off"),
        help_text=_("Held PACT and panel meetings of this neighbourhood since it was resolved."),
        error_messages={
            "required": _("Choose the meeting where the community signed it off."),
            "invalid_choice": _(
                "Choose one of the meetings listed: held PACT and panel meetings of this neighbourhood "
                "since it was resolved."
            ),
        },
    )


class NotAdoptForm(TransitionForm):
    heading = _("Do not adopt the priority")
    button = _("Do not adopt")
    explanation = _("The reason is public: residents who raised it read why it was not taken on.")

    reason = forms.CharField(widget=_textarea(), label=_("Public reason"))


class ReopenForm(TransitionForm):
    heading = _("Reopen the priority")
    button = _("Reopen")
    explanation = _("It then waits to be agreed again (or not adopted).")

    reason = forms.CharField(widget=_textarea(), label=_("Why it is back"))


TRANSITION_FORMS: dict[str, type[TransitionForm]] = {
    "agree": AgreeForm,
    "start": StartForm,
    "escalate": EscalateForm,
    "de_escalate": DeEscalateForm,
    "resolve": ResolveForm,
    "sign_off": SignOffForm,
    "not_adopt": NotAdoptForm,
    "reopen": ReopenForm,
}


class PriorityEditForm(forms.Form):
    """The record's text. The restricted fields are only there for users who may read them."""

    title = forms.CharField(max_length=150, label=_("Title"))
    category = forms.ChoiceField(choices=Category.choices, label=_("Category"))
    public_problem = forms.CharField(widget=_textarea(), label=_("The problem (public)"))
    public_update = forms.CharField(widget=_textarea(), required=False, label=_("What we are doing (public)"))
    evidence = forms.CharField(widget=_textarea(4), required=False, label=_("Evidence (restricted)"))
    restricted_notes = forms.CharField(widget=_textarea(4), required=False, label=_("Notes (restricted)"))
    partner_notes = forms.CharField(
        widget=_textarea(4),
        required=False,
        label=_("For partners"),
        help_text=_("Shared with partner agencies; not public."),
    )
    review_date = forms.DateField(widget=DATE_WIDGET, required=False, label=_("Review date"))

    def __init__(self, *args, priority, show_restricted: bool, **kwargs):
        kwargs.setdefault("initial", {name: getattr(priority, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        if not show_restricted:
            del self.fields["evidence"], self.fields["restricted_notes"]

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class ActionAddForm(forms.Form):
    """An action has one owner: an officer of the team, or a partner agency (optionally naming
    one of its people)."""

    description = forms.CharField(widget=_textarea(), label=_("What will be done"))
    owner_officer = forms.ModelChoiceField(
        queryset=None, required=False, empty_label=_("Not an officer"), label=_("Owner: an officer of the team")
    )
    owner_agency = forms.ModelChoiceField(
        queryset=None, required=False, empty_label=_("Not a partner agency"), label=_("Or owner: a partner agency")
    )
    owner_partner_user = forms.ModelChoiceField(
        queryset=None, required=False, empty_label=_("Nobody named"), label=_("Named partner (optional)")
    )
    due_date = forms.DateField(widget=DATE_WIDGET, error_messages={"required": _("Give the action a due date.")})
    is_public = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Show on the public page"),
        help_text=_("Untick for actions that must not be published, such as a planned operation."),
    )

    def __init__(self, *args, officers, agencies, partner_users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_officer"].queryset = officers
        self.fields["owner_officer"].label_from_instance = lambda user: user.public_title
        self.fields["owner_agency"].queryset = agencies
        self.fields["owner_partner_user"].queryset = partner_users
        self.fields["owner_partner_user"].label_from_instance = lambda user: f"{user.full_name} ({user.agency.name})"

    def clean_due_date(self):
        return _not_past(self.cleaned_data["due_date"])

    def clean(self):
        data = super().clean()
        officer, agency, person = data.get("owner_officer"), data.get("owner_agency"), data.get("owner_partner_user")
        if officer is None and agency is None and "owner_officer" not in self.errors:
            self.add_error("owner_officer", _("Give the action an owner: an officer or a partner agency."))
        if officer is not None and agency is not None:
            self.add_error("owner_agency", _("An action has one owner: an officer or an agency, not both."))
        if person is not None and (agency is None or person.agency_id != agency.pk):
            self.add_error("owner_partner_user", _("The named partner must work for the owning agency."))
        return data

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class ActionUpdateForm(forms.Form):
    text = forms.CharField(
        widget=_textarea(), label=_("What was done"), error_messages={"required": _("Say what was done.")}
    )
    status = forms.ChoiceField(choices=ActionStatus.choices, label=_("Status now"))
    is_public = forms.BooleanField(
        required=False,
        label=_("Show this update on the public page"),
        help_text=_("Only if the action itself is public."),
    )

    def __init__(self, *args, action, **kwargs):
        kwargs.setdefault("initial", {"status": action.status})
        # Several actions' forms share a page: the ids carry the action, the names stay plain.
        kwargs.setdefault("auto_id", f"id_action{action.pk}_%s")
        super().__init__(*args, **kwargs)

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)
