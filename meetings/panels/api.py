"""PACT panels over the API, read-only: the panels of the user's area with their register, under
the same rule as the staff pages (`panel.view`: police of the area; partners and communications
officers read only the public register, on the public page)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import PolicyPermission, ReadModelSerializer, responses
from accounts.policy import can
from meetings.panels import selectors
from meetings.panels.models import Panel, PanelMember
from meetings.panels.permissions import panel_get_for_user


class PanelMemberSerializer(ReadModelSerializer):
    class Meta:
        model = PanelMember
        fields = [
            "id",
            "first_name",
            "last_name",
            "organisation",
            "role",
            "office",
            "term_starts",
            "term_ends",
            "email",
            "telephone",
            "public_display",
        ]
        read_only_fields = fields


class PanelSerializer(ReadModelSerializer):
    neighbourhoods = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    current_members = serializers.IntegerField(source="current_count", read_only=True)

    class Meta:
        model = Panel
        fields = ["id", "name", "neighbourhoods", "quorum", "current_members", "created_at"]
        read_only_fields = fields


class PanelDetailSerializer(ReadModelSerializer):
    neighbourhoods = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    members = PanelMemberSerializer(many=True, read_only=True, help_text="The whole register, past terms included.")

    class Meta:
        model = Panel
        fields = ["id", "name", "neighbourhoods", "quorum", "members", "created_at"]
        read_only_fields = fields


class PanelListApi(generics.ListAPIView):
    """Panels serving the user's area, by name, each with how many members are in their term today."""

    queryset = Panel.objects.none()  # the model, for the schema; get_queryset scopes it
    serializer_class = PanelSerializer
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    def get_queryset(self):
        return selectors.panels_for_user(user=self.request.user)

    def list(self, request, *args, **kwargs):
        # The policy's rule reads each panel's prefetched neighbourhoods: no query per panel.
        panels = [p for p in self.get_queryset() if can(request.user, "panel.view", p)]
        page = self.paginate_queryset(panels)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(panels, many=True).data)

    @extend_schema(responses=responses({200: PanelSerializer}, 400, 403, 404))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PanelDetailApi(APIView):
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    @extend_schema(responses=responses({200: PanelDetailSerializer}, 403, 404))
    def get(self, request, pk: int):
        panel = panel_get_for_user(user=request.user, pk=pk)
        return Response(PanelDetailSerializer(panel, context={"request": request}).data)
