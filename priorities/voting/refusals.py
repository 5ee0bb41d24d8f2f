"""Why a ballot link cannot be used now, as the resident reads it: each is a page of its own rather
than a form error, and nothing is recorded."""

from django.utils.translation import gettext_lazy

TAMPERED, NOT_OPEN, CLOSED, SECOND, NOT_ELIGIBLE = "tampered", "not_open", "closed", "second", "not_eligible"

REFUSALS = {
    TAMPERED: gettext_lazy(
        "This voting link is not valid: it may have been copied wrongly. Use the link exactly as it came."
    ),
    NOT_ELIGIBLE: gettext_lazy("This vote is for In the Know members living in the neighbourhood."),
    NOT_OPEN: gettext_lazy("Voting has not opened yet."),
    CLOSED: gettext_lazy("Voting has closed: ballots can no longer be cast."),
    SECOND: gettext_lazy("You have already voted in this vote: each member has one ballot."),
}
