"""The priorities API's endpoints and the reads behind their lists."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import PolicyPermission, responses, service_errors
from accounts.policy import can
from neighbourhoods.selectors import neighbourhoods_where
from priorities import services
from priorities.api.serializers import (
    ActionAddSerializer,
    ActionDetailSerializer,
    ActionSerializer,
    ActionUpdateCreateSerializer,
    AgreeSerializer,
    EscalateSerializer,
    IssueCreateSerializer,
    IssueSerializer,
    PriorityDetailSerializer,
    PriorityEditSerializer,
    PrioritySerializer,
    ProposeSerializer,
    ReasonSerializer,
    ResolveSerializer,
    SignOffSerializer,
    TransitionSerializer,
)
from priorities.filters_api import ActionApiFilter, IssueApiFilter, PriorityApiFilter
from priorities.models import Action, Issue, Priority
from priorities.permissions import action_get_for_user, issue_get_for_user, priority_get_for_user
from priorities.selectors import intake as intake_selectors
from priorities.selectors import records as record_selectors
from priorities.views.records import TRANSITION_SERVICES, VERB_RULES

# --- reads ------------------------------------------------------------------------------------


def _priority_response(request, pk: int, *, status_code=status.HTTP_200_OK) -> Response:
    priority = record_selectors.priority_record(pk=pk)
    return Response(PriorityDetailSerializer(priority, context={"request": request}).data, status=status_code)


# --- views: priorities --------------------------------------------------------------------------


class PriorityListApi(generics.ListAPIView):
    """Priorities of the neighbourhoods whose records you may read."""

    queryset = Priority.objects.none()  # the model, for the schema; get_queryset scopes it
    serializer_class = PrioritySerializer
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"
    filterset_class = PriorityApiFilter

    def get_queryset(self):
        return record_selectors.priorities_for_user(user=self.request.user)

    @extend_schema(responses=responses({200: PrioritySerializer}, 400, 403, 404))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ProposeSerializer, responses=responses({201: PriorityDetailSerializer}, 400, 403))
    def post(self, request):
        """Propose a priority for a neighbourhood your team works, from issues in its triage queue."""
        neighbourhoods = neighbourhoods_where(user=request.user, action="priority.propose")
        if not neighbourhoods:
            raise PermissionDenied
        body = ProposeSerializer(data=request.data, neighbourhoods=neighbourhoods)
        body.is_valid(raise_exception=True)
        with service_errors():
            priority = services.priority_propose(actor=request.user, **body.validated_data)
        return _priority_response(request, priority.pk, status_code=status.HTTP_201_CREATED)


class PriorityDetailApi(APIView):
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    @extend_schema(responses=responses({200: PriorityDetailSerializer}, 403, 404))
    def get(self, request, pk: int):
        priority_get_for_user(user=request.user, pk=pk)
        return _priority_response(request, pk)

    @extend_schema(request=PriorityEditSerializer, responses=responses({200: PriorityDetailSerializer}, 400, 403, 404))
    def patch(self, request, pk: int):
        """Edit the record's text; the change is audited in its history."""
        priority = priority_get_for_user(user=request.user, pk=pk, need="priority.edit")
        show_restricted = can(request.user, "priority.view_restricted", priority)
        body = PriorityEditSerializer(data=request.data, partial=True, show_restricted=show_restricted)
        body.is_valid(raise_exception=True)
        with service_errors():
            services.priority_update(priority=priority, actor=request.user, **body.validated_data)
        return _priority_response(request, pk)


class PriorityTransitionApi(APIView):
    """One move of the priority's state machine, by priorities.services, for those the policy
    allows (sergeant or above agrees, escalates and closes; the team starts and records sign-off)."""

    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"
    verb = ""
    body_class: type[TransitionSerializer] = TransitionSerializer
    # The services name some fields as the record does; the API names them as the request does.
    rename = {"not_adopted_reason": "reason"}

    def post(self, request, pk: int):
        priority = priority_get_for_user(user=request.user, pk=pk, need=VERB_RULES[self.verb])
        body = self.body_class(data=request.data, priority=priority)
        body.is_valid(raise_exception=True)
        with service_errors(rename=self.rename):
            TRANSITION_SERVICES[self.verb](priority=priority, actor=request.user, **body.validated_data)
        return _priority_response(request, pk)


def _transition_api(verb: str, body_class, description: str):
    view = type(
        f"Priority{verb.title().replace('_', '')}Api",
        (PriorityTransitionApi,),
        {"verb": verb, "body_class": body_class, "__doc__": description},
    )
    schema = extend_schema(
        request=None if body_class is TransitionSerializer else body_class,
        responses=responses({200: PriorityDetailSerializer}, 400, 403, 404),
        operation_id=f"priorities_{verb}",
        description=f"{description} A state it cannot leave this way is a 400; nothing changes.",
    )
    return extend_schema_view(post=schema)(view)


PriorityAgreeApi = _transition_api("agree", AgreeSerializer, "Agree the priority (sergeant or above).")
PriorityStartApi = _transition_api("start", TransitionSerializer, "Put an agreed priority in action.")
PriorityEscalateApi = _transition_api("escalate", EscalateSerializer, "Hand it to a wider forum.")
PriorityDeEscalateApi = _transition_api("de_escalate", ReasonSerializer, "Bring an escalated priority back.")
PriorityResolveApi = _transition_api("resolve", ResolveSerializer, "Resolve it, telling the public the result.")
PrioritySignOffApi = _transition_api("sign_off", SignOffSerializer, "Record the community's sign-off.")
PriorityNotAdoptApi = _transition_api("not_adopt", ReasonSerializer, "Decline a proposal, with a public reason.")
PriorityReopenApi = _transition_api("reopen", ReasonSerializer, "Reopen a closed priority.")
TRANSITION_APIS = {
    "agree": PriorityAgreeApi,
    "start": PriorityStartApi,
    "escalate": PriorityEscalateApi,
    "de-escalate": PriorityDeEscalateApi,
    "resolve": PriorityResolveApi,
    "sign-off": PrioritySignOffApi,
    "not-adopt": PriorityNotAdoptApi,
    "reopen": PriorityReopenApi,
}


# --- views: actions -----------------------------------------------------------------------------


class ActionListApi(generics.ListAPIView):
    """Actions you may see: a partner user's agency's, or those of priorities you may read."""

    queryset = Action.objects.none()  # the model, for the schema; get_queryset scopes it
    serializer_class = ActionSerializer
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"
    filterset_class = ActionApiFilter

    def get_queryset(self):
        return record_selectors.actions_for_user(user=self.request.user)

    @extend_schema(responses=responses({200: ActionSerializer}, 400, 403, 404))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ActionCreateApi(APIView):
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    @extend_schema(request=ActionAddSerializer, responses=responses({201: ActionDetailSerializer}, 400, 403, 404))
    def post(self, request, pk: int):
        """Add an action to an open priority, owned by an officer of the team or a partner agency."""
        priority = priority_get_for_user(user=request.user, pk=pk, need="priority.edit")
        body = ActionAddSerializer(data=request.data, priority=priority)
        body.is_valid(raise_exception=True)
        with service_errors():
            action = services.action_add(priority=priority, actor=request.user, **body.validated_data)
        return Response(
            ActionDetailSerializer(record_selectors.action_detail(pk=action.pk)).data, status=status.HTTP_201_CREATED
        )


class ActionDetailApi(APIView):
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    @extend_schema(responses=responses({200: ActionDetailSerializer}, 403, 404))
    def get(self, request, pk: int):
        action_get_for_user(user=request.user, pk=pk)
        return Response(ActionDetailSerializer(record_selectors.action_detail(pk=pk)).data)


class ActionUpdateCreateApi(APIView):
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    @extend_schema(
        request=ActionUpdateCreateSerializer, responses=responses({201: ActionDetailSerializer}, 400, 403, 404)
    )
    def post(self, request, pk: int):
        """Add a dated update to an action (partners: their agency's), optionally changing its status."""
        action = action_get_for_user(user=request.user, pk=pk, write=True)
        body = ActionUpdateCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with service_errors():
            services.action_update(action=action, actor=request.user, **body.validated_data)
        return Response(
            ActionDetailSerializer(record_selectors.action_detail(pk=pk)).data, status=status.HTTP_201_CREATED
        )


# --- views: issues ------------------------------------------------------------------------------


class IssueListApi(generics.ListAPIView):
    """Issues of your team's neighbourhoods; `status=new` is the triage queue."""

    queryset = Issue.objects.none()  # the model, for the schema; get_queryset scopes it
    serializer_class = IssueSerializer
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"
    filterset_class = IssueApiFilter

    def get_queryset(self):
        return record_selectors.triage_issues_for_user(user=self.request.user)

    @extend_schema(responses=responses({200: IssueSerializer}, 400, 403, 404))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=IssueCreateSerializer, responses=responses({201: IssueSerializer}, 400, 403))
    def post(self, request):
        """Log a concern raised to an officer into its neighbourhood's triage queue."""
        neighbourhoods = intake_selectors.neighbourhoods_for_issue_log(user=request.user)
        if not neighbourhoods:
            raise PermissionDenied
        body = IssueCreateSerializer(data=request.data, neighbourhoods=neighbourhoods)
        body.is_valid(raise_exception=True)
        with service_errors():
            issue = services.issue_raise(actor=request.user, **body.validated_data)
        issue = issue_get_for_user(user=request.user, pk=issue.pk)
        return Response(IssueSerializer(issue).data, status=status.HTTP_201_CREATED)


class IssueDetailApi(APIView):
    permission_classes = [PolicyPermission]
    policy_action = "staff.dashboard"

    @extend_schema(responses=responses({200: IssueSerializer}, 403, 404))
    def get(self, request, pk: int):
        return Response(IssueSerializer(issue_get_for_user(user=request.user, pk=pk)).data)
