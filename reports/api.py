"""Returns over the API, read-only: the returns a user may see and each one as its pages show it
(the frozen snapshot once submitted, live figures while a draft). Writing and signing a return
stay on the pages, where the chief inspector reviews what they sign."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import PolicyPermission, ReadModelSerializer, responses
from reports.document.build import return_document
from reports.models import HighlightReturn, PeriodKind, ReturnStatus
from reports.permissions import return_get_for_user
from reports.selectors import pages as selectors_pages


class ReturnApiFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReturnStatus.choices)
    period_kind = django_filters.ChoiceFilter(choices=PeriodKind.choices)
    division = django_filters.CharFilter(field_name="division__code", help_text="A division's code.")

    class Meta:
        model = HighlightReturn
        fields = ["status", "period_kind", "division"]


class ReturnSerializer(ReadModelSerializer):
    division = serializers.CharField(source="division.code", read_only=True)
    division_name = serializers.CharField(source="division.name", read_only=True)
    period_label = serializers.CharField(read_only=True)
    is_late = serializers.BooleanField(read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.full_name", default=None, allow_null=True, read_only=True)

    class Meta:
        model = HighlightReturn
        fields = [
            "id",
            "division",
            "division_name",
            "period_kind",
            "period_start",
            "period_end",
            "period_label",
            "due_date",
            "status",
            "is_late",
            "submitted_by",
            "submitted_at",
        ]
        read_only_fields = fields


class NarrativeSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField(allow_blank=True)


class ReturnDetailSerializer(serializers.Serializer):
    highlight_return = ReturnSerializer()
    figures = serializers.JSONField(
        help_text="Headline measures with the previous period and last year, the per-neighbourhood table, "
        "top priorities, In the Know, surveys and representativeness (schema 1)."
    )
    narrative = NarrativeSerializer(many=True)
    pinned = serializers.ListField(child=serializers.DictField(), help_text="Priorities pinned as top.")
    data_changed = serializers.BooleanField(help_text="A submitted return whose live figures have moved since.")


class _ReturnReaders:
    permission_classes = [PolicyPermission]
    policy_action = "return.list"


class ReturnListApi(_ReturnReaders, generics.ListAPIView):
    """Returns you may read: your division's as its chief inspector, those delegated to you as an
    inspector, every division's at HQ. Newest period first."""

    queryset = HighlightReturn.objects.none()  # the model, for the schema; get_queryset scopes it
    serializer_class = ReturnSerializer
    filterset_class = ReturnApiFilter

    def get_queryset(self):
        return selectors_pages.returns_for_user(user=self.request.user)

    @extend_schema(responses=responses({200: ReturnSerializer}, 400, 403, 404))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ReturnDetailApi(_ReturnReaders, APIView):
    @extend_schema(responses=responses({200: ReturnDetailSerializer}, 403, 404))
    def get(self, request, pk: int):
        """One return with its figures, narrative and pinned priorities."""
        document = return_document(highlight_return=return_get_for_user(user=request.user, pk=pk))
        return Response(ReturnDetailSerializer(document).data)
