"""In the Know over the API: alerts (read within the policy, new drafts through
messaging.alerts.services) and, for the communications office and HQ only, subscribers with their
contact details masked and member counts per ward.

Sending stays on the pages, where the composer sees the previews and the audience before anything
goes out: the API writes drafts only.
"""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import PolicyPermission, ReadModelSerializer, StrictJsonMixin, responses, service_errors
from meetings.models import Meeting
from messaging.alerts import selectors as selectors_alerts
from messaging.alerts import services as services_alerts
from messaging.filters_api import AlertApiFilter, SubscriberApiFilter, SubscriberWardApiFilter
from messaging.members import selectors as selectors_subscribers
from messaging.members.phone import mobile_masked
from messaging.models import (
    Alert,
    AlertKind,
    AudienceLevel,
    Channel,
    Interest,
    Subscriber,
    SubscriberChannel,
)
from neighbourhoods.models import Division, Neighbourhood, Ward
from pact_portal.privacy import email_masked
from priorities.models import Priority

# Survey and vote invitations carry each member's own link: they are sent from the survey's or the
# vote's page.
API_ALERT_KINDS = [(v, label) for v, label in AlertKind.choices if v not in (AlertKind.SURVEY, AlertKind.VOTE)]

# --- reads ------------------------------------------------------------------------------------


# --- serializers ------------------------------------------------------------------------------


class AlertSerializer(ReadModelSerializer):
    force = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), read_only=True)
    wards = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    neighbourhoods = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    divisions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    interests = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.full_name", read_only=True)
    audience_counts = serializers.DictField(
        child=serializers.IntegerField(), read_only=True, help_text="Audience per channel when it was released."
    )

    class Meta:
        model = Alert
        fields = [
            "id",
            "reference",
            "force",
            "kind",
            "title",
            "body",
            "sms_text",
            "voice_script",
            "channels",
            "audience_level",
            "wards",
            "neighbourhoods",
            "divisions",
            "interests",
            "meeting",
            "priority",
            "survey",
            "status",
            "send_at",
            "created_by",
            "created_at",
            "updated_at",
            "approved_at",
            "released_at",
            "cancelled_at",
            "completed_at",
            "audience_counts",
        ]
        read_only_fields = fields


class AlertCreateSerializer(StrictJsonMixin, serializers.Serializer):
    """A draft alert. The places offered are those the composer may target; anything else is
    "does not exist", and the service checks the area again."""

    title = serializers.CharField(max_length=150)
    body = serializers.CharField()
    kind = serializers.ChoiceField(choices=API_ALERT_KINDS, default=AlertKind.GENERAL)
    sms_text = serializers.CharField(required=False, default="", allow_blank=True)
    voice_script = serializers.CharField(required=False, default="", allow_blank=True)
    channels = serializers.ListField(
        child=serializers.ChoiceField(choices=Channel.choices), allow_empty=False, min_length=1
    )
    audience_level = serializers.ChoiceField(choices=AudienceLevel.choices)
    wards = serializers.SlugRelatedField(slug_field="code", many=True, required=False, queryset=Ward.objects.none())
    neighbourhoods = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=Neighbourhood.objects.none()
    )
    divisions = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=Division.objects.none()
    )
    interests = serializers.SlugRelatedField(
        slug_field="slug", many=True, required=False, queryset=Interest.objects.none(), help_text="None: everyone."
    )
    send_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Empty: as soon as it is sent.")
    meeting = serializers.PrimaryKeyRelatedField(required=False, allow_null=True, queryset=Meeting.objects.none())
    priority = serializers.PrimaryKeyRelatedField(required=False, allow_null=True, queryset=Priority.objects.none())

    def __init__(self, *args, user=None, force=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is None:  # the schema generator's blank instance
            return
        self.fields["wards"].child_relation.queryset = selectors_alerts.targetable_wards(user=user, force=force)
        self.fields["neighbourhoods"].child_relation.queryset = selectors_alerts.targetable_neighbourhoods(
            user=user, force=force
        )
        self.fields["divisions"].child_relation.queryset = selectors_alerts.targetable_divisions(user=user, force=force)
        self.fields["interests"].child_relation.queryset = selectors_alerts.active_interests()
        self.fields["meeting"].queryset = selectors_alerts.template_meetings(user=user, force=force)
        self.fields["priority"].queryset = selectors_alerts.template_priorities(user=user, force=force)


class MaskedChannelSerializer(ReadModelSerializer):
    address = serializers.SerializerMethodField(help_text="Masked: enough for its owner to recognise, no more.")

    class Meta:
        model = SubscriberChannel
        fields = ["channel", "address", "status", "confirmed_at"]
        read_only_fields = fields

    def get_address(self, row) -> str:
        return email_masked(row.address) if row.channel == Channel.EMAIL else mobile_masked(row.address)


class SubscriberSerializer(ReadModelSerializer):
    """A member as the communications office may list them: where they live, how and when they
    consented, their interests and masked contact details; never their self-description."""

    ward = serializers.SlugRelatedField(slug_field="code", read_only=True)
    neighbourhood = serializers.CharField(source="ward.neighbourhood.code", read_only=True)
    interests = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    channels = MaskedChannelSerializer(many=True, read_only=True)

    class Meta:
        model = Subscriber
        fields = [
            "id",
            "ward",
            "neighbourhood",
            "language",
            "source",
            "consent_method",
            "consent_at",
            "created_at",
            "interests",
            "channels",
        ]
        read_only_fields = fields


class WardMembersSerializer(ReadModelSerializer):
    neighbourhood = serializers.SlugRelatedField(slug_field="code", read_only=True)
    members = serializers.IntegerField(read_only=True, help_text="Current members with a confirmed channel.")
    field_members = serializers.IntegerField(read_only=True, help_text="Of those, signed up by an officer.")
    per_thousand = serializers.SerializerMethodField(help_text="Members per 1,000 residents, when known.")

    class Meta:
        model = Ward
        fields = ["code", "name", "neighbourhood", "population", "members", "field_members", "per_thousand"]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_per_thousand(self, ward):
        return round(1000 * ward.members / ward.population, 1) if ward.population else None


# --- views ------------------------------------------------------------------------------------


class AlertListApi(generics.ListAPIView):
    """Alerts you may see: your own, those wholly in your area, and for force-wide staff all of
    the force's, newest first."""

    queryset = Alert.objects.none()  # the model, for the schema; get_queryset scopes it
    serializer_class = AlertSerializer
    permission_classes = [PolicyPermission]
    policy_action = "alert.compose"
    filterset_class = AlertApiFilter

    def get_queryset(self):
        return selectors_alerts.alerts_for_api(user=self.request.user)

    @extend_schema(responses=responses({200: AlertSerializer}, 400, 403, 404))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=AlertCreateSerializer, responses=responses({201: AlertSerializer}, 400, 403))
    def post(self, request):
        """Save a draft alert. Nothing is sent: submit it from its page after checking the previews."""
        force = selectors_alerts.compose_force(user=request.user)
        if force is None:
            raise PermissionDenied("Your account is not linked to a force or a neighbourhood team.")
        body = AlertCreateSerializer(data=request.data, user=request.user, force=force)
        body.is_valid(raise_exception=True)
        with service_errors():
            alert = services_alerts.alert_create(actor=request.user, force=force, **body.validated_data)
        alert = selectors_alerts.alerts_for_api(user=request.user).get(pk=alert.pk)
        return Response(AlertSerializer(alert).data, status=status.HTTP_201_CREATED)


class AlertDetailApi(APIView):
    permission_classes = [PolicyPermission]
    policy_action = "alert.compose"

    @extend_schema(responses=responses({200: AlertSerializer}, 403, 404))
    def get(self, request, pk: int):
        return Response(AlertSerializer(selectors_alerts.alert_get_for_user(user=request.user, pk=pk)).data)


class SubscriberListApi(generics.ListAPIView):
    """Members living in your area, contact details masked. The communications office and HQ only."""

    queryset = Subscriber.objects.none()  # the model, for the schema; get_queryset scopes it
    serializer_class = SubscriberSerializer
    permission_classes = [PolicyPermission]
    policy_action = "messaging.outbox"
    filterset_class = SubscriberApiFilter

    def get_queryset(self):
        return selectors_subscribers.subscribers_for_user(user=self.request.user)

    @extend_schema(responses=responses({200: SubscriberSerializer}, 400, 403, 404))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SubscriberWardCountsApi(generics.ListAPIView):
    """Members per ward of your area. The communications office and HQ only."""

    queryset = Ward.objects.none()  # the model, for the schema; get_queryset scopes it
    serializer_class = WardMembersSerializer
    permission_classes = [PolicyPermission]
    policy_action = "messaging.outbox"
    filterset_class = SubscriberWardApiFilter

    def get_queryset(self):
        return selectors_subscribers.ward_member_counts(user=self.request.user)

    @extend_schema(responses=responses({200: WardMembersSerializer}, 400, 403, 404))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
