"""The standard question bank: the same wording, choices and key in every survey, so waves and
areas can be compared. Wording follows the Crime Survey for England and Wales questions forces
use for confidence and feeling of safety.

Confidence and safety are read from the bank answers as shares: "a good job" = excellent or good;
"safe" = very or fairly safe; "agree" = agree or strongly agree.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from messaging.models import AgeBand, EthnicGroup
from surveys.models import BankKey, QuestionKind, Sex


@dataclass(frozen=True)
class BankQuestion:
    key: str
    kind: str
    text: str
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    # Option values that count as the favourable answer in headline measures.
    favourable: frozenset[str] = frozenset()
    scale_max: int | None = None
    help_text: str = ""
    # Option values that are no answer to the measure ("I have not had contact with the police"):
    # left out of its base, so the share is of the people the question applies to.
    not_applicable: frozenset[str] = frozenset()


GOOD_JOB = [
    ("excellent", _("Excellent")),
    ("good", _("Good")),
    ("fair", _("Fair")),
    ("poor", _("Poor")),
    ("very_poor", _("Very poor")),
    ("dont_know", _("Don't know")),
]
SAFE = [
    ("very_safe", _("Very safe")),
    ("fairly_safe", _("Fairly safe")),
    ("bit_unsafe", _("A bit unsafe")),
    ("very_unsafe", _("Very unsafe")),
    ("dont_know", _("Don't know")),
]
# Both questions asking yes or no are about the past ("had you heard", "have you been"), which Welsh
# answers with its own words (Do, Naddo).
YES_NO = [("yes", pgettext_lazy("answer about the past", "Yes")), ("no", pgettext_lazy("answer about the past", "No"))]
SATISFIED = [
    ("very_satisfied", _("Very satisfied")),
    ("fairly_satisfied", _("Fairly satisfied")),
    ("neither", _("Neither satisfied nor dissatisfied")),
    ("fairly_dissatisfied", _("Fairly dissatisfied")),
    ("very_dissatisfied", _("Very dissatisfied")),
    ("not_a_member", _("I do not get In the Know alerts")),
]
SATISFIED_WITH_SERVICE = [
    ("very_satisfied", _("Very satisfied")),
    ("fairly_satisfied", _("Fairly satisfied")),
    ("neither", _("Neither satisfied nor dissatisfied")),
    ("fairly_dissatisfied", _("Fairly dissatisfied")),
    ("very_dissatisfied", _("Very dissatisfied")),
    ("no_contact", _("I have not had contact with the police in the last 12 months")),
]

BANK: dict[str, BankQuestion] = {
    q.key: q
    for q in [
        BankQuestion(
            BankKey.POLICE_GOOD_JOB,
            QuestionKind.SINGLE,
            _("Taking everything into account, how good a job do you think the police in this area are doing?"),
            GOOD_JOB,
            frozenset({"excellent", "good"}),
        ),
        BankQuestion(
            BankKey.SAFE_AFTER_DARK,
            QuestionKind.SINGLE,
            _("How safe do you feel walking alone in this area after dark?"),
            SAFE,
            frozenset({"very_safe", "fairly_safe"}),
        ),
        BankQuestion(
            BankKey.SAFE_DURING_DAY,
            QuestionKind.SINGLE,
            _("How safe do you feel walking alone in this area during the day?"),
            SAFE,
            frozenset({"very_safe", "fairly_safe"}),
        ),
        BankQuestion(
            BankKey.DEAL_WITH_WHAT_MATTERS,
            QuestionKind.AGREEMENT,
            _(
                "The police and local council are dealing with the anti-social behaviour and crime issues that "
                "matter in this area."
            ),
            favourable=frozenset({"4", "5"}),
        ),
        BankQuestion(
            BankKey.PACT_AWARE,
            QuestionKind.SINGLE,
            _("Before today, had you heard of PACT (Police and Communities Together) meetings in your area?"),
            YES_NO,
            frozenset({"yes"}),
        ),
        BankQuestion(
            BankKey.PACT_INVOLVED,
            QuestionKind.SINGLE,
            _(
                "In the last 12 months, have you been to a PACT meeting or told the police about a local problem "
                "through PACT?"
            ),
            YES_NO,
            frozenset({"yes"}),
        ),
        BankQuestion(
            BankKey.ITK_SATISFACTION,
            QuestionKind.SINGLE,
            _("How satisfied are you with the In the Know alerts you get from us?"),
            SATISFIED,
            frozenset({"very_satisfied", "fairly_satisfied"}),
        ),
        # Legitimacy and influence as the Crime Survey for England and Wales and the Community Life
        # Survey ask them, on the bank's agree/disagree scale so "agree" reads the same everywhere.
        BankQuestion(
            BankKey.POLICE_TREAT_FAIRLY,
            QuestionKind.AGREEMENT,
            _("The police in this area treat everyone fairly regardless of who they are."),
            favourable=frozenset({"4", "5"}),
        ),
        BankQuestion(
            BankKey.POLICE_RELIED_ON,
            QuestionKind.AGREEMENT,
            _("The police in this area can be relied on to be there when you need them."),
            favourable=frozenset({"4", "5"}),
        ),
        BankQuestion(
            BankKey.SERVICE_SATISFACTION,
            QuestionKind.SINGLE,
            _(
                "If you have had contact with the police in this area in the last 12 months, how satisfied "
                "were you with the service you received?"
            ),
            SATISFIED_WITH_SERVICE,
            frozenset({"very_satisfied", "fairly_satisfied"}),
            not_applicable=frozenset({"no_contact"}),
        ),
        BankQuestion(
            BankKey.INFLUENCE_DECISIONS,
            QuestionKind.AGREEMENT,
            _("I can influence decisions affecting my local area."),
            favourable=frozenset({"4", "5"}),
        ),
        BankQuestion(
            BankKey.FACE_TO_FACE,
            QuestionKind.SINGLE,
            _(
                "In the last 12 months, have you spoken face to face with a police officer or PCSO from your "
                "neighbourhood team?"
            ),
            [("yes", _("Yes")), ("no", _("No"))],
            frozenset({"yes"}),
        ),
        BankQuestion(
            BankKey.AGE_BAND,
            QuestionKind.SINGLE,
            _("How old are you?"),
            list(AgeBand.choices),
            help_text=_("Optional. Used only to see whom we are not hearing from; never shown for one person."),
        ),
        BankQuestion(
            BankKey.SEX,
            QuestionKind.SINGLE,
            _("What is your sex?"),
            list(Sex.choices),
            help_text=_("Optional. As the 2021 Census asked it; used only to weight the results to the census."),
        ),
        BankQuestion(
            BankKey.ETHNIC_GROUP,
            QuestionKind.SINGLE,
            _("What is your ethnic group?"),
            list(EthnicGroup.choices),
            help_text=_("Optional. The ONS 2021 Census categories."),
        ),
    ]
}


def is_white(ethnic_group: str) -> bool | None:
    """White (any White group) or black and minority ethnic, as HMIC's satisfaction gap groups
    them; None when not said."""
    if not ethnic_group or ethnic_group == EthnicGroup.NOT_SAID:
        return None
    return ethnic_group.startswith("white_")
