"""Divisional tasking over the API: the agendas and the queues of the divisions whose tasking the
user reads (chief inspectors, HQ, operations managers), and the forum's decision on an item, which
only the division's operations manager records, through the same service as the agenda page.

Like the printed pack, nothing here carries a priority's restricted text."""

import django_filters
from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import PolicyPermission, ReadModelSerializer, StrictJsonMixin, responses, service_errors
from accounts.policy import can
from neighbourhoods.models import Division
from priorities.models import Escalation, EscalationForum
from priorities.tasking import selectors, services
from priorities.tasking.models import TaskingAgenda, TaskingDecision, TaskingItem

# --- serializers ------------------------------------------------------------------------------


class TaskingItemSerializer(ReadModelSerializer):
    """An item of an agenda: the escalated priority (never its restricted text) and the forum's
    decision, or why there is none (carried over to a later sitting, or withdrawn)."""

    priority = serializers.IntegerField(source="escalation.priority_id", read_only=True)
    priority_title = serializers.CharField(source="escalation.priority.title", read_only=True)
    neighbourhood = serializers.CharField(source="escalation.priority.neighbourhood.code", read_only=True)
    escalated_at = serializers.DateTimeField(source="escalation.escalated_at", read_only=True)
    escalation_reason = serializers.CharField(source="escalation.reason", read_only=True)
    decided_by = serializers.CharField(source="decided_by.full_name", read_only=True, allow_null=True, default=None)
    carried_over_to = serializers.SerializerMethodField(
        help_text="The item that took this undecided one to the forum's next sitting."
    )
    withdrawn = serializers.SerializerMethodField(
        help_text="The neighbourhood took the escalation back before the forum decided it."
    )
    withdrawn_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = TaskingItem
        fields = [
            "id", "agenda", "position", "escalation", "priority", "priority_title", "neighbourhood",
            "escalated_at", "escalation_reason", "decision", "owner", "advice", "decided_by", "decided_at",
            "carried_over_from", "carried_over_to", "withdrawn", "withdrawn_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_carried_over_to(self, item) -> int | None:
        later = getattr(item, "carried_over_to", None)
        return later.pk if later is not None else None

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_withdrawn(self, item) -> bool:
        return item.withdrawn_at is not None


class TaskingAgendaSerializer(ReadModelSerializer):
    """A forum's sitting in a division, with how many of its items are decided and withdrawn."""

    division = serializers.SlugRelatedField(slug_field="code", read_only=True)
    item_count = serializers.IntegerField(read_only=True)
    decided_count = serializers.IntegerField(read_only=True)
    withdrawn_count = serializers.IntegerField(
        read_only=True, help_text="Items whose escalation the neighbourhood took back before the forum decided them."
    )

    class Meta:
        model = TaskingAgenda
        fields = ["id", "division", "forum", "meets_on", "created_at", "item_count", "decided_count", "withdrawn_count"]
        read_only_fields = fields


class TaskingAgendaDetailSerializer(ReadModelSerializer):
    """A forum's sitting in a division, with its items in agenda order."""

    division = serializers.SlugRelatedField(slug_field="code", read_only=True)
    items = TaskingItemSerializer(source="items_in_order", many=True, read_only=True)

    class Meta:
        model = TaskingAgenda
        fields = ["id", "division", "forum", "meets_on", "created_at", "items"]
        read_only_fields = fields


class QueuedEscalationSerializer(ReadModelSerializer):
    """An escalation waiting for its forum's next agenda."""

    priority_title = serializers.CharField(source="priority.title", read_only=True)
    neighbourhood = serializers.CharField(source="priority.neighbourhood.code", read_only=True)

    class Meta:
        model = Escalation
        fields = ["id", "priority", "priority_title", "neighbourhood", "escalated_at", "reason"]
        read_only_fields = fields


class TaskingForumQueueSerializer(serializers.Serializer):
    forum = serializers.ChoiceField(choices=EscalationForum.choices, read_only=True)
    label = serializers.CharField(read_only=True)
    escalations = QueuedEscalationSerializer(
        many=True, read_only=True, help_text="Waiting for an agenda, oldest first."
    )
    carry_over_count = serializers.IntegerField(
        read_only=True, help_text="Undecided items of earlier sittings the forum's next agenda will carry over."
    )


class TaskingDivisionQueuesSerializer(serializers.Serializer):
    division = serializers.CharField(source="code", read_only=True)
    division_name = serializers.CharField(source="name", read_only=True)
    forums = serializers.SerializerMethodField()

    @extend_schema_field(TaskingForumQueueSerializer(many=True))
    def get_forums(self, division):
        return TaskingForumQueueSerializer(self.context["queues"][division.pk], many=True).data


class TaskingDecisionSerializer(StrictJsonMixin, serializers.Serializer):
    decision = serializers.ChoiceField(choices=TaskingDecision.choices)
    owner = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default="", help_text="Who takes it on: needed when accepted."
    )
    advice = serializers.CharField(required=False, allow_blank=True, default="", help_text="Needed when returned.")


# --- filters ----------------------------------------------------------------------------------


class TaskingAgendaApiFilter(django_filters.FilterSet):
    forum = django_filters.ChoiceFilter(choices=EscalationForum.choices)
    division = django_filters.CharFilter(field_name="division__code", help_text="Division code.")
    meets_from = django_filters.DateFilter(field_name="meets_on", lookup_expr="gte", help_text="Meets on or after.")
    meets_until = django_filters.DateFilter(field_name="meets_on", lookup_expr="lte", help_text="Meets on or before.")

    class Meta:
        model = TaskingAgenda
        fields = ["forum", "division", "meets_from", "meets_until"]


class DivisionQueueApiFilter(django_filters.FilterSet):
    division = django_filters.CharFilter(field_name="code", help_text="Division code.")

    class Meta:
        model = Division
        fields = ["division"]


# --- views ------------------------------------------------------------------------------------


def _tasking_divisions(user) -> list[Division]:
    divisions = selectors.divisions_for_tasking(user=user)
    if not divisions:
        raise PermissionDenied
    return divisions


class TaskingAgendaListApi(generics.ListAPIView):
    """The sittings of the divisions whose tasking you read, latest first, with their item counts."""

    queryset = TaskingAgenda.objects.none()  # the model, for the schema; get_queryset scopes it
    serializer_class = TaskingAgendaSerializer
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"
    filterset_class = TaskingAgendaApiFilter

    def get_queryset(self):
        return selectors.agendas_in(divisions=_tasking_divisions(self.request.user))

    @extend_schema(responses=responses({200: TaskingAgendaSerializer}, 400, 403, 404))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _agenda_for(user, pk: int) -> TaskingAgenda:
    agenda = selectors.agenda_get(pk=pk)
    if agenda is None or not can(user, "tasking.view", agenda.division):
        raise NotFound("No such agenda in your area.")
    return agenda


class TaskingAgendaDetailApi(APIView):
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    @extend_schema(responses=responses({200: TaskingAgendaDetailSerializer}, 403, 404))
    def get(self, request, pk: int):
        """One sitting with its items in order: each one's decision, owner and advice, the item it
        was carried over from or to, and whether the neighbourhood withdrew it."""
        agenda = _agenda_for(request.user, pk)
        agenda.items_in_order = selectors.agenda_items(agenda=agenda)
        return Response(TaskingAgendaDetailSerializer(agenda).data)


class TaskingQueueListApi(generics.ListAPIView):
    """Per division whose tasking you read, what waits for each forum's next agenda."""

    queryset = Division.objects.none()  # the model, for the schema; get_queryset scopes it
    serializer_class = TaskingDivisionQueuesSerializer
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"
    filterset_class = DivisionQueueApiFilter

    def get_queryset(self):
        divisions = _tasking_divisions(self.request.user)
        return Division.objects.filter(pk__in=[d.pk for d in divisions]).order_by("name", "pk")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        # Every division of the page's queues in two queries, not two per division.
        context = {**self.get_serializer_context(), "queues": selectors.tasking_queues(divisions=page)}
        return self.get_paginated_response(self.get_serializer(page, many=True, context=context).data)

    @extend_schema(responses=responses({200: TaskingDivisionQueuesSerializer}, 400, 403, 404))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TaskingDecisionApi(APIView):
    """Record the forum's decision on an item: the division's operations manager only."""

    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    @extend_schema(request=TaskingDecisionSerializer, responses=responses({200: TaskingItemSerializer}, 400, 403, 404))
    def post(self, request, pk: int):
        """Accepted (with an owner), returned to the neighbourhood (with advice) or closed; it goes
        into the priority's history and on the briefing page. An item already decided, carried
        over or withdrawn by the neighbourhood is a 400, and nothing changes."""
        item = selectors.item_get(pk=pk)
        if item is None or not can(request.user, "tasking.view", item.agenda.division):
            raise NotFound("No such item in your area.")
        if not can(request.user, "tasking.manage", item.agenda.division):
            raise PermissionDenied
        body = TaskingDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            services.tasking_item_decide(item=item, actor=request.user, **body.validated_data)
        return Response(TaskingItemSerializer(selectors.item_get(pk=pk)).data)
