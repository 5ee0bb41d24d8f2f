from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from messaging.models import Feedback

COMMENT_MAX = Feedback._meta.get_field("comment").max_length
# A context of their own: Welsh answers a question with its verb ("Oedd" / "Nac oedd"), not one word.
USEFUL_CHOICES = [("yes", pgettext_lazy("was it useful", "Yes")), ("no", pgettext_lazy("was it useful", "No"))]


class FeedbackForm(forms.Form):
    """ "Was this useful?" on an alert, reached from the link in the message: no account needed."""

    useful = forms.ChoiceField(
        label=_("Was this message useful?"),
        choices=USEFUL_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Tell us whether this message was useful: choose yes or no."),
            "invalid_choice": _("Choose yes or no."),
        },
    )
    acted_on = forms.BooleanField(
        label=_("I've acted on this"),
        required=False,
        help_text=_("For example, you locked your shed, checked on a neighbour or came to the meeting."),
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell the team? (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        help_text=format_lazy(
            _("Up to {count} characters. Please do not report a crime here: call 101, or 999 in an emergency."),
            count=f"{COMMENT_MAX:,}",
        ),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX}),
        error_messages={
            "max_length": format_lazy(_("Keep your comment to {count} characters or fewer."), count=f"{COMMENT_MAX:,}")
        },
    )

    @staticmethod
    def initial_for(*, feedback: Feedback | None, useful_hint: str | None) -> dict:
        """An earlier answer wins over the yes/no the link carried, so reopening the link shows
        what was actually recorded."""
        if feedback is not None:
            useful = {True: "yes", False: "no"}.get(feedback.useful)
            return {"useful": useful, "acted_on": feedback.acted_on, "comment": feedback.comment}
        return {"useful": useful_hint} if useful_hint in dict(USEFUL_CHOICES) else {}

    @property
    def useful_value(self) -> bool:
        return self.cleaned_data["useful"] == "yes"
