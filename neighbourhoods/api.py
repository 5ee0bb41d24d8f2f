from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import PolicyPermission, ReadModelSerializer, responses
from neighbourhoods import selectors
from neighbourhoods.filters_api import NeighbourhoodApiFilter, WardApiFilter
from neighbourhoods.models import Neighbourhood, Ward


class WardSummarySerializer(ReadModelSerializer):
    district = serializers.CharField(source="district.name", default="")

    class Meta:
        model = Ward
        fields = ["code", "name", "district", "population", "is_priority_neighbourhood", "risk_category"]
        read_only_fields = fields


class WardSerializer(WardSummarySerializer):
    district_code = serializers.CharField(source="district.code", default="")
    neighbourhood = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta(WardSummarySerializer.Meta):
        fields = [
            *WardSummarySerializer.Meta.fields,
            "district_code",
            "neighbourhood",
            "centroid_latitude",
            "centroid_longitude",
        ]
        read_only_fields = fields


class NeighbourhoodSerializer(ReadModelSerializer):
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
        read_only_fields = fields


class _InAreaApi:
    """Staff read what lies in their area; everything else answers 404 because it is not in the
    queryset at all."""

    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"


@extend_schema_view(get=extend_schema(responses=responses({200: NeighbourhoodSerializer}, 400, 403, 404)))
class NeighbourhoodListApi(_InAreaApi, generics.ListAPIView):
    """Neighbourhoods in the signed-in officer's area."""

    queryset = Neighbourhood.objects.none()  # the model, for the schema; get_queryset scopes it
    serializer_class = NeighbourhoodSerializer
    filterset_class = NeighbourhoodApiFilter

    def get_queryset(self):
        return selectors.neighbourhoods_for_user(user=self.request.user).prefetch_related("wards__district")


@extend_schema_view(get=extend_schema(responses=responses({200: NeighbourhoodSerializer}, 403, 404)))
class NeighbourhoodDetailApi(_InAreaApi, generics.RetrieveAPIView):
    serializer_class = NeighbourhoodSerializer
    lookup_field = "code"

    def get_queryset(self):
        return selectors.neighbourhoods_for_user(user=self.request.user).prefetch_related("wards__district")


@extend_schema_view(get=extend_schema(responses=responses({200: WardSerializer}, 400, 403, 404)))
class WardListApi(_InAreaApi, generics.ListAPIView):
    """Wards of the neighbourhoods in the signed-in officer's area."""

    queryset = Ward.objects.none()  # the model, for the schema; get_queryset scopes it
    serializer_class = WardSerializer
    filterset_class = WardApiFilter

    def get_queryset(self):
        return selectors.wards_for_user(user=self.request.user)


@extend_schema_view(get=extend_schema(responses=responses({200: WardSerializer}, 403, 404)))
class WardDetailApi(_InAreaApi, generics.RetrieveAPIView):
    serializer_class = WardSerializer
    lookup_field = "code"

    def get_queryset(self):
        return selectors.wards_for_user(user=self.request.user)


class LocateResultSerializer(serializers.Serializer):
    ward = WardSummarySerializer()
    neighbourhood = serializers.SerializerMethodField()

    def get_neighbourhood(self, obj) -> dict | None:
        neighbourhood = obj["ward"].neighbourhood
        if neighbourhood is None:
            return None
        return {"code": neighbourhood.code, "name": neighbourhood.name, "url": neighbourhood.get_absolute_url()}


class LocateQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="Latitude (WGS84)")
    lng = serializers.FloatField(min_value=-180, max_value=180, help_text="Longitude (WGS84)")


class WardLocateApi(APIView):
    """The ward and neighbourhood at a point (WGS84). Public: residents use it to find their team."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(parameters=[LocateQuerySerializer], responses=responses({200: LocateResultSerializer}, 400, 404))
    def get(self, request):
        query = LocateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ward = selectors.ward_at_point(latitude=query.validated_data["lat"], longitude=query.validated_data["lng"])
        if ward is None:
            raise NotFound("No ward at that point: it is outside the force area.")
        return Response(LocateResultSerializer({"ward": ward}).data)
