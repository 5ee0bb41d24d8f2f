from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import PolicyPermission
from neighbourhoods import selectors
from neighbourhoods.models import Neighbourhood, Ward


class WardSummarySerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.name", default="")

    class Meta:
        model = Ward
        fields = ["code", "name", "district", "population", "is_priority_neighbourhood", "risk_category"]


class NeighbourhoodSerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division.name")
    force = serializers.CharField(source="division.force.slug")
    wards = WardSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Neighbourhood
        fields = [
            "code",
            "name",
            "force",
            "division",
            "description",
            "population",
            "public_email",
            "public_telephone",
            "centre_latitude",
            "centre_longitude",
            "wards",
        ]


class NeighbourhoodListApi(generics.ListAPIView):
    """Neighbourhoods in the signed-in officer's area."""

    serializer_class = NeighbourhoodSerializer
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    def get_queryset(self):
        return selectors.neighbourhoods_for_user(user=self.request.user).prefetch_related("wards__district")


class NeighbourhoodDetailApi(generics.RetrieveAPIView):
    serializer_class = NeighbourhoodSerializer
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"
    lookup_field = "code"

    def get_queryset(self):
        return selectors.neighbourhoods_for_user(user=self.request.user).prefetch_related("wards__district")


class LocateResultSerializer(serializers.Serializer):
    ward = WardSummarySerializer()
    neighbourhood = serializers.SerializerMethodField()

    def get_neighbourhood(self, obj) -> dict | None:
        neighbourhood = obj["ward"].neighbourhood
        if neighbourhood is None:
            return None
        return {"code": neighbourhood.code, "name": neighbourhood.name, "url": neighbourhood.get_absolute_url()}


class LocateQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)


class WardLocateApi(APIView):
    """The ward and neighbourhood at a point (WGS84). Public: residents use it to find their team."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        parameters=[
            OpenApiParameter("lat", float, required=True, description="Latitude (WGS84)"),
            OpenApiParameter("lng", float, required=True, description="Longitude (WGS84)"),
        ],
        responses={200: LocateResultSerializer},
    )
    def get(self, request):
        query = LocateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ward = selectors.ward_at_point(latitude=query.validated_data["lat"], longitude=query.validated_data["lng"])
        if ward is None:
            raise NotFound("No ward at that point: it is outside the force area.")
        return Response(LocateResultSerializer({"ward": ward}).data)
