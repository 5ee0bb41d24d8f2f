from django import forms
from django.utils.translation import gettext_lazy as _

from messaging.models import AgeBand, Channel, EthnicGroup
from neighbourhoods.models import Ward
from priorities.voting.models import MAX_CHOICES, VoteMethod
from surveys.models import Sex

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
CHANNEL_CHOICES = [(Channel.EMAIL, _("Email")), (Channel.SMS, _("Text message"))]


class _TimesForm(forms.Form):
    opens_at = forms.DateTimeField(label=_("Opens"), widget=DATETIME_INPUT)
    closes_at = forms.DateTimeField(label=_("Closes"), widget=DATETIME_INPUT)
    channels = forms.MultipleChoiceField(
        label=_("Send each member their ballot link by"),
        choices=CHANNEL_CHOICES,
        initial=[Channel.EMAIL, Channel.SMS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Send the ballot links by email, text message or both.")},
    )
    open_to_email_voters = forms.BooleanField(
        label=_("Also open to anyone who confirms an email address in the area"),
        help_text=_("Residents who are not In the Know members can ask for a ballot on the public votes page."),
        required=False,
    )


class VoteForm(_TimesForm):
    priorities = forms.ModelMultipleChoiceField(
        label=_("Proposed priorities on the ballot"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least two proposed priorities: a vote needs a choice.")},
    )
    method = forms.ChoiceField(
        label=_("How residents vote"),
        choices=[(VoteMethod.APPROVE, VoteMethod.APPROVE.label), (VoteMethod.RANK, VoteMethod.RANK.label)],
        widget=forms.RadioSelect,
        initial=VoteMethod.APPROVE,
    )
    field_order = ["priorities", "method", "opens_at", "closes_at", "channels", "open_to_email_voters"]

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priorities"].queryset = proposals


class SignOffPollForm(_TimesForm):
    pass


class AgreeByVoteForm(forms.Form):
    review_date = forms.DateField(
        label=_("Review date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


NOT_SAID = _("Prefer not to say")


def _blank_first(choices, label):
    return [("", label), *[(value, text) for value, text in choices if value != "not_said"]]


class BallotForm(forms.Form):
    """The resident's ballot: the options as checkboxes (approve, answer) or as a rank per option,
    and the optional questions the weighting needs."""

    age_band = forms.ChoiceField(
        label=_("Your age"), required=False, choices=_blank_first(AgeBand.choices, _("Prefer not to say"))
    )
    sex = forms.ChoiceField(
        label=_("Your sex"), required=False, choices=_blank_first(Sex.choices, _("Prefer not to say"))
    )
    ethnic_group = forms.ChoiceField(
        label=_("Your ethnic group"), required=False, choices=_blank_first(EthnicGroup.choices, NOT_SAID)
    )

    def __init__(self, *args, vote, **kwargs):
        super().__init__(*args, **kwargs)
        self.vote = vote
        self.options = list(vote.options.all())
        if vote.method == VoteMethod.RANK:
            ranks = [("", _("Not ranked"))] + [(str(n), str(n)) for n in range(1, MAX_CHOICES + 1)]
            for option in self.options:
                self.fields[f"rank_{option.pk}"] = forms.ChoiceField(label=str(option), choices=ranks, required=False)
        elif vote.method == VoteMethod.SINGLE:
            self.fields["choice"] = forms.TypedChoiceField(
                label=_("Has this been fixed?"),
                choices=[(o.pk, o.get_answer_display()) for o in self.options],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose one answer.")},
            )
        else:
            self.fields["choices"] = forms.TypedMultipleChoiceField(
                label=_("Choose up to three"),
                choices=[(o.pk, str(o)) for o in self.options],
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": _("Choose at least one and at most three.")},
            )

    def rank_fields(self):
        return [self[f"rank_{o.pk}"] for o in self.options if f"rank_{o.pk}" in self.fields]

    def clean(self):
        data = super().clean()
        if self.vote.method == VoteMethod.RANK:
            ranked = {int(data[f"rank_{o.pk}"]): o.pk for o in self.options if data.get(f"rank_{o.pk}")}
            given = [int(data[f"rank_{o.pk}"]) for o in self.options if data.get(f"rank_{o.pk}")]
            if not given:
                raise forms.ValidationError(_("Rank at least one: put 1 beside the one you want tackled first."))
            if len(set(given)) != len(given) or sorted(given) != list(range(1, len(given) + 1)):
                raise forms.ValidationError(_("Give each number once, starting at 1 (1, then 2, then 3)."))
            data["option_ids"] = [ranked[n] for n in sorted(ranked)]
        elif self.vote.method == VoteMethod.SINGLE:
            data["option_ids"] = [data["choice"]] if data.get("choice") else []
        else:
            chosen = data.get("choices") or []
            if len(chosen) > MAX_CHOICES:
                self.add_error("choices", _("Choose at most three."))
            data["option_ids"] = list(chosen)
        return data


# The resident's words for what the ballot request page says (views are not resident files).
BALLOT_THROTTLE_MESSAGE = _("We have had several requests for a ballot from you in the last hour. Try again later.")
EMAIL_BALLOT_SENT = _("We have emailed your ballot link to %(email)s. It gives one ballot: keep the email.")


class EmailBallotForm(forms.Form):
    """Not an In the Know member: the address the ballot link goes to, and the ward they live in."""

    email = forms.EmailField(label=_("Your email address"), max_length=254)
    ward = forms.ModelChoiceField(
        label=_("The ward you live in"),
        queryset=None,
        empty_label=_("Choose your ward"),
        error_messages={"invalid_choice": _("Choose a ward of this neighbourhood.")},
    )

    def __init__(self, *args, vote, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = Ward.objects.filter(neighbourhood=vote.neighbourhood_id).order_by("name")
