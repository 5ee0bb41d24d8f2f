"""Meetings over the API: the meetings of the user's area, a new draft, changes, publishing and
cancelling, each through meetings.services and under the same rules as the pages."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import (
    PolicyPermission,
    ReadModelSerializer,
    StrictJsonMixin,
    responses,
    service_errors,
)
from accounts.models import PartnerAgency, User
from accounts.policy import can
from meetings import selectors, services
from meetings.filters_api import MeetingApiFilter
from meetings.models import Meeting
from meetings.permissions import meeting_get_for_user
from neighbourhoods import selectors as neighbourhoods_selectors
from neighbourhoods.models import Neighbourhood, Ward

# --- reads ------------------------------------------------------------------------------------


def _refetch(meeting: Meeting) -> Meeting:
    return selectors.meeting_detail_for_staff(pk=meeting.pk)


# --- serializers ------------------------------------------------------------------------------

MEETING_FIELDS = [
    "id",
    "uid",
    "neighbourhood",
    "wards",
    "also_covers",
    *services.DESCRIPTIVE_FIELDS,
    "starts_at",
    "ends_at",
    "status",
    "cancellation_reason",
    "series",
    "lead_officer_name",
    "outcome_recorded_at",
    "public_attendees",
    "online_live_viewers",
    "online_later_views",
    "questions_received",
    "public_summary",
    "created_at",
    "updated_at",
]


# What a change sets as a whole rather than field by field.
RELATIONS = ("wards", "officers", "partners_invited", "also_covers")


class MeetingSerializer(ReadModelSerializer):
    """A meeting as staff of its area read it. `restricted_notes` is present only for those the
    policy lets read it (`meeting.view_restricted`); for anyone else the key is left out."""

    neighbourhood = serializers.SlugRelatedField(slug_field="code", read_only=True)
    wards = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    also_covers = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="Other neighbourhoods a town-wide meeting covers."
    )
    lead_officer_name = serializers.CharField(source="lead_officer.full_name", read_only=True, allow_null=True)
    restricted_notes = serializers.CharField(
        required=False, help_text="Police only; the key is absent for anyone who may not read it."
    )

    class Meta:
        model = Meeting
        fields = [*MEETING_FIELDS, "restricted_notes"]
        read_only_fields = MEETING_FIELDS

    def to_representation(self, meeting):
        data = super().to_representation(meeting)
        if not can(self.context["request"].user, "meeting.view_restricted", meeting):
            del data["restricted_notes"]
        return data


class MeetingChangeSerializer(StrictJsonMixin, serializers.ModelSerializer):
    """What a change to a meeting accepts (a meeting stays in its neighbourhood). The choices
    offered are the user's: the neighbourhood's wards and team; anything else is "does not exist"."""

    wards = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Ward.objects.none())
    also_covers = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=Neighbourhood.objects.none(),
        help_text="Other neighbourhoods of the host's division a town-wide meeting covers (codes).",
    )  # fmt: skip
    lead_officer = serializers.PrimaryKeyRelatedField(queryset=User.objects.none(), allow_null=True, required=False)
    officers = serializers.PrimaryKeyRelatedField(queryset=User.objects.none(), many=True, required=False)
    partners_invited = serializers.PrimaryKeyRelatedField(
        queryset=PartnerAgency.objects.all(), many=True, required=False
    )
    venue_latitude = serializers.FloatField(min_value=-90, max_value=90, allow_null=True, required=False)
    venue_longitude = serializers.FloatField(min_value=-180, max_value=180, allow_null=True, required=False)

    class Meta:
        model = Meeting
        # What describes a meeting (services.DESCRIPTIVE_FIELDS, lead officer included), its
        # wards and times, and who else is coming.
        fields = [
            "wards", "also_covers", *services.DESCRIPTIVE_FIELDS, "starts_at", "ends_at", "officers", "partners_invited"
        ]  # fmt: skip

    def __init__(self, *args, neighbourhoods=(), covers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wards"].child_relation.queryset = Ward.objects.filter(neighbourhood__in=neighbourhoods).defer(
            "boundary"
        )
        # As on the page: a meeting also covers only neighbourhoods the user's team works (the
        # service then holds it to the host's division).
        covering = [n.pk for n in (neighbourhoods if covers is None else covers)]
        self.fields["also_covers"].child_relation.queryset = Neighbourhood.objects.filter(pk__in=covering)
        team = selectors.team_for(neighbourhoods=neighbourhoods)
        self.fields["lead_officer"].queryset = team
        self.fields["officers"].child_relation.queryset = team

    def validate(self, attrs):
        """The page form's checks, on the meeting as it would be after the change."""
        merged = {name: getattr(self.instance, name) for name in self.fields if hasattr(self.instance, name)}
        merged.update(attrs)
        if errors := services.meeting_problems(values=merged):
            raise serializers.ValidationError(errors)
        return attrs


class MeetingCreateSerializer(MeetingChangeSerializer):
    """A new draft: as a change, plus the neighbourhood, one of those the user may create in."""

    neighbourhood = serializers.SlugRelatedField(slug_field="code", queryset=Neighbourhood.objects.none())

    class Meta(MeetingChangeSerializer.Meta):
        fields = ["neighbourhood", *MeetingChangeSerializer.Meta.fields]

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        super().__init__(*args, neighbourhoods=neighbourhoods, **kwargs)
        self.fields["neighbourhood"].queryset = Neighbourhood.objects.filter(pk__in=[n.pk for n in neighbourhoods])


class CancelSerializer(StrictJsonMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=255, help_text="Shown to the public, e.g. 'Venue unavailable'.")


# --- views ------------------------------------------------------------------------------------


class MeetingListApi(generics.ListAPIView):
    """Meetings of the user's area: upcoming soonest first, then past ones latest first."""

    queryset = Meeting.objects.none()  # the model, for the schema; get_queryset scopes it
    serializer_class = MeetingSerializer
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"
    filterset_class = MeetingApiFilter

    def get_queryset(self):
        return selectors.meetings_for_api(user=self.request.user)

    @extend_schema(responses=responses({200: MeetingSerializer}, 400, 403, 404))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=MeetingCreateSerializer, responses=responses({201: MeetingSerializer}, 400, 403))
    def post(self, request):
        """A new draft meeting in one of the neighbourhoods the user's team works."""
        neighbourhoods = neighbourhoods_selectors.neighbourhoods_where(user=request.user, action="meeting.create")
        if not neighbourhoods:
            raise PermissionDenied
        write = MeetingCreateSerializer(data=request.data, neighbourhoods=neighbourhoods)
        write.is_valid(raise_exception=True)
        fields = dict(write.validated_data)
        with service_errors():
            meeting = services.meeting_create(
                actor=request.user,
                neighbourhood=fields.pop("neighbourhood"),
                wards=fields.pop("wards"),
                officers=fields.pop("officers", []),
                partners_invited=fields.pop("partners_invited", []),
                also_covers=fields.pop("also_covers", []),
                **fields,
            )
        data = MeetingSerializer(_refetch(meeting), context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class MeetingDetailApi(APIView):
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    @extend_schema(responses=responses({200: MeetingSerializer}, 403, 404))
    def get(self, request, pk: int):
        meeting = meeting_get_for_user(user=request.user, pk=pk)
        return Response(MeetingSerializer(meeting, context={"request": request}).data)

    @extend_schema(request=MeetingChangeSerializer, responses=responses({200: MeetingSerializer}, 400, 403, 404))
    def patch(self, request, pk: int):
        """Change some of a meeting's details (its team only; others in the area may read it)."""
        meeting = meeting_get_for_user(user=request.user, pk=pk, write=True)
        write = MeetingChangeSerializer(
            meeting,
            data=request.data,
            partial=True,
            neighbourhoods=[meeting.neighbourhood],
            covers=neighbourhoods_selectors.neighbourhoods_where(user=request.user, action="meeting.create"),
        )
        write.is_valid(raise_exception=True)
        fields = dict(write.validated_data)
        relations = {name: fields.pop(name) for name in RELATIONS if name in fields}
        with service_errors():
            services.meeting_update(meeting=meeting, actor=request.user, **relations, **fields)
        return Response(MeetingSerializer(_refetch(meeting), context={"request": request}).data)


class MeetingPublishApi(APIView):
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    @extend_schema(request=None, responses=responses({200: MeetingSerializer}, 400, 403, 404))
    def post(self, request, pk: int):
        """Publish a draft: it appears on public pages, feeds and the police.uk API."""
        meeting = meeting_get_for_user(user=request.user, pk=pk, write=True)
        with service_errors():
            services.meeting_publish(meeting=meeting, actor=request.user)
        return Response(MeetingSerializer(_refetch(meeting), context={"request": request}).data)


class MeetingCancelApi(APIView):
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    @extend_schema(request=CancelSerializer, responses=responses({200: MeetingSerializer}, 400, 403, 404))
    def post(self, request, pk: int):
        """Cancel a published meeting; it stays listed publicly as cancelled, with the reason."""
        meeting = meeting_get_for_user(user=request.user, pk=pk, write=True)
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors(rename={"cancellation_reason": "reason"}):
            services.meeting_cancel(meeting=meeting, actor=request.user, reason=body.validated_data["reason"])
        return Response(MeetingSerializer(_refetch(meeting), context={"request": request}).data)
