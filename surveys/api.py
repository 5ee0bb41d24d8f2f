"""Surveys over the API: the list and a survey's questions for police staff of its force, and its
anonymised results exactly as the results page has them, after disclosure control
(surveys/disclosure.py): a group of fewer than ten respondents is null and marked suppressed,
never a number. Free-text answers are not served: they may name people."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import PolicyPermission, ReadModelSerializer, responses
from surveys.build import selectors as selectors_build
from surveys.filters_api import SurveyApiFilter
from surveys.models import Option, Question, Section, Survey
from surveys.results import selectors as selectors_results

# --- serializers ------------------------------------------------------------------------------


class SurveySerializer(ReadModelSerializer):
    created_by = serializers.CharField(source="created_by.full_name", read_only=True)
    response_count = serializers.IntegerField(read_only=True)
    question_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "reference",
            "title",
            "status",
            "opens_at",
            "closes_at",
            "is_open_to_all",
            "wave_label",
            "created_by",
            "created_at",
            "response_count",
            "question_count",
        ]
        read_only_fields = fields


class OptionSerializer(ReadModelSerializer):
    class Meta:
        model = Option
        fields = ["id", "label", "value", "position"]
        read_only_fields = fields


class QuestionSerializer(ReadModelSerializer):
    options = OptionSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = ["id", "kind", "text", "help_text", "required", "position", "scale_max", "bank_key", "options"]
        read_only_fields = fields


class SectionSerializer(ReadModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Section
        fields = ["id", "title", "description", "position", "questions"]
        read_only_fields = fields


class SurveyDetailSerializer(SurveySerializer):
    sections = SectionSerializer(many=True, read_only=True)
    question_count = serializers.SerializerMethodField()

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "introduction", "thank_you", "sections"]
        read_only_fields = fields

    def get_question_count(self, survey) -> int:
        return sum(len(section.questions.all()) for section in survey.sections.all())


class FigureSerializer(serializers.Serializer):
    """One cell: null figures with `suppressed` true when it stands for fewer than ten people (or
    would give such a group away)."""

    base = serializers.IntegerField(allow_null=True, help_text="Respondents in the group.")
    favourable = serializers.IntegerField(allow_null=True, help_text="Of them, the favourable answers.")
    share = serializers.FloatField(allow_null=True, help_text="Favourable, in percent.")
    interval_low = serializers.FloatField(
        source="interval.low", allow_null=True, default=None, help_text="95% Wilson confidence interval, in percent."
    )
    interval_high = serializers.FloatField(source="interval.high", allow_null=True, default=None)
    suppressed = serializers.BooleanField()


class BarSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField(allow_null=True, help_text="Null when suppressed.")
    share = serializers.FloatField(allow_null=True)
    interval_low = serializers.FloatField(
        source="interval.low", allow_null=True, default=None, help_text="95% Wilson confidence interval, in percent."
    )
    interval_high = serializers.FloatField(source="interval.high", allow_null=True, default=None)


class QuestionResultSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question.pk")
    text = serializers.CharField(source="question.text")
    kind = serializers.CharField(source="question.kind")
    bank_key = serializers.CharField(source="question.bank_key")
    answered = FigureSerializer()
    bars = BarSerializer(many=True)
    mean = serializers.FloatField(allow_null=True)
    texts = serializers.IntegerField(help_text="How many free-text answers there are (their words are not served).")


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


def _key(value) -> str:
    """A cross-tab row's key as text: ("division", 3) → "division:3"; "white" stays "white"."""
    if isinstance(value, tuple):
        kind, pk = value
        return kind if pk is None else f"{kind}:{pk}"
    return str(value)


class CrossTabRowSerializer(serializers.Serializer):
    key = serializers.SerializerMethodField()
    label = serializers.CharField()
    level = serializers.CharField(help_text="division, neighbourhood or ward in the area table; empty elsewhere.")
    parent = serializers.SerializerMethodField()
    figures = FigureSerializer(many=True, help_text="One per column, in the columns' order.")

    def get_key(self, row) -> str:
        return _key(row.key)

    def get_parent(self, row) -> str | None:
        return None if row.parent is None else _key(row.parent)


class CrossTabSerializer(serializers.Serializer):
    title = serializers.CharField()
    rows = CrossTabRowSerializer(many=True)


class GapRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    white = FigureSerializer()
    bme = FigureSerializer()
    gap = serializers.FloatField(allow_null=True, help_text="Percentage points, White minus BME.")
    p_value = serializers.FloatField(
        source="difference.p_value", allow_null=True, default=None, help_text="Two-proportion z-test, two-sided."
    )
    significant = serializers.BooleanField(
        source="difference.significant", allow_null=True, default=None, help_text="At the 5% level."
    )
    verdict = serializers.CharField(source="text", help_text="The gap and the test, in words.")


class GapSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    overall = GapRowSerializer()
    divisions = GapRowSerializer(many=True)


class HeadlineSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    figure = FigureSerializer()


class ResultsSerializer(serializers.Serializer):
    survey = serializers.IntegerField(source="survey.pk")
    respondents = FigureSerializer()
    columns = ColumnSerializer(many=True)
    headline = serializers.SerializerMethodField()
    questions = QuestionResultSerializer(many=True)
    tabs = CrossTabSerializer(many=True)
    gaps = GapSerializer(many=True)

    @extend_schema_field(HeadlineSerializer(many=True))
    def get_headline(self, results):
        return HeadlineSerializer(
            [{"key": column.key, "label": column.label, "figure": figure} for column, figure in results.headline],
            many=True,
        ).data


# --- views ------------------------------------------------------------------------------------


class _SurveyReaders:
    # SURVEY_READERS: the same people as the survey pages' list (builders and police staff).
    permission_classes = [PolicyPermission]
    policy_action = "representation.view"


class SurveyListApi(_SurveyReaders, generics.ListAPIView):
    """Surveys of your force, newest first."""

    queryset = Survey.objects.none()  # the model, for the schema; get_queryset scopes it
    serializer_class = SurveySerializer
    filterset_class = SurveyApiFilter

    def get_queryset(self):
        return selectors_build.surveys_for_user(user=self.request.user)

    @extend_schema(responses=responses({200: SurveySerializer}, 400, 403, 404))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SurveyDetailApi(_SurveyReaders, APIView):
    @extend_schema(responses=responses({200: SurveyDetailSerializer}, 403, 404))
    def get(self, request, pk: int):
        """A survey with its sections, questions and options, in order."""
        survey = selectors_build.survey_get_for_user(user=request.user, pk=pk)
        return Response(SurveyDetailSerializer(selectors_build.survey_for_page(pk=survey.pk)).data)


class SurveyResultsApi(_SurveyReaders, APIView):
    @extend_schema(responses=responses({200: ResultsSerializer}, 403, 404))
    def get(self, request, pk: int):
        """Live, anonymised results: per question, the headline measures, cross-tabs by area, age,
        ethnic group and PACT involvement, and the White/BME gap, with small groups suppressed."""
        survey = selectors_results.survey_for_results(user=request.user, pk=pk)
        results = selectors_results.survey_results(survey=survey)
        return Response(ResultsSerializer(results).data)
