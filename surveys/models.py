"""Surveys, their answers, and the reference population that says whom the portal hears from.

A survey reaches In the Know members through an ordinary alert (Alert.survey): each delivery's
unguessable token is that member's response link, and a member answers a survey once, whatever
channel the link came by. An open survey takes anonymous responses with abuse limits.

Disclosure control is not a model concern: every selector that groups responses suppresses any
group of fewer than MIN_GROUP respondents (surveys/disclosure.py).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from messaging.models import AgeBand, EthnicGroup


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class SurveyProgramme(models.TextChoices):
    """Whose survey it is: the engagement strategy reads each programme's results (6.2)."""

    FORCE = "force", "Force survey"
    OPCC = "opcc", "Police and Crime Commissioner's survey"
    ACADEMIC = "academic", "Academic partner's survey (e.g. UCLan)"
    PLATFORM = "platform", "User survey on a platform"


class SurveyQuerySet(models.QuerySet):
    def taking_responses(self, *, now):
        """Open, and inside its dates: the only surveys a response is saved to."""
        return self.filter(status=SurveyStatus.OPEN, opens_at__lte=now).filter(
            Q(closes_at__isnull=True) | Q(closes_at__gt=now)
        )


class Survey(models.Model):
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    force = models.ForeignKey("neighbourhoods.Force", on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(max_length=150)
    introduction = models.TextField(blank=True, help_text="Shown above the questions.")
    thank_you = models.TextField(blank=True, help_text="Shown once a response is in.")
    status = models.CharField(max_length=8, choices=SurveyStatus, default=SurveyStatus.DRAFT)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField(null=True, blank=True)
    # Anyone with the survey's public address may answer (abuse-limited), besides invited members.
    is_open_to_all = models.BooleanField(default=False)
    # A wave of a repeated survey (e.g. "Spring 2026"): trends compare the bank questions by wave.
    wave_label = models.CharField(max_length=60, blank=True)
    programme = models.CharField(max_length=10, choices=SurveyProgramme, default=SurveyProgramme.FORCE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="surveys_created")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_it_opens",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("surveys:detail", kwargs={"pk": self.pk})


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    AGREEMENT = "agreement", "Agreement, 1 to 5"
    RATING = "rating", "Rating"
    TEXT = "text", "Free text"
    WARD = "ward", "Ward picker"


# The five points of the agreement scale, stored as 1..5.
# gettext_noop: plain strings here (results and exports are in English), translated where a respondent reads them.
AGREEMENT_LABELS = {
    1: gettext_noop("Strongly disagree"),
    2: gettext_noop("Disagree"),
    3: gettext_noop("Neither agree nor disagree"),
    4: gettext_noop("Agree"),
    5: gettext_noop("Strongly agree"),
}


class BankKey(models.TextChoices):
    """The standard questions: the same key in every survey, so waves can be compared."""

    POLICE_GOOD_JOB = "police_good_job", "How good a job the police are doing in this area"
    SAFE_AFTER_DARK = "safe_after_dark", "Feeling safe after dark"
    SAFE_DURING_DAY = "safe_during_day", "Feeling safe during the day"
    DEAL_WITH_WHAT_MATTERS = "deal_with_what_matters", "Police and partners deal with the things that matter here"
    PACT_AWARE = "pact_aware", "Aware of PACT"
    PACT_INVOLVED = "pact_involved", "Involved in PACT"
    ITK_SATISFACTION = "itk_satisfaction", "Satisfaction with In the Know"
    # Legitimacy, service satisfaction and influence: the engagement strategy's measures (6.2).
    POLICE_TREAT_FAIRLY = "police_treat_fairly", _("The police treat people fairly")
    POLICE_RELIED_ON = "police_relied_on", _("The police can be relied on when needed")
    SERVICE_SATISFACTION = "service_satisfaction", _("Satisfaction with the service received")
    INFLUENCE_DECISIONS = "influence_decisions", _("Able to influence decisions affecting the local area")
    # The strategy counts the neighbourhood team's face-to-face contact "through the ITK survey" (6.1).
    FACE_TO_FACE = "face_to_face", _("Spoken face to face with the neighbourhood team")
    SEX = "sex", _("Sex (about you)")
    AGE_BAND = "age_band", "Age band (about you)"
    ETHNIC_GROUP = "ethnic_group", "Ethnic group (about you)"


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=10, choices=QuestionKind)
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    # Rating questions: 1..scale_max (e.g. 5 stars, or 10).
    scale_max = models.PositiveSmallIntegerField(null=True, blank=True)
    bank_key = models.CharField(max_length=30, choices=BankKey, blank=True)

    class Meta:
        ordering = ["section__position", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "bank_key"], condition=~Q(bank_key=""), name="bank_question_once_per_survey"
            ),
            models.CheckConstraint(
                condition=~Q(kind="rating") | Q(scale_max__gte=2, scale_max__lte=10), name="rating_has_a_scale"
            ),
        ]

    def __str__(self):
        return self.text


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=200)
    # A stable value for the bank's choices (e.g. an AgeBand or EthnicGroup value, "yes"/"no").
    value = models.CharField(max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.label


# The languages a question can be translated into: every published language but English, the source.
TRANSLATION_LANGUAGES = [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


class QuestionTranslation(models.Model):
    """A question's wording in one more language. A respondent reading in a language with none is shown
    the English; answers are stored against the question and its options, never the words, so the
    results count every language together."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=TRANSLATION_LANGUAGES)
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "language"], name="question_translated_once_per_language")
        ]

    def __str__(self):
        return f"{self.question} ({self.language})"


class OptionTranslation(models.Model):
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=TRANSLATION_LANGUAGES)
    label = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["option", "language"], name="option_translated_once_per_language")
        ]

    def __str__(self):
        return f"{self.label} ({self.language})"


class SurveyTranslation(models.Model):
    """A survey's own words (title, introduction, thank-you) in one more language, beside its questions'
    translations. A respondent reading in a language with none, or with a field left empty, is shown the
    English of that field."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=TRANSLATION_LANGUAGES)
    title = models.CharField(max_length=150)
    introduction = models.TextField(blank=True)
    thank_you = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "language"], name="survey_translated_once_per_language")
        ]

    def __str__(self):
        return f"{self.title} ({self.language})"


class SectionTranslation(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=TRANSLATION_LANGUAGES)
    title = models.CharField(max_length=150)
    description = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["section", "language"], name="section_translated_once_per_language")
        ]

    def __str__(self):
        return f"{self.title} ({self.language})"


class Sex(models.TextChoices):
    """As the 2021 Census asked it ("What is your sex?"), so respondents can be weighted to it."""

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NOT_SAID = "not_said", _("Prefer not to say")


class ResponseSource(models.TextChoices):
    INVITED = "invited", "In the Know invitation"
    OPEN = "open", "Open survey"


class Response(models.Model):
    """One person's answers. Who they are is never stored with it: only what the results group
    by (ward, and the age band and ethnic group they gave), so exports are anonymous."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    source = models.CharField(max_length=8, choices=ResponseSource)
    # Only to enforce one response per invited member; cleared when the member is erased.
    subscriber = models.ForeignKey(
        "messaging.Subscriber", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()
    ward = models.ForeignKey("neighbourhoods.Ward", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    age_band = models.CharField(max_length=10, choices=AgeBand, blank=True)
    ethnic_group = models.CharField(max_length=32, choices=EthnicGroup, blank=True)
    sex = models.CharField(max_length=10, choices=Sex, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "subscriber"], condition=Q(subscriber__isnull=False), name="one_response_per_member"
            ),
        ]
        indexes = [models.Index(fields=["survey", "submitted_at"]), models.Index(fields=["ward", "submitted_at"])]

    def __str__(self):
        return f"Response {self.pk} to {self.survey_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    # Single choice: one row with option; multiple choice: one row per ticked option.
    option = models.ForeignKey(Option, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField(null=True, blank=True)  # agreement 1..5, rating 1..max
    text = models.TextField(blank=True, max_length=4000)
    ward = models.ForeignKey("neighbourhoods.Ward", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A free-text answer an officer turned into a priorities issue.
    issue = models.ForeignKey("priorities.Issue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["question", "number"]), models.Index(fields=["question", "option"])]

    def __str__(self):
        return f"Answer to {self.question_id}"


class PopulationCategory(models.TextChoices):
    AGE_BAND = "age_band", "Age band"
    ETHNIC_GROUP = "ethnic_group", "Ethnic group"
    SEX = "sex", "Sex"


class WardPopulation(models.Model):
    """How many residents of a ward are in a group (ONS Census 2021 tables, or the demo's
    clearly labelled synthetic figures): the denominator of every representation index."""

    ward = models.ForeignKey("neighbourhoods.Ward", on_delete=models.CASCADE, related_name="population_groups")
    category = models.CharField(max_length=16, choices=PopulationCategory)
    group = models.CharField(max_length=32)  # an AgeBand, EthnicGroup or Sex value
    count = models.PositiveIntegerField()
    source = models.CharField(max_length=150)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ward", "category", "group"], name="one_count_per_ward_group"),
        ]

    def __str__(self):
        return f"{self.ward_id} {self.category}={self.group}: {self.count}"
