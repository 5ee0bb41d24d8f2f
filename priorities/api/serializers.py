"""The priorities API's request and response shapes. Reading serializers leave restricted text
out for those the policy keeps it from; writing ones offer only the user's own choices."""

from django.utils import timezone
from rest_framework import serializers

from accounts.api import ReadModelSerializer, StrictJsonMixin
from accounts.models import User
from accounts.policy import can
from meetings.models import Meeting
from neighbourhoods.models import Neighbourhood, Ward
from priorities import services
from priorities.forms.intake import OFFICER_SOURCES
from priorities.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Category,
    EscalationForum,
    Issue,
    IssueSource,
    IssueStatus,
    Priority,
    SignOffMethod,
)
from priorities.selectors import intake as intake_selectors
from priorities.selectors import records as record_selectors
from priorities.views.records import VERB_RULES


def _allowed_transitions(user, priority) -> list[str]:
    return [verb for verb in services.allowed_verbs(priority) if can(user, VERB_RULES[verb], priority)]


def _not_past(value):
    if value is not None and value < timezone.localdate():
        raise serializers.ValidationError("The date must be today or later.")
    return value


# --- serializers: reading -----------------------------------------------------------------------


class ActionUpdateSerializer(ReadModelSerializer):
    author = serializers.CharField(source="author.full_name", read_only=True)

    class Meta:
        model = ActionUpdate
        fields = ["id", "text", "is_public", "author", "created_at"]
        read_only_fields = fields


class ActionSerializer(ReadModelSerializer):
    """An action with just enough of its priority to place it (never the restricted text)."""

    priority_title = serializers.CharField(source="priority.title", read_only=True)
    neighbourhood = serializers.CharField(source="priority.neighbourhood.code", read_only=True)
    owner = serializers.CharField(source="owner_label", read_only=True)
    owner_agency = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "priority",
            "priority_title",
            "neighbourhood",
            "description",
            "owner",
            "owner_officer",
            "owner_agency",
            "owner_partner_user",
            "due_date",
            "status",
            "is_public",
            "is_overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ActionDetailSerializer(ActionSerializer):
    updates = ActionUpdateSerializer(many=True, read_only=True)

    class Meta(ActionSerializer.Meta):
        fields = [*ActionSerializer.Meta.fields, "updates"]
        read_only_fields = fields


PRIORITY_FIELDS = [
    "id",
    "reference",
    "neighbourhood",
    "wards",
    "title",
    "category",
    "state",
    "public_problem",
    "public_update",
    "public_outcome",
    "not_adopted_reason",
    "review_date",
    "agreed_at_meeting",
    "created_at",
    "state_changed_at",
    "updated_at",
]
RESTRICTED_HELP = "Restricted: police of the area only; the key is absent for anyone else."


class PrioritySerializer(ReadModelSerializer):
    """A priority as the area's staff read it; `evidence` and `restricted_notes` only for those the
    policy lets read restricted text (`priority.view_restricted`), left out for anyone else."""

    neighbourhood = serializers.SlugRelatedField(slug_field="code", read_only=True)
    wards = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    evidence = serializers.CharField(required=False, help_text=RESTRICTED_HELP)
    restricted_notes = serializers.CharField(required=False, help_text=RESTRICTED_HELP)

    class Meta:
        model = Priority
        fields = [*PRIORITY_FIELDS, *record_selectors.RESTRICTED_FIELDS]
        read_only_fields = PRIORITY_FIELDS

    def to_representation(self, priority):
        data = super().to_representation(priority)
        if not can(self.context["request"].user, "priority.view_restricted", priority):
            for name in record_selectors.RESTRICTED_FIELDS:
                del data[name]
        return data


class PriorityDetailSerializer(PrioritySerializer):
    actions = ActionDetailSerializer(many=True, read_only=True)
    transitions = serializers.SerializerMethodField(help_text="The state changes you may make now.")

    class Meta(PrioritySerializer.Meta):
        fields = [*PrioritySerializer.Meta.fields, "actions", "transitions"]

    def get_transitions(self, priority) -> list[str]:
        return _allowed_transitions(self.context["request"].user, priority)


class IssueSerializer(ReadModelSerializer):
    neighbourhood = serializers.SlugRelatedField(slug_field="code", read_only=True)
    ward = serializers.SlugRelatedField(slug_field="code", read_only=True)
    reported_by = serializers.CharField(source="reported_by.full_name", read_only=True, allow_null=True)
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = Issue
        fields = [
            "id",
            "reference",
            "neighbourhood",
            "ward",
            "category",
            "description",
            "latitude",
            "longitude",
            "source",
            "meeting",
            "supporters",
            "status",
            "merged_into",
            "priority",
            "closed_reason",
            "anonymous",
            "contact_email",
            "reported_by",
            "has_photo",
            "created_at",
        ]
        read_only_fields = fields

    def get_has_photo(self, issue) -> bool:
        return bool(issue.photo)


# --- serializers: writing -----------------------------------------------------------------------


class ProposeSerializer(StrictJsonMixin, serializers.Serializer):
    neighbourhood = serializers.SlugRelatedField(slug_field="code", queryset=Neighbourhood.objects.none())
    wards = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Ward.objects.none())
    title = serializers.CharField(max_length=150)
    category = serializers.ChoiceField(choices=Category.choices)
    public_problem = serializers.CharField(help_text="Shown on the public page once the priority is agreed.")
    evidence = serializers.CharField(required=False, default="", allow_blank=True, help_text="Restricted.")
    review_date = serializers.DateField(validators=[_not_past])
    issues = serializers.PrimaryKeyRelatedField(many=True, required=False, default=list, queryset=Issue.objects.none())
    meeting = serializers.PrimaryKeyRelatedField(required=False, allow_null=True, queryset=Meeting.objects.none())

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"].queryset = Neighbourhood.objects.filter(pk__in=[n.pk for n in neighbourhoods])
        self.fields["wards"].child_relation.queryset = intake_selectors.wards_for_issue_log(
            neighbourhoods=neighbourhoods
        )
        self.fields["issues"].child_relation.queryset = Issue.objects.filter(
            neighbourhood__in=[n.pk for n in neighbourhoods], status=IssueStatus.NEW
        )
        self.fields["meeting"].queryset = intake_selectors.meetings_for_linking(neighbourhoods=neighbourhoods)


class PriorityEditSerializer(StrictJsonMixin, serializers.Serializer):
    title = serializers.CharField(max_length=150, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    public_problem = serializers.CharField(required=False)
    public_update = serializers.CharField(required=False, allow_blank=True)
    evidence = serializers.CharField(required=False, allow_blank=True, help_text=RESTRICTED_HELP)
    restricted_notes = serializers.CharField(required=False, allow_blank=True, help_text=RESTRICTED_HELP)
    review_date = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args, show_restricted: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_restricted:
            for name in record_selectors.RESTRICTED_FIELDS:
                del self.fields[name]


# Other neighbourhoods' meetings are not named, so an id says nothing about what exists elsewhere.
OWN_MEETINGS_ONLY = "Choose a meeting of the priority's own neighbourhood."


class TransitionSerializer(StrictJsonMixin, serializers.Serializer):
    """`priority` names the record whose meetings may be chosen; the schema generator makes a
    blank instance without one."""

    def __init__(self, *args, priority=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.priority = priority


class AgreeSerializer(TransitionSerializer):
    meeting = serializers.PrimaryKeyRelatedField(
        required=False,
        queryset=Meeting.objects.none(),
        help_text="The held PACT or panel meeting of its neighbourhood where it was agreed; "
        "by default the one it was proposed at.",
        error_messages={"does_not_exist": OWN_MEETINGS_ONLY},
    )
    review_date = serializers.DateField(
        required=False, allow_null=True, validators=[_not_past], help_text="Needed unless the priority has one."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.priority is not None:
            self.fields["meeting"].queryset = record_selectors.all_meetings_for_priority(priority=self.priority)


class EscalateSerializer(TransitionSerializer):
    forum = serializers.ChoiceField(choices=EscalationForum.choices)
    reason = serializers.CharField(help_text="Why local action is not enough.")


class ReasonSerializer(TransitionSerializer):
    reason = serializers.CharField()


class ActionClosureSerializer(StrictJsonMixin, serializers.Serializer):
    action = serializers.IntegerField(help_text="The id of one of the priority's open actions.")
    status = serializers.ChoiceField(choices=[ActionStatus.DONE, ActionStatus.DROPPED])
    reason = serializers.CharField(max_length=2000, help_text="Why it is closed now; kept in its log, not published.")


class ResolveSerializer(TransitionSerializer):
    public_outcome = serializers.CharField(help_text="The result, in plain words, for the public page.")
    close_actions = ActionClosureSerializer(
        many=True,
        required=False,
        default=list,
        help_text="Every action still open, closed with the priority: done or dropped, with the reason.",
    )


class SignOffSerializer(TransitionSerializer):
    method = serializers.ChoiceField(
        choices=SignOffMethod.choices,
        required=False,
        default=SignOffMethod.MEETING,
        help_text="Only `meeting` is recorded here: an online vote's sign-off is recorded by the closed vote.",
    )
    meeting = serializers.PrimaryKeyRelatedField(
        queryset=Meeting.objects.none(),
        help_text="The held PACT or panel meeting of its neighbourhood, on or after the day it was resolved.",
        error_messages={"does_not_exist": OWN_MEETINGS_ONLY},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.priority is not None:
            self.fields["meeting"].queryset = record_selectors.all_meetings_for_priority(priority=self.priority)


class ActionAddSerializer(StrictJsonMixin, serializers.Serializer):
    description = serializers.CharField()
    due_date = serializers.DateField(validators=[_not_past])
    owner_officer = serializers.PrimaryKeyRelatedField(required=False, allow_null=True, queryset=User.objects.none())
    owner_agency = serializers.PrimaryKeyRelatedField(
        required=False, allow_null=True, queryset=record_selectors.partner_agencies()
    )
    owner_partner_user = serializers.PrimaryKeyRelatedField(
        required=False, allow_null=True, queryset=record_selectors.partner_users()
    )
    is_public = serializers.BooleanField(required=False, default=True)

    def __init__(self, *args, priority=None, **kwargs):
        super().__init__(*args, **kwargs)
        if priority is not None:
            self.fields["owner_officer"].queryset = record_selectors.team_officers(neighbourhood=priority.neighbourhood)


class ActionUpdateCreateSerializer(StrictJsonMixin, serializers.Serializer):
    text = serializers.CharField(help_text="What was done.")
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    is_public = serializers.BooleanField(required=False, default=False)


class IssueCreateSerializer(StrictJsonMixin, serializers.Serializer):
    ward = serializers.SlugRelatedField(slug_field="code", queryset=Ward.objects.none())
    category = serializers.ChoiceField(choices=Category.choices)
    description = serializers.CharField(max_length=4000)
    source = serializers.ChoiceField(choices=OFFICER_SOURCES)
    meeting = serializers.PrimaryKeyRelatedField(required=False, allow_null=True, queryset=Meeting.objects.none())
    supporters = serializers.IntegerField(min_value=1, max_value=1000, required=False, default=1)
    contact_email = serializers.EmailField(required=False, default="", allow_blank=True)
    anonymous = serializers.BooleanField(required=False, default=False)
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)

    def __init__(self, *args, neighbourhoods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = intake_selectors.wards_for_issue_log(neighbourhoods=neighbourhoods)
        self.fields["meeting"].queryset = intake_selectors.meetings_for_linking(neighbourhoods=neighbourhoods)

    def validate(self, attrs):
        errors = {}
        meeting, ward = attrs.get("meeting"), attrs["ward"]
        if attrs["source"] == IssueSource.MEETING and meeting is None:
            errors["meeting"] = "Choose the meeting where it was raised."
        if meeting and meeting.neighbourhood_id != ward.neighbourhood_id:
            errors["meeting"] = f"That meeting is not in {ward.neighbourhood.name}, where the ward is."
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            errors["longitude"] = "Give both latitude and longitude, or neither."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs
